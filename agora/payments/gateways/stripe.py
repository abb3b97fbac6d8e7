"""Stripe through its official SDK: PaymentIntents, refunds, Transfers to connected accounts, webhooks.

The payer confirms a PaymentIntent in Stripe Elements on our page (`Payment.checkout_url`), which needs
js.stripe.com; Stripe then tells us the outcome by webhook (`Stripe-Signature`, checked by the SDK).
Tests replace the SDK's HTTP client (`HTTP_CLIENT`) and never touch the network.
"""

import datetime
import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import stripe
from django.conf import settings
from stripe.params import (
    PaymentIntentCreateParams,
    PaymentIntentListParams,
    RefundCreateParams,
    TransferCreateParams,
    TransferListParams,
)

from agora.payments.gateways.base import (
    GatewayError,
    GatewayPayment,
    GatewayPayout,
    GatewayRefund,
    PaymentGateway,
    RefundState,
    WebhookEvent,
    WebhookSignatureError,
)
from agora.payments.gateways.event_shape import event_read
from agora.payments.models import Payment, PaymentStatus, Payout, PayoutMethodKind

# The SDK's HTTP client: None for its default; tests put a fake Stripe here.
HTTP_CLIENT: stripe.HTTPClient | None = None

INTENT_STATUSES = {
    "requires_payment_method": PaymentStatus.CREATED,
    "requires_confirmation": PaymentStatus.CREATED,
    "requires_action": PaymentStatus.REQUIRES_ACTION,
    "processing": PaymentStatus.PROCESSING,
    "requires_capture": PaymentStatus.PROCESSING,
    "succeeded": PaymentStatus.SUCCEEDED,
    "canceled": PaymentStatus.FAILED,
}
REFUND_STATES: dict[str, RefundState] = {"succeeded": "succeeded", "pending": "pending", "requires_action": "pending"}
# Refusals that will not change by retrying (the answer is "no"); anything else is "try again later".
FINAL_ERRORS = (stripe.InvalidRequestError, stripe.CardError, stripe.PermissionError)


