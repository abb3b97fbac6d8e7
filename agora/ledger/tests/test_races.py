"""Real races: threads released together by a barrier, each on its own PostgreSQL connection.

At most 8 threads at once (the connection pool holds 10; the test itself keeps one).
"""

import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction

from agora.core.errors import ServiceError
from agora.ledger.models import Hold, HoldReleaseCondition, HoldStatus, Transaction
from agora.ledger.services import (
    Move,
    hold_create,
    hold_expire,
    hold_post,
    hold_void,
    ledger_balances_fold,
    ledger_transfer,
)
from agora.ledger.tests.conftest import TEST_OBJECT, Book, Outcome, assert_ledger_sound, key, race, usd

pytestmark = pytest.mark.django_db(transaction=True)


def codes(outcome: Outcome) -> list[str]:
    """Error codes of refusals; anything other than a ServiceError fails the test."""
    unexpected = [error for error in outcome.errors if not isinstance(error, ServiceError)]
    assert not unexpected, unexpected
    return sorted(error.code for error in outcome.errors if isinstance(error, ServiceError))


def pay_job(book: Book, source: str, destination: str, amount: int, idempotency_key: str | None = None):
    def job():
        return ledger_transfer(
            idempotency_key=idempotency_key or key(),
            kind="purchase",
            moves=[Move(book[source], book[destination], usd(amount))],
            actor=None,
            reason="race",
            business_object=TEST_OBJECT,
        )

    return job


def hold_job(book: Book, payer: str, creator: str, amount: int):
    def job():
        return hold_create(
            idempotency_key=key(),
            payer=book[payer].owner,
            amount=usd(amount),
            release_condition=HoldReleaseCondition.REFUND_WINDOW,
            shares=[(book[creator], usd(amount))],
            actor=None,
            reason="race",
            business_object=TEST_OBJECT,
        )

    return job


@pytest.mark.parametrize(("command", "rounds"), [("transfer", 30), ("hold", 10)])
def test_twenty_debits_against_a_wallet_that_can_pay_for_five(
    transactional_book: Book, command: str, rounds: int, quality_figure
):
    book = transactional_book
    book.wallet("creator")
    for round_number in range(rounds):
        payer = f"payer{round_number}"
        book.wallet(payer)
        book.fund(payer, 5 * 100)
        make = pay_job if command == "transfer" else hold_job
        jobs = [make(book, payer, "creator", 100) for _ in range(20)]

        outcome = race(jobs)
        balances = book.balances()
        quality_figure(
            f"ledger_debits_{command}",
            rounds=1,
            debits=len(jobs),
            succeeded=len(outcome.results),
            oversells=max(0, len(outcome.results) - 5),
            negative_balances=int(balances[payer] < 0),
        )

        assert len(outcome.results) == 5, round_number
        assert codes(outcome) == ["insufficient_funds"] * 15
        assert balances[payer] == 0
        assert balances[f"{payer}.held"] == (500 if command == "hold" else 0)
    paid = rounds * 500
    assert book.balances()["creator"] == (paid if command == "transfer" else 0)
    assert book.balances()["outside"] == -paid
    assert_ledger_sound()


def test_the_same_key_ten_times_at_once_books_one_transaction(transactional_book: Book, quality_figure):
    book = transactional_book
    book.wallet("payer")
    book.wallet("creator")
    book.fund("payer", 1000)
    for round_number in range(5):
        # From a wallet (locked, then replayed) and from a clearing account (no lock: the key decides).
        for source in ("payer", "clearing"):
            idempotency_key = f"race:{round_number}:{source}"
            outcome = race([pay_job(book, source, "creator", 100, idempotency_key) for _ in range(10)])
            booked = Transaction.objects.filter(idempotency_key=idempotency_key).count()
            quality_figure(
                "idempotency_ledger", keys=1, requests=len(outcome.results) + len(outcome.errors), extra=booked - 1
            )
            assert codes(outcome) == []
            assert len({result.pk for result in outcome.results}) == 1
            assert booked == 1
    assert book.balances() == book.expect(outside=-1000, clearing=-500, payer=500, creator=1000)
    assert_ledger_sound()


def test_the_same_key_for_different_requests_at_once_books_one_and_refuses_the_rest(transactional_book: Book):
    book = transactional_book
    book.wallet("payer")
    book.wallet("creator")
    book.fund("payer", 1000)
    outcome = race([pay_job(book, "payer", "creator", amount, "race:different") for amount in range(1, 9)])
    assert len(outcome.results) == 1
    assert codes(outcome) == ["idempotency_conflict"] * 7
    paid = book.balances()["creator"]
    assert book.balances() == book.expect(outside=-1000, payer=1000 - paid, creator=paid)
    assert_ledger_sound()


def test_a_hold_posted_voided_and_expired_at_once_resolves_exactly_once(transactional_book: Book, quality_figure):
    book = transactional_book
    payer = book.wallet("payer")
    book.wallet("creator")
    book.fund("payer", 20 * 100)
    winners = []
    for _ in range(20):
        hold = hold_job(book, "payer", "creator", 100)()
        Hold.objects.filter(pk=hold.pk).update(expires_at=hold.created_at)  # expirable now
        outcome = race(
            [
                lambda hold=hold: hold_post(idempotency_key=key(), hold=hold, actor=None, reason="released"),
                lambda hold=hold: hold_void(idempotency_key=key(), hold=hold, actor=None, reason="refund"),
                lambda hold=hold: hold_expire(idempotency_key=key(), hold=hold, actor=None, reason="lapsed"),
            ]
        )
        quality_figure("ledger_resolve", rounds=1, winners=len(outcome.results))
        assert len(outcome.results) == 1
        assert codes(outcome) == ["hold_not_pending"] * 2
        hold.refresh_from_db()
        assert hold.transactions.count() == 2  # created, resolved
        winners.append(hold.status)
    posted = winners.count(HoldStatus.POSTED)
    assert book.balances() == book.expect(outside=-2000, payer=2000 - 100 * posted, creator=100 * posted)
    assert payer.pk
    assert_ledger_sound()


