"""Payments test helpers: deterministic sandbox settings, webhooks delivered through Django's test
client, running the sandbox's jobs as the worker would, and a ledger book with every account named."""

import datetime
import json
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from agora.accounts.roles import ACCOUNTANT, ADMIN
from agora.accounts.tests.factories import UserFactory
from agora.ledger.models import AccountKind
from agora.ledger.selectors import account_balance
from agora.ledger.services import system_account_ensure, wallet_account_ensure
from agora.ledger.tests.conftest import assert_ledger_sound
from agora.payments import events
from agora.payments.models import Payment, SandboxEvent, SandboxWebhookDelivery
from agora.payments.sandbox import delivery
from agora.payments.sandbox.signing import SIGNATURE_HEADER, signature_header
from agora.payments.tasks import deliver_sandbox_webhook_task, settle_sandbox_payout_task

USD = "USD"
WEBHOOK_SECRET = "whsec_test_sandbox"
WEBHOOK_PATH = "/payments/webhooks/sandbox"
SUCCESS_CARD = "4242 4242 4242 4242"


def key() -> str:
    return f"test:{uuid.uuid4()}"


@pytest.fixture(autouse=True)
def payments_settings(settings):
    settings.PLATFORM_CURRENCY = USD
    settings.PAYMENTS_DEFAULT_GATEWAY = "sandbox"
    settings.PAYMENTS_SANDBOX_ENABLED = "true"
    settings.PAYMENTS_SANDBOX_CHAOS = 0.0
    settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.PAYMENTS_SANDBOX_WEBHOOK_URL = f"http://testserver{WEBHOOK_PATH}"
    settings.PAYMENTS_TOPUP_MIN = 500
    settings.PAYMENTS_TOPUP_MAX = 100_000
    settings.PAYMENTS_WITHDRAWAL_MIN = 1000
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    return settings


@pytest.fixture(autouse=True)
def webhooks_through_test_client(monkeypatch):
    """The sandbox's HTTP POST goes to our endpoint through Django's test client (a 500 stays a 500)."""
    statuses: list[int] = []

    def post(url: str, body: bytes, headers: Mapping[str, str]) -> int:
        assert url == f"http://testserver{WEBHOOK_PATH}"
        client = Client(raise_request_exception=False)
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
        extra.pop("HTTP_CONTENT_TYPE", None)
        response = client.generic("POST", WEBHOOK_PATH, body, content_type="application/json", **extra)
        statuses.append(response.status_code)
        return response.status_code

    monkeypatch.setattr(delivery, "http_post", post)
    return statuses


def deliver_webhooks(*, due_only: bool = False) -> list[str]:
    """Run the delivery jobs of every undelivered webhook (or only those due now), in their scheduled
    order, as the worker would; return the delivered events' types ("!type" for a failed attempt)."""
    pending = SandboxWebhookDelivery.objects.filter(delivered_at=None).select_related("event")
    if due_only:
        pending = pending.filter(scheduled_at__lte=timezone.now())
    done = []
    for item in pending.order_by("scheduled_at", "id"):
        try:
            deliver_sandbox_webhook_task(delivery_id=item.pk)
        except delivery.DeliveryFailed:
            done.append(f"!{item.event.type}")
        else:
            done.append(item.event.type)
    return done


def settle_payouts() -> None:
    """Run the sandbox's payout settlement jobs (normally a few seconds after the payout)."""
    from agora.payments.models import SandboxPayout, SandboxPayoutStatus

    for payout_id in SandboxPayout.objects.filter(status=SandboxPayoutStatus.PENDING).values_list(
        "payout_id", flat=True
    ):
        settle_sandbox_payout_task(payout_id=payout_id)


def card_pay(client: Client, payment: Payment, number: str = SUCCESS_CARD, **fields: str):
    """Fill in the sandbox's hosted card page as a payer would."""
    data = {"number": number, "expiry": "12 / 34", "cvc": "123", "name": "Ada Lovelace", **fields}
    return client.post(payment.checkout_url, data)


