"""Payments in (top-ups, charges for a caller's reference) and refunds back to the card."""

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.core.audit import audit_record
from agora.core.errors import ServiceError
from agora.core.events import send_on_commit
from agora.core.money import Money
from agora.ledger.models import AccountKind
from agora.ledger.services import BusinessObject, Move, ledger_transfer, system_account_ensure, wallet_account_ensure
from agora.payments import events
from agora.payments.gateways import gateway_get
from agora.payments.gateways.base import GatewayError, GatewayRefund
from agora.payments.models import (
    CAPTURED_STATUSES,
    Payment,
    PaymentPurpose,
    PaymentRefund,
    PaymentStatus,
    RefundStatus,
    wallet_url,
)

KEY_MAX_LENGTH = 200


def fingerprint(operation: str, **request: Any) -> str:
    canonical = json.dumps({"operation": operation, **request}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def key_check(idempotency_key: str) -> None:
    if not idempotency_key or len(idempotency_key) > KEY_MAX_LENGTH:
        raise ServiceError(
            _("An idempotency key of 1 to 200 characters is required."), code="invalid_key", field="idempotency_key"
        )


def conflict() -> ServiceError:
    return ServiceError(
        _("This idempotency key was already used for a different request."),
        code="idempotency_conflict",
        field="idempotency_key",
    )


def topup_start(*, user: User, amount: int, gateway: str | None = None, idempotency_key: str) -> Payment:
    """Open a wallet top-up with a gateway; the payer continues at `payment.checkout_url`.

    The wallet is credited when the gateway confirms the payment (webhook or reconciliation).
    """
    if type(amount) is not int:
        raise ServiceError(_("The amount must be a whole number of cents."), code="invalid_amount", field="amount")
    if amount < settings.PAYMENTS_TOPUP_MIN:
        raise ServiceError(_("This is less than the smallest top-up."), code="amount_too_small", field="amount")
    if amount > settings.PAYMENTS_TOPUP_MAX:
        raise ServiceError(_("This is more than the largest top-up."), code="amount_too_large", field="amount")
    return payment_start(
        user=user,
        amount=Money(amount, settings.PLATFORM_CURRENCY),
        purpose=PaymentPurpose.TOPUP,
        reference=f"wallet:{user.pk}",
        gateway=gateway,
        idempotency_key=idempotency_key,
        return_url=wallet_url(),
    )


def payment_start(
    *,
    user: User,
    amount: Money,
    purpose: PaymentPurpose,
    reference: str,
    gateway: str | None = None,
    idempotency_key: str,
    return_url: str = "",
) -> Payment:
    """Record a payment and open it with the gateway (outside our transaction, idempotently on both
    sides). Same key and request → the same payment; the gateway is asked again only if it never answered."""
    key_check(idempotency_key)
    if amount.amount <= 0:
        raise ServiceError(_("The amount must be positive."), code="invalid_amount", field="amount")
    chosen = gateway_get(gateway)
    request = fingerprint(
        "payment_start", user=user.pk, amount=amount.amount, currency=amount.currency, purpose=str(purpose),
        reference=reference, gateway=chosen.name,
    )  # fmt: skip
    payment = _replay(Payment, idempotency_key, request)
    if payment is None:
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    user=user,
                    gateway=chosen.name,
                    purpose=purpose,
                    reference=reference,
                    amount=amount.amount,
                    currency=amount.currency,
                    return_url=return_url,
                    idempotency_key=idempotency_key,
                    request_fingerprint=request,
                )
                audit_record(actor=user, action="payments.payment_started", target=payment, gateway=chosen.name)
        except IntegrityError:
            payment = _replay(Payment, idempotency_key, request)
            if payment is None:  # pragma: no cover - the key's row exists once the insert conflicted
                raise
    if not payment.gateway_payment_id:
        _gateway_open(payment)
    return payment


def _gateway_open(payment: Payment) -> None:
    try:
        opened = gateway_get(payment.gateway).payment_create(payment=payment, idempotency_key=f"payment:{payment.pk}")
    except GatewayError as error:
        raise ServiceError(
            _("The payment provider is not reachable; try again in a moment."), code="gateway_unavailable"
        ) from error
    Payment.objects.filter(pk=payment.pk, gateway_payment_id="").update(
        gateway_payment_id=opened.gateway_payment_id, client_secret=opened.client_secret
    )
    payment.refresh_from_db()


def _replay[M: (Payment, PaymentRefund)](model: type[M], idempotency_key: str, request: str) -> M | None:
    existing = model._default_manager.filter(idempotency_key=idempotency_key).first()
    if existing is not None and existing.request_fingerprint != request:
        raise conflict()
    return existing


