"""What a gateway tells us, applied once: payment outcomes (with their ledger bookings) and payout outcomes.

Webhooks and reconciliation both go through `gateway_event_process`: the `GatewayEvent` row is inserted
first, in the same transaction as the effect, so a duplicate waits on the unique index and then finds
the event done (QUALITY.md I11). The effects themselves also read the current state under a row lock,
so an event arriving late or out of order changes nothing it should not.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from agora.core.audit import audit_record
from agora.core.events import send_on_commit
from agora.core.money import Money
from agora.ledger.models import AccountKind, HoldStatus
from agora.ledger.services import (
    BusinessObject,
    Move,
    hold_post,
    hold_void,
    ledger_transfer,
    system_account_ensure,
    wallet_account_ensure,
)
from agora.payments import events, reasons
from agora.payments.gateways.base import PayoutState, WebhookEvent
from agora.payments.models import (
    CAPTURED_STATUSES,
    GatewayEvent,
    GatewayEventOutcome,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    Payout,
    PayoutStatus,
)

# A payment moves forward along this order; `failed` is left only for `succeeded` (a retry that worked).
PROGRESS = [PaymentStatus.CREATED, PaymentStatus.REQUIRES_ACTION, PaymentStatus.PROCESSING]


def gateway_event_process(*, gateway: str, event: WebhookEvent) -> GatewayEventOutcome | None:
    """Record the event and apply it in one transaction; None if it was processed before."""
    try:
        with transaction.atomic():
            record = GatewayEvent.objects.create(
                gateway=gateway, event_id=event.event_id, type=event.type, payload=dict(event.payload)
            )
            outcome = _event_apply(gateway, event)
            record.outcome = outcome
            record.processed_at = timezone.now()
            record.save(update_fields=["outcome", "processed_at"])
            return outcome
    except IntegrityError:
        if GatewayEvent.objects.filter(gateway=gateway, event_id=event.event_id).exists():
            return None
        raise


def _event_apply(gateway: str, event: WebhookEvent) -> GatewayEventOutcome:
    if event.kind == "payment" and event.payment_status is not None:
        payment = _payment_for(gateway, event)
        if payment is None:
            return GatewayEventOutcome.UNKNOWN_OBJECT
        return payment_outcome_apply(
            payment_id=payment.pk,
            status=event.payment_status,
            amount=event.amount,
            currency=event.currency,
            gateway_payment_id=event.gateway_object_id,
            failure_reason=event.failure_reason,
        )
    if event.kind == "payout" and event.payout_status is not None:
        payout = _payout_for(gateway, event)
        if payout is None:
            return GatewayEventOutcome.UNKNOWN_OBJECT
        return payout_outcome_apply(
            payout_id=payout.pk,
            status=event.payout_status,
            gateway_payout_id=event.gateway_object_id,
            failure_reason=event.failure_reason,
            amount=event.amount,
            currency=event.currency,
        )
    return GatewayEventOutcome.IGNORED


def _payment_for(gateway: str, event: WebhookEvent) -> Payment | None:
    payments = Payment.objects.filter(gateway=gateway)
    if event.reference.isdigit():
        found = payments.filter(pk=int(event.reference)).first()
        if found is not None:
            return found
    return payments.filter(gateway_payment_id=event.gateway_object_id).first() if event.gateway_object_id else None


def _payout_for(gateway: str, event: WebhookEvent) -> Payout | None:
    payouts = Payout.objects.filter(gateway=gateway)
    if event.reference.isdigit():
        found = payouts.filter(pk=int(event.reference)).first()
        if found is not None:
            return found
    return payouts.filter(gateway_payout_id=event.gateway_object_id).first() if event.gateway_object_id else None


def payment_outcome_apply(
    *,
    payment_id: int,
    status: PaymentStatus,
    amount: int,
    currency: str,
    gateway_payment_id: str = "",
    failure_reason: str = "",
) -> GatewayEventOutcome:
    """Move the payment to what the gateway says, if that is forward; book a capture once."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("user").get(pk=payment_id)
        if gateway_payment_id and payment.gateway_payment_id not in ("", gateway_payment_id):
            return GatewayEventOutcome.UNKNOWN_OBJECT
        if status == PaymentStatus.SUCCEEDED:
            return _payment_succeed(payment, amount=amount, currency=currency, gateway_payment_id=gateway_payment_id)
        if status == PaymentStatus.FAILED:
            if payment.status not in PROGRESS:
                return GatewayEventOutcome.UNCHANGED
            payment.failure_reason = failure_reason or "Declined"
            _payment_status_set(payment, PaymentStatus.FAILED, "failure_reason")
            send_on_commit(events.payment_failed, **_payment_facts(payment))
            return GatewayEventOutcome.APPLIED
        if payment.status in PROGRESS and PROGRESS.index(status) > PROGRESS.index(PaymentStatus(payment.status)):
            _payment_status_set(payment, status)
            return GatewayEventOutcome.APPLIED
        return GatewayEventOutcome.UNCHANGED


