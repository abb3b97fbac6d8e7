"""The commands one at a time: idempotency (I10), refusals that change nothing, reversals, schedules."""

import datetime

import pytest
from django.utils import timezone

from agora.core.errors import ServiceError
from agora.core.models import AuditEntry
from agora.core.money import Money
from agora.ledger.models import (
    Account,
    AccountKind,
    Entry,
    Hold,
    HoldReleaseCondition,
    HoldStatus,
    Transaction,
)
from agora.ledger.services import (
    BusinessObject,
    Move,
    hold_create,
    hold_post,
    hold_schedule,
    hold_void,
    ledger_transfer,
    system_account_ensure,
    transaction_reverse,
    wallet_account_ensure,
)
from agora.ledger.tests.conftest import TEST_OBJECT, USD, Book, assert_ledger_sound, key, usd


@pytest.fixture
def pair(book: Book) -> Book:
    book.wallet("payer")
    book.wallet("payee")
    book.fund("payer", 1000)
    return book


def pay(book: Book, amount: int, *, idempotency_key: str, reason: str = "pay", kind: str = "purchase"):
    return ledger_transfer(
        idempotency_key=idempotency_key,
        kind=kind,
        moves=[Move(book["payer"], book["payee"], usd(amount))],
        actor=book["payer"].owner,
        reason=reason,
        business_object=TEST_OBJECT,
    )


def counts() -> tuple[int, int, int]:
    return Transaction.objects.count(), Entry.objects.count(), Hold.objects.count()


