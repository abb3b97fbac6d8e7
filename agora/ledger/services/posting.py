"""How every ledger command writes: idempotency, locks on what is debited, funds checks, the rows.

Not a public module: other apps call the commands in `agora.ledger.services`.
"""

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.core.errors import ServiceError
from agora.core.money import Money
from agora.ledger.models import (
    CEILING_KINDS,
    FLOOR_KINDS,
    RESERVED_KINDS,
    Account,
    AccountKind,
    Hold,
    Transaction,
)

KEY_MAX_LENGTH = 200
KIND_PATTERN = re.compile(r"[a-z][a-z0-9_.]{0,39}")  # as the CHECK ledger_transaction_kind_slug


@dataclass(frozen=True, slots=True)
class BusinessObject:
    """The object a transaction is about, as strings: `BusinessObject("commerce.orderline", "42")`."""

    type: str
    id: str

    @classmethod
    def of(cls, instance: models.Model) -> "BusinessObject":
        return cls(instance._meta.label_lower, str(instance.pk))


@dataclass(frozen=True, slots=True)
class Move:
    """`amount` leaves `source` for `destination`."""

    source: Account
    destination: Account
    amount: Money


@dataclass(frozen=True, slots=True)
class Posting:
    """Everything a transaction row says besides its entries."""

    kind: str
    idempotency_key: str
    fingerprint: str
    actor: User | None
    reason: str
    business_object: BusinessObject
    hold: Hold | None = None
    reverses: Transaction | None = None


class KeyTaken(Exception):
    """Another transaction committed this idempotency key while we were working; roll back and replay."""


