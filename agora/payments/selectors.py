"""Reads: a user's payments, payouts and payout methods; the staff's lists; the reconciliation report.

Staff lists answer whoever calls them: callers check `access_payments_for_staff` first.
"""

import datetime

from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone

from agora.accounts.models import User
from agora.payments.models import (
    Payment,
    Payout,
    PayoutMethod,
    PayoutStatus,
    ReconciliationFinding,
    ReconciliationRun,
)


def payment_list_for_user(*, user: User) -> QuerySet[Payment]:
    """The user's own payments, newest first."""
    return Payment.objects.filter(user=user).order_by("-created_at", "-id")


def payout_list_for_user(*, user: User) -> QuerySet[Payout]:
    """The user's own withdrawals with their method, newest first."""
    return Payout.objects.filter(user=user).select_related("method").order_by("-requested_at", "-id")


def payout_method_list_for_user(*, user: User) -> QuerySet[PayoutMethod]:
    """The user's active payout methods, oldest first."""
    return PayoutMethod.objects.filter(user=user, is_active=True).order_by("created_at", "id")


def payout_list_for_review(*, status: str | None = None) -> QuerySet[Payout]:
    """Withdrawals for accountants: the waiting ones first (oldest first), or those of one status."""
    payouts = Payout.objects.select_related("user", "method", "decided_by")
    if status:
        return payouts.filter(status=status).order_by("-requested_at", "-id")
    waiting_first = Case(When(status=PayoutStatus.REQUESTED, then=Value(0)), default=Value(1))
    return payouts.order_by(waiting_first, "requested_at", "id")


def payment_list_for_staff(
    *,
    status: str | None = None,
    gateway: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Payment]:
    """Every payment, newest first, with its payer; dates are whole days in the current time zone."""
    payments = Payment.objects.select_related("user")
    if status:
        payments = payments.filter(status=status)
    if gateway:
        payments = payments.filter(gateway=gateway)
    if date_from:
        payments = payments.filter(created_at__gte=_day_start(date_from))
    if date_to:
        payments = payments.filter(created_at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    return payments.order_by("-created_at", "-id")


def reconciliation_report() -> list[ReconciliationFinding]:
    """What the latest reconciliation run found (gateway, kind, ids, both statuses, amount, problem,
    repaired); empty when everything agreed or no run has happened yet."""
    latest = ReconciliationRun.objects.filter(finished_at__isnull=False).order_by("-id").first()
    if latest is None:
        return []
    return list(latest.findings.order_by("repaired", "kind", "id"))


def reconciliation_run_latest() -> ReconciliationRun | None:
    return ReconciliationRun.objects.filter(finished_at__isnull=False).order_by("-id").first()


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
