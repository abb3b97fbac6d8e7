"""Reads: balances, wallets, pending earnings, history, the trial balance and the invariant checks."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, QuerySet

from agora.accounts.models import User
from agora.core.money import Money
from agora.ledger.models import Account, AccountKind, Entry, Hold, HoldShare, HoldStatus

# A whole balance: the folded part plus the deltas not folded yet (see Account).
BALANCE_SQL = "a.balance + coalesce((SELECT sum(d.amount) FROM ledger_balancedelta d WHERE d.account_id = a.id), 0)"


@dataclass(frozen=True, slots=True)
class WalletBalances:
    """A user's wallet in one currency."""

    available: Money  # what they may spend or withdraw (I9)
    held: Money  # set aside from them by pending holds (their purchases in escrow)
    pending_earnings: Money  # planned for them by pending holds (sales in escrow)
    receivable: Money  # what they owe the platform (≤ 0), e.g. a refund after a payout


@dataclass(frozen=True, slots=True)
class TrialBalanceRow:
    currency: str
    kind: str
    accounts: int
    balance: int  # cached balances (folded + deltas)
    entries: int  # the same figure summed from the entries


def account_balance(*, account: Account) -> Money:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {BALANCE_SQL} FROM ledger_account a WHERE a.id = %s", [account.pk])  # noqa: S608
        (balance,) = cursor.fetchone() or (0,)
    return Money(int(balance), account.currency)


def wallet_balances(*, user: User, currency: str) -> WalletBalances:
    """Available, held, pending earnings and receivable of one user in one currency, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.kind, {BALANCE_SQL} FROM ledger_account a"  # noqa: S608
            " WHERE a.owner_id = %(user)s AND a.currency = %(currency)s"
            " UNION ALL"
            " SELECT 'pending_earnings', coalesce(sum(s.amount), 0) FROM ledger_holdshare s"
            " JOIN ledger_hold h ON h.id = s.hold_id JOIN ledger_account a ON a.id = s.account_id"
            " WHERE h.status = 'pending' AND a.owner_id = %(user)s AND a.currency = %(currency)s",
            {"user": user.pk, "currency": currency},
        )
        figures = {kind: int(amount) for kind, amount in cursor.fetchall()}
    return WalletBalances(
        available=Money(figures.get(AccountKind.AVAILABLE, 0), currency),
        held=Money(figures.get(AccountKind.HELD, 0), currency),
        pending_earnings=Money(figures.get("pending_earnings", 0), currency),
        receivable=Money(figures.get(AccountKind.RECEIVABLE, 0), currency),
    )


def hold_share_list_pending_for_user(*, user: User, currency: str) -> QuerySet[HoldShare]:
    """A creator's pending earnings, one row per hold, soonest release first."""
    return (
        HoldShare.objects.filter(account__owner=user, account__currency=currency, hold__status=HoldStatus.PENDING)
        .select_related("hold")
        .order_by("hold__release_at", "hold_id")
    )


def hold_list_pending_for_payer(*, user: User, currency: str) -> QuerySet[Hold]:
    """The user's own money on hold (purchases in escrow, withdrawals awaiting approval), soonest release first."""
    return Hold.objects.filter(payer=user, currency=currency, status=HoldStatus.PENDING).order_by(
        F("release_at").asc(nulls_last=True), "id"
    )


def hold_list_due_for_release(*, now: datetime.datetime, limit: int = 100) -> QuerySet[Hold]:
    """Pending holds whose release date has come (the caller decides whether to post them)."""
    return Hold.objects.filter(status=HoldStatus.PENDING, release_at__lte=now).order_by("release_at", "id")[:limit]


def hold_list_due_for_expiry(*, now: datetime.datetime, limit: int = 100) -> QuerySet[Hold]:
    return Hold.objects.filter(status=HoldStatus.PENDING, expires_at__lte=now).order_by("expires_at", "id")[:limit]


def entry_list_for_user(*, user: User, currency: str, kinds: Sequence[str] | None = None) -> QuerySet[Entry]:
    """A wallet's history, newest first; `kinds` filters by transaction kind (purchases, refunds, ...)."""
    entries = Entry.objects.filter(account__owner=user, account__currency=currency)
    if kinds is not None:
        entries = entries.filter(transaction__kind__in=kinds)
    return entries.select_related("transaction", "account").order_by("-transaction__created_at", "-id")


