"""The accountant pages: only accountants and admins get in (404 for everyone else, whatever the id);
the withdrawal queue's decisions; the ledger and payments lists with filters and CSV; reconciliation."""

import csv
import datetime
import io
import re
import uuid

import pytest
import time_machine
from django.urls import reverse

from agora.accounts.roles import MODERATOR
from agora.accounts.tests.factories import UserFactory
from agora.ledger.selectors import wallet_balances
from agora.payments.models import (
    Payment,
    PaymentStatus,
    Payout,
    PayoutStatus,
    ReconciliationFinding,
    ReconciliationRun,
)
from agora.payments.services import topup_start, withdrawal_request
from agora.payments.tests.conftest import USD, key, staff
from agora.payments.tests.test_wallet import bank, fund, purchase

pytestmark = pytest.mark.django_db

PAGES = ["/staff/payouts/", "/staff/ledger/", "/staff/payments/", "/staff/reconciliation/"]
DOWNLOADS = ["/staff/ledger.csv", "/staff/payments.csv"]


@pytest.fixture
def creator():
    user = UserFactory(email="creator@example.com", display_name="Cora Creator")
    fund(user, 10_000)
    return user


def request_withdrawal(user, amount: int) -> Payout:
    method = bank(user)
    return withdrawal_request(user=user, method_id=method.pk, amount=amount, idempotency_key=key())


def csv_lines(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def available(user) -> int:
    return wallet_balances(user=user, currency=USD).available.amount


# Who gets in ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["learner", MODERATOR])
def test_others_find_nothing_here(client, creator, role):
    person = UserFactory() if role == "learner" else staff(role)
    client.force_login(person)
    payout = request_withdrawal(creator, 2000)

    for url in [*PAGES, *DOWNLOADS]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("payments:staff-payout-approve", args=[payout.pk])).status_code == 404
    assert client.post(reverse("payments:staff-payout-reject", args=[payout.pk]), {"reason": "x"}).status_code == 404

    payout.refresh_from_db()
    assert (payout.status, payout.decided_by) == (PayoutStatus.REQUESTED, None)
    assert available(creator) == 8000


def test_a_visitor_is_sent_to_log_in(client):
    for url in [*PAGES, *DOWNLOADS]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize("who", ["accountant", "admin_user"])
def test_accountants_and_admins_see_every_page(client, request, who):
    client.force_login(request.getfixturevalue(who))

    for url in [*PAGES, *DOWNLOADS]:
        assert client.get(url).status_code == 200, url


def test_the_menu_links_to_the_queue_and_the_ledger_for_accountants_only(client, accountant):
    client.force_login(UserFactory())
    learner_menu = client.get("/wallet/").content.decode()
    client.force_login(accountant)
    accountant_menu = client.get("/wallet/").content.decode()

    assert 'href="/wallet/"' in learner_menu and 'href="/staff/payouts/"' not in learner_menu
    assert 'href="/staff/payouts/"' in accountant_menu and 'href="/staff/ledger/"' in accountant_menu


# The withdrawal queue -----------------------------------------------------------------------------------


def test_the_queue_lists_waiting_requests_first_and_hides_payout_details(client, accountant, creator):
    older = request_withdrawal(creator, 1000)
    newer = request_withdrawal(creator, 1500)
    client.force_login(accountant)
    client.post(reverse("payments:staff-payout-reject", args=[older.pk]), {"reason": "Duplicate"})

    html = client.get("/staff/payouts/").content.decode()

    positions = [html.index(f'id="payout-{payout.pk}"') for payout in (newer, older)]
    assert positions == sorted(positions)
    assert "creator@example.com" in html and "•••• 3000" in html
    assert "0532" not in html  # the IBAN itself is never shown
    assert html.count("Approve and pay") == 1


def test_an_accountant_approves_and_the_sandbox_pays(client, accountant, creator):
    payout = request_withdrawal(creator, 2500)
    client.force_login(accountant)

    response = client.post(reverse("payments:staff-payout-approve", args=[payout.pk]), follow=True)

    payout.refresh_from_db()
    assert (payout.status, payout.decided_by) == (PayoutStatus.PAID, accountant)
    assert f"Withdrawal #{payout.pk} of $25.00 is approved: paid." in response.content.decode()
    assert available(creator) == 7500


