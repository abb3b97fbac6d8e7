"""Payout methods and withdrawals: request (money held), approve (the gateway pays) or reject (released).

A payout reaches the gateway at most once (QUALITY.md I14): approval moves it from `requested` to
`approved` under a row lock — a second approver finds it decided — and the gateway call carries the
key `payout:<id>`, which the gateway honours, so a retry after a lost answer pays nothing twice.
"""

import logging
from collections.abc import Mapping

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.core.audit import audit_record
from agora.core.errors import NotFound, PermissionDenied, ServiceError
from agora.core.money import Money
from agora.ledger.models import HoldReleaseCondition
from agora.ledger.services import BusinessObject, hold_create, hold_void
from agora.payments import reasons
from agora.payments.access import access_payout_for_review
from agora.payments.gateways import gateway_get
from agora.payments.gateways.base import GatewayError
from agora.payments.models import Payout, PayoutMethod, PayoutStatus
from agora.payments.services.outcomes import payout_outcome_apply
from agora.payments.services.payments import conflict, fingerprint, key_check
from agora.payments.services.payout_details import details_check, details_decrypt, details_encrypt

logger = logging.getLogger(__name__)
ACTIVE_METHODS_MAX = 10


def payout_method_add(*, user: User, kind: str, details: Mapping[str, object]) -> PayoutMethod:
    """Check and store a payout method; its details are kept encrypted, only the masked form shown."""
    checked = details_check(kind=kind, details=details)
    gateway = gateway_get(None)
    if kind not in gateway.payout_kinds:
        raise ServiceError(_("Payouts of this kind are not available."), code="method_not_supported", field="kind")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one count at a time per user
        active = list(PayoutMethod.objects.filter(user=user, is_active=True))
        if len(active) >= ACTIVE_METHODS_MAX:
            raise ServiceError(_("Remove a payout method before adding another."), code="too_many_methods")
        # Details are encrypted with a fresh nonce each time, so the few active ones are compared decrypted.
        if any(m.kind == kind and details_decrypt(m.details_encrypted) == checked.details for m in active):
            raise ServiceError(_("This payout method is already in your list."), code="method_duplicate")
        method = PayoutMethod.objects.create(
            user=user,
            kind=kind,
            label=checked.label,
            masked=checked.masked,
            details_encrypted=details_encrypt(checked.details),
        )
        audit_record(actor=user, action="payments.payout_method_added", target=method, kind=kind)
    return method


def payout_method_remove(*, user: User, method_id: int) -> None:
    """Stop offering a method (withdrawals already requested to it go on)."""
    with transaction.atomic():
        method = PayoutMethod.objects.select_for_update().filter(pk=method_id, user=user, is_active=True).first()
        if method is None:
            raise NotFound(_("No such payout method."), code="method_not_found", field="method_id")
        method.is_active = False
        method.save(update_fields=["is_active"])
        audit_record(actor=user, action="payments.payout_method_removed", target=method)


def withdrawal_request(*, user: User, method_id: int, amount: int, idempotency_key: str) -> Payout:
    """Hold `amount` of the user's available balance for a payout to one of their methods."""
    key_check(idempotency_key)
    if type(amount) is not int or amount < settings.PAYMENTS_WITHDRAWAL_MIN:
        raise ServiceError(_("This is less than the smallest withdrawal."), code="amount_too_small", field="amount")
    currency = settings.PLATFORM_CURRENCY
    request = fingerprint("withdrawal_request", user=user.pk, method=method_id, amount=amount, currency=currency)
    existing = _replay(idempotency_key, request)
    if existing is not None:
        return existing
    method = PayoutMethod.objects.filter(pk=method_id, user=user, is_active=True).first()
    if method is None:
        raise NotFound(_("No such payout method."), code="method_not_found", field="method_id")
    gateway = gateway_get(None)
    if method.kind not in gateway.payout_kinds:
        raise ServiceError(_("Payouts of this kind are not available."), code="method_not_supported", field="method_id")
    try:
        with transaction.atomic():
            payout_id = _payout_id_next()
            hold = hold_create(
                idempotency_key=f"payments.withdrawal:{idempotency_key}",
                payer=user,
                amount=Money(amount, currency),
                release_condition=HoldReleaseCondition.MANUAL,
                actor=user,
                reason=reasons.WITHDRAWAL_REQUESTED,
                business_object=BusinessObject(Payout._meta.label_lower, str(payout_id)),
            )
            payout = Payout.objects.create(
                pk=payout_id,
                user=user,
                method=method,
                gateway=gateway.name,
                amount=amount,
                currency=currency,
                hold=hold,
                idempotency_key=idempotency_key,
                request_fingerprint=request,
            )
            audit_record(actor=user, action="payments.withdrawal_requested", target=payout, amount=amount)
    except (IntegrityError, ServiceError) as error:
        # The same key committed meanwhile by a concurrent request: the ledger or our unique key says so.
        if isinstance(error, ServiceError) and error.code != "idempotency_conflict":
            raise
        existing = _replay(idempotency_key, request)
        if existing is None:
            raise
        return existing
    return payout


