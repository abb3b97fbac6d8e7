"""Holds, two-phase like a card authorisation: create, then post, void or expire — exactly once."""

import dataclasses
import datetime
from collections.abc import Callable, Sequence

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.core.audit import audit_record
from agora.core.errors import ServiceError
from agora.core.events import send_on_commit
from agora.core.money import Money
from agora.ledger import events
from agora.ledger.models import (
    Account,
    AccountKind,
    Hold,
    HoldKind,
    HoldReleaseCondition,
    HoldShare,
    HoldStatus,
    Transaction,
)
from agora.ledger.services.accounts import wallet_account_ensure
from agora.ledger.services.posting import (
    BusinessObject,
    Posting,
    amount_check,
    currency_check,
    posting_book,
    posting_prepare,
    refuse,
    request_check,
    request_fingerprint,
    run_idempotent,
    transaction_write,
)

type Destinations = Sequence[tuple[Account, Money]]
type AmountsFor = Callable[[Hold], dict[Account, int]]


def hold_create(
    *,
    idempotency_key: str,
    payer: User,
    amount: Money,
    release_condition: HoldReleaseCondition,
    release_at: datetime.datetime | None = None,
    expires_at: datetime.datetime | None = None,
    shares: Destinations = (),
    actor: User | None,
    reason: str,
    business_object: BusinessObject,
) -> Hold:
    """Set `amount` aside from the payer's available balance into their held account.

    `shares` plan where the money goes when posted (they must add up to the amount exactly); the
    creators' pending earnings are read from them. `release_at` is when the condition is expected to
    be met (set or moved later with `hold_schedule`); `expires_at`, if given, is when `hold_expire`
    may give the money back.
    """
    request_check(idempotency_key=idempotency_key, reason=reason, business_object=business_object)
    amount_check(amount)
    if shares:
        destinations_check(shares, currency=amount.currency, total=amount.amount, exact=True)
    available = wallet_account_ensure(user=payer, kind=AccountKind.AVAILABLE, currency=amount.currency)
    held = wallet_account_ensure(user=payer, kind=AccountKind.HELD, currency=amount.currency)
    fingerprint = request_fingerprint(
        "hold_create",
        payer=payer.pk,
        amount=[amount.amount, amount.currency],
        release_condition=str(release_condition),
        release_at=release_at.isoformat() if release_at else None,
        expires_at=expires_at.isoformat() if expires_at else None,
        shares=sorted((account.pk, share.amount) for account, share in shares),
        actor=actor.pk if actor else None,
        reason=reason,
        business_object=[business_object.type, business_object.id],
    )
    amounts = {available: -amount.amount, held: amount.amount}
    posting = Posting(HoldKind.CREATE, idempotency_key, fingerprint, actor, reason, business_object)

    def body() -> Hold:
        posting_prepare(posting, amounts)
        hold = Hold.objects.create(
            payer=payer,
            available_account=available,
            held_account=held,
            amount=amount.amount,
            currency=amount.currency,
            release_condition=release_condition,
            release_at=release_at,
            expires_at=expires_at,
            object_type=business_object.type,
            object_id=business_object.id,
        )
        HoldShare.objects.bulk_create(
            [HoldShare(hold=hold, account=account, amount=share.amount) for account, share in shares]
        )
        transaction_write(dataclasses.replace(posting, hold=hold), amounts)
        return hold

    return run_idempotent(
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        body=body,
        replayed=_hold_of,
    )


def hold_post(
    *,
    idempotency_key: str,
    hold: Hold,
    destinations: Destinations | None = None,
    actor: User | None,
    reason: str,
) -> Transaction:
    """Move the held money to its destinations: the planned shares, or `destinations` given here.

    Destinations adding up to less than the hold post that much and give the rest back to the payer
    (posted ≤ held, I8).
    """
    if destinations is not None:
        destinations_check(destinations, currency=hold.currency, total=hold.amount, exact=False)
    request = sorted((account.pk, money.amount) for account, money in destinations) if destinations else "planned"
    fingerprint = request_fingerprint(
        "hold_post", hold=hold.pk, destinations=request, actor=actor.pk if actor else None, reason=reason
    )

    def amounts_for(locked: Hold) -> dict[Account, int]:
        chosen = destinations if destinations is not None else _planned_destinations(locked)
        amounts: dict[Account, int] = {locked.held_account: -locked.amount}
        for account, money in chosen:
            amounts[account] = amounts.get(account, 0) + money.amount
        posted = sum(money.amount for _account, money in chosen)
        if posted < locked.amount:
            back = locked.available_account
            amounts[back] = amounts.get(back, 0) + locked.amount - posted
        return {account: amount for account, amount in amounts.items() if amount}

    return _hold_resolve(
        idempotency_key=idempotency_key,
        hold=hold,
        fingerprint=fingerprint,
        kind=HoldKind.POST,
        status=HoldStatus.POSTED,
        amounts_for=amounts_for,
        actor=actor,
        reason=reason,
        signal=events.hold_posted,
    )


def hold_void(*, idempotency_key: str, hold: Hold, actor: User | None, reason: str) -> Transaction:
    """Give the held money back to the payer's available balance."""
    fingerprint = request_fingerprint("hold_void", hold=hold.pk, actor=actor.pk if actor else None, reason=reason)
    return _hold_resolve(
        idempotency_key=idempotency_key,
        hold=hold,
        fingerprint=fingerprint,
        kind=HoldKind.VOID,
        status=HoldStatus.VOIDED,
        amounts_for=_amounts_back,
        actor=actor,
        reason=reason,
        signal=events.hold_voided,
    )