def sandbox_event_body(event_type: str, payment: Payment, **changes: Any) -> bytes:
    """A Stripe-shaped sandbox event about `payment`, as the sandbox would send it."""
    data = {
        "id": payment.gateway_payment_id,
        "object": "payment_intent",
        "amount": payment.amount,
        "currency": payment.currency.lower(),
        "status": "succeeded",
        "metadata": {"payment_id": str(payment.pk)},
        "last_payment_error": None,
    }
    data.update(changes.pop("data", {}))
    payload = {"id": f"evt_test_{uuid.uuid4().hex}", "object": "event", "type": event_type, "data": {"object": data}}
    payload.update(changes)
    return json.dumps(payload).encode()


def webhook_post(
    client: Client,
    body: bytes,
    *,
    secret: str = WEBHOOK_SECRET,
    timestamp: int | None = None,
    header: str | None = None,
):
    signature = header if header is not None else signature_header(body=body, secret=secret, timestamp=timestamp)
    extra = {f"HTTP_{SIGNATURE_HEADER.upper().replace('-', '_')}": signature} if signature else {}
    return client.generic("POST", WEBHOOK_PATH, body, content_type="application/json", **extra)


def stale_timestamp() -> int:
    return int(time.time()) - 301


class Wallets:
    """Every balance a payments flow touches, by name, so a test can assert them all at once."""

    def __init__(self) -> None:
        self.accounts = {
            "outside": system_account_ensure(kind=AccountKind.OUTSIDE_WORLD, currency=USD),
            "clearing": system_account_ensure(kind=AccountKind.GATEWAY_CLEARING, currency=USD, gateway="sandbox"),
            "in_transit": system_account_ensure(kind=AccountKind.PAYOUTS_IN_TRANSIT, currency=USD),
        }

    def add(self, name: str, user: Any) -> Any:
        self.accounts[name] = wallet_account_ensure(user=user, kind=AccountKind.AVAILABLE, currency=USD)
        self.accounts[f"{name}.held"] = wallet_account_ensure(user=user, kind=AccountKind.HELD, currency=USD)
        return user

    def balances(self) -> dict[str, int]:
        return {name: account_balance(account=account).amount for name, account in self.accounts.items()}

    def expect(self, **nonzero: int) -> dict[str, int]:
        unknown = set(nonzero) - set(self.accounts)
        assert not unknown, unknown
        return {name: nonzero.get(name, 0) for name in self.accounts}


@pytest.fixture
def wallets(db) -> Wallets:
    return Wallets()


@pytest.fixture
def transactional_wallets(transactional_db) -> Wallets:
    return Wallets()


def staff(role: str) -> Any:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def accountant(db):
    return staff(ACCOUNTANT)


@pytest.fixture
def admin_user(db):
    return staff(ADMIN)


class Received:
    """Signals caught, with their payloads."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def names(self) -> list[str]:
        return [name for name, _payload in self.sent]


@pytest.fixture
def received() -> Any:
    caught = Received()
    receivers: list[tuple[Any, Callable[..., None]]] = []
    for name in ("payment_succeeded", "payment_failed", "payment_refunded", "payout_paid", "payout_failed"):
        signal = getattr(events, name)

        def receiver(sender: Any, signal_name: str = name, **payload: Any) -> None:
            payload.pop("signal", None)
            caught.sent.append((signal_name, payload))

        signal.connect(receiver, weak=False)
        receivers.append((signal, receiver))
    yield caught
    for signal, receiver in receivers:
        signal.disconnect(receiver)


def events_of(*types: str) -> int:
    return SandboxEvent.objects.filter(type__in=types).count()


def later(seconds: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=seconds)


@pytest.fixture
def ledger_sound_after(request):
    """After the test, every ledger invariant holds (QUALITY.md §2). Set up on the test's database
    fixture, so it runs before that fixture rolls back or flushes."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    request.getfixturevalue("transactional_db" if transactional else "db")
    yield
    assert_ledger_sound()