def _payment_succeed(payment: Payment, *, amount: int, currency: str, gateway_payment_id: str) -> GatewayEventOutcome:
    if payment.status in CAPTURED_STATUSES:
        return GatewayEventOutcome.UNCHANGED
    if (amount, currency) != (payment.amount, payment.currency):
        return GatewayEventOutcome.AMOUNT_MISMATCH
    _capture_book(payment)
    payment.failure_reason = ""
    payment.succeeded_at = timezone.now()
    payment.gateway_payment_id = payment.gateway_payment_id or gateway_payment_id
    _payment_status_set(payment, PaymentStatus.SUCCEEDED, "failure_reason", "succeeded_at", "gateway_payment_id")
    send_on_commit(events.payment_succeeded, **_payment_facts(payment))
    return GatewayEventOutcome.APPLIED


def _capture_book(payment: Payment) -> None:
    """outside_world → gateway clearing (the capture); for a top-up also clearing → the payer's wallet."""
    money = Money(payment.amount, payment.currency)
    clearing = system_account_ensure(
        kind=AccountKind.GATEWAY_CLEARING, currency=money.currency, gateway=payment.gateway
    )
    outside = system_account_ensure(kind=AccountKind.OUTSIDE_WORLD, currency=money.currency)
    business_object = BusinessObject.of(payment)
    ledger_transfer(
        idempotency_key=f"payments.payment:{payment.pk}:capture",
        kind="gateway_capture",
        moves=[Move(outside, clearing, money)],
        actor=None,
        reason=reasons.PAYMENT_CAPTURED % {"gateway": payment.gateway},
        business_object=business_object,
    )
    if payment.purpose == PaymentPurpose.TOPUP:
        available = wallet_account_ensure(user=payment.user, kind=AccountKind.AVAILABLE, currency=money.currency)
        ledger_transfer(
            idempotency_key=f"payments.payment:{payment.pk}:top_up",
            kind="top_up",
            moves=[Move(clearing, available, money)],
            actor=payment.user,
            reason=reasons.TOPUP,
            business_object=business_object,
        )


def _payment_status_set(payment: Payment, status: PaymentStatus, *fields: str) -> None:
    previous = payment.status
    payment.status = status
    payment.save(update_fields=["status", "updated_at", *fields])
    audit_record(actor=None, action=f"payments.payment_{status}", target=payment, previous=previous)


def _payment_facts(payment: Payment) -> dict[str, object]:
    return {
        "payment_id": payment.pk,
        "user_id": payment.user_id,
        "purpose": payment.purpose,
        "reference": payment.reference,
        "amount": payment.amount,
        "currency": payment.currency,
    }


def payout_outcome_apply(
    *,
    payout_id: int,
    status: PayoutState,
    gateway_payout_id: str,
    failure_reason: str = "",
    amount: int | None = None,
    currency: str | None = None,
) -> GatewayEventOutcome:
    """Book what the gateway did with an approved payout: in transit, paid, or failed (money back)."""
    with transaction.atomic():
        payout = Payout.objects.select_for_update().select_related("hold", "user").get(pk=payout_id)
        if payout.status != PayoutStatus.APPROVED:
            return GatewayEventOutcome.UNCHANGED
        if gateway_payout_id and payout.gateway_payout_id not in ("", gateway_payout_id):
            return GatewayEventOutcome.UNKNOWN_OBJECT
        if amount is not None and (amount, currency) != (payout.amount, payout.currency):
            return GatewayEventOutcome.AMOUNT_MISMATCH
        if gateway_payout_id and not payout.gateway_payout_id:
            payout.gateway_payout_id = gateway_payout_id
            payout.save(update_fields=["gateway_payout_id", "updated_at"])
        if status == "failed":
            _payout_fail(payout, failure_reason or "The payout failed.")
            return GatewayEventOutcome.APPLIED
        posted_now = _payout_in_transit(payout)
        if status == "pending":
            return GatewayEventOutcome.APPLIED if posted_now else GatewayEventOutcome.UNCHANGED
        _payout_settle(payout)
        return GatewayEventOutcome.APPLIED


