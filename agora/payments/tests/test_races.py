"""Real races on real PostgreSQL: threads released together by a barrier, each on its own connection
(at most 8 at once: the pool holds 10)."""

import pytest
from django.test import Client

from agora.accounts.tests.factories import UserFactory
from agora.core.errors import ServiceError
from agora.core.money import Money
from agora.ledger.models import Hold, Transaction
from agora.ledger.services import BusinessObject, Move, ledger_transfer
from agora.ledger.tests.conftest import Book, Outcome, race
from agora.payments.models import GatewayEvent, Payment, Payout, PayoutStatus, SandboxCharge, SandboxPayout
from agora.payments.services import (
    payout_method_add,
    topup_start,
    withdrawal_approve,
    withdrawal_request,
)
from agora.payments.tests.conftest import (
    ACCOUNTANT,
    assert_ledger_sound,
    key,
    sandbox_event_body,
    staff,
    webhook_post,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ledger_sound_after")]


def codes(outcome: Outcome) -> list[str]:
    unexpected = [error for error in outcome.errors if not isinstance(error, ServiceError)]
    assert not unexpected, unexpected
    return sorted(error.code for error in outcome.errors if isinstance(error, ServiceError))


def funded(wallets, name: str, amount: int):
    user = wallets.add(name, UserFactory())
    book = Book(accounts={"outside": wallets.accounts["outside"], "clearing": wallets.accounts["clearing"]})
    book.accounts[name] = wallets.accounts[name]
    book.fund(name, amount)
    return user


def test_the_same_webhook_ten_times_at_once_credits_once(transactional_wallets, quality_figure):
    wallets = transactional_wallets
    for round_number in range(3):
        payer = wallets.add(f"payer{round_number}", UserFactory())
        payment = topup_start(user=payer, amount=5000, idempotency_key=key())
        body = sandbox_event_body("payment_intent.succeeded", payment)

        outcome = race([lambda body=body: webhook_post(Client(), body).json()["outcome"] for _ in range(10)])
        credits = Transaction.objects.filter(kind="top_up", object_id=str(payment.pk)).count()
        quality_figure(
            "webhook_duplicates", rounds=1, posts=len(outcome.results) + len(outcome.errors), credits=credits
        )
        quality_figure(
            "idempotency_payments", keys=1, requests=len(outcome.results) + len(outcome.errors), extra=credits - 1
        )
        assert codes(outcome) == []
        assert sorted(outcome.results) == ["applied"] + ["duplicate"] * 9
        assert GatewayEvent.objects.filter(payment_id_filter(payment)).count() == 1
        assert wallets.balances()[f"payer{round_number}"] == 5000
    assert wallets.balances()["outside"] == -15_000 and wallets.balances()["clearing"] == 0
    assert Transaction.objects.filter(kind="top_up").count() == 3
    assert_ledger_sound()


def payment_id_filter(payment: Payment):
    from django.db.models import Q

    return Q(payload__data__object__metadata__payment_id=str(payment.pk))


def test_the_same_top_up_key_eight_times_at_once_opens_one_payment(transactional_wallets, quality_figure):
    payer = transactional_wallets.add("payer", UserFactory())
    idempotency_key = key()

    outcome = race([lambda: topup_start(user=payer, amount=5000, idempotency_key=idempotency_key) for _ in range(8)])
    quality_figure(
        "idempotency_payments",
        keys=1,
        requests=len(outcome.results) + len(outcome.errors),
        extra=Payment.objects.count() + SandboxCharge.objects.count() - 2,
    )
    assert codes(outcome) == []
    assert len({payment.pk for payment in outcome.results}) == 1
    assert len({payment.gateway_payment_id for payment in outcome.results}) == 1
    assert Payment.objects.count() == 1 and SandboxCharge.objects.count() == 1


def test_a_withdrawal_racing_a_purchase_on_the_same_balance_one_wins_cleanly(transactional_wallets, quality_figure):
    wallets = transactional_wallets
    shop = wallets.add("shop", UserFactory())
    wins = {"withdrawal": 0, "purchase": 0}
    for round_number in range(10):
        name = f"creator{round_number}"
        creator = funded(wallets, name, 3000)
        method = payout_method_add(user=creator, kind="paypal", details={"email": f"{name}@example.com"})

        def withdraw(creator=creator, method=method):
            withdrawal_request(user=creator, method_id=method.pk, amount=3000, idempotency_key=key())
            return "withdrawal"

        def purchase(name=name):
            ledger_transfer(
                idempotency_key=key(),
                kind="purchase",
                moves=[Move(wallets.accounts[name], wallets.accounts["shop"], Money(3000, "USD"))],
                actor=None,
                reason="race",
                business_object=BusinessObject("tests.case", "1"),
            )
            return "purchase"

        outcome = race([withdraw, purchase])

        assert codes(outcome) == ["insufficient_funds"]
        [winner] = outcome.results
        wins[winner] += 1
        quality_figure("payout_races", withdrawal_rounds=1)
        balances = wallets.balances()
        assert balances[name] == 0
        assert balances[f"{name}.held"] == (3000 if winner == "withdrawal" else 0)
    assert Payout.objects.count() == wins["withdrawal"] == Hold.objects.count()
    assert wallets.balances()["shop"] == 3000 * wins["purchase"]
    assert shop is not None
    assert_ledger_sound()


def test_approving_twice_at_once_pays_out_once(transactional_wallets, quality_figure):
    wallets = transactional_wallets
    accountants = [staff(ACCOUNTANT) for _ in range(2)]
    for round_number in range(5):
        name = f"creator{round_number}"
        creator = funded(wallets, name, 5000)
        method = payout_method_add(user=creator, kind="paypal", details={"email": f"{name}@example.com"})
        payout = withdrawal_request(user=creator, method_id=method.pk, amount=5000, idempotency_key=key())

        outcome = race(
            [
                lambda actor=actor, payout=payout: withdrawal_approve(actor=actor, payout_id=payout.pk)
                for actor in accountants
            ]
        )

        assert codes(outcome) == ["payout_decided"]
        assert [result.status for result in outcome.results] == [PayoutStatus.PAID]
        gateway_payouts = SandboxPayout.objects.filter(merchant_key=f"payout:{payout.pk}").count()
        quality_figure("payout_races", approval_rounds=1, gateway_payouts=gateway_payouts)
        assert gateway_payouts == 1
        assert wallets.balances()[name] == 0
    assert wallets.balances()["in_transit"] == 0
    assert wallets.balances()["outside"] == 0  # 25,000 in by top-ups, 25,000 out by payouts
    assert_ledger_sound()


def test_the_same_withdrawal_key_eight_times_at_once_holds_once(transactional_wallets, quality_figure):
    wallets = transactional_wallets
    creator = funded(wallets, "creator", 5000)
    method = payout_method_add(user=creator, kind="paypal", details={"email": "creator@example.com"})
    idempotency_key = key()

    outcome = race(
        [
            lambda: withdrawal_request(user=creator, method_id=method.pk, amount=2000, idempotency_key=idempotency_key)
            for _ in range(8)
        ]
    )

    quality_figure(
        "idempotency_payments",
        keys=1,
        requests=len(outcome.results) + len(outcome.errors),
        extra=Payout.objects.count() + Hold.objects.count() - 2,
    )
    assert codes(outcome) == []
    assert len({payout.pk for payout in outcome.results}) == 1
    assert Payout.objects.count() == 1 and Hold.objects.count() == 1
    assert wallets.balances() == wallets.expect(outside=-5000, creator=3000, **{"creator.held": 2000})
    assert_ledger_sound()
