"""Who may see payment data and review withdrawals: accountants and admins (QUALITY.md §4), read only
apart from deciding withdrawals. A user sees their own payments through the selectors scoped to them."""

from typing import Any

from django.http import Http404

from agora.payments.models import Payment

VIEW_PERMISSION = "payments.view_payment"
REVIEW_PERMISSION = "payments.review_payout"


def access_payments_for_staff(user: Any) -> bool:
    """Accountants and admins (the groups of agora/accounts/roles.py) see everyone's payments."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not user.is_active:
        return False
    return bool(user.has_perm(VIEW_PERMISSION))


def access_payout_for_review(user: Any) -> bool:
    """Accountants and admins approve and reject withdrawals."""
    if not access_payments_for_staff(user):
        return False
    return bool(user.has_perm(REVIEW_PERMISSION))


def access_payment_for_payer(user: Any, payment_id: int) -> Payment:
    """The user's own payment (for the Stripe payment page); anyone else's is not found."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    payment = Payment.objects.filter(pk=payment_id, user=user).first()
    if payment is None:
        raise Http404
    return payment
