"""Reads for the accountant pages that the ledger app does not offer: every account's entries, filtered.

Callers check `access_payments_for_staff` first; nothing here looks at who is asking.
"""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from agora.ledger.models import Entry


def day_range(
    date_from: datetime.date | None, date_to: datetime.date | None
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """Whole days in the current time zone: [start of `date_from`, start of the day after `date_to`)."""
    start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time.min)) if date_from else None
    end = (
        timezone.make_aware(datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min))
        if date_to
        else None
    )
    return start, end


def entry_list_for_staff(
    *,
    account_kind: str | None = None,
    email: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Entry]:
    """Ledger entries of every account, newest first, with their transaction, account and owner."""
    entries = Entry.objects.select_related("transaction", "transaction__actor", "account", "account__owner")
    if account_kind:
        entries = entries.filter(account__kind=account_kind)
    if email:
        entries = entries.filter(account__owner__email__icontains=email.strip())
    start, end = day_range(date_from, date_to)
    period = Q()
    if start:
        period &= Q(transaction__created_at__gte=start)
    if end:
        period &= Q(transaction__created_at__lt=end)
    return entries.filter(period).order_by("-transaction__created_at", "-transaction_id", "id")
