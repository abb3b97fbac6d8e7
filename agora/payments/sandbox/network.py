"""The pretend card network: charges paid with test cards, refunds, payouts, and the webhooks it sends.

It keeps its own books (`SandboxCharge`, `SandboxPayout`, ...) and tells the merchant (us) what
happened only through signed webhooks, delivered by jobs — now and then twice, or out of order, as a
real gateway does (`PAYMENTS_SANDBOX_CHAOS`). Every write is idempotent on the merchant's key.
"""

import datetime
import random
import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from agora.payments.models import (
    SandboxCharge,
    SandboxChargeStatus,
    SandboxEvent,
    SandboxPayout,
    SandboxPayoutStatus,
    SandboxRefund,
    SandboxWebhookDelivery,
)
from agora.payments.sandbox.cards import (
    CARDS_BY_NUMBER,
    DECLINES,
    PAYOUT_FAILS_AT_ONCE,
    PAYOUT_FAILS_LATER,
    PAYOUT_PAID_LATER,
    CardBehaviour,
)

PAYOUT_SETTLE_SECONDS = 5  # a payout accepted "in transit" is confirmed or returned this much later
REORDERED_GAP_SECONDS = 2
DUPLICATE_GAP_SECONDS = 3

type Planned = tuple[str, dict[str, Any], int]  # event type, data object, delay in seconds


class SandboxRefused(Exception):
    """The network refuses the request (an unknown card, a refund over what was captured)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(18).replace('-', 'x').replace('_', 'y')}"


def charge_create(
    *, merchant_key: str, reference: str, amount: int, currency: str, description: str, return_url: str
) -> SandboxCharge:
    """Open a charge waiting for a card (once per merchant key)."""
    return _once(
        SandboxCharge,
        merchant_key,
        lambda: SandboxCharge(
            charge_id=new_id("sbpi"),
            merchant_key=merchant_key,
            merchant_reference=reference,
            amount=amount,
            currency=currency,
            description=description[:200],
            return_url=return_url,
        ),
    )


def card_submit(*, charge_id: str, number: str, cardholder: str) -> SandboxCharge:
    """The payer submitted a test card on the hosted page: decide, record, and send the webhooks.

    A charge waiting for a card, or declined before, takes the card; any other is left as it is.
    """
    card = CARDS_BY_NUMBER.get(number)
    if card is None:
        raise SandboxRefused("This is a sandbox: use one of the test cards.", code="invalid_number")
    with transaction.atomic():
        charge = SandboxCharge.objects.select_for_update().get(charge_id=charge_id)
        if charge.status not in (SandboxChargeStatus.REQUIRES_PAYMENT_METHOD, SandboxChargeStatus.FAILED):
            return charge
        charge.card_last4, charge.cardholder = number[-4:], cardholder[:100]
        charge.failure_code = charge.failure_message = ""
        planned: list[Planned]
        if card.behaviour in DECLINES:
            charge.status = SandboxChargeStatus.FAILED
            charge.failure_code, charge.failure_message = DECLINES[card.behaviour]
            planned = [("payment_intent.payment_failed", {}, 0)]
        elif card.behaviour == CardBehaviour.AUTHENTICATE:
            charge.status = SandboxChargeStatus.REQUIRES_ACTION
            planned = [("payment_intent.requires_action", {}, 0)]
        else:
            charge.status = SandboxChargeStatus.SUCCEEDED
            late = settings.PAYMENTS_SANDBOX_LATE_SECONDS if card.behaviour == CardBehaviour.LATE_WEBHOOK else 0
            planned = [("payment_intent.processing", {}, 0), ("payment_intent.succeeded", {}, late)]
        charge.save()
        events_send(_with_object(planned, charge))
    return charge


def charge_authorise(*, charge_id: str, approve: bool) -> SandboxCharge:
    """The payer's answer on the "Authorize test payment" page."""
    with transaction.atomic():
        charge = SandboxCharge.objects.select_for_update().get(charge_id=charge_id)
        if charge.status != SandboxChargeStatus.REQUIRES_ACTION:
            return charge
        if approve:
            charge.status = SandboxChargeStatus.SUCCEEDED
            planned: list[Planned] = [("payment_intent.succeeded", {}, 0)]
        else:
            charge.status = SandboxChargeStatus.FAILED
            charge.failure_code = "authentication_failed"
            charge.failure_message = "The payer did not authorise the payment."
            planned = [("payment_intent.payment_failed", {}, 0)]
        charge.save()
        events_send(_with_object(planned, charge))
    return charge