def test_approving_twice_pays_once(client, accountant, creator):
    payout = request_withdrawal(creator, 2500)
    client.force_login(accountant)

    client.post(reverse("payments:staff-payout-approve", args=[payout.pk]))
    second = client.post(reverse("payments:staff-payout-approve", args=[payout.pk]), follow=True)

    assert "This withdrawal is paid already." in second.content.decode()
    assert Payout.objects.get().status == PayoutStatus.PAID
    assert available(creator) == 7500


def test_an_accountant_rejects_with_a_reason_and_the_money_comes_back(client, accountant, creator):
    payout = request_withdrawal(creator, 2500)
    client.force_login(accountant)

    response = client.post(reverse("payments:staff-payout-reject", args=[payout.pk]), {"reason": "Name differs"})

    assert response.status_code == 302
    payout.refresh_from_db()
    assert (payout.status, payout.reason, payout.decided_by) == (PayoutStatus.REJECTED, "Name differs", accountant)
    assert available(creator) == 10_000
    client.force_login(creator)
    wallet = client.get("/wallet/").content.decode()
    assert "status--rejected" in wallet and "Name differs" in wallet


def test_a_rejection_needs_a_reason(client, accountant, creator):
    payout = request_withdrawal(creator, 2500)
    client.force_login(accountant)

    response = client.post(reverse("payments:staff-payout-reject", args=[payout.pk]), {"reason": "   "})

    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert re.search(
        rf'<details class="payout-item__reject" open>.*?action="/staff/payouts/{payout.pk}/reject/"', html, re.S
    )
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.REQUESTED
    assert available(creator) == 7500


def test_deciding_an_unknown_withdrawal_is_not_found(client, accountant):
    client.force_login(accountant)

    assert client.post(reverse("payments:staff-payout-approve", args=[999_999])).status_code == 404
    assert client.post(reverse("payments:staff-payout-reject", args=[999_999]), {"reason": "x"}).status_code == 404


def test_the_queue_filters_by_status(client, accountant, creator):
    waiting = request_withdrawal(creator, 1000)
    rejected = request_withdrawal(creator, 1100)
    client.force_login(accountant)
    client.post(reverse("payments:staff-payout-reject", args=[rejected.pk]), {"reason": "No"})

    html = client.get("/staff/payouts/", {"status": "rejected"}).content.decode()

    assert f'id="payout-{rejected.pk}"' in html and f'id="payout-{waiting.pk}"' not in html


def test_the_queue_costs_the_same_queries_however_many_requests(client, accountant, django_assert_num_queries):
    client.force_login(accountant)
    request_withdrawal(_funded(), 1000)

    # session, user, permissions (access, review, menu: one query), count, page
    with django_assert_num_queries(5) as first:
        client.get("/staff/payouts/")
    for _ in range(12):
        request_withdrawal(_funded(), 1000)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/staff/payouts/")


def _funded():
    user = UserFactory()
    fund(user, 5000)
    return user


# The ledger -------------------------------------------------------------------------------------------


def test_the_ledger_lists_every_account_and_filters(client, accountant, creator):
    buyer = UserFactory(email="buyer@example.com")
    fund(buyer, 5000)
    purchase(buyer, creator, 2000)
    client.force_login(accountant)

    everything = client.get("/staff/ledger/").content.decode()
    commission = client.get("/staff/ledger/", {"account_kind": "commission"}).content.decode()
    buyers = client.get("/staff/ledger/", {"email": "buyer@"}).content.decode()

    assert "creator@example.com" in everything and "buyer@example.com" in everything and "Outside world" in everything
    assert "hold.create" in everything and "top_up" in everything
    assert "creator@example.com" not in buyers and "buyer@example.com" in buyers
    assert "No entries match" in commission  # a pending hold moves nothing to the commission yet


def test_the_ledger_csv_has_the_filtered_entries(client, accountant, creator):
    with time_machine.travel(datetime.datetime(2026, 4, 2, 8, tzinfo=datetime.UTC), tick=False):
        fund(UserFactory(email="=cmd@example.com"), 1234)
    client.force_login(accountant)

    response = client.get("/staff/ledger.csv", {"email": "cmd@", "date_from": "2026-04-02", "date_to": "2026-04-02"})

    lines = csv_lines(response)
    assert lines[0] == [
        "Date", "Transaction", "Kind", "Account", "Account kind", "Owner", "Amount", "Currency", "Reason", "Object",
    ]  # fmt: skip
    assert [(line[0], line[2], line[4], line[5], line[6], line[8]) for line in lines[1:]] == [
        ("2026-04-02T08:00:00+00:00", "top_up", "available", "'=cmd@example.com", "12.34", "Wallet top-up"),
    ]


