"""Reconciliation: compare each gateway's payments and payouts with ours and the ledger, report what
disagrees, and repair what is only missing on our side — through the same path as a webhook
(`gateway_event_process` with an event id of our own), so a repair happens once however often we run.
"""

import datetime
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from django.conf import settings
from django.utils import timezone

from agora.ledger.models import Transaction
from agora.payments.gateways import gateway_get, gateway_names
from agora.payments.gateways.base import GatewayError, GatewayPayment, GatewayPayout, PaymentGateway, WebhookEvent
from agora.payments.models import (
    CAPTURED_STATUSES,
    GatewayEventOutcome,
    Payment,
    PaymentStatus,
    Payout,
    PayoutStatus,
    ReconciliationFinding,
    ReconciliationRun,
)
from agora.payments.services.outcomes import PROGRESS, gateway_event_process
from agora.payments.services.payouts import payout_send

logger = logging.getLogger(__name__)
WINDOW = datetime.timedelta(days=3)
# An approved payout the gateway has not heard of is retried only after this long (the approval may
# still be talking to the gateway).
PAYOUT_GRACE = datetime.timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class ReconciliationRow:
    gateway: str
    kind: str  # "payment" | "payout"
    object_id: int | None  # ours
    gateway_object_id: str
    our_status: str
    gateway_status: str
    amount: int
    currency: str
    problem: str
    repaired: bool


def reconciliation_run(*, now: datetime.datetime | None = None, repair: bool = True) -> list[ReconciliationRow]:
    """Check the last days of every gateway in use; store and return what disagreed."""
    moment = now or timezone.now()
    run = ReconciliationRun.objects.create(started_at=moment, window_start=moment - WINDOW)
    rows: list[ReconciliationRow] = []
    for name in gateway_names():
        gateway = gateway_get(name)
        try:
            payments = gateway.payment_list(created_after=run.window_start)
            payouts = gateway.payout_list(created_after=run.window_start)
        except GatewayError:
            logger.warning("reconciliation: %s did not answer", name, exc_info=True)
            continue
        rows += _payments_compare(gateway, payments, run.window_start, repair=repair)
        rows += _payouts_compare(gateway, payouts, run.window_start, moment, repair=repair)
        run.payments_checked += len(payments)
        run.payouts_checked += len(payouts)
    ReconciliationFinding.objects.bulk_create([ReconciliationFinding(run=run, **asdict(row)) for row in rows])
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at", "payments_checked", "payouts_checked"])
    return rows


