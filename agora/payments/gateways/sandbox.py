"""The sandbox gateway: our side of the pretend card network in `agora.payments.sandbox`."""

import datetime
import json
from collections.abc import Mapping, Sequence
from typing import ClassVar

from django.conf import settings

from agora.payments.gateways.base import (
    GatewayError,
    GatewayPayment,
    GatewayPayout,
    GatewayRefund,
    PaymentGateway,
    PayoutState,
    WebhookEvent,
    WebhookSignatureError,
)
from agora.payments.gateways.event_shape import event_read
from agora.payments.models import (
    Payment,
    PaymentStatus,
    Payout,
    PayoutMethodKind,
    SandboxCharge,
    SandboxChargeStatus,
    SandboxPayout,
    wallet_url,
)
from agora.payments.sandbox import network
from agora.payments.sandbox.signing import SIGNATURE_HEADER, signature_verify

STATUSES = {
    SandboxChargeStatus.REQUIRES_PAYMENT_METHOD: PaymentStatus.CREATED,
    SandboxChargeStatus.REQUIRES_ACTION: PaymentStatus.REQUIRES_ACTION,
    SandboxChargeStatus.PROCESSING: PaymentStatus.PROCESSING,
    SandboxChargeStatus.SUCCEEDED: PaymentStatus.SUCCEEDED,
    SandboxChargeStatus.FAILED: PaymentStatus.FAILED,
}


class SandboxGateway(PaymentGateway):
    name = "sandbox"
    payout_kinds: ClassVar[frozenset[str]] = frozenset(PayoutMethodKind)

    def payment_create(self, *, payment: Payment, idempotency_key: str) -> GatewayPayment:
        charge = network.charge_create(
            merchant_key=idempotency_key,
            reference=str(payment.pk),
            amount=payment.amount,
            currency=payment.currency,
            description=f"Agora {payment.get_purpose_display()}",
            return_url=payment.return_url or wallet_url(),
        )
        return _payment(charge)

    def payment_retrieve(self, *, gateway_payment_id: str) -> GatewayPayment:
        charge = SandboxCharge.objects.filter(charge_id=gateway_payment_id).first()
        if charge is None:
            raise GatewayError(f"no sandbox charge {gateway_payment_id}")
        return _payment(charge)

    def payment_list(self, *, created_after: datetime.datetime) -> Sequence[GatewayPayment]:
        return [_payment(charge) for charge in network.charge_list(created_after=created_after)]

    def refund_create(self, *, payment: Payment, amount: int, idempotency_key: str) -> GatewayRefund:
        try:
            refund = network.charge_refund(
                charge_id=payment.gateway_payment_id, amount=amount, merchant_key=idempotency_key
            )
        except network.SandboxRefused as refusal:
            return GatewayRefund(gateway_refund_id="", status="failed", failure_reason=str(refusal))
        return GatewayRefund(gateway_refund_id=refund.refund_id, status="succeeded")

    def payout_create(self, *, payout: Payout, destination: Mapping[str, str], idempotency_key: str) -> GatewayPayout:
        account = destination.get("iban") or destination.get("email") or destination.get("account_id") or ""
        sent = network.payout_create(
            merchant_key=idempotency_key,
            reference=str(payout.pk),
            account=account,
            destination=payout.method.masked,
            amount=payout.amount,
            currency=payout.currency,
        )
        return _payout(sent)

    def payout_retrieve(self, *, gateway_payout_id: str) -> GatewayPayout:
        sent = SandboxPayout.objects.filter(payout_id=gateway_payout_id).first()
        if sent is None:
            raise GatewayError(f"no sandbox payout {gateway_payout_id}")
        return _payout(sent)

    def payout_list(self, *, created_after: datetime.datetime) -> Sequence[GatewayPayout]:
        return [_payout(sent) for sent in network.payout_list(created_after=created_after)]

    def webhook_parse(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        header = headers.get(SIGNATURE_HEADER)
        secret = settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET
        tolerance = settings.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS
        if not signature_verify(body=body, header=header, secret=secret, tolerance=tolerance):
            raise WebhookSignatureError("bad, missing or stale Sandbox-Signature")
        try:
            payload = json.loads(body)
        except ValueError as error:
            raise WebhookSignatureError("the body is not JSON") from error
        if not isinstance(payload, dict):
            raise WebhookSignatureError("the body is not an event")
        return event_read(payload)


def _payment(charge: SandboxCharge) -> GatewayPayment:
    return GatewayPayment(
        gateway_payment_id=charge.charge_id,
        status=STATUSES[SandboxChargeStatus(charge.status)],
        amount=charge.amount,
        currency=charge.currency,
        reference=charge.merchant_reference,
        amount_refunded=charge.amount_refunded,
        failure_reason=charge.failure_message,
        created_at=charge.created_at,
    )


def _payout(sent: SandboxPayout) -> GatewayPayout:
    status: PayoutState = "paid" if sent.status == "paid" else "failed" if sent.status == "failed" else "pending"
    return GatewayPayout(
        gateway_payout_id=sent.payout_id,
        status=status,
        amount=sent.amount,
        currency=sent.currency,
        reference=sent.merchant_reference,
        failure_reason=sent.failure_code,
    )