def refused(code: str, call, *args, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as error:
        call(*args, **kwargs)
    assert error.value.code == code, error.value.message
    return error.value


class TestIdempotency:
    def test_same_key_same_request_gives_the_first_transaction_and_no_new_entries(self, pair: Book):
        first = pay(pair, 300, idempotency_key="order:1:pay")
        before = (counts(), pair.balances())
        again = pay(pair, 300, idempotency_key="order:1:pay")
        assert again.pk == first.pk
        assert (counts(), pair.balances()) == before
        assert pair.balances() == pair.expect(outside=-1000, payer=700, payee=300)

    def test_same_key_other_request_is_refused_and_changes_nothing(self, pair: Book):
        pay(pair, 300, idempotency_key="order:1:pay")
        before = (counts(), pair.balances())
        error = refused("idempotency_conflict", pay, pair, 301, idempotency_key="order:1:pay")
        assert error.field == "idempotency_key"
        refused("idempotency_conflict", pay, pair, 300, idempotency_key="order:1:pay", reason="other")
        assert (counts(), pair.balances()) == before

    def test_a_replay_is_answered_even_when_the_money_is_gone_since(self, pair: Book):
        first = pay(pair, 1000, idempotency_key="order:2:pay")
        assert pay(pair, 1000, idempotency_key="order:2:pay").pk == first.pk

    def test_a_refused_request_keeps_its_key_free(self, pair: Book):
        refused("insufficient_funds", pay, pair, 1001, idempotency_key="order:3:pay")
        pair.fund("payer", 1)
        pay(pair, 1001, idempotency_key="order:3:pay")
        assert pair.balances() == pair.expect(outside=-1001, payee=1001)

    def test_hold_create_and_post_replay_their_first_result(self, pair: Book):
        payer = pair["payer"].owner
        arguments = {
            "idempotency_key": "order:4:hold",
            "payer": payer,
            "amount": usd(400),
            "release_condition": HoldReleaseCondition.REFUND_WINDOW,
            "shares": [(pair["payee"], usd(400))],
            "actor": payer,
            "reason": "purchase",
            "business_object": TEST_OBJECT,
        }
        hold = hold_create(**arguments)
        assert hold_create(**arguments).pk == hold.pk
        refused("idempotency_conflict", hold_create, **{**arguments, "release_at": timezone.now()})
        posted = hold_post(idempotency_key="order:4:release", hold=hold, actor=None, reason="released")
        before = (counts(), pair.balances())
        assert hold_post(idempotency_key="order:4:release", hold=hold, actor=None, reason="released").pk == posted.pk
        assert (counts(), pair.balances()) == before
        # The same key for another command on the same hold is another request.
        refused("idempotency_conflict", hold_void, idempotency_key="order:4:release", hold=hold, actor=None, reason="x")
        assert pair.balances() == pair.expect(outside=-1000, payer=600, payee=400)
        assert_ledger_sound()


class TestRefusals:
    @pytest.mark.parametrize("amount", [0, -5])
    def test_amounts_must_be_positive(self, pair: Book, amount: int):
        before = (counts(), pair.balances())
        refused("invalid_amount", pay, pair, amount, idempotency_key=key())
        assert (counts(), pair.balances()) == before

    def test_insufficient_funds_changes_nothing(self, pair: Book):
        before = (counts(), pair.balances())
        refused("insufficient_funds", pay, pair, 1001, idempotency_key=key())
        assert (counts(), pair.balances()) == before

    def test_currencies_must_match(self, pair: Book):
        euros = wallet_account_ensure(user=pair["payee"].owner, kind=AccountKind.AVAILABLE, currency="EUR")
        moves = [Move(pair["payer"], euros, usd(1))]
        refused(
            "currency_mismatch",
            ledger_transfer,
            idempotency_key=key(),
            kind="purchase",
            moves=moves,
            actor=None,
            reason="x",
            business_object=TEST_OBJECT,
        )
        moves = [Move(pair["payer"], pair["payee"], Money(1, "EUR"))]
        refused(
            "currency_mismatch",
            ledger_transfer,
            idempotency_key=key(),
            kind="purchase",
            moves=moves,
            actor=None,
            reason="x",
            business_object=TEST_OBJECT,
        )

    def test_money_does_not_move_to_its_own_account_nor_nowhere(self, pair: Book):
        def move(*moves: Move):
            ledger_transfer(
                idempotency_key=key(),
                kind="purchase",
                moves=list(moves),
                actor=None,
                reason="x",
                business_object=TEST_OBJECT,
            )

        refused("same_account", move, Move(pair["payer"], pair["payer"], usd(1)))
        refused("empty_transaction", move)
        there_and_back = [Move(pair["payer"], pair["payee"], usd(5)), Move(pair["payee"], pair["payer"], usd(5))]
        refused("empty_transaction", move, *there_and_back)

    def test_held_accounts_move_only_through_their_holds(self, pair: Book):
        refused(
            "held_account",
            ledger_transfer,
            idempotency_key=key(),
            kind="purchase",
            moves=[Move(pair["payer"], pair["payer.held"], usd(1))],
            actor=None,
            reason="x",
            business_object=TEST_OBJECT,
        )

    @pytest.mark.parametrize(
        ("kind", "code"),
        [
            ("hold.post", "reserved_kind"),
            ("reversal", "reserved_kind"),
            ("Top-Up", "invalid_kind"),
            ("", "invalid_kind"),
        ],
    )
    def test_kinds(self, pair: Book, kind: str, code: str):
        refused(code, pay, pair, 1, idempotency_key=key(), kind=kind)

    def test_every_transaction_names_its_reason_and_object(self, pair: Book):
        refused("reason_required", pay, pair, 1, idempotency_key=key(), reason="  ")
        refused("invalid_key", pay, pair, 1, idempotency_key="")
        refused(
            "object_required",
            ledger_transfer,
            idempotency_key=key(),
            kind="purchase",
            moves=[Move(pair["payer"], pair["payee"], usd(1))],
            actor=None,
            reason="x",
            business_object=BusinessObject("", "1"),
        )

    def test_hold_shares_must_add_up_to_the_amount(self, pair: Book):
        payer = pair["payer"].owner
        for shares in ([(pair["payee"], usd(399))], [(pair["payee"], usd(401))], [(pair["payee"], usd(200))] * 2):
            refused(
                "invalid_split",
                hold_create,
                idempotency_key=key(),
                payer=payer,
                amount=usd(400),
                release_condition=HoldReleaseCondition.REFUND_WINDOW,
                shares=shares,
                actor=payer,
                reason="purchase",
                business_object=TEST_OBJECT,
            )
        assert counts()[2] == 0

    def test_a_hold_without_planned_shares_needs_destinations(self, pair: Book):
        payer = pair["payer"].owner
        hold = hold_create(
            idempotency_key=key(),
            payer=payer,
            amount=usd(400),
            actor=payer,
            reason="cohort seat",
            release_condition=HoldReleaseCondition.COHORT_END,
            business_object=TEST_OBJECT,
        )
        refused("destinations_required", hold_post, idempotency_key=key(), hold=hold, actor=None, reason="x")
        refused(
            "invalid_split",
            hold_post,
            idempotency_key=key(),
            hold=hold,
            actor=None,
            reason="x",
            destinations=[(pair["payee"], usd(401))],
        )
        hold.refresh_from_db()
        assert hold.status == HoldStatus.PENDING
        assert pair.balances() == pair.expect(outside=-1000, payer=600, **{"payer.held": 400})

    def test_account_kinds_belong_to_users_or_to_the_platform(self, pair: Book):
        refused(
            "invalid_account_kind",
            wallet_account_ensure,
            user=pair["payer"].owner,
            kind=AccountKind.COMMISSION,
            currency=USD,
        )
        refused("invalid_account_kind", system_account_ensure, kind=AccountKind.AVAILABLE, currency=USD)
        refused("invalid_gateway", system_account_ensure, kind=AccountKind.GATEWAY_CLEARING, currency=USD)
        refused("invalid_currency", system_account_ensure, kind=AccountKind.COMMISSION, currency="usd")
        stripe = system_account_ensure(kind=AccountKind.GATEWAY_CLEARING, currency=USD, gateway="stripe")
        assert stripe.pk != pair["clearing"].pk
        assert system_account_ensure(kind=AccountKind.GATEWAY_CLEARING, currency=USD, gateway="stripe") == stripe
        assert Account.objects.filter(kind=AccountKind.GATEWAY_CLEARING).count() == 2


class TestReversal:
    def test_a_reversal_books_the_opposite_once(self, pair: Book):
        original = pay(pair, 300, idempotency_key=key())
        reversal = transaction_reverse(idempotency_key="fix:1", transaction=original, actor=None, reason="mistake")
        assert sorted(reversal.entries.values_list("account_id", "amount")) == sorted(
            (account_id, -amount) for account_id, amount in original.entries.values_list("account_id", "amount")
        )
        assert (reversal.reverses_id, reversal.object_type, reversal.object_id) == (original.pk, "tests.case", "1")
        assert pair.balances() == pair.expect(outside=-1000, payer=1000)
        replay = transaction_reverse(idempotency_key="fix:1", transaction=original, actor=None, reason="mistake")
        assert replay.pk == reversal.pk
        refused(
            "already_reversed",
            transaction_reverse,
            idempotency_key="fix:2",
            transaction=original,
            actor=None,
            reason="mistake",
        )
        refused(
            "not_reversible",
            transaction_reverse,
            idempotency_key="fix:3",
            transaction=reversal,
            actor=None,
            reason="undo",
        )
        assert AuditEntry.objects.filter(action="ledger.transaction_reversed", target_id=str(original.pk)).count() == 1
        assert pair.balances() == pair.expect(outside=-1000, payer=1000)
        assert_ledger_sound()

    def test_a_reversal_needs_the_money_back(self, pair: Book):
        original = pay(pair, 300, idempotency_key=key())
        ledger_transfer(
            idempotency_key=key(),
            kind="purchase",
            moves=[Move(pair["payee"], pair["payer"], usd(1))],
            actor=None,
            reason="spent",
            business_object=TEST_OBJECT,
        )
        before = (counts(), pair.balances())
        refused(
            "insufficient_funds",
            transaction_reverse,
            idempotency_key=key(),
            transaction=original,
            actor=None,
            reason="mistake",
        )
        assert (counts(), pair.balances()) == before

    def test_hold_transactions_are_not_reversed(self, pair: Book):
        payer = pair["payer"].owner
        hold = hold_create(
            idempotency_key=key(),
            payer=payer,
            amount=usd(400),
            actor=payer,
            reason="purchase",
            release_condition=HoldReleaseCondition.REFUND_WINDOW,
            business_object=TEST_OBJECT,
        )
        created = hold.transactions.get()
        refused(
            "not_reversible", transaction_reverse, idempotency_key=key(), transaction=created, actor=None, reason="x"
        )


class TestSchedule:
    def test_a_pending_hold_gets_its_release_date_later_and_a_resolved_one_does_not(self, pair: Book):
        payer = pair["payer"].owner
        hold = hold_create(
            idempotency_key=key(),
            payer=payer,
            amount=usd(400),
            actor=payer,
            reason="seat",
            release_condition=HoldReleaseCondition.COHORT_END,
            business_object=TEST_OBJECT,
        )
        assert hold.release_at is None
        cohort_end = timezone.now() + datetime.timedelta(days=40)
        hold_schedule(
            hold=hold,
            release_condition=HoldReleaseCondition.COHORT_END,
            release_at=cohort_end,
            actor=payer,
            reason="cohort dates set",
        )
        hold.refresh_from_db()
        assert hold.release_at == cohort_end
        assert AuditEntry.objects.filter(action="ledger.hold_scheduled", target_id=str(hold.pk)).exists()
        hold_void(idempotency_key=key(), hold=hold, actor=None, reason="cohort cancelled")
        refused(
            "hold_not_pending",
            hold_schedule,
            hold=hold,
            release_condition=HoldReleaseCondition.DISPUTE,
            release_at=None,
            actor=payer,
            reason="dispute",
        )
        hold.refresh_from_db()
        assert (hold.release_condition, hold.release_at) == (HoldReleaseCondition.COHORT_END, cohort_end)
        assert AuditEntry.objects.filter(action="ledger.hold_voided", target_id=str(hold.pk)).count() == 1


def test_held_accounts_are_no_hold_destination(pair: Book):
    payer = pair["payer"].owner
    refused(
        "held_account",
        hold_create,
        idempotency_key=key(),
        payer=payer,
        amount=usd(100),
        actor=payer,
        release_condition=HoldReleaseCondition.REFUND_WINDOW,
        shares=[(pair["payee.held"], usd(100))],
        reason="purchase",
        business_object=TEST_OBJECT,
    )
    assert counts()[2] == 0