def _payments_compare(
    gateway: PaymentGateway, listed: Sequence[GatewayPayment], since: datetime.datetime, *, repair: bool
) -> list[ReconciliationRow]:
    recent = list(Payment.objects.filter(gateway=gateway.name, created_at__gte=since))
    ours = {payment.gateway_payment_id: payment for payment in recent if payment.gateway_payment_id}
    keys = [f"payments.payment:{payment.pk}:capture" for payment in recent]
    captures = set(Transaction.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    rows: list[ReconciliationRow] = []
    seen: set[str] = set()
    for their in listed:
        seen.add(their.gateway_payment_id)
        payment = ours.get(their.gateway_payment_id) or _payment_by_reference(gateway.name, their)
        rows += _payment_compare(gateway.name, payment, their, repair=repair)
    for payment in recent:
        if payment.status not in CAPTURED_STATUSES:
            continue
        if f"payments.payment:{payment.pk}:capture" not in captures:
            rows.append(_payment_row(gateway.name, payment, None, "captured but not in the ledger"))
        if payment.gateway_payment_id not in seen:
            rows.append(_payment_row(gateway.name, payment, None, "paid here, unknown to the gateway"))
    return rows


def _payment_by_reference(gateway: str, their: GatewayPayment) -> Payment | None:
    if not their.reference.isdigit():
        return None
    return Payment.objects.filter(gateway=gateway, pk=int(their.reference)).first()


def _payment_compare(
    gateway: str, payment: Payment | None, their: GatewayPayment, *, repair: bool
) -> list[ReconciliationRow]:
    if payment is None:
        if their.status != PaymentStatus.SUCCEEDED:
            return []  # opened elsewhere and never paid: nothing to attribute
        return [_payment_row(gateway, None, their, "captured, unknown to us")]
    if (their.amount, their.currency) != (payment.amount, payment.currency):
        return [_payment_row(gateway, payment, their, "amount or currency differs")]
    captured_there = their.status == PaymentStatus.SUCCEEDED
    if captured_there and payment.status not in CAPTURED_STATUSES:
        repaired = repair and _repair(gateway, their, payment) == GatewayEventOutcome.APPLIED
        return [_payment_row(gateway, payment, their, "captured, but no confirmation reached us", repaired)]
    if their.status == PaymentStatus.FAILED and payment.status in PROGRESS:
        repaired = repair and _repair(gateway, their, payment) == GatewayEventOutcome.APPLIED
        return [_payment_row(gateway, payment, their, "declined, but no notice reached us", repaired)]
    if payment.status in CAPTURED_STATUSES and not captured_there:
        return [_payment_row(gateway, payment, their, "paid here, not captured at the gateway")]
    if payment.status in CAPTURED_STATUSES and their.amount_refunded != _refunded(payment):
        return [_payment_row(gateway, payment, their, "refunded amounts differ")]
    return []


def _refunded(payment: Payment) -> int:
    return sum(refund.amount for refund in payment.refunds.filter(status="succeeded"))


def _repair(gateway: str, their: GatewayPayment, payment: Payment) -> GatewayEventOutcome | None:
    event = WebhookEvent(
        event_id=f"reconcile:{their.gateway_payment_id}:{their.status}",
        type=f"reconciliation.payment_{their.status}",
        kind="payment",
        gateway_object_id=their.gateway_payment_id,
        reference=str(payment.pk),
        payment_status=their.status,
        amount=their.amount,
        currency=their.currency,
        failure_reason=their.failure_reason,
        payload={"source": "reconciliation", "gateway_status": str(their.status)},
    )
    return gateway_event_process(gateway=gateway, event=event)


def _payment_row(
    gateway: str, payment: Payment | None, their: GatewayPayment | None, problem: str, repaired: bool = False
) -> ReconciliationRow:
    return ReconciliationRow(
        gateway=gateway,
        kind="payment",
        object_id=payment.pk if payment else None,
        gateway_object_id=their.gateway_payment_id if their else (payment.gateway_payment_id if payment else ""),
        our_status=payment.status if payment else "",
        gateway_status=str(their.status) if their else "",
        amount=payment.amount if payment else their.amount if their else 0,
        currency=payment.currency if payment else their.currency if their else settings.PLATFORM_CURRENCY,
        problem=problem,
        repaired=repaired,
    )


def _payouts_compare(
    gateway: PaymentGateway, listed: Sequence[GatewayPayout], since: datetime.datetime, now: datetime.datetime,
    *, repair: bool,
) -> list[ReconciliationRow]:  # fmt: skip
    by_reference = {their.reference: their for their in listed}
    rows: list[ReconciliationRow] = []
    ours = Payout.objects.filter(gateway=gateway.name, requested_at__gte=since).exclude(
        status__in=[PayoutStatus.REQUESTED, PayoutStatus.REJECTED]
    )
    known = set()
    for payout in ours:
        known.add(str(payout.pk))
        their = by_reference.get(str(payout.pk))
        rows += _payout_compare(gateway.name, payout, their, now, repair=repair)
    unknown = [their for their in listed if their.reference not in known]
    rows += [_payout_row(gateway.name, None, their, "unknown to us") for their in unknown]
    return rows


def _payout_compare(
    gateway: str, payout: Payout, their: GatewayPayout | None, now: datetime.datetime, *, repair: bool
) -> list[ReconciliationRow]:
    if their is None:
        if payout.status == PayoutStatus.APPROVED and payout.decided_at and payout.decided_at < now - PAYOUT_GRACE:
            repaired = repair and payout_send(payout_id=payout.pk).status != PayoutStatus.APPROVED
            return [_payout_row(gateway, payout, None, "approved, never reached the gateway", repaired)]
        if payout.status == PayoutStatus.PAID:
            return [_payout_row(gateway, payout, None, "paid here, unknown to the gateway")]
        return []
    if (their.amount, their.currency) != (payout.amount, payout.currency):
        return [_payout_row(gateway, payout, their, "amount or currency differs")]
    unbooked = their.status == "pending" and not payout.gateway_payout_id
    if payout.status == PayoutStatus.APPROVED and (their.status in ("paid", "failed") or unbooked):
        event = WebhookEvent(
            event_id=f"reconcile:{their.gateway_payout_id}:{their.status}",
            type=f"reconciliation.payout_{their.status}",
            kind="payout",
            gateway_object_id=their.gateway_payout_id,
            reference=str(payout.pk),
            payout_status=their.status,
            amount=their.amount,
            currency=their.currency,
            failure_reason=their.failure_reason,
            payload={"source": "reconciliation", "gateway_status": their.status},
        )
        repaired = repair and gateway_event_process(gateway=gateway, event=event) == GatewayEventOutcome.APPLIED
        return [_payout_row(gateway, payout, their, f"{their.status} at the gateway, no notice reached us", repaired)]
    expected = {PayoutStatus.PAID: "paid", PayoutStatus.FAILED: "failed"}.get(PayoutStatus(payout.status))
    if expected and their.status != expected:
        return [_payout_row(gateway, payout, their, f"{payout.status} here, {their.status} at the gateway")]
    return []


def _payout_row(
    gateway: str, payout: Payout | None, their: GatewayPayout | None, problem: str, repaired: bool = False
) -> ReconciliationRow:
    return ReconciliationRow(
        gateway=gateway,
        kind="payout",
        object_id=payout.pk if payout else None,
        gateway_object_id=their.gateway_payout_id if their else (payout.gateway_payout_id if payout else ""),
        our_status=payout.status if payout else "",
        gateway_status=their.status if their else "",
        amount=payout.amount if payout else their.amount if their else 0,
        currency=payout.currency if payout else their.currency if their else settings.PLATFORM_CURRENCY,
        problem=problem,
        repaired=repaired,
    )