def hold_expire(
    *, idempotency_key: str, hold: Hold, actor: User | None, reason: str, now: datetime.datetime | None = None
) -> Transaction:
    """Give the money of a hold past its `expires_at` back to the payer (the expiry job calls this)."""
    fingerprint = request_fingerprint("hold_expire", hold=hold.pk, actor=actor.pk if actor else None, reason=reason)
    moment = now or timezone.now()

    def amounts_for(locked: Hold) -> dict[Account, int]:
        if locked.expires_at is None or locked.expires_at > moment:
            raise ServiceError(_("This hold has not expired."), code="hold_not_expired")
        return _amounts_back(locked)

    return _hold_resolve(
        idempotency_key=idempotency_key,
        hold=hold,
        fingerprint=fingerprint,
        kind=HoldKind.EXPIRE,
        status=HoldStatus.EXPIRED,
        amounts_for=amounts_for,
        actor=actor,
        reason=reason,
        signal=events.hold_expired,
    )


def hold_schedule(
    *,
    hold: Hold,
    release_condition: HoldReleaseCondition,
    release_at: datetime.datetime | None,
    actor: User | None,
    reason: str,
) -> Hold:
    """Set or move a pending hold's release condition and date (e.g. when a cohort's end moves)."""
    with transaction.atomic():
        locked = Hold.objects.select_for_update(no_key=True).get(pk=hold.pk)
        if locked.status != HoldStatus.PENDING:
            raise _not_pending(locked)
        locked.release_condition = release_condition
        locked.release_at = release_at
        locked.save(update_fields=["release_condition", "release_at", "updated_at"])
        audit_record(
            actor=actor,
            action="ledger.hold_scheduled",
            target=locked,
            reason=reason,
            release_condition=str(release_condition),
            release_at=release_at.isoformat() if release_at else None,
        )
    return locked


def destinations_check(destinations: Destinations, *, currency: str, total: int, exact: bool) -> None:
    """Positive amounts in the hold's currency, one per account, adding up to the total (or less)."""
    if not destinations:
        raise ServiceError(_("Name where the money goes."), code="destinations_required", field="destinations")
    for account, money in destinations:
        if account.kind == AccountKind.HELD:
            raise ServiceError(_("Held money cannot be held again."), code="held_account", field="destinations")
        amount_check(money)
        currency_check(account, currency)
        currency_check(account, money.currency)
    if len({account.pk for account, _money in destinations}) != len(destinations):
        raise ServiceError(_("Name each account once."), code="invalid_split", field="destinations")
    posted = sum(money.amount for _account, money in destinations)
    if posted > total or (exact and posted != total):
        raise ServiceError(_("The shares must add up to the held amount."), code="invalid_split", field="destinations")


def _hold_resolve(
    *,
    idempotency_key: str,
    hold: Hold,
    fingerprint: str,
    kind: str,
    status: HoldStatus,
    amounts_for: AmountsFor,
    actor: User | None,
    reason: str,
    signal: Signal,
) -> Transaction:
    """Lock the hold, replay or check it is pending, book the movement, mark the hold resolved."""
    business_object = BusinessObject(hold.object_type, hold.object_id)
    request_check(idempotency_key=idempotency_key, reason=reason, business_object=business_object)

    def body() -> Transaction:
        locked = Hold.objects.select_for_update(no_key=True).select_related("held_account", "available_account")
        locked_hold = locked.get(pk=hold.pk)
        posting = Posting(kind, idempotency_key, fingerprint, actor, reason, business_object, locked_hold)
        if locked_hold.status != HoldStatus.PENDING:
            refuse(_not_pending(locked_hold), posting)  # or replay, if this request resolved it
        booked = posting_book(posting, amounts_for(locked_hold))
        locked_hold.status = status
        locked_hold.resolved_at = booked.created_at
        locked_hold.save(update_fields=["status", "resolved_at", "updated_at"])
        audit_record(actor=actor, action=f"ledger.hold_{status}", target=locked_hold, reason=reason)
        send_on_commit(signal, hold_id=locked_hold.pk, transaction_id=booked.pk)
        return booked

    return run_idempotent(
        idempotency_key=idempotency_key, fingerprint=fingerprint, body=body, replayed=lambda existing: existing
    )


def _hold_of(created: Transaction) -> Hold:
    """The hold a replayed `hold.create` transaction made."""
    return Hold.objects.get(transactions=created)


def _not_pending(hold: Hold) -> ServiceError:
    return ServiceError(
        _("This hold is %(status)s already.") % {"status": hold.get_status_display().lower()},
        code="hold_not_pending",
    )


def _amounts_back(hold: Hold) -> dict[Account, int]:
    return {hold.held_account: -hold.amount, hold.available_account: hold.amount}


def _planned_destinations(hold: Hold) -> list[tuple[Account, Money]]:
    shares = list(hold.shares.select_related("account").order_by("account_id"))
    if not shares:
        raise ServiceError(
            _("This hold has no planned shares; name where the money goes."),
            code="destinations_required",
            field="destinations",
        )
    return [(share.account, Money(share.amount, hold.currency)) for share in shares]
