"""Fixed-window rate limits kept in the shared cache, e.g. ``"5/10m"``: 5 attempts per 10 minutes."""

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def parse_rate(rate: str) -> tuple[int, int]:
    """``"5/10m"`` → (5, 600)."""
    count, period = rate.split("/")
    digits = period[:-1] or "1"
    return int(count), int(digits) * UNITS[period[-1]]


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def ratelimit_consume(*, action: str, key: str, rate: str) -> None:
    """Count one attempt of `action` by `key`; raise RateLimited when the window is full."""
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    digest = hashlib.sha256(key.lower().encode()).hexdigest()[:32]
    cache_key = f"rl:{action}:{digest}:{window}"
    cache.add(cache_key, 0, timeout=period + 1)
    if cache.incr(cache_key) > limit:
        raise RateLimited(retry_after=period - int(time.time()) % period)


def ratelimit_request(
    request: HttpRequest, *, action: str, rate_per_ip: str, rate_per_key: str = "", key: str = ""
) -> None:
    """Apply a per-IP limit and, when given, a per-key limit (an e-mail address, a user id)."""
    ratelimit_consume(action=f"{action}:ip", key=client_ip(request), rate=rate_per_ip)
    if key and rate_per_key:
        ratelimit_consume(action=f"{action}:key", key=key, rate=rate_per_key)