def test_the_ledger_costs_the_same_queries_however_many_entries(client, accountant, django_assert_num_queries):
    client.force_login(accountant)
    fund(UserFactory(), 100)

    with django_assert_num_queries(5) as first:
        client.get("/staff/ledger/")
    for _ in range(30):
        fund(UserFactory(), 100)
    with django_assert_num_queries(len(first.captured_queries)):
        html = client.get("/staff/ledger/", {"account_kind": "available"}).content.decode()
    assert 'href="/staff/ledger/?account_kind=available&amp;page=2"' not in html  # 31 entries: one page
    assert 'href="/staff/ledger/?page=2"' in client.get("/staff/ledger/").content.decode()  # 62 entries


# Payments ---------------------------------------------------------------------------------------------


def test_payments_are_listed_filtered_and_exported(client, accountant):
    payer = UserFactory(email="payer@example.com")
    with time_machine.travel(datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC), tick=False):
        first = topup_start(user=payer, amount=5000, idempotency_key=key())
    with time_machine.travel(datetime.datetime(2026, 5, 3, 9, tzinfo=datetime.UTC), tick=False):
        second = topup_start(user=payer, amount=7000, idempotency_key=key())
    Payment.objects.filter(pk=second.pk).update(status=PaymentStatus.FAILED)
    client.force_login(accountant)

    failed = client.get("/staff/payments/", {"status": "failed"}).content.decode()
    early = client.get("/staff/payments/", {"date_to": "2026-05-02"}).content.decode()
    exported = csv_lines(client.get("/staff/payments.csv", {"status": "created", "gateway": "sandbox"}))

    assert "$70.00" in failed and "$50.00" not in failed
    assert "$50.00" in early and "$70.00" not in early
    assert exported[0][:3] == ["Date", "Payment", "User"]
    assert [row[:5] + row[7:] for row in exported[1:]] == [
        ["2026-05-01T09:00:00+00:00", str(first.pk), "payer@example.com", "topup", f"wallet:{payer.pk}",
         "created", "50.00", "0.00", "USD"],
    ]  # fmt: skip


def test_payments_cost_the_same_queries_however_many(client, accountant, django_assert_num_queries):
    client.force_login(accountant)
    topup_start(user=UserFactory(), amount=5000, idempotency_key=key())

    with django_assert_num_queries(5) as first:
        client.get("/staff/payments/")
    for _ in range(15):
        topup_start(user=UserFactory(), amount=5000, idempotency_key=key())
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/staff/payments/")


# Reconciliation -----------------------------------------------------------------------------------------


def test_reconciliation_shows_the_latest_runs_findings(client, accountant, django_assert_num_queries):
    client.force_login(accountant)
    assert "No reconciliation has run yet" in client.get("/staff/reconciliation/").content.decode()
    now = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)
    run = ReconciliationRun.objects.create(
        started_at=now, finished_at=now, window_start=now - datetime.timedelta(days=3), payments_checked=4
    )
    for problem, repaired in (("captured, but no confirmation reached us", True), ("unknown to us", False)):
        ReconciliationFinding.objects.create(
            run=run, gateway="sandbox", kind="payment", gateway_object_id=f"pi_{uuid.uuid4().hex[:8]}",
            our_status="created", gateway_status="succeeded", amount=5000, currency=USD, problem=problem,
            repaired=repaired,
        )  # fmt: skip

    # session, user, permissions, the latest run, then the report (its run and its findings)
    with django_assert_num_queries(6):
        html = client.get("/staff/reconciliation/").content.decode()

    assert "captured, but no confirmation reached us" in html and "unknown to us" in html
    assert html.count("Needs a look") == 1 and html.count(">Repaired</span>") == 1
    for number in range(10):
        ReconciliationFinding.objects.create(
            run=run, gateway="sandbox", kind="payout", object_id=number, our_status="approved",
            gateway_status="failed", amount=100, currency=USD, problem="failed there",
        )  # fmt: skip
    with django_assert_num_queries(6):
        assert client.get("/staff/reconciliation/").content.decode().count("Needs a look") == 11