def payment_refund(
    *, actor: User | None, payment_id: int, amount: int, reason: str, idempotency_key: str
) -> PaymentRefund:
    """Send all or part of a captured payment back to the card (never more than was paid, I13).

    A top-up's refund first takes the money back from the payer's wallet (`insufficient_funds` if it
    was spent); for a charge, the caller moves the refunded amount into the gateway's clearing account.
    """
    key_check(idempotency_key)
    if type(amount) is not int or amount <= 0:
        raise ServiceError(_("The amount must be positive."), code="invalid_amount", field="amount")
    if not reason.strip():
        raise ServiceError(_("Say why the payment is refunded."), code="reason_required", field="reason")
    request = fingerprint(
        "payment_refund", actor=actor.pk if actor else None, payment=payment_id, amount=amount, reason=reason
    )
    refund = _replay(PaymentRefund, idempotency_key, request)
    if refund is None:
        try:
            refund = _refund_open(actor, payment_id, amount, reason, idempotency_key, request)
        except IntegrityError:
            refund = _replay(PaymentRefund, idempotency_key, request)
            if refund is None:  # pragma: no cover
                raise
    if refund.status == RefundStatus.PENDING:
        refund = _refund_send(refund)
    return refund


def _refund_open(
    actor: User | None, payment_id: int, amount: int, reason: str, idempotency_key: str, request: str
) -> PaymentRefund:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("user").filter(pk=payment_id).first()
        if payment is None:
            raise ServiceError(_("No such payment."), code="payment_not_found", field="payment_id")
        if payment.status not in CAPTURED_STATUSES:
            raise ServiceError(_("Only a captured payment can be refunded."), code="payment_not_refundable")
        if amount > payment.amount - payment.amount_refunded:
            raise ServiceError(_("This is more than is left to refund."), code="refund_exceeds_payment", field="amount")
        refund = PaymentRefund.objects.create(
            payment=payment,
            amount=amount,
            reason=reason,
            actor=actor,
            idempotency_key=idempotency_key,
            request_fingerprint=request,
        )
        payment.amount_refunded += amount  # reserved now, given back if the gateway refuses
        payment.save(update_fields=["amount_refunded", "updated_at"])
        if payment.purpose == PaymentPurpose.TOPUP:
            _refund_move(refund, "take", "refund", towards_gateway=True)
        audit_record(actor=actor, action="payments.refund_requested", target=payment, reason=reason, amount=amount)
    return refund


def _refund_send(refund: PaymentRefund) -> PaymentRefund:
    payment = refund.payment
    try:
        answer = gateway_get(payment.gateway).refund_create(
            payment=payment, amount=refund.amount, idempotency_key=f"refund:{refund.pk}"
        )
    except GatewayError as error:
        raise ServiceError(
            _("The payment provider is not reachable; the refund will be retried."), code="gateway_unavailable"
        ) from error
    return refund_outcome_apply(refund_id=refund.pk, answer=answer)


def refund_outcome_apply(*, refund_id: int, answer: GatewayRefund) -> PaymentRefund:
    """Book the gateway's answer to a pending refund, once."""
    with transaction.atomic():
        refund = PaymentRefund.objects.select_for_update().select_related("payment__user").get(pk=refund_id)
        if refund.status != RefundStatus.PENDING or answer.status == "pending":
            return refund
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        refund.payment = payment
        refund.gateway_refund_id = answer.gateway_refund_id
        if answer.status == "succeeded":
            _refund_move(refund, "return", "gateway_refund", towards_gateway=False)
            refund.status = RefundStatus.SUCCEEDED
            fully = payment.amount_refunded == payment.amount
            payment.status = PaymentStatus.REFUNDED if fully else PaymentStatus.PARTIALLY_REFUNDED
            payment.save(update_fields=["status", "updated_at"])
            send_on_commit(
                events.payment_refunded,
                payment_id=payment.pk, user_id=payment.user_id, purpose=payment.purpose, reference=payment.reference,
                amount=payment.amount, currency=payment.currency, refund_id=refund.pk, refund_amount=refund.amount,
                amount_refunded=payment.amount_refunded,
            )  # fmt: skip
        else:
            if payment.purpose == PaymentPurpose.TOPUP:
                _refund_move(refund, "restore", "refund_failed", towards_gateway=False, back_to_wallet=True)
            refund.status = RefundStatus.FAILED
            refund.failure_reason = answer.failure_reason[:255]
            payment.amount_refunded -= refund.amount
            payment.save(update_fields=["amount_refunded", "updated_at"])
        refund.save(update_fields=["status", "gateway_refund_id", "failure_reason", "updated_at"])
        audit_record(actor=None, action=f"payments.refund_{refund.status}", target=payment, amount=refund.amount)
    return refund


def _refund_move(
    refund: PaymentRefund, step: str, kind: str, *, towards_gateway: bool, back_to_wallet: bool = False
) -> None:
    """take: wallet → clearing; return: clearing → outside world; restore: clearing → wallet."""
    payment = refund.payment
    money = Money(refund.amount, payment.currency)
    clearing = system_account_ensure(
        kind=AccountKind.GATEWAY_CLEARING, currency=money.currency, gateway=payment.gateway
    )
    if towards_gateway or back_to_wallet:
        wallet = wallet_account_ensure(user=payment.user, kind=AccountKind.AVAILABLE, currency=money.currency)
        move = Move(wallet, clearing, money) if towards_gateway else Move(clearing, wallet, money)
    else:
        move = Move(clearing, system_account_ensure(kind=AccountKind.OUTSIDE_WORLD, currency=money.currency), money)
    ledger_transfer(
        idempotency_key=f"payments.refund:{refund.pk}:{step}",
        kind=kind,
        moves=[move],
        actor=refund.actor,
        reason=refund.reason,
        business_object=BusinessObject.of(payment),
    )