def test_opposite_transfers_at_once_surface_no_deadlock(transactional_book: Book, quality_figure):
    book = transactional_book
    for name in ("a", "b", "c"):
        book.wallet(name)
    book.fund("a", 10_000)
    book.fund("b", 10_000)

    def both_to_c(first: str, second: str):
        # Two debits listed in opposite orders by the two directions.
        return lambda: ledger_transfer(
            idempotency_key=key(),
            kind="purchase",
            moves=[Move(book[first], book["c"], usd(1)), Move(book[second], book["c"], usd(1))],
            actor=None,
            reason="race",
            business_object=TEST_OBJECT,
        )

    jobs = []
    for _ in range(40):
        jobs += [pay_job(book, "a", "b", 3), pay_job(book, "b", "a", 2), both_to_c("a", "b"), both_to_c("b", "a")]
    outcome = race(jobs)
    quality_figure("ledger_deadlock", transfers=len(jobs), errors=len(outcome.errors))
    assert outcome.errors == []
    assert len(outcome.results) == 160
    assert book.balances() == book.expect(outside=-20_000, a=10_000 - 40 - 80, b=10_000 + 40 - 80, c=160)
    assert_ledger_sound()


def test_many_payers_crediting_one_creator_while_the_fold_job_runs(transactional_book: Book):
    book = transactional_book
    book.wallet("creator")
    payers = [f"payer{number}" for number in range(7)]
    for payer in payers:
        book.wallet(payer)
        book.fund(payer, 30)
    stop = threading.Event()
    folded = []

    def fold_until_stopped():
        while not stop.is_set():
            folded.append(ledger_balances_fold())

    jobs = [pay_job(book, payer, "creator", 1) for payer in payers for _ in range(30)]
    folder = threading.Thread(target=lambda: (fold_until_stopped(), connections.close_all()))
    folder.start()
    try:
        outcome = race(jobs, threads=7)
    finally:
        stop.set()
        folder.join()
    assert outcome.errors == []
    assert sum(folded) > 0
    assert book.balances() == book.expect(outside=-210, creator=210)
    assert_ledger_sound()


def test_a_connection_killed_mid_transaction_leaves_nothing_half_written(transactional_book: Book, quality_figure):
    book = transactional_book
    book.wallet("payer")
    book.wallet("creator")
    book.fund("payer", 1000)
    before = book.balances()
    written = threading.Event()
    killed = threading.Event()
    backend: list[int] = []
    failures: list[BaseException] = []

    def victim():
        try:
            with transaction.atomic():  # the caller's transaction, as commerce would hold it
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    backend.append(cursor.fetchone()[0])
                pay_job(book, "payer", "creator", 400, "killed:1")()
                written.set()  # the transfer is written and the payer's row locked, not committed
                killed.wait(10)
                Transaction.objects.count()  # the next statement finds the connection gone
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=victim)
    thread.start()
    assert written.wait(10)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend[0]])
    killed.set()
    thread.join(10)
    assert len(failures) == 1 and isinstance(failures[0], DatabaseError), failures
    half_written = Transaction.objects.filter(idempotency_key="killed:1").count()
    quality_figure("crash_killed_connection", killed=len(failures), half_written=half_written)

    assert not half_written
    assert book.balances() == before
    assert_ledger_sound()
    # The key is free and the payer's row unlocked: the retry goes through.
    pay_job(book, "payer", "creator", 400, "killed:1")()
    assert book.balances() == book.expect(outside=-1000, payer=600, creator=400)


def test_a_payment_waiting_for_a_killed_transactions_lock_then_goes_through(transactional_book: Book):
    book = transactional_book
    book.wallet("payer")
    book.wallet("creator")
    book.fund("payer", 1000)
    written = threading.Event()
    backend: list[int] = []

    def victim():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    backend.append(cursor.fetchone()[0])
                pay_job(book, "payer", "creator", 400)()
                written.set()
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_sleep(30)")  # killed before it wakes
        except DatabaseError:
            pass
        finally:
            connections.close_all()

    results: list[object] = []

    waiter_backend: list[int] = []

    def waiter():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                waiter_backend.append(cursor.fetchone()[0])
            results.append(pay_job(book, "payer", "creator", 700)())  # needs the victim's 400 back
        except BaseException as error:
            results.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=victim)
    first.start()
    assert written.wait(10)
    second = threading.Thread(target=waiter)
    second.start()
    with connection.cursor() as cursor:
        for _ in range(100):  # until the waiter is blocked on the payer's row lock
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock'",
                [waiter_backend[0] if waiter_backend else 0],
            )
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.05)
        else:
            pytest.fail("the second payment never waited for the lock")
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend[0]])
    first.join(10)
    second.join(10)
    assert len(results) == 1 and isinstance(results[0], Transaction), results
    assert book.balances() == book.expect(outside=-1000, payer=300, creator=700)
    assert_ledger_sound()
