"""A small stateful Stripe behind the SDK's HTTP client boundary: the real `stripe` SDK builds the
requests and parses the answers; nothing leaves the process."""

import itertools
import json
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}_fake{next(_ids):08d}"


def _form(data: Any) -> dict[str, str]:
    if not data:
        return {}
    text = data.decode() if isinstance(data, bytes) else str(data)
    return dict(parse_qsl(text, keep_blank_values=True))


class FakeStripe(stripe.HTTPClient):
    name = "fake"

    def __init__(self) -> None:
        super().__init__()
        self.intents: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.transfers: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, dict[str, str], dict[str, str]]] = []
        self.by_idempotency_key: dict[str, tuple[str, int, dict[str, str]]] = {}
        self.down = False  # answer every request with a connection error

    # The SDK calls this for every request.
    def request(self, method, url, headers, post_data=None, *, _usage=None):
        if self.down:
            raise stripe.APIConnectionError("Could not connect to Stripe (fake: down)")
        parts = urlsplit(url)
        params = _form(post_data) if method == "post" else dict(parse_qsl(parts.query))
        headers = dict(headers or {})
        self.requests.append((method, parts.path, params, headers))
        replay_key = headers.get("Idempotency-Key")
        if method == "post" and replay_key in self.by_idempotency_key:
            return self.by_idempotency_key[replay_key]
        status, body = self._route(method, parts.path, params)
        answer = (json.dumps(body), status, {"Request-Id": _id("req")})
        if method == "post" and replay_key and status < 500:
            self.by_idempotency_key[replay_key] = answer
        return answer

    def close(self):
        return None

    def _route(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        segments = path.strip("/").split("/")[1:]  # drop "v1"
        resource, identifier = segments[0], segments[1] if len(segments) > 1 else None
        if resource == "payment_intents":
            return self._intents(method, identifier, params)
        if resource == "refunds" and method == "post":
            return self._refund(params)
        if resource == "transfers":
            return self._transfers(method, identifier, params)
        return 404, _error("invalid_request_error", f"Unrecognized request URL ({method.upper()}: {path})")

    def _intents(self, method: str, identifier: str | None, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if method == "post" and identifier is None:
            intent_id = _id("pi")
            self.intents[intent_id] = {
                "id": intent_id,
                "object": "payment_intent",
                "amount": int(params["amount"]),
                "currency": params["currency"],
                "status": "requires_payment_method",
                "client_secret": f"{intent_id}_secret_fake",
                "metadata": _nested(params, "metadata"),
                "last_payment_error": None,
                "latest_charge": None,
                "created": int(time.time()),
            }
            return 200, self.intents[intent_id]
        if identifier is None:
            intents = list(self.intents.values())
            return 200, {"object": "list", "data": intents, "has_more": False, "url": "/v1/payment_intents"}
        if identifier not in self.intents:
            return 404, _error("invalid_request_error", f"No such payment_intent: '{identifier}'")
        return 200, self.intents[identifier]

    def _refund(self, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None or intent["status"] != "succeeded":
            return 400, _error("invalid_request_error", "This PaymentIntent has no successful charge to refund.")
        amount = int(params.get("amount", intent["amount"]))
        charge = intent["latest_charge"]
        if amount > intent["amount"] - charge["amount_refunded"]:
            return 400, _error("invalid_request_error", "Refund amount is greater than unrefunded amount on charge.")
        charge["amount_refunded"] += amount
        refund_id = _id("re")
        self.refunds[refund_id] = {"id": refund_id, "object": "refund", "amount": amount, "status": "succeeded"}
        return 200, self.refunds[refund_id]

    def _transfers(self, method: str, identifier: str | None, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if method == "post":
            if not params.get("destination", "").startswith("acct_") or params["destination"].endswith("0002"):
                return 400, _error("invalid_request_error", "No such destination: the account is closed.")
            transfer_id = _id("tr")
            self.transfers[transfer_id] = {
                "id": transfer_id,
                "object": "transfer",
                "amount": int(params["amount"]),
                "currency": params["currency"],
                "destination": params["destination"],
                "metadata": _nested(params, "metadata"),
                "reversed": False,
                "created": int(time.time()),
            }
            return 200, self.transfers[transfer_id]
        if identifier is None:
            data = list(self.transfers.values())
            return 200, {"object": "list", "data": data, "has_more": False, "url": "/v1/transfers"}
        return 200, self.transfers[identifier]

    # What the payer does in Stripe Elements, and what Stripe then says by webhook.
    def capture(self, intent_id: str) -> dict[str, Any]:
        intent = self.intents[intent_id]
        intent["status"] = "succeeded"
        intent["latest_charge"] = {"id": _id("ch"), "object": "charge", "amount_refunded": 0}
        return intent

    def event(self, event_type: str, data: dict[str, Any]) -> bytes:
        payload = {"id": _id("evt"), "object": "event", "type": event_type, "data": {"object": data}}
        return json.dumps(payload).encode()


def _nested(params: dict[str, str], name: str) -> dict[str, str]:
    prefix = f"{name}["
    return {key[len(prefix) : -1]: value for key, value in params.items() if key.startswith(prefix)}


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message}}
