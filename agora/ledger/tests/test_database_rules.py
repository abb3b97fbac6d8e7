"""The rules PostgreSQL enforces by itself, shown with raw SQL that bypasses every service (I1, I3–I5, I7)."""

import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from agora.accounts.tests.factories import UserFactory
from agora.ledger.models import (
    CEILING_KINDS,
    FLOOR_KINDS,
    UNBOUNDED_KINDS,
    USER_KINDS,
    Account,
    AccountKind,
    Entry,
    Transaction,
)
from agora.ledger.selectors import account_balance
from agora.ledger.services import system_account_ensure, wallet_account_ensure
from agora.ledger.tests.conftest import USD, Book, assert_ledger_sound


def sql(statement: str, *params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def raw_transaction(*entries: tuple[Account, int], kind: str = "raw", hold_id: int | None = None) -> int:
    [(transaction_id,)] = sql(
        "INSERT INTO ledger_transaction (kind, idempotency_key, request_fingerprint, reason, object_type, object_id,"
        " hold_id, created_at) VALUES (%s, %s, '', 'raw sql', 'tests.case', '1', %s, now()) RETURNING id",
        kind,
        str(uuid.uuid4()),
        hold_id,
    )
    for account, amount in entries:
        sql(
            "INSERT INTO ledger_entry (transaction_id, account_id, amount) VALUES (%s, %s, %s)",
            transaction_id,
            account.pk,
            amount,
        )
    return transaction_id


def account_of(kind: AccountKind, currency: str = USD) -> Account:
    if kind in USER_KINDS:
        return wallet_account_ensure(user=UserFactory(), kind=kind, currency=currency)
    gateway = "sandbox" if kind == AccountKind.GATEWAY_CLEARING else ""
    return system_account_ensure(kind=kind, currency=currency, gateway=gateway)


@pytest.mark.django_db(transaction=True)
class TestZeroSumAtCommit:
    """I1, with real commits: the constraint trigger is deferred to COMMIT."""

    def test_an_unbalanced_transaction_is_refused_at_commit_and_leaves_nothing(self, transactional_book: Book):
        book = transactional_book
        with pytest.raises(IntegrityError, match="does not sum to zero"), transaction.atomic():
            raw_transaction((book["outside"], -100), (book["clearing"], 99))
            # Accepted so far: the check runs at commit, when the block ends.
            assert Entry.objects.count() == 2
        assert (Transaction.objects.count(), Entry.objects.count()) == (0, 0)
        assert account_balance(account=book["clearing"]).amount == 0

    @pytest.mark.parametrize("entries", [0, 1])
    def test_fewer_than_two_entries_are_refused_at_commit(self, transactional_book: Book, entries: int):
        book = transactional_book
        with pytest.raises(IntegrityError, match="needs at least two"), transaction.atomic():
            raw_transaction(*[(book["outside"], 5)][:entries])
        assert Transaction.objects.count() == 0

    def test_each_currency_sums_to_zero(self, transactional_book: Book):
        euros = system_account_ensure(kind=AccountKind.GATEWAY_CLEARING, currency="EUR", gateway="sandbox")
        with pytest.raises(IntegrityError, match="does not sum to zero"), transaction.atomic():
            raw_transaction((transactional_book["outside"], -100), (euros, 100))

    def test_an_entry_added_later_to_a_balanced_transaction_is_refused(self, transactional_book: Book):
        book = transactional_book
        with transaction.atomic():
            transaction_id = raw_transaction((book["outside"], -100), (book["clearing"], 100))
        with pytest.raises(IntegrityError, match="does not sum to zero"), transaction.atomic():
            sql(
                "INSERT INTO ledger_entry (transaction_id, account_id, amount) VALUES (%s, %s, 1)",
                transaction_id,
                book["commission"].pk,
            )
        assert book.balances() == book.expect(outside=-100, clearing=100)
        assert_ledger_sound()

    def test_a_balanced_raw_transaction_commits_and_keeps_every_balance(self, transactional_book: Book):
        book = transactional_book
        with transaction.atomic():
            raw_transaction((book["outside"], -100), (book["clearing"], 60), (book["commission"], 40))
        assert book.balances() == book.expect(outside=-100, clearing=60, commission=40)
        assert_ledger_sound()


class TestImmutability:
    """I5: entries and transactions are never changed; balances change only through entries."""

    @pytest.fixture
    def booked(self, book: Book) -> int:
        return raw_transaction((book["outside"], -100), (book["clearing"], 100))

    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE ledger_entry SET amount = amount * 2 WHERE transaction_id = %s",
            "DELETE FROM ledger_entry WHERE transaction_id = %s",
            "UPDATE ledger_transaction SET reason = 'changed' WHERE id = %s",
            "DELETE FROM ledger_transaction WHERE id = %s",
        ],
    )
    def test_update_and_delete_are_refused(self, booked: int, statement: str):
        with pytest.raises(IntegrityError, match="never changed"), transaction.atomic():
            sql(statement, booked)
        assert sorted(
            amount for (amount,) in sql("SELECT amount FROM ledger_entry WHERE transaction_id = %s", booked)
        ) == [-100, 100]

    def test_the_orm_cannot_delete_either(self, booked: int):
        with pytest.raises(IntegrityError, match="never changed"), transaction.atomic():
            Entry.objects.filter(transaction_id=booked).delete()

    def test_a_cached_balance_is_not_written_directly(self, book: Book, booked: int):
        with pytest.raises(IntegrityError, match="kept by its entries"), transaction.atomic():
            sql("UPDATE ledger_account SET balance = balance + 1 WHERE id = %s", book["commission"].pk)
        with pytest.raises(IntegrityError, match="entry trigger only"), transaction.atomic():
            sql("INSERT INTO ledger_balancedelta (account_id, amount) VALUES (%s, 1)", book["commission"].pk)
        with pytest.raises(IntegrityError, match="cannot change its owner, kind"), transaction.atomic():
            sql("UPDATE ledger_account SET kind = 'outside_world' WHERE id = %s", book["commission"].pk)
        assert_ledger_sound()

    def test_deleting_deltas_folds_them_so_balances_stay_equal_to_entries(self, book: Book, booked: int):
        sql("DELETE FROM ledger_balancedelta")
        assert book.balances() == book.expect(outside=-100, clearing=100)
        assert Account.objects.get(pk=book["clearing"].pk).balance == 100
        assert_ledger_sound()