def charge_refund(*, charge_id: str, amount: int, merchant_key: str) -> SandboxRefund:
    """Give back all or part of a captured charge (once per merchant key)."""
    existing = SandboxRefund.objects.filter(merchant_key=merchant_key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        charge = SandboxCharge.objects.select_for_update().get(charge_id=charge_id)
        existing = SandboxRefund.objects.filter(merchant_key=merchant_key).first()
        if existing is not None:
            return existing
        if charge.status != SandboxChargeStatus.SUCCEEDED or amount > charge.amount - charge.amount_refunded:
            raise SandboxRefused("The charge has not that much captured money left.", code="refund_exceeds_charge")
        refund = SandboxRefund.objects.create(
            refund_id=new_id("sbre"), charge=charge, merchant_key=merchant_key, amount=amount
        )
        charge.amount_refunded += amount
        charge.save(update_fields=["amount_refunded", "updated_at"])
        events_send(_with_object([("charge.refunded", {}, 0)], charge))
    return refund


def charge_list(*, created_after: datetime.datetime) -> list[SandboxCharge]:
    return list(SandboxCharge.objects.filter(created_at__gte=created_after).order_by("created_at", "id"))


def payout_create(
    *, merchant_key: str, reference: str, account: str, destination: str, amount: int, currency: str
) -> SandboxPayout:
    """Send money to an account; the account's last four characters decide what happens (cards.py)."""
    ending = account.split("@")[0][-4:]
    status, settles_as = SandboxPayoutStatus.PAID, ""
    if ending in (PAYOUT_FAILS_LATER, PAYOUT_PAID_LATER):
        status = SandboxPayoutStatus.PENDING
        settles_as = SandboxPayoutStatus.FAILED if ending == PAYOUT_FAILS_LATER else SandboxPayoutStatus.PAID
    elif ending == PAYOUT_FAILS_AT_ONCE:
        status = SandboxPayoutStatus.FAILED

    def build() -> SandboxPayout:
        return SandboxPayout(
            payout_id=new_id("sbpo"),
            merchant_key=merchant_key,
            merchant_reference=reference,
            destination=destination[:80],
            amount=amount,
            currency=currency,
            status=status,
            settles_as=settles_as,
            failure_code="account_closed" if status == SandboxPayoutStatus.FAILED else "",
        )

    def after_create(payout: SandboxPayout) -> None:
        if payout.status == SandboxPayoutStatus.PENDING:
            from agora.payments.tasks import settle_sandbox_payout_task

            settle_sandbox_payout_task.configure(schedule_in={"seconds": PAYOUT_SETTLE_SECONDS}).defer(
                payout_id=payout.payout_id
            )

    return _once(SandboxPayout, merchant_key, build, after_create)


def payout_settle(*, payout_id: str) -> SandboxPayout:
    """A payout in transit arrives (or comes back), and the network says so by webhook."""
    with transaction.atomic():
        payout = SandboxPayout.objects.select_for_update().get(payout_id=payout_id)
        if payout.status != SandboxPayoutStatus.PENDING:
            return payout
        if payout.settles_as == SandboxPayoutStatus.FAILED:
            payout.status, payout.failure_code = SandboxPayoutStatus.FAILED, "account_closed"
            event_type = "payout.failed"
        else:
            payout.status = SandboxPayoutStatus.PAID
            event_type = "payout.paid"
        payout.save()
        events_send([(event_type, payout_object(payout), 0)])
    return payout


def payout_list(*, created_after: datetime.datetime) -> list[SandboxPayout]:
    return list(SandboxPayout.objects.filter(created_at__gte=created_after).order_by("created_at", "id"))


def intent_object(charge: SandboxCharge) -> dict[str, Any]:
    """A charge in the shape of a Stripe PaymentIntent (the shape of our webhooks' data.object)."""
    error = {"code": charge.failure_code, "message": charge.failure_message} if charge.failure_code else None
    return {
        "id": charge.charge_id,
        "object": "payment_intent",
        "amount": charge.amount,
        "amount_received": charge.amount if charge.status == SandboxChargeStatus.SUCCEEDED else 0,
        "amount_refunded": charge.amount_refunded,
        "currency": charge.currency.lower(),
        "status": charge.status,
        "metadata": {"payment_id": charge.merchant_reference},
        "last_payment_error": error,
        "created": int(charge.created_at.timestamp()),
    }


def payout_object(payout: SandboxPayout) -> dict[str, Any]:
    return {
        "id": payout.payout_id,
        "object": "payout",
        "amount": payout.amount,
        "currency": payout.currency.lower(),
        "status": payout.status,
        "failure_code": payout.failure_code or None,
        "metadata": {"payout_id": payout.merchant_reference},
        "created": int(payout.created_at.timestamp()),
    }


def events_send(planned: Sequence[Planned]) -> list[SandboxEvent]:
    """Record the events and schedule their deliveries (jobs, in this transaction). With probability
    PAYMENTS_SANDBOX_CHAOS, several events are delivered in reverse order, and each may be delivered twice."""
    from agora.payments.tasks import deliver_sandbox_webhook_task

    chance = random.Random()  # chaos, not secrecy
    chaos = float(settings.PAYMENTS_SANDBOX_CHAOS)
    events = [
        SandboxEvent.objects.create(
            event_id=new_id("evt_sb"),
            type=event_type,
            payload={"id": "", "object": "event", "type": event_type, "created": int(time.time()), "data": {}},
        )
        for event_type, _data, _delay in planned
    ]
    delays = [delay for _type, _data, delay in planned]
    if len(planned) > 1 and chaos and chance.random() < chaos:
        latest = max(delays)
        delays = [latest + REORDERED_GAP_SECONDS * (len(planned) - 1 - index) for index in range(len(planned))]
    now = timezone.now()
    for event, (_type, data, _delay), delay in zip(events, planned, delays, strict=True):
        event.payload = {**event.payload, "id": event.event_id, "data": {"object": data}}
        event.save(update_fields=["payload"])
        copies = [delay]
        if chaos and chance.random() < chaos:
            copies.append(delay + DUPLICATE_GAP_SECONDS)
        for copy_delay in copies:
            delivery = SandboxWebhookDelivery.objects.create(
                event=event, scheduled_at=now + datetime.timedelta(seconds=copy_delay)
            )
            deliver_sandbox_webhook_task.configure(schedule_at=delivery.scheduled_at).defer(delivery_id=delivery.pk)
    return events


def _with_object(planned: Sequence[Planned], charge: SandboxCharge) -> list[Planned]:
    return [(event_type, intent_object(charge), delay) for event_type, _data, delay in planned]


def _once[M: models.Model](
    model: type[M], merchant_key: str, build: Callable[[], M], after_create: Callable[[M], None] | None = None
) -> M:
    """The row made for this merchant key, made now if there is none (race-safe)."""
    manager = model._default_manager
    existing = manager.filter(merchant_key=merchant_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            row = build()
            row.save()
            if after_create is not None:
                after_create(row)
            return row
    except IntegrityError:  # made a moment ago by a concurrent retry
        return manager.get(merchant_key=merchant_key)