class StripeGateway(PaymentGateway):
    name = "stripe"
    payout_kinds: ClassVar[frozenset[str]] = frozenset({PayoutMethodKind.STRIPE_ACCOUNT})

    def payment_create(self, *, payment: Payment, idempotency_key: str) -> GatewayPayment:
        params: PaymentIntentCreateParams = {
            "amount": payment.amount,
            "currency": payment.currency.lower(),
            "automatic_payment_methods": {"enabled": True},
            "description": f"Agora {payment.get_purpose_display()}",
            "metadata": {"payment_id": str(payment.pk), "reference": payment.reference},
        }
        with _Errors():
            intent = _client().v1.payment_intents.create(params=params, options={"idempotency_key": idempotency_key})
        return _payment(intent)

    def payment_retrieve(self, *, gateway_payment_id: str) -> GatewayPayment:
        with _Errors():
            intent = _client().v1.payment_intents.retrieve(gateway_payment_id, params={"expand": ["latest_charge"]})
        return _payment(intent)

    def payment_list(self, *, created_after: datetime.datetime) -> Sequence[GatewayPayment]:
        params: PaymentIntentListParams = {"created": {"gte": int(created_after.timestamp())}, "limit": 100}
        with _Errors():
            intents = list(_client().v1.payment_intents.list(params=params).auto_paging_iter())
        return [_payment(intent) for intent in intents]

    def refund_create(self, *, payment: Payment, amount: int, idempotency_key: str) -> GatewayRefund:
        params: RefundCreateParams = {"payment_intent": payment.gateway_payment_id, "amount": amount}
        try:
            with _Errors():
                refund = _client().v1.refunds.create(params=params, options={"idempotency_key": idempotency_key})
        except FinalRefusal as refusal:
            return GatewayRefund(gateway_refund_id="", status="failed", failure_reason=str(refusal)[:255])
        data: dict[str, Any] = refund.to_dict()
        state = REFUND_STATES.get(str(data.get("status")), "failed")
        reason = str(data.get("failure_reason") or "")
        return GatewayRefund(gateway_refund_id=str(data["id"]), status=state, failure_reason=reason)

    def payout_create(self, *, payout: Payout, destination: Mapping[str, str], idempotency_key: str) -> GatewayPayout:
        params: TransferCreateParams = {
            "amount": payout.amount,
            "currency": payout.currency.lower(),
            "destination": destination.get("account_id", ""),
            "transfer_group": f"payout:{payout.pk}",
            "metadata": {"payout_id": str(payout.pk)},
        }
        try:
            with _Errors():
                transfer = _client().v1.transfers.create(params=params, options={"idempotency_key": idempotency_key})
        except FinalRefusal as refusal:
            return GatewayPayout("", "failed", payout.amount, payout.currency, str(payout.pk), str(refusal)[:255])
        return _payout(transfer)

    def payout_retrieve(self, *, gateway_payout_id: str) -> GatewayPayout:
        with _Errors():
            transfer = _client().v1.transfers.retrieve(gateway_payout_id)
        return _payout(transfer)

    def payout_list(self, *, created_after: datetime.datetime) -> Sequence[GatewayPayout]:
        params: TransferListParams = {"created": {"gte": int(created_after.timestamp())}, "limit": 100}
        with _Errors():
            transfers = list(_client().v1.transfers.list(params=params).auto_paging_iter())
        return [_payout(transfer) for transfer in transfers]

    def webhook_parse(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        try:
            stripe.Webhook.construct_event(
                body,
                headers.get("Stripe-Signature"),
                settings.STRIPE_WEBHOOK_SECRET or None,
                tolerance=settings.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS,
            )
            payload = json.loads(body)
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise WebhookSignatureError(str(error)) from error
        return event_read(payload)


class FinalRefusal(GatewayError):
    """Stripe said no (an invalid account, a refund over the charge): retrying will not help."""


class _Errors:
    """Stripe's exceptions as ours: a final refusal, or GatewayError for "unknown, try again"."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _trace: object) -> None:
        if isinstance(error, FINAL_ERRORS):
            raise FinalRefusal(getattr(error, "user_message", None) or str(error)) from error
        if isinstance(error, stripe.StripeError):
            raise GatewayError(str(error)) from error


def _client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise GatewayError("Stripe is not configured (STRIPE_SECRET_KEY).")
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, http_client=HTTP_CLIENT, max_network_retries=2)


def _payment(intent: stripe.PaymentIntent) -> GatewayPayment:
    data: dict[str, Any] = intent.to_dict()
    status = INTENT_STATUSES.get(str(data.get("status")), PaymentStatus.CREATED)
    error = data.get("last_payment_error") or {}
    if status == PaymentStatus.CREATED and error:
        status = PaymentStatus.FAILED  # Stripe puts a declined intent back to requires_payment_method
    charge = data.get("latest_charge")
    refunded = int(charge.get("amount_refunded", 0)) if isinstance(charge, dict) else 0
    return GatewayPayment(
        gateway_payment_id=str(data["id"]),
        status=status,
        amount=int(data["amount"]),
        currency=str(data["currency"]).upper(),
        reference=str((data.get("metadata") or {}).get("payment_id", "")),
        amount_refunded=refunded,
        failure_reason=str(error.get("message", ""))[:255],
        client_secret=str(data.get("client_secret") or ""),
        created_at=datetime.datetime.fromtimestamp(int(data.get("created") or 0), tz=datetime.UTC),
    )


def _payout(transfer: stripe.Transfer) -> GatewayPayout:
    data: dict[str, Any] = transfer.to_dict()
    reversed_fully = bool(data.get("reversed"))
    return GatewayPayout(
        gateway_payout_id=str(data["id"]),
        status="failed" if reversed_fully else "paid",
        amount=int(data["amount"]),
        currency=str(data["currency"]).upper(),
        reference=str((data.get("metadata") or {}).get("payout_id", "")),
        failure_reason="reversed" if reversed_fully else "",
    )
