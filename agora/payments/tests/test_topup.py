"""Worked examples: wallet top-ups through the sandbox, every balance asserted after every step."""

import pytest
from django.test import Client

from agora.accounts.tests.factories import UserFactory
from agora.core.errors import ServiceError
from agora.ledger.models import Transaction
from agora.payments.models import (
    GatewayEvent,
    Payment,
    PaymentStatus,
    SandboxCharge,
    SandboxChargeStatus,
    wallet_url,
)
from agora.payments.services import topup_start
from agora.payments.tests.conftest import (
    assert_ledger_sound,
    card_pay,
    deliver_webhooks,
    key,
    later,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_sound_after")]


@pytest.fixture
def payer(wallets):
    return wallets.add("payer", UserFactory())


def test_a_top_up_with_the_success_card_credits_the_wallet_once(
    client: Client, wallets, payer, received, django_capture_on_commit_callbacks
):
    payment = topup_start(user=payer, amount=5000, idempotency_key=key())
    assert (payment.status, payment.gateway, payment.purpose, payment.currency) == (
        "created",
        "sandbox",
        "topup",
        "USD",
    )
    assert payment.checkout_url == f"/sandbox/pay/{payment.gateway_payment_id}"
    assert wallets.balances() == wallets.expect()

    page = client.get(payment.checkout_url)
    assert page.status_code == 200
    assert b"4242 4242 4242 4242" in page.content and b"$50.00" in page.content

    response = card_pay(client, payment)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{wallet_url()}?payment={payment.pk}&redirect_status=succeeded"
    charge = SandboxCharge.objects.get(charge_id=payment.gateway_payment_id)
    assert (charge.status, charge.card_last4, charge.amount) == (SandboxChargeStatus.SUCCEEDED, "4242", 5000)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CREATED  # the bank knows; we learn it from the webhook
    assert wallets.balances() == wallets.expect()

    with django_capture_on_commit_callbacks(execute=True):
        delivered = deliver_webhooks()

    assert delivered == ["payment_intent.processing", "payment_intent.succeeded"]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.succeeded_at is not None
    assert wallets.balances() == wallets.expect(outside=-5000, payer=5000)
    assert Transaction.objects.filter(object_type="payments.payment", object_id=str(payment.pk)).count() == 2
    assert list(GatewayEvent.objects.values_list("type", "outcome")) == [
        ("payment_intent.processing", "applied"),
        ("payment_intent.succeeded", "applied"),
    ]
    assert received.sent == [
        (
            "payment_succeeded",
            {
                "payment_id": payment.pk,
                "user_id": payer.pk,
                "purpose": "topup",
                "reference": f"wallet:{payer.pk}",
                "amount": 5000,
                "currency": "USD",
            },
        )
    ]
    assert_ledger_sound()


@pytest.mark.parametrize(
    ("number", "reason"),
    [("4000 0000 0000 0002", "Your card was declined."), ("4000000000009995", "Your card has insufficient funds.")],
)
def test_a_declined_card_changes_no_balance(client, wallets, payer, received, number, reason):
    payment = topup_start(user=payer, amount=2500, idempotency_key=key())

    response = card_pay(client, payment, number)

    assert response.status_code == 200
    assert reason.encode() in response.content and b"Try another card" in response.content
    deliver_webhooks()
    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == (PaymentStatus.FAILED, reason)
    assert wallets.balances() == wallets.expect()
    assert not Transaction.objects.exists()
    assert_ledger_sound()


def test_after_a_decline_another_card_succeeds(client, wallets, payer):
    payment = topup_start(user=payer, amount=2500, idempotency_key=key())
    card_pay(client, payment, "4000000000000002")
    deliver_webhooks()

    response = card_pay(client, payment)

    assert response.status_code == 302
    deliver_webhooks()
    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == (PaymentStatus.SUCCEEDED, "")
    assert wallets.balances() == wallets.expect(outside=-2500, payer=2500)
    assert_ledger_sound()


@pytest.mark.parametrize(("decision", "status", "balance"), [("approve", "succeeded", 7500), ("fail", "failed", 0)])
def test_the_authentication_card_asks_for_a_second_step(client, wallets, payer, decision, status, balance):
    payment = topup_start(user=payer, amount=7500, idempotency_key=key())

    response = card_pay(client, payment, "4000 0000 0000 3220")

    authorize_url = f"/sandbox/pay/{payment.gateway_payment_id}/authorize"
    assert (response.status_code, response.headers["Location"]) == (302, authorize_url)
    assert client.get(payment.checkout_url).headers["Location"] == authorize_url
    page = client.get(authorize_url)
    assert page.status_code == 200 and b"Authorize test payment" in page.content
    deliver_webhooks()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REQUIRES_ACTION

    client.post(authorize_url, {"decision": decision})
    deliver_webhooks()

    payment.refresh_from_db()
    assert payment.status == status
    assert wallets.balances() == wallets.expect(**({"outside": -balance, "payer": balance} if balance else {}))
    assert_ledger_sound()


def test_the_late_card_is_captured_at_once_and_confirmed_a_minute_later(client, wallets, payer, time_machine):
    payment = topup_start(user=payer, amount=1000, idempotency_key=key())

    card_pay(client, payment, "4000000000000077")

    assert deliver_webhooks(due_only=True) == ["payment_intent.processing"]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PROCESSING
    assert wallets.balances() == wallets.expect()
    page = client.get(payment.checkout_url)
    assert page.status_code == 200 and b"Payment complete" in page.content

    time_machine.move_to(later(61))
    assert deliver_webhooks(due_only=True) == ["payment_intent.succeeded"]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert wallets.balances() == wallets.expect(outside=-1000, payer=1000)
    assert_ledger_sound()


@pytest.mark.parametrize(
    ("amount", "gateway", "code"),
    [
        (499, None, "amount_too_small"),
        (100_001, None, "amount_too_large"),
        (5000, "stripe", "unknown_gateway"),  # Stripe has no key here
        (5000, "paypal", "unknown_gateway"),
    ],
)
def test_refused_top_ups_store_nothing(payer, amount, gateway, code):
    with pytest.raises(ServiceError) as refusal:
        topup_start(user=payer, amount=amount, gateway=gateway, idempotency_key=key())

    assert refusal.value.code == code
    assert not Payment.objects.exists() and not SandboxCharge.objects.exists()


def test_the_sandbox_can_be_switched_off(settings, payer):
    settings.PAYMENTS_SANDBOX_ENABLED = "false"

    with pytest.raises(ServiceError) as refusal:
        topup_start(user=payer, amount=5000, idempotency_key=key())

    assert refusal.value.code == "unknown_gateway"


def test_same_key_and_request_is_the_same_payment_another_request_is_refused(payer):
    idempotency_key = key()
    first = topup_start(user=payer, amount=5000, idempotency_key=idempotency_key)

    again = topup_start(user=payer, amount=5000, gateway="sandbox", idempotency_key=idempotency_key)
    with pytest.raises(ServiceError) as refusal:
        topup_start(user=payer, amount=6000, idempotency_key=idempotency_key)

    assert again.pk == first.pk and again.gateway_payment_id == first.gateway_payment_id
    assert refusal.value.code == "idempotency_conflict"
    assert Payment.objects.count() == 1 and SandboxCharge.objects.count() == 1
    assert not Transaction.objects.exists()


def test_a_paid_top_up_replayed_adds_no_ledger_rows(client, wallets, payer):
    idempotency_key = key()
    payment = topup_start(user=payer, amount=5000, idempotency_key=idempotency_key)
    card_pay(client, payment)
    deliver_webhooks()
    rows = Transaction.objects.count()

    again = topup_start(user=payer, amount=5000, idempotency_key=idempotency_key)

    assert again.pk == payment.pk and again.status == PaymentStatus.SUCCEEDED
    assert Transaction.objects.count() == rows == 2
    assert wallets.balances() == wallets.expect(outside=-5000, payer=5000)


def test_someone_elses_key_is_a_conflict(payer):
    idempotency_key = key()
    topup_start(user=payer, amount=5000, idempotency_key=idempotency_key)

    with pytest.raises(ServiceError) as refusal:
        topup_start(user=UserFactory(), amount=5000, idempotency_key=idempotency_key)

    assert refusal.value.code == "idempotency_conflict"
