"""Reconciliation: a crash after the gateway captured is repaired exactly once; stuck payouts are sent."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agora.accounts.tests.factories import UserFactory
from agora.ledger.models import Transaction
from agora.ledger.tests.conftest import Book
from agora.payments.gateways.base import GatewayError
from agora.payments.gateways.sandbox import SandboxGateway
from agora.payments.models import (
    GatewayEvent,
    PaymentStatus,
    PayoutStatus,
    SandboxCharge,
    SandboxChargeStatus,
    SandboxPayout,
)
from agora.payments.sandbox import network
from agora.payments.selectors import reconciliation_report
from agora.payments.services import outcomes as outcomes_module
from agora.payments.services import (
    payout_method_add,
    reconciliation_run,
    topup_start,
    withdrawal_approve,
    withdrawal_request,
)
from agora.payments.tasks import reconcile_payments_task
from agora.payments.tests.conftest import assert_ledger_sound, card_pay, deliver_webhooks, key, later

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_sound_after")]


@pytest.fixture
def payer(wallets):
    return wallets.add("payer", UserFactory())


def test_a_capture_whose_handling_crashed_is_repaired_once(client, wallets, payer, monkeypatch, received,
                                                            django_capture_on_commit_callbacks,
                                                            quality_figure):  # fmt: skip
    payment = topup_start(user=payer, amount=5000, idempotency_key=key())
    card_pay(client, payment)
    booking = outcomes_module._capture_book

    crashes = []

    def crash(payment):
        booking(payment)  # the ledger rows are written ...
        crashes.append(payment.pk)
        raise RuntimeError("the process died before our commit")  # ... and rolled back with everything else

    monkeypatch.setattr(outcomes_module, "_capture_book", crash)
    assert deliver_webhooks() == ["payment_intent.processing", "!payment_intent.succeeded"]
    monkeypatch.setattr(outcomes_module, "_capture_book", booking)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PROCESSING
    assert SandboxCharge.objects.get().status == SandboxChargeStatus.SUCCEEDED  # the bank has the money
    assert wallets.balances() == wallets.expect()
    assert not GatewayEvent.objects.filter(type="payment_intent.succeeded").exists()

    with django_capture_on_commit_callbacks(execute=True):
        first = reconciliation_run()
        second = reconciliation_run()
    quality_figure("crash_after_capture", crashed=len(crashes), repaired=sum(row.repaired for row in first + second))

    assert [
        (row.kind, row.object_id, row.our_status, row.gateway_status, row.problem, row.repaired) for row in first
    ] == [("payment", payment.pk, "processing", "succeeded", "captured, but no confirmation reached us", True)]
    assert second == []
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert wallets.balances() == wallets.expect(outside=-5000, payer=5000)
    assert Transaction.objects.count() == 2
    assert received.names() == ["payment_succeeded"]
    assert GatewayEvent.objects.get(type="reconciliation.payment_succeeded").outcome == "applied"

    assert deliver_webhooks() == ["payment_intent.succeeded"]  # the gateway's retry arrives after all
    assert GatewayEvent.objects.get(type="payment_intent.succeeded").outcome == "unchanged"
    assert wallets.balances() == wallets.expect(outside=-5000, payer=5000)
    assert_ledger_sound()


def test_a_decline_whose_webhook_never_came_is_recorded(client, wallets, payer):
    payment = topup_start(user=payer, amount=5000, idempotency_key=key())
    card_pay(client, payment, "4000000000000002")

    rows = reconciliation_run()

    assert [(row.problem, row.repaired) for row in rows] == [("declined, but no notice reached us", True)]
    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == (PaymentStatus.FAILED, "Your card was declined.")
    assert wallets.balances() == wallets.expect()


def test_the_report_shows_the_latest_run_and_a_dry_run_repairs_nothing(client, wallets, payer):
    assert reconciliation_report() == []
    payment = topup_start(user=payer, amount=5000, idempotency_key=key())
    card_pay(client, payment)

    reconciliation_run(repair=False)

    [finding] = reconciliation_report()
    assert (finding.gateway, finding.kind, finding.object_id, finding.gateway_object_id) == (
        "sandbox", "payment", payment.pk, payment.gateway_payment_id,
    )  # fmt: skip
    assert (finding.our_status, finding.gateway_status, finding.amount, finding.repaired) == (
        "created", "succeeded", 5000, False,
    )  # fmt: skip
    assert wallets.balances() == wallets.expect()

    reconcile_payments_task(timestamp=int(later(0).timestamp()))

    assert [finding.repaired for finding in reconciliation_report()] == [True]
    assert wallets.balances() == wallets.expect(outside=-5000, payer=5000)


def test_differences_we_cannot_repair_are_reported(client, wallets, payer, monkeypatch):
    for merchant_key in ("elsewhere", "elsewhere-paid"):
        stray = network.charge_create(
            merchant_key=merchant_key, reference="", amount=900, currency="USD", description="", return_url=""
        )
    network.card_submit(charge_id=stray.charge_id, number="4242424242424242", cardholder="Someone")
    paid = topup_start(user=payer, amount=5000, idempotency_key=key())
    card_pay(client, paid)
    deliver_webhooks()
    real_list = SandboxGateway.payment_list

    def forgetful(self, *, created_after):
        return [charge for charge in real_list(self, created_after=created_after) if charge.reference != str(paid.pk)]

    monkeypatch.setattr(SandboxGateway, "payment_list", forgetful)

    rows = reconciliation_run()

    assert sorted(((row.object_id, row.problem, row.repaired) for row in rows), key=str) == [
        (paid.pk, "paid here, unknown to the gateway", False),
        (None, "captured, unknown to us", False),  # the unpaid stray charge is not worth a line
    ]
    with pytest.raises(CommandError):
        call_command("payments_reconcile", "--dry-run")


def test_the_command_prints_and_succeeds_when_all_agree(capsys, client, wallets, payer):
    payment = topup_start(user=payer, amount=5000, idempotency_key=key())
    card_pay(client, payment)

    call_command("payments_reconcile")
    call_command("payments_reconcile")

    output = capsys.readouterr().out
    assert f"[repaired] sandbox payment ours={payment.pk}" in output
    assert "1 finding(s), 1 repaired, 0 open" in output
    assert "0 finding(s), 0 repaired, 0 open" in output


def test_an_approved_payout_that_never_reached_the_gateway_is_sent_once(wallets, accountant, monkeypatch, time_machine):
    creator = wallets.add("creator", UserFactory())
    Book(accounts={"outside": wallets.accounts["outside"], "clearing": wallets.accounts["clearing"],
                   "creator": wallets.accounts["creator"]}).fund("creator", 5000)  # fmt: skip
    method = payout_method_add(user=creator, kind="paypal", details={"email": "creator@example.com"})
    payout = withdrawal_request(user=creator, method_id=method.pk, amount=5000, idempotency_key=key())

    def unreachable(self, **kwargs):
        raise GatewayError("timed out")

    monkeypatch.setattr(SandboxGateway, "payout_create", unreachable)
    payout = withdrawal_approve(actor=accountant, payout_id=payout.pk)
    monkeypatch.undo()
    assert payout.status == PayoutStatus.APPROVED and not SandboxPayout.objects.exists()
    assert wallets.balances() == wallets.expect(outside=-5000, **{"creator.held": 5000})

    assert reconciliation_run() == []  # within the grace period: the approval may still be sending it
    time_machine.move_to(later(180))
    rows = reconciliation_run()
    again = reconciliation_run()

    assert [(row.kind, row.object_id, row.problem, row.repaired) for row in rows] == [
        ("payout", payout.pk, "approved, never reached the gateway", True)
    ]
    assert again == []
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID
    assert SandboxPayout.objects.count() == 1
    assert wallets.balances() == wallets.expect(outside=0)
    assert_ledger_sound()


def test_a_payout_settled_at_the_gateway_without_its_webhook_is_booked(wallets, accountant):
    creator = wallets.add("creator", UserFactory())
    Book(accounts={"outside": wallets.accounts["outside"], "clearing": wallets.accounts["clearing"],
                   "creator": wallets.accounts["creator"]}).fund("creator", 5000)  # fmt: skip
    method = payout_method_add(user=creator, kind="paypal", details={"email": "creator0010@example.com"})
    payout = withdrawal_request(user=creator, method_id=method.pk, amount=3000, idempotency_key=key())
    withdrawal_approve(actor=accountant, payout_id=payout.pk)
    network.payout_settle(payout_id=SandboxPayout.objects.get().payout_id)  # its webhook is never delivered

    [row] = reconciliation_run()

    assert (row.problem, row.repaired) == ("failed at the gateway, no notice reached us", True)
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.FAILED
    assert wallets.balances() == wallets.expect(outside=-5000, creator=5000)
    assert deliver_webhooks() == ["payout.failed"]
    assert GatewayEvent.objects.get(type="payout.failed").outcome == "unchanged"
    assert_ledger_sound()


def test_old_records_are_outside_the_window(client, wallets, payer, time_machine):
    payment = topup_start(user=payer, amount=5000, idempotency_key=key())
    card_pay(client, payment)

    time_machine.move_to(later(0) + datetime.timedelta(days=4))

    assert reconciliation_run() == []
