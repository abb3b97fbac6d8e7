"""`manage.py ledger_check` and the periodic jobs."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from agora.ledger.models import Account, HoldReleaseCondition, HoldStatus
from agora.ledger.services import hold_create, hold_void
from agora.ledger.tasks import expire_holds_task, fold_balances_task
from agora.ledger.tests.conftest import TEST_OBJECT, Book, assert_ledger_sound, key, usd


def test_a_sound_ledger_prints_its_trial_balance(book: Book):
    book.wallet("learner")
    book.fund("learner", 2500)
    out = io.StringIO()
    call_command("ledger_check", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["currency", "kind", "accounts", "balance", "entries"]
    assert "USD      available                   1              2500              2500" in lines
    assert "USD      outside_world               1             -2500             -2500" in lines
    assert "USD      total                                         0                 0" in lines
    assert lines[-1] == "Ledger balanced: every invariant holds."


def test_an_imbalance_fails_the_check(book: Book):
    book.wallet("learner")
    book.fund("learner", 2500)
    with connection.cursor() as cursor:
        # Only a superuser switching triggers off can write this: one entry, not summing to zero.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            "INSERT INTO ledger_transaction (kind, idempotency_key, request_fingerprint, reason, object_type,"
            " object_id, created_at) VALUES ('raw', 'broken', '', 'x', 'tests.case', '1', now()) RETURNING id"
        )
        (transaction_id,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO ledger_entry (transaction_id, account_id, amount) VALUES (%s, %s, 7)",
            [transaction_id, book["learner"].pk],
        )
        cursor.execute("SET session_replication_role = origin")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="4 ledger invariant violation"):
        call_command("ledger_check", stdout=out, stderr=err)
    problems = err.getvalue()
    assert "I1 transaction with fewer than two entries" in problems
    assert "I1 transaction not summing to zero" in problems
    assert "I2 posted debits and credits differ" in problems
    assert "I3 cached balance differs from its entries" in problems
    assert "USD      total                                         0                 7" in out.getvalue()


def test_the_expiry_job_expires_lapsed_holds_once_and_skips_resolved_ones(book: Book):
    payer = book.wallet("payer")
    book.fund("payer", 300)
    past = timezone.now() - datetime.timedelta(minutes=1)

    def hold(expires_at):
        return hold_create(
            idempotency_key=key(),
            payer=payer,
            amount=usd(100),
            expires_at=expires_at,
            actor=payer,
            release_condition=HoldReleaseCondition.MANUAL,
            reason="seat reserved",
            business_object=TEST_OBJECT,
        )

    lapsed, future, voided = hold(past), hold(timezone.now() + datetime.timedelta(hours=1)), hold(past)
    hold_void(idempotency_key=key(), hold=voided, actor=None, reason="order cancelled")
    now = int(timezone.now().timestamp())
    expire_holds_task(now)
    expire_holds_task(now)
    statuses = {h.pk: h.status for h in (lapsed, future, voided) if not h.refresh_from_db()}
    assert statuses == {lapsed.pk: HoldStatus.EXPIRED, future.pk: HoldStatus.PENDING, voided.pk: HoldStatus.VOIDED}
    assert book.balances() == book.expect(outside=-300, payer=200, **{"payer.held": 100})
    assert_ledger_sound()


def test_the_fold_job_leaves_no_delta(book: Book):
    book.wallet("learner")
    for _ in range(3):
        book.fund("learner", 100)
    fold_balances_task(int(timezone.now().timestamp()))
    assert Account.objects.get(pk=book["learner"].pk).balance == 300
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ledger_balancedelta")
        assert cursor.fetchone() == (0,)
    assert_ledger_sound()