class TestBalanceSigns:
    """I4 on the cached balance: the CHECK ledger_account_balance_sign, fed by the entry trigger."""

    def test_a_negative_learner_balance_is_refused_by_the_check(self, book: Book):
        learner = book.wallet("learner")
        book.fund("learner", 500)
        with pytest.raises(IntegrityError, match="ledger_account_balance_sign"), transaction.atomic():
            raw_transaction((book["learner"], -501), (book["commission"], 501))
        assert book.balances()["learner"] == 500
        assert learner.pk
        with transaction.atomic():  # down to zero is fine
            raw_transaction((book["learner"], -500), (book["commission"], 500))
        assert book.balances()["learner"] == 0
        assert_ledger_sound()

    def test_the_check_sees_credits_not_folded_yet(self, book: Book):
        book.wallet("learner")
        for _ in range(3):
            book.fund("learner", 100)  # three deltas, cached balance still 0
        assert Account.objects.get(pk=book["learner"].pk).balance == 0
        with transaction.atomic():
            raw_transaction((book["learner"], -300), (book["commission"], 300))
        assert book.balances()["learner"] == 0
        assert_ledger_sound()

    @pytest.mark.parametrize("kind", list(AccountKind))
    def test_each_kind_keeps_its_sign_rule(self, db, kind: AccountKind):
        """The kinds hard-coded in migration 0002 and in the CHECK match the model's sets."""
        account = account_of(kind)
        other = AccountKind.GATEWAY_CLEARING if kind == AccountKind.OUTSIDE_WORLD else AccountKind.OUTSIDE_WORLD
        counterpart = account_of(other)
        for sign in (-1, +1):
            allowed = (
                kind in UNBOUNDED_KINDS or (sign > 0 and kind in FLOOR_KINDS) or (sign < 0 and kind in CEILING_KINDS)
            )
            try:
                with transaction.atomic():
                    raw_transaction((account, sign * 7), (counterpart, -sign * 7))
                    raise _Undo
            except _Undo:
                refused = False
            except IntegrityError as error:
                assert "ledger_account_balance_sign" in str(error)
                refused = True
            assert refused is not allowed, (kind, sign)


class _Undo(Exception):
    """Rolls a savepoint back after it worked."""


class TestHoldsOnce:
    def test_a_second_resolution_of_a_hold_is_refused_by_a_unique_index(self, book: Book):
        from agora.ledger.models import HoldReleaseCondition
        from agora.ledger.services import hold_create, hold_void
        from agora.ledger.tests.conftest import TEST_OBJECT, key, usd

        payer = book.wallet("payer")
        book.fund("payer", 100)
        hold = hold_create(
            idempotency_key=key(),
            payer=payer,
            amount=usd(100),
            actor=payer,
            reason="purchase",
            release_condition=HoldReleaseCondition.REFUND_WINDOW,
            business_object=TEST_OBJECT,
        )
        hold_void(idempotency_key=key(), hold=hold, actor=None, reason="refund")
        with pytest.raises(IntegrityError, match="ledger_transaction_hold_resolved_once"), transaction.atomic():
            raw_transaction((book["payer"], -100), (book["payer.held"], 100), kind="hold.post", hold_id=hold.pk)
        assert_ledger_sound()