def _payout_id_next() -> int:
    """The new payout's id, taken before the hold is created so the hold can name it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('payments_payout', 'id'))")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _replay(idempotency_key: str, request: str) -> Payout | None:
    existing = Payout.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None and existing.request_fingerprint != request:
        raise conflict()
    return existing


def withdrawal_reject(*, actor: User, payout_id: int, reason: str) -> Payout:
    """Refuse a requested withdrawal; the held money goes back to the user's available balance."""
    if not reason.strip():
        raise ServiceError(_("Say why the withdrawal is rejected."), code="reason_required", field="reason")
    with transaction.atomic():
        payout = _decide(actor, payout_id, PayoutStatus.REJECTED)
        payout.reason = reason.strip()
        payout.save(update_fields=["reason"])
        hold_void(
            idempotency_key=f"payments.payout:{payout.pk}:reject",
            hold=payout.hold,
            actor=actor,
            reason=reasons.WITHDRAWAL_REJECTED % {"reason": payout.reason},
        )
        audit_record(actor=actor, action="payments.withdrawal_rejected", target=payout, reason=payout.reason)
    return payout


def withdrawal_approve(*, actor: User, payout_id: int) -> Payout:
    """Approve a requested withdrawal and have the gateway pay it out (once, whoever else approves)."""
    with transaction.atomic():
        payout = _decide(actor, payout_id, PayoutStatus.APPROVED)
        audit_record(actor=actor, action="payments.withdrawal_approved", target=payout)
    return payout_send(payout_id=payout.pk)


def _decide(actor: User, payout_id: int, status: PayoutStatus) -> Payout:
    if not access_payout_for_review(actor):
        raise PermissionDenied(_("Only accountants and admins review withdrawals."), code="forbidden")
    payout = Payout.objects.select_for_update().select_related("hold", "method").filter(pk=payout_id).first()
    if payout is None:
        raise NotFound(_("No such withdrawal."), code="payout_not_found", field="payout_id")
    if payout.status != PayoutStatus.REQUESTED:
        raise ServiceError(
            _("This withdrawal is %(status)s already.") % {"status": payout.get_status_display().lower()},
            code="payout_decided",
        )
    payout.status = status
    payout.decided_by = actor
    payout.decided_at = timezone.now()
    payout.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return payout


def payout_send(*, payout_id: int) -> Payout:
    """Ask the gateway to pay an approved payout and book its answer. Safe to repeat: the gateway
    honours the key `payout:<id>`; an unreachable gateway leaves the payout approved for reconciliation."""
    payout = Payout.objects.select_related("method").get(pk=payout_id)
    if payout.status != PayoutStatus.APPROVED:
        return payout
    try:
        answer = gateway_get(payout.gateway).payout_create(
            payout=payout,
            destination=details_decrypt(payout.method.details_encrypted),
            idempotency_key=f"payout:{payout.pk}",
        )
    except GatewayError:
        logger.warning("payout %s: the gateway did not answer; reconciliation will retry", payout.pk, exc_info=True)
        return payout
    payout_outcome_apply(
        payout_id=payout.pk,
        status=answer.status,
        gateway_payout_id=answer.gateway_payout_id,
        failure_reason=answer.failure_reason,
    )
    payout.refresh_from_db()
    return payout
