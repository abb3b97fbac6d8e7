"""The webhook endpoint: signatures, replays, duplicates, order, amounts — and the sandbox's deliveries."""

import json

import pytest
from procrastinate.contrib.django.models import ProcrastinateJob

from agora.accounts.tests.factories import UserFactory
from agora.ledger.models import Transaction
from agora.payments.models import GatewayEvent, Payment, PaymentStatus, SandboxWebhookDelivery
from agora.payments.sandbox import delivery
from agora.payments.services import topup_start
from agora.payments.tasks import WEBHOOK_RETRY, deliver_sandbox_webhook_task
from agora.payments.tests.conftest import (
    WEBHOOK_PATH,
    assert_ledger_sound,
    card_pay,
    deliver_webhooks,
    key,
    sandbox_event_body,
    stale_timestamp,
    webhook_post,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_sound_after")]
REAL_HTTP_POST = delivery.http_post  # before the autouse fixture routes it through the test client


@pytest.fixture
def payer(wallets):
    return wallets.add("payer", UserFactory())


@pytest.fixture
def payment(payer) -> Payment:
    return topup_start(user=payer, amount=5000, idempotency_key=key())


def status_of(payment: Payment) -> str:
    payment.refresh_from_db()
    return payment.status


def test_a_signed_event_is_applied_and_answered(client, wallets, payment):
    response = webhook_post(client, sandbox_event_body("payment_intent.succeeded", payment))

    assert response.status_code == 200
    assert response.json() == {"received": True, "outcome": "applied"}
    assert status_of(payment) == PaymentStatus.SUCCEEDED
    assert wallets.balances() == wallets.expect(outside=-5000, payer=5000)


def test_the_same_event_twice_is_processed_once(client, wallets, payment):
    body = sandbox_event_body("payment_intent.succeeded", payment)

    first = webhook_post(client, body)
    second = webhook_post(client, body)

    assert (first.json()["outcome"], second.json()["outcome"]) == ("applied", "duplicate")
    assert GatewayEvent.objects.count() == 1
    assert wallets.balances() == wallets.expect(outside=-5000, payer=5000)
    assert_ledger_sound()


@pytest.mark.parametrize(
    ("describe", "post"),
    [
        ("stale", lambda client, body: webhook_post(client, body, timestamp=stale_timestamp())),
        ("from the future", lambda client, body: webhook_post(client, body, timestamp=stale_timestamp() + 700)),
        ("wrong secret", lambda client, body: webhook_post(client, body, secret="whsec_someone_else")),
        ("missing header", lambda client, body: webhook_post(client, body, header="")),
        ("garbage header", lambda client, body: webhook_post(client, body, header="t=abc,v1=zzz")),
        ("no v1", lambda client, body: webhook_post(client, body, header="t=123")),
        ("tampered body", lambda client, body: webhook_post_tampered(client, body)),
    ],
)
def test_a_bad_signature_is_refused_and_changes_nothing(client, wallets, payment, describe, post, quality_figure):
    body = sandbox_event_body("payment_intent.succeeded", payment)

    response = post(client, body)
    quality_figure(
        "webhook_bad_signature",
        refused=int(response.status_code == 400),
        changed=GatewayEvent.objects.count() + Transaction.objects.count(),
    )

    assert response.status_code == 400, describe
    assert response.json()["code"] == "invalid_signature"
    assert status_of(payment) == PaymentStatus.CREATED
    assert not GatewayEvent.objects.exists()
    assert wallets.balances() == wallets.expect()


def webhook_post_tampered(client, body: bytes):
    from agora.payments.sandbox.signing import signature_header

    header = signature_header(body=body, secret="whsec_test_sandbox")
    tampered = body.replace(b'"amount": 5000', b'"amount": 500000')
    assert tampered != body
    return webhook_post(client, tampered, header=header)


def test_only_post_and_known_gateways(client):
    assert client.get(WEBHOOK_PATH).status_code == 405
    assert client.post("/payments/webhooks/nosuch", b"{}", content_type="application/json").status_code == 404
    assert client.post("/payments/webhooks/stripe", b"{}", content_type="application/json").status_code == 404


def test_a_signed_body_that_is_not_an_event_is_refused(client):
    for body in (b"not json", b"[1, 2]", json.dumps({"type": "x"}).encode()):
        assert webhook_post(client, body).status_code == 400
    assert not GatewayEvent.objects.exists()


def test_an_amount_or_currency_that_differs_credits_nothing(client, wallets, payment, quality_figure):
    for changes in ({"amount": 50}, {"currency": "eur"}):
        response = webhook_post(client, sandbox_event_body("payment_intent.succeeded", payment, data=changes))
        quality_figure("webhook_amount_mismatch", sent=1, refused=int(response.status_code == 400))

        assert response.status_code == 400
        assert response.json()["code"] == "amount_mismatch"
    assert status_of(payment) == PaymentStatus.CREATED
    assert wallets.balances() == wallets.expect()
    assert GatewayEvent.objects.filter(outcome="amount_mismatch").count() == 2
    quality_figure(
        "webhook_amount_mismatch",
        recorded=GatewayEvent.objects.filter(outcome="amount_mismatch").count(),
        booked=Transaction.objects.count(),
    )


def test_an_event_for_no_payment_of_ours_is_recorded_and_ignored(client, payment):
    body = sandbox_event_body("payment_intent.succeeded", payment, data={"id": "sbpi_other", "metadata": {}})

    assert webhook_post(client, body).json()["outcome"] == "unknown_object"
    other = sandbox_event_body("customer.created", payment)
    assert webhook_post(client, other).json()["outcome"] == "ignored"
    assert status_of(payment) == PaymentStatus.CREATED


def test_out_of_order_a_late_processing_after_succeeded_changes_nothing(client, wallets, payment):
    webhook_post(client, sandbox_event_body("payment_intent.succeeded", payment))

    response = webhook_post(client, sandbox_event_body("payment_intent.processing", payment))
    failed = webhook_post(client, sandbox_event_body("payment_intent.payment_failed", payment))

    assert (response.json()["outcome"], failed.json()["outcome"]) == ("unchanged", "unchanged")
    assert status_of(payment) == PaymentStatus.SUCCEEDED
    assert wallets.balances() == wallets.expect(outside=-5000, payer=5000)


def test_out_of_order_succeeded_after_failed_wins_because_the_money_was_captured(client, wallets, payment):
    failure = {"last_payment_error": {"code": "card_declined", "message": "Your card was declined."}}
    webhook_post(client, sandbox_event_body("payment_intent.payment_failed", payment, data=failure))
    assert status_of(payment) == PaymentStatus.FAILED
    processing = webhook_post(client, sandbox_event_body("payment_intent.processing", payment))
    assert processing.json()["outcome"] == "unchanged"  # failed is left only for succeeded

    webhook_post(client, sandbox_event_body("payment_intent.succeeded", payment))

    assert status_of(payment) == PaymentStatus.SUCCEEDED
    assert wallets.balances() == wallets.expect(outside=-5000, payer=5000)
    assert_ledger_sound()


def test_a_chaotic_sandbox_delivers_twice_and_out_of_order_and_the_wallet_is_credited_once(
    settings, client, wallets, payment, quality_figure
):
    settings.PAYMENTS_SANDBOX_CHAOS = 1.0  # always reorder, always duplicate

    card_pay(client, payment)

    assert SandboxWebhookDelivery.objects.count() == 4
    delivered = deliver_webhooks()
    quality_figure(
        "webhook_chaos",
        deliveries=len(delivered),
        applied=GatewayEvent.objects.filter(outcome="applied").count(),
        credits=Transaction.objects.filter(kind="top_up").count(),
    )
    assert delivered == [
        "payment_intent.succeeded",
        "payment_intent.processing",
        "payment_intent.succeeded",
        "payment_intent.processing",
    ]
    assert list(GatewayEvent.objects.order_by("id").values_list("type", "outcome")) == [
        ("payment_intent.succeeded", "applied"),
        ("payment_intent.processing", "unchanged"),
    ]
    assert status_of(payment) == PaymentStatus.SUCCEEDED
    assert wallets.balances() == wallets.expect(outside=-5000, payer=5000)
    assert_ledger_sound()


def test_each_delivery_is_a_job_retried_with_backoff_while_the_endpoint_fails(
    client, wallets, payment, webhooks_through_test_client, monkeypatch, quality_figure
):
    card_pay(client, payment)
    jobs = ProcrastinateJob.objects.filter(task_name="agora.payments.tasks.deliver_sandbox_webhook_task")
    assert sorted(job.args["delivery_id"] for job in jobs) == sorted(
        SandboxWebhookDelivery.objects.values_list("pk", flat=True)
    )
    assert WEBHOOK_RETRY.max_attempts == 12 and WEBHOOK_RETRY.exponential_wait == 2
    assert WEBHOOK_RETRY.retry_exceptions == {delivery.DeliveryFailed}

    def crash(**kwargs):
        raise RuntimeError("our database is down")

    from agora.payments import gateway_views

    working = gateway_views.gateway_event_process
    monkeypatch.setattr(gateway_views, "gateway_event_process", crash)
    assert deliver_webhooks() == ["!payment_intent.processing", "!payment_intent.succeeded"]
    assert webhooks_through_test_client == [500, 500]
    assert set(SandboxWebhookDelivery.objects.values_list("attempts", "last_status", "delivered_at")) == {
        (1, 500, None)
    }
    monkeypatch.setattr(gateway_views, "gateway_event_process", working)

    assert deliver_webhooks() == ["payment_intent.processing", "payment_intent.succeeded"]
    assert set(SandboxWebhookDelivery.objects.values_list("attempts", "last_status")) == {(2, 200)}
    assert deliver_webhooks() == []  # delivered ones are not sent again by the same delivery
    first = SandboxWebhookDelivery.objects.order_by("id").first()
    assert first is not None
    deliver_sandbox_webhook_task(delivery_id=first.pk)  # a second run of the job sends nothing
    assert SandboxWebhookDelivery.objects.get(pk=first.pk).attempts == 2
    assert wallets.balances() == wallets.expect(outside=-5000, payer=5000)
    quality_figure(
        "crash_endpoint",
        failed=webhooks_through_test_client.count(500),
        credits=Transaction.objects.filter(kind="top_up").count(),
    )


def test_an_unreachable_endpoint_is_a_failed_attempt(payment, client, monkeypatch):
    card_pay(client, payment)

    def refuse(url, body, headers):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(delivery, "http_post", refuse)

    assert deliver_webhooks() == ["!payment_intent.processing", "!payment_intent.succeeded"]
    assert set(SandboxWebhookDelivery.objects.values_list("last_error", flat=True)) == {"connection refused"}
    assert not Transaction.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_delivery_over_real_http_to_a_live_server(live_server, settings, monkeypatch, transactional_wallets):
    """The sandbox's own urllib POST, signed, to our endpoint served by a real server."""
    monkeypatch.setattr(delivery, "http_post", REAL_HTTP_POST)
    settings.PAYMENTS_SANDBOX_WEBHOOK_URL = f"{live_server.url}{WEBHOOK_PATH}"
    payer = transactional_wallets.add("payer", UserFactory())
    payment = topup_start(user=payer, amount=5000, idempotency_key=key())
    from django.test import Client

    card_pay(Client(), payment)

    assert deliver_webhooks() == ["payment_intent.processing", "payment_intent.succeeded"]
    assert status_of(payment) == PaymentStatus.SUCCEEDED
    assert transactional_wallets.balances() == transactional_wallets.expect(outside=-5000, payer=5000)
    assert_ledger_sound()