def trial_balance() -> list[TrialBalanceRow]:
    """Per currency and account kind: how many accounts, their cached balances and their entries."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.currency, a.kind, count(*), coalesce(sum({BALANCE_SQL}), 0),"  # noqa: S608
            " coalesce(sum((SELECT sum(e.amount) FROM ledger_entry e WHERE e.account_id = a.id)), 0)"
            " FROM ledger_account a GROUP BY a.currency, a.kind ORDER BY a.currency, a.kind"
        )
        return [
            TrialBalanceRow(currency, kind, int(accounts), int(balance), int(entries))
            for currency, kind, accounts, balance, entries in cursor.fetchall()
        ]


# Each check lists what breaks one invariant of QUALITY.md §2 (at most 20 rows each).
INVARIANT_CHECKS: list[tuple[str, str]] = [
    (
        "I1 transaction with fewer than two entries",
        "SELECT t.id, count(e.id) FROM ledger_transaction t LEFT JOIN ledger_entry e ON e.transaction_id = t.id"
        " GROUP BY t.id HAVING count(e.id) < 2",
    ),
    (
        "I1 transaction not summing to zero (transaction, currency, sum)",
        "SELECT e.transaction_id, a.currency, sum(e.amount) FROM ledger_entry e"
        " JOIN ledger_account a ON a.id = e.account_id GROUP BY e.transaction_id, a.currency"
        " HAVING sum(e.amount) <> 0",
    ),
    (
        "I2 posted debits and credits differ (currency, sum of entries)",
        "SELECT a.currency, sum(e.amount) FROM ledger_entry e JOIN ledger_account a ON a.id = e.account_id"
        " GROUP BY a.currency HAVING sum(e.amount) <> 0",
    ),
    (
        "I2 held account differs from its pending holds (account, balance, pending holds)",
        "SELECT a.id, coalesce(entries.total, 0), coalesce(pending.total, 0) FROM ledger_account a"
        " LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger_entry GROUP BY account_id) entries"
        " ON entries.account_id = a.id"
        " LEFT JOIN (SELECT held_account_id, sum(amount) AS total FROM ledger_hold WHERE status = 'pending'"
        " GROUP BY held_account_id) pending ON pending.held_account_id = a.id"
        " WHERE a.kind = 'held' AND coalesce(entries.total, 0) <> coalesce(pending.total, 0)",
    ),
    (
        "I3 cached balance differs from its entries (account, cached, entries)",
        f"SELECT a.id, {BALANCE_SQL}, coalesce(entries.total, 0) FROM ledger_account a"  # noqa: S608
        " LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger_entry GROUP BY account_id) entries"
        f" ON entries.account_id = a.id WHERE {BALANCE_SQL} <> coalesce(entries.total, 0)",
    ),
    (
        "I4 balance past its bound (account, kind, balance)",
        f"SELECT a.id, a.kind, {BALANCE_SQL} FROM ledger_account a WHERE"  # noqa: S608
        f" (a.kind IN ('available', 'held', 'commission', 'payouts_in_transit') AND {BALANCE_SQL} < 0)"
        f" OR (a.kind = 'receivable' AND {BALANCE_SQL} > 0)",
    ),
    (
        "I6 hold shares not adding up to the hold (hold, amount, shares)",
        "SELECT h.id, h.amount, sum(s.amount) FROM ledger_hold h JOIN ledger_holdshare s ON s.hold_id = h.id"
        " GROUP BY h.id, h.amount HAVING sum(s.amount) <> h.amount",
    ),
    (
        "I7 hold not created once and resolved at most once, as its status says (hold, status, created, resolutions)",
        "SELECT h.id, h.status, count(t.id) FILTER (WHERE t.kind = 'hold.create'),"
        " array_agg(t.kind) FILTER (WHERE t.kind <> 'hold.create')"
        " FROM ledger_hold h LEFT JOIN ledger_transaction t ON t.hold_id = h.id GROUP BY h.id, h.status"
        " HAVING count(t.id) FILTER (WHERE t.kind = 'hold.create') <> 1"
        " OR count(t.id) FILTER (WHERE t.kind <> 'hold.create') <> (CASE WHEN h.status = 'pending' THEN 0 ELSE 1 END)"
        " OR (h.status = 'posted' AND NOT bool_or(t.kind = 'hold.post'))"
        " OR (h.status = 'voided' AND NOT bool_or(t.kind = 'hold.void'))"
        " OR (h.status = 'expired' AND NOT bool_or(t.kind = 'hold.expire'))",
    ),
    (
        "I8 hold moving other than its amount through its held account (hold, status, in, out)",
        "SELECT h.id, h.status, coalesce(sum(e.amount) FILTER (WHERE e.amount > 0), 0),"
        " coalesce(-sum(e.amount) FILTER (WHERE e.amount < 0), 0)"
        " FROM ledger_hold h LEFT JOIN ledger_transaction t ON t.hold_id = h.id"
        " LEFT JOIN ledger_entry e ON e.transaction_id = t.id AND e.account_id = h.held_account_id"
        " GROUP BY h.id, h.status, h.amount"
        " HAVING coalesce(sum(e.amount) FILTER (WHERE e.amount > 0), 0) <> h.amount"
        " OR coalesce(-sum(e.amount) FILTER (WHERE e.amount < 0), 0)"
        " <> (CASE WHEN h.status = 'pending' THEN 0 ELSE h.amount END)",
    ),
]


def ledger_invariants_check() -> list[str]:
    """Every violation of the ledger's invariants (I1–I4, I6–I8), one line each; empty when sound."""
    violations: list[str] = []
    with connection.cursor() as cursor:
        for name, sql in INVARIANT_CHECKS:
            cursor.execute(f"{sql} LIMIT 20")
            violations.extend(f"{name}: {tuple(row)}" for row in cursor.fetchall())
    return violations
