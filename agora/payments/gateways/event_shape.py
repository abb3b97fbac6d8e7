"""Reading Stripe-shaped events (the sandbox sends the same shape) into a `WebhookEvent`."""

from collections.abc import Mapping
from typing import Any

from agora.payments.gateways.base import PayoutState, WebhookEvent, WebhookSignatureError
from agora.payments.models import PaymentStatus

PAYMENT_EVENT_STATUSES = {
    "payment_intent.succeeded": PaymentStatus.SUCCEEDED,
    "payment_intent.processing": PaymentStatus.PROCESSING,
    "payment_intent.requires_action": PaymentStatus.REQUIRES_ACTION,
    "payment_intent.payment_failed": PaymentStatus.FAILED,
    "payment_intent.canceled": PaymentStatus.FAILED,
}
PAYOUT_EVENT_STATUSES: dict[str, PayoutState] = {"payout.paid": "paid", "payout.failed": "failed"}


def event_read(payload: Mapping[str, Any]) -> WebhookEvent:
    """The parts of an event we act on; anything malformed is refused like a bad signature."""
    try:
        event_id = str(payload["id"])
        event_type = str(payload["type"])
        data = payload.get("data", {}).get("object") or {}
        metadata = data.get("metadata") or {}
    except (KeyError, AttributeError, TypeError) as error:
        raise WebhookSignatureError(f"malformed event: {error}") from error
    if not event_id:
        raise WebhookSignatureError("malformed event: no id")
    object_id = str(data.get("id", ""))
    amount = _integer(data.get("amount"))
    currency = str(data.get("currency", "")).upper()
    if event_type in PAYMENT_EVENT_STATUSES:
        last_error = data.get("last_payment_error")
        message = last_error.get("message", "") if isinstance(last_error, Mapping) else ""
        return WebhookEvent(
            event_id=event_id,
            type=event_type,
            kind="payment",
            gateway_object_id=object_id,
            reference=str(metadata.get("payment_id", "")),
            payment_status=PAYMENT_EVENT_STATUSES[event_type],
            amount=amount,
            currency=currency,
            failure_reason=str(message or "")[:255],
            payload=dict(payload),
        )
    if event_type in PAYOUT_EVENT_STATUSES:
        return WebhookEvent(
            event_id=event_id,
            type=event_type,
            kind="payout",
            gateway_object_id=object_id,
            reference=str(metadata.get("payout_id", "")),
            payout_status=PAYOUT_EVENT_STATUSES[event_type],
            amount=amount,
            currency=currency,
            failure_reason=str(data.get("failure_code") or "")[:255],
            payload=dict(payload),
        )
    return WebhookEvent(
        event_id=event_id, type=event_type, kind="other", gateway_object_id=object_id, payload=dict(payload)
    )


def _integer(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1
