"""Refunds of sandbox top-ups: never more than was paid (I13), money taken back from the wallet first."""

import pytest

from agora.accounts.tests.factories import UserFactory
from agora.core.errors import ServiceError
from agora.core.money import Money
from agora.ledger.models import Transaction
from agora.ledger.services import BusinessObject, Move, ledger_transfer
from agora.payments.gateways.base import GatewayRefund
from agora.payments.gateways.sandbox import SandboxGateway
from agora.payments.models import PaymentRefund, PaymentStatus, SandboxCharge
from agora.payments.services import payment_refund, topup_start
from agora.payments.tests.conftest import assert_ledger_sound, card_pay, deliver_webhooks, key

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_sound_after")]


@pytest.fixture
def paid(client, wallets):
    payer = wallets.add("payer", UserFactory())
    payment = topup_start(user=payer, amount=5000, idempotency_key=key())
    card_pay(client, payment)
    deliver_webhooks()
    payment.refresh_from_db()
    return payment


def test_part_then_the_rest_is_refunded_and_the_bank_agrees(wallets, paid, accountant, received,
                                                             django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        refund = payment_refund(
            actor=accountant, payment_id=paid.pk, amount=1500, reason="asked", idempotency_key=key()
        )

    assert (refund.status, refund.amount, refund.gateway_refund_id[:5]) == ("succeeded", 1500, "sbre_")
    paid.refresh_from_db()
    assert (paid.status, paid.amount_refunded) == (PaymentStatus.PARTIALLY_REFUNDED, 1500)
    assert wallets.balances() == wallets.expect(outside=-3500, payer=3500)
    assert SandboxCharge.objects.get().amount_refunded == 1500
    assert received.sent == [
        (
            "payment_refunded",
            {
                "payment_id": paid.pk, "user_id": paid.user_id, "purpose": "topup", "reference": paid.reference,
                "amount": 5000, "currency": "USD", "refund_id": refund.pk, "refund_amount": 1500,
                "amount_refunded": 1500,
            },
        )
    ]  # fmt: skip

    with pytest.raises(ServiceError) as refusal:
        payment_refund(actor=accountant, payment_id=paid.pk, amount=3501, reason="asked", idempotency_key=key())
    assert refusal.value.code == "refund_exceeds_payment"

    payment_refund(actor=accountant, payment_id=paid.pk, amount=3500, reason="asked", idempotency_key=key())
    paid.refresh_from_db()
    assert (paid.status, paid.amount_refunded) == (PaymentStatus.REFUNDED, 5000)
    assert wallets.balances() == wallets.expect()
    with pytest.raises(ServiceError) as again:
        payment_refund(actor=accountant, payment_id=paid.pk, amount=1, reason="asked", idempotency_key=key())
    assert again.value.code == "refund_exceeds_payment"
    assert_ledger_sound()


def test_money_already_spent_cannot_be_refunded_and_nothing_changes(wallets, paid, accountant):
    ledger_transfer(
        idempotency_key=key(),
        kind="purchase",
        moves=[Move(wallets.accounts["payer"], wallets.accounts["clearing"], Money(4000, "USD"))],
        actor=None,
        reason="spent",
        business_object=BusinessObject("tests.case", "1"),
    )
    before = wallets.balances()

    with pytest.raises(ServiceError) as refusal:
        payment_refund(actor=accountant, payment_id=paid.pk, amount=2000, reason="asked", idempotency_key=key())

    assert refusal.value.code == "insufficient_funds"
    assert wallets.balances() == before
    paid.refresh_from_db()
    assert paid.amount_refunded == 0 and not PaymentRefund.objects.exists()


def test_a_refund_the_gateway_refuses_gives_the_money_back_to_the_wallet(wallets, paid, accountant, monkeypatch):
    monkeypatch.setattr(
        SandboxGateway, "refund_create", lambda self, **kwargs: GatewayRefund("", "failed", "charge disputed")
    )

    refund = payment_refund(actor=accountant, payment_id=paid.pk, amount=2000, reason="asked", idempotency_key=key())

    assert (refund.status, refund.failure_reason) == ("failed", "charge disputed")
    paid.refresh_from_db()
    assert (paid.status, paid.amount_refunded) == (PaymentStatus.SUCCEEDED, 0)
    assert wallets.balances() == wallets.expect(outside=-5000, payer=5000)
    assert_ledger_sound()


def test_refund_idempotency_and_refusals(wallets, paid, accountant):
    idempotency_key = key()
    first = payment_refund(
        actor=accountant, payment_id=paid.pk, amount=1000, reason="asked", idempotency_key=idempotency_key
    )
    rows = Transaction.objects.count()

    again = payment_refund(
        actor=accountant, payment_id=paid.pk, amount=1000, reason="asked", idempotency_key=idempotency_key
    )
    with pytest.raises(ServiceError) as conflict:
        payment_refund(
            actor=accountant, payment_id=paid.pk, amount=900, reason="asked", idempotency_key=idempotency_key
        )

    assert again.pk == first.pk and Transaction.objects.count() == rows
    assert conflict.value.code == "idempotency_conflict"
    unpaid = topup_start(user=paid.user, amount=5000, idempotency_key=key())
    for payment_id, amount, reason, code in (
        (unpaid.pk, 100, "x", "payment_not_refundable"),
        (999_999, 100, "x", "payment_not_found"),
        (paid.pk, 0, "x", "invalid_amount"),
        (paid.pk, 100, " ", "reason_required"),
    ):
        with pytest.raises(ServiceError) as refusal:
            payment_refund(actor=accountant, payment_id=payment_id, amount=amount, reason=reason, idempotency_key=key())
        assert refusal.value.code == code
    assert wallets.balances() == wallets.expect(outside=-4000, payer=4000)
