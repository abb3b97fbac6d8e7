"""Transfers between accounts and reversing transactions (the only correction there is)."""

from collections.abc import Sequence

from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.core.audit import audit_record
from agora.core.errors import ServiceError
from agora.ledger.models import RESERVED_KINDS, REVERSAL_KIND, Transaction
from agora.ledger.services.posting import (
    BusinessObject,
    Move,
    Posting,
    amounts_from_moves,
    kind_check,
    posting_book,
    refuse,
    request_check,
    request_fingerprint,
    run_idempotent,
)


def ledger_transfer(
    *,
    idempotency_key: str,
    kind: str,
    moves: Sequence[Move],
    actor: User | None,
    reason: str,
    business_object: BusinessObject,
) -> Transaction:
    """Book one balanced transaction moving money along `moves`, all or nothing.

    Only the accounts moving towards their bound (a debited wallet, commission or payouts account; a
    credited receivable) are locked and checked; the credited ones take append-only entries.
    `kind` names what this is for the caller's history filters (`top_up`, `purchase`, `refund`, ...).
    Same key and same request → the first transaction; same key, other request → `idempotency_conflict`.
    """
    kind_check(kind)
    request_check(idempotency_key=idempotency_key, reason=reason, business_object=business_object)
    if not moves:
        raise ServiceError(_("Nothing would move."), code="empty_transaction")
    amounts = amounts_from_moves(moves)
    fingerprint = request_fingerprint(
        "ledger_transfer",
        kind=kind,
        moves=sorted((m.source.pk, m.destination.pk, m.amount.amount, m.amount.currency) for m in moves),
        actor=actor.pk if actor else None,
        reason=reason,
        business_object=[business_object.type, business_object.id],
    )
    posting = Posting(kind, idempotency_key, fingerprint, actor, reason, business_object)
    return run_idempotent(
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        body=lambda: posting_book(posting, amounts),
        replayed=lambda existing: existing,
    )


def transaction_reverse(
    *, idempotency_key: str, transaction: Transaction, actor: User | None, reason: str
) -> Transaction:
    """Book the exact opposite of `transaction` (once), for the same business object.

    Hold transactions are not reversed (void, post or expire the hold instead), nor are reversals.
    Reversing needs the money back: a creator who has spent it makes this `insufficient_funds`,
    and the caller books a receivable instead.
    """
    if transaction.kind in RESERVED_KINDS:
        raise ServiceError(
            _("Hold transactions and reversals cannot be reversed."), code="not_reversible", field="transaction"
        )
    business_object = BusinessObject(transaction.object_type, transaction.object_id)
    request_check(idempotency_key=idempotency_key, reason=reason, business_object=business_object)
    fingerprint = request_fingerprint(
        "transaction_reverse", transaction=transaction.pk, actor=actor.pk if actor else None, reason=reason
    )

    def body() -> Transaction:
        original = Transaction.objects.select_for_update(no_key=True).get(pk=transaction.pk)
        posting = Posting(REVERSAL_KIND, idempotency_key, fingerprint, actor, reason, business_object, None, original)
        if Transaction.objects.filter(reverses=original).exists():
            refuse(ServiceError(_("This transaction has been reversed already."), code="already_reversed"), posting)
        amounts = {entry.account: -entry.amount for entry in original.entries.select_related("account")}
        reversal = posting_book(posting, amounts)
        audit_record(actor=actor, action="ledger.transaction_reversed", target=original, reason=reason)
        return reversal

    return run_idempotent(
        idempotency_key=idempotency_key, fingerprint=fingerprint, body=body, replayed=lambda existing: existing
    )
