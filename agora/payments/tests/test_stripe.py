"""Stripe through the official SDK, its HTTP client replaced by a fake Stripe; webhooks signed with the
SDK's own `WebhookSignature` helper and checked by `stripe.Webhook.construct_event`."""

import time

import pytest
import stripe

from agora.accounts.tests.factories import UserFactory
from agora.core.errors import ServiceError
from agora.ledger.models import AccountKind
from agora.ledger.selectors import account_balance
from agora.ledger.services import system_account_ensure
from agora.ledger.tests.conftest import Book
from agora.payments.gateways import stripe as stripe_gateway
from agora.payments.models import GatewayEvent, PaymentStatus, PayoutStatus
from agora.payments.services import (
    payment_refund,
    payout_method_add,
    reconciliation_run,
    topup_start,
    withdrawal_approve,
    withdrawal_request,
)
from agora.payments.tests.conftest import assert_ledger_sound, key
from agora.payments.tests.fake_stripe import FakeStripe

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_sound_after")]

STRIPE_WEBHOOK_SECRET = "whsec_test_stripe"
STRIPE_PATH = "/payments/webhooks/stripe"


@pytest.fixture
def fake_stripe(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET
    fake = FakeStripe()
    monkeypatch.setattr(stripe_gateway, "HTTP_CLIENT", fake)
    return fake


@pytest.fixture
def payer(wallets):
    wallets.accounts["stripe"] = system_account_ensure(
        kind=AccountKind.GATEWAY_CLEARING, currency="USD", gateway="stripe"
    )
    return wallets.add("payer", UserFactory())


def stripe_post(client, body: bytes, *, secret: str = STRIPE_WEBHOOK_SECRET, timestamp: int | None = None):
    header = stripe.WebhookSignature.generate_signature_header(body.decode(), secret, timestamp=timestamp)
    return client.generic("POST", STRIPE_PATH, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


def test_a_stripe_top_up_is_a_payment_intent_confirmed_by_a_signed_webhook(client, fake_stripe, wallets, payer):
    payment = topup_start(user=payer, amount=5000, gateway="stripe", idempotency_key=key())

    method, path, params, headers = fake_stripe.requests[0]
    assert (method, path) == ("post", "/v1/payment_intents")
    assert params["amount"] == "5000" and params["currency"] == "usd"
    assert params["metadata[payment_id]"] == str(payment.pk)
    assert headers["Idempotency-Key"] == f"payment:{payment.pk}"
    assert headers["Authorization"] == "Bearer sk_test_fake"
    assert payment.gateway_payment_id.startswith("pi_") and payment.client_secret.endswith("_secret_fake")
    assert payment.checkout_url == f"/payments/stripe/pay/{payment.pk}"

    intent = fake_stripe.capture(payment.gateway_payment_id)
    response = stripe_post(client, fake_stripe.event("payment_intent.succeeded", intent))

    assert response.status_code == 200 and response.json()["outcome"] == "applied"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert wallets.balances() == wallets.expect(outside=-5000, payer=5000)
    assert_ledger_sound()


@pytest.mark.parametrize(
    ("describe", "options"),
    [
        ("wrong secret", {"secret": "whsec_other"}),
        ("stale", {"timestamp": int(time.time()) - 301}),
    ],
)
def test_stripe_webhooks_with_a_bad_signature_are_refused(client, fake_stripe, wallets, payer, describe, options):
    payment = topup_start(user=payer, amount=5000, gateway="stripe", idempotency_key=key())
    body = fake_stripe.event("payment_intent.succeeded", fake_stripe.capture(payment.gateway_payment_id))

    response = stripe_post(client, body, **options)
    unsigned = client.generic("POST", STRIPE_PATH, body, content_type="application/json")

    assert (response.status_code, unsigned.status_code) == (400, 400), describe
    assert not GatewayEvent.objects.exists()
    assert wallets.balances() == wallets.expect()


def test_a_replayed_payment_start_asks_stripe_again_with_the_same_key_after_an_outage(fake_stripe, payer):
    idempotency_key = key()
    fake_stripe.down = True
    with pytest.raises(ServiceError) as refusal:
        topup_start(user=payer, amount=5000, gateway="stripe", idempotency_key=idempotency_key)
    assert refusal.value.code == "gateway_unavailable"

    fake_stripe.down = False
    payment = topup_start(user=payer, amount=5000, gateway="stripe", idempotency_key=idempotency_key)
    again = topup_start(user=payer, amount=5000, gateway="stripe", idempotency_key=idempotency_key)

    assert payment.gateway_payment_id and again.gateway_payment_id == payment.gateway_payment_id
    assert len(fake_stripe.intents) == 1


def test_a_stripe_refund_gives_part_then_the_rest_back(client, fake_stripe, wallets, payer, accountant):
    payment = topup_start(user=payer, amount=5000, gateway="stripe", idempotency_key=key())
    stripe_post(client, fake_stripe.event("payment_intent.succeeded", fake_stripe.capture(payment.gateway_payment_id)))

    partial = payment_refund(
        actor=accountant, payment_id=payment.pk, amount=2000, reason="asked", idempotency_key=key()
    )

    assert partial.status == "succeeded" and partial.gateway_refund_id.startswith("re_")
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == (PaymentStatus.PARTIALLY_REFUNDED, 2000)
    assert wallets.balances() == wallets.expect(outside=-3000, payer=3000)
    assert reconciliation_run() == []  # Stripe's refunded amount agrees with ours

    payment_refund(actor=accountant, payment_id=payment.pk, amount=3000, reason="asked", idempotency_key=key())
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == (PaymentStatus.REFUNDED, 5000)
    assert wallets.balances() == wallets.expect()
    assert_ledger_sound()


def test_stripe_pays_out_to_a_connected_account_by_transfer(fake_stripe, settings, wallets, accountant):
    settings.PAYMENTS_DEFAULT_GATEWAY = "stripe"
    creator = wallets.add("creator", UserFactory())
    stripe_clearing = system_account_ensure(kind=AccountKind.GATEWAY_CLEARING, currency="USD", gateway="stripe")
    Book(accounts={"outside": wallets.accounts["outside"], "clearing": stripe_clearing,
                   "creator": wallets.accounts["creator"]}).fund("creator", 9000)  # fmt: skip
    good = payout_method_add(user=creator, kind="stripe_account", details={"account_id": "acct_1Creator4321"})
    closed = payout_method_add(user=creator, kind="stripe_account", details={"account_id": "acct_1Closed0002"})

    paid = withdrawal_request(user=creator, method_id=good.pk, amount=4000, idempotency_key=key())
    paid = withdrawal_approve(actor=accountant, payout_id=paid.pk)
    refused = withdrawal_request(user=creator, method_id=closed.pk, amount=5000, idempotency_key=key())
    refused = withdrawal_approve(actor=accountant, payout_id=refused.pk)

    assert (paid.status, paid.gateway, paid.gateway_payout_id[:3]) == (PayoutStatus.PAID, "stripe", "tr_")
    [transfer] = fake_stripe.transfers.values()
    assert (transfer["amount"], transfer["destination"], transfer["metadata"]) == (
        4000, "acct_1Creator4321", {"payout_id": str(paid.pk)},
    )  # fmt: skip
    assert refused.status == PayoutStatus.FAILED and "closed" in refused.reason
    assert wallets.balances() == wallets.expect(outside=-5000, creator=5000)
    assert account_balance(account=stripe_clearing).amount == 0
    assert reconciliation_run() == []
    assert_ledger_sound()


def test_stripe_unreachable_during_a_payout_leaves_it_approved_for_reconciliation(
    fake_stripe, settings, wallets, accountant
):
    settings.PAYMENTS_DEFAULT_GATEWAY = "stripe"
    creator = wallets.add("creator", UserFactory())
    stripe_clearing = system_account_ensure(kind=AccountKind.GATEWAY_CLEARING, currency="USD", gateway="stripe")
    Book(accounts={"outside": wallets.accounts["outside"], "clearing": stripe_clearing,
                   "creator": wallets.accounts["creator"]}).fund("creator", 4000)  # fmt: skip
    method = payout_method_add(user=creator, kind="stripe_account", details={"account_id": "acct_1Creator4321"})
    payout = withdrawal_request(user=creator, method_id=method.pk, amount=4000, idempotency_key=key())

    fake_stripe.down = True
    payout = withdrawal_approve(actor=accountant, payout_id=payout.pk)

    assert payout.status == PayoutStatus.APPROVED
    assert wallets.balances() == wallets.expect(outside=-4000, **{"creator.held": 4000})


def test_reconciliation_books_a_captured_intent_whose_webhook_never_came(fake_stripe, wallets, payer):
    payment = topup_start(user=payer, amount=5000, gateway="stripe", idempotency_key=key())
    fake_stripe.capture(payment.gateway_payment_id)

    [row] = reconciliation_run()

    assert (row.gateway, row.problem, row.repaired) == ("stripe", "captured, but no confirmation reached us", True)
    assert wallets.balances() == wallets.expect(outside=-5000, payer=5000)
    assert reconciliation_run() == []


def test_the_stripe_payment_page_is_the_payers_only_and_allows_stripe_js(client, fake_stripe, payer):
    payment = topup_start(user=payer, amount=5000, gateway="stripe", idempotency_key=key())
    url = payment.checkout_url

    assert client.get(url).status_code == 302  # to the login page
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(payer)
    response = client.get(url)

    assert response.status_code == 200
    assert b'data-client-secret="' + payment.client_secret.encode() in response.content
    assert b"https://js.stripe.com/v3/" in response.content
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "https://js.stripe.com" in policy
    assert "frame-src https://js.stripe.com" in policy