def _payout_in_transit(payout: Payout) -> bool:
    """held → payouts in transit, once: the money has left the user's wallet for the gateway."""
    if payout.hold.status != HoldStatus.PENDING:
        return False
    in_transit = system_account_ensure(kind=AccountKind.PAYOUTS_IN_TRANSIT, currency=payout.currency)
    hold_post(
        idempotency_key=f"payments.payout:{payout.pk}:in_transit",
        hold=payout.hold,
        destinations=[(in_transit, Money(payout.amount, payout.currency))],
        actor=payout.decided_by,
        reason=reasons.WITHDRAWAL_SENT,
    )
    payout.hold.refresh_from_db()
    return True


def _payout_settle(payout: Payout) -> None:
    """payouts in transit → gateway clearing → outside world; the payout is paid."""
    money = Money(payout.amount, payout.currency)
    in_transit = system_account_ensure(kind=AccountKind.PAYOUTS_IN_TRANSIT, currency=money.currency)
    clearing = system_account_ensure(kind=AccountKind.GATEWAY_CLEARING, currency=money.currency, gateway=payout.gateway)
    outside = system_account_ensure(kind=AccountKind.OUTSIDE_WORLD, currency=money.currency)
    for suffix, kind, source, destination in (
        ("sent", "payout_sent", in_transit, clearing),
        ("settled", "gateway_payout", clearing, outside),
    ):
        ledger_transfer(
            idempotency_key=f"payments.payout:{payout.pk}:{suffix}",
            kind=kind,
            moves=[Move(source, destination, money)],
            actor=payout.decided_by,
            reason=reasons.WITHDRAWAL_PAID % {"gateway": payout.gateway},
            business_object=BusinessObject.of(payout),
        )
    payout.status = PayoutStatus.PAID
    payout.paid_at = timezone.now()
    payout.save(update_fields=["status", "paid_at", "updated_at"])
    audit_record(actor=None, action="payments.payout_paid", target=payout)
    send_on_commit(events.payout_paid, **_payout_facts(payout))


def _payout_fail(payout: Payout, reason: str) -> None:
    """Give the money back: void the hold, or, once it left for the gateway, return it from transit."""
    if payout.hold.status == HoldStatus.PENDING:
        hold_void(
            idempotency_key=f"payments.payout:{payout.pk}:void",
            hold=payout.hold,
            actor=payout.decided_by,
            reason=reasons.WITHDRAWAL_FAILED,
        )
    else:
        money = Money(payout.amount, payout.currency)
        ledger_transfer(
            idempotency_key=f"payments.payout:{payout.pk}:returned",
            kind="payout_returned",
            moves=[
                Move(
                    system_account_ensure(kind=AccountKind.PAYOUTS_IN_TRANSIT, currency=money.currency),
                    wallet_account_ensure(user=payout.user, kind=AccountKind.AVAILABLE, currency=money.currency),
                    money,
                )
            ],
            actor=payout.decided_by,
            reason=reasons.WITHDRAWAL_RETURNED,
            business_object=BusinessObject.of(payout),
        )
    payout.status = PayoutStatus.FAILED
    payout.reason = reason[:1000]
    payout.save(update_fields=["status", "reason", "updated_at"])
    audit_record(actor=None, action="payments.payout_failed", target=payout, reason=reason)
    send_on_commit(events.payout_failed, **_payout_facts(payout))


def _payout_facts(payout: Payout) -> dict[str, object]:
    return {"payout_id": payout.pk, "user_id": payout.user_id, "amount": payout.amount, "currency": payout.currency}