def request_fingerprint(operation: str, **request: Any) -> str:
    """A hash of the canonical request, stored with its idempotency key."""
    canonical = json.dumps({"operation": operation, **request}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def request_check(*, idempotency_key: str, reason: str, business_object: BusinessObject) -> None:
    if not idempotency_key or len(idempotency_key) > KEY_MAX_LENGTH:
        raise ServiceError(
            _("An idempotency key of 1 to 200 characters is required."), code="invalid_key", field="idempotency_key"
        )
    if not reason.strip():
        raise ServiceError(_("Say why the money moves."), code="reason_required", field="reason")
    if not business_object.type or not business_object.id:
        raise ServiceError(_("Name the object the money moves for."), code="object_required", field="business_object")
    if len(business_object.type) > 64 or len(business_object.id) > 64:
        raise ServiceError(_("The object's type and id are too long."), code="object_invalid", field="business_object")


def kind_check(kind: str) -> None:
    if kind in RESERVED_KINDS:
        raise ServiceError(_("This kind is written by the ledger itself."), code="reserved_kind", field="kind")
    if not KIND_PATTERN.fullmatch(kind):
        raise ServiceError(_("A kind is a short lower-case name."), code="invalid_kind", field="kind")


def amounts_from_moves(moves: Iterable[Move]) -> dict[Account, int]:
    """Net signed amount per account, one entry per account (zero nets dropped)."""
    amounts: dict[Account, int] = {}
    for move in moves:
        amount_check(move.amount)
        for account in (move.source, move.destination):
            currency_check(account, move.amount.currency)
        if AccountKind.HELD in (move.source.kind, move.destination.kind):
            raise ServiceError(
                _("Held money moves only by posting, voiding or expiring its hold."), code="held_account"
            )
        if move.source.pk == move.destination.pk:
            raise ServiceError(_("Money cannot move to the account it comes from."), code="same_account")
        amounts[move.source] = amounts.get(move.source, 0) - move.amount.amount
        amounts[move.destination] = amounts.get(move.destination, 0) + move.amount.amount
    return {account: amount for account, amount in amounts.items() if amount}


def amount_check(amount: Money) -> None:
    if amount.amount <= 0:
        raise ServiceError(_("The amount must be positive."), code="invalid_amount", field="amount")


def currency_check(account: Account, currency: str) -> None:
    if account.pk is None:
        raise ServiceError(_("Unknown ledger account."), code="unknown_account")
    if account.currency != currency:
        raise ServiceError(
            _("Account %(account)s holds %(held)s, not %(currency)s.")
            % {"account": account.pk, "held": account.currency, "currency": currency},
            code="currency_mismatch",
        )


def run_idempotent[T](
    *, idempotency_key: str, fingerprint: str, body: Callable[[], T], replayed: Callable[[Transaction], T]
) -> T:
    """Run `body` in its own transaction (a savepoint inside a caller's). When the key turns out to be
    taken (KeyTaken), roll back and answer with the first result, or refuse a different request."""
    try:
        with transaction.atomic():
            return body()
    except KeyTaken:
        existing = replay_find(idempotency_key=idempotency_key, fingerprint=fingerprint)
        if existing is None:  # pragma: no cover - KeyTaken is raised only for a committed key
            raise
        return replayed(existing)


def replay_find(*, idempotency_key: str, fingerprint: str) -> Transaction | None:
    """The transaction already booked under this key, or None; refuses a key reused for another request."""
    existing = next(iter(Transaction.objects.filter(idempotency_key=idempotency_key)[:1]), None)
    if existing is not None and existing.request_fingerprint != fingerprint:
        raise ServiceError(
            _("This idempotency key was already used for a different request."),
            code="idempotency_conflict",
            field="idempotency_key",
        )
    return existing


def refuse(error: ServiceError, posting: Posting) -> NoReturn:
    """Raise `error` — unless this very request was booked before: then replay it (KeyTaken).

    Checked only when about to refuse (funds gone, hold resolved, already reversed), because these are
    what an earlier identical request leaves behind; a retry that would succeed anyway is stopped by
    the unique key when it writes.
    """
    if replay_find(idempotency_key=posting.idempotency_key, fingerprint=posting.fingerprint) is not None:
        raise KeyTaken(posting.idempotency_key)
    raise error


def towards_bound(account: Account, amount: int) -> bool:
    """Whether an entry moves the account towards the bound its kind may not cross."""
    return (amount < 0 and account.kind in FLOOR_KINDS) or (amount > 0 and account.kind in CEILING_KINDS)


def accounts_lock(accounts: Iterable[Account]) -> dict[int, int]:
    """Lock rows in id order (no deadlocks between opposite transfers) and return their whole balances.

    One call of ledger_accounts_lock (migration 0002): it locks FOR NO KEY UPDATE, which does not block
    the foreign-key checks of concurrent entries crediting these accounts, then reads the balances in a
    fresh snapshot taken after the locks were granted.
    """
    ids = sorted({account.pk for account in accounts})
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT account_id, balance FROM ledger_accounts_lock(%s)", [ids])
        return {account_id: int(balance) for account_id, balance in cursor.fetchall()}


def funds_shortfall(amounts: Mapping[Account, int], balances: Mapping[int, int]) -> ServiceError | None:
    """The refusal if an account would cross its bound (I4); spending is checked against available (I9)."""
    for account, amount in amounts.items():
        if account.pk not in balances:
            continue
        after = balances[account.pk] + amount
        if account.kind in FLOOR_KINDS and after < 0:
            return ServiceError(_("Not enough money available."), code="insufficient_funds", field="amount")
        if account.kind in CEILING_KINDS and after > 0:
            return ServiceError(_("This is more than is owed."), code="receivable_exceeded", field="amount")
    return None


def posting_prepare(posting: Posting, amounts: Mapping[Account, int]) -> None:
    """Lock what moves towards its bound and check the funds (a replay instead of a refusal)."""
    if len(amounts) < 2:
        raise ServiceError(_("Nothing would move."), code="empty_transaction")
    balances = accounts_lock(account for account, amount in amounts.items() if towards_bound(account, amount))
    shortfall = funds_shortfall(amounts, balances)
    if shortfall is not None:
        refuse(shortfall, posting)


def posting_book(posting: Posting, amounts: Mapping[Account, int]) -> Transaction:
    posting_prepare(posting, amounts)
    return transaction_write(posting, amounts)


# One statement: the transaction row (unless its key is taken) and its entries. ON CONFLICT waits for a
# concurrent holder of the key to finish, then yields no row, hence no entries.
WRITE_SQL = """
WITH booked AS (
    INSERT INTO ledger_transaction (kind, idempotency_key, request_fingerprint, actor_id, reason,
                                    object_type, object_id, hold_id, reverses_id, created_at)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id
)
INSERT INTO ledger_entry (transaction_id, account_id, amount)
SELECT booked.id, entry.account_id, entry.amount
  FROM booked, unnest(%s::bigint[], %s::bigint[]) AS entry(account_id, amount)
RETURNING transaction_id
"""


def transaction_write(posting: Posting, amounts: Mapping[Account, int]) -> Transaction:
    """Insert the transaction and its entries; raise KeyTaken if its key was committed meanwhile.

    The caller has locked the accounts moving towards their bound (posting_prepare). The database
    applies each entry to its account and checks the sums at commit (migration 0002).
    """
    row = Transaction(
        kind=posting.kind,
        idempotency_key=posting.idempotency_key,
        request_fingerprint=posting.fingerprint,
        actor=posting.actor,
        reason=posting.reason,
        object_type=posting.business_object.type,
        object_id=posting.business_object.id,
        hold=posting.hold,
        reverses=posting.reverses,
        created_at=timezone.now(),
    )
    entries = sorted((account.pk, amount) for account, amount in amounts.items())
    with connection.cursor() as cursor:
        cursor.execute(
            WRITE_SQL,
            [
                row.kind,
                row.idempotency_key,
                row.request_fingerprint,
                row.actor_id,
                row.reason,
                row.object_type,
                row.object_id,
                row.hold_id,
                row.reverses_id,
                row.created_at,
                [account_id for account_id, _amount in entries],
                [amount for _account_id, amount in entries],
            ],
        )
        written = cursor.fetchall()
    if not written:
        raise KeyTaken(posting.idempotency_key)
    row.pk = written[0][0]
    row._state.adding = False
    return row
