"""Webhook signatures as Stripe makes them: `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Sandbox-Signature"


def signature_header(*, body: bytes, secret: str, timestamp: int | None = None) -> str:
    moment = int(time.time()) if timestamp is None else timestamp
    return f"t={moment},v1={_digest(moment, body, secret)}"


def signature_verify(*, body: bytes, header: str | None, secret: str, tolerance: int) -> bool:
    """True for a header carrying a valid v1 signature of `body`, made at most `tolerance` seconds ago."""
    if not header or not secret:
        return False
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        name, _sep, value = item.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        return False
    expected = _digest(timestamp, body, secret)
    if not any(hmac.compare_digest(expected, signature) for signature in signatures):
        return False
    return abs(time.time() - timestamp) <= tolerance


def _digest(timestamp: int, body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
