"""The double-entry ledger: accounts, transactions, entries and holds. Bookkeeping only, never *why*.

Sign convention: an entry's `amount` adds to its account's balance (positive = money in, negative =
money out); the entries of a transaction add up to zero per currency. Most invariants live in
PostgreSQL (see migrations/0002_database_rules.py and docs/ledger.md).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    AVAILABLE = "available", _("Available")
    HELD = "held", _("Held")
    RECEIVABLE = "receivable", _("Receivable")
    COMMISSION = "commission", _("Platform commission revenue")
    GATEWAY_CLEARING = "gateway_clearing", _("Gateway clearing")
    PAYOUTS_IN_TRANSIT = "payouts_in_transit", _("Payouts in transit")
    OUTSIDE_WORLD = "outside_world", _("Outside world")


# Accounts a user owns (their wallet); the others belong to the platform (a system role).
USER_KINDS = frozenset({AccountKind.AVAILABLE, AccountKind.HELD, AccountKind.RECEIVABLE})
# QUALITY.md I4: these never go below zero ...
FLOOR_KINDS = frozenset(
    {AccountKind.AVAILABLE, AccountKind.HELD, AccountKind.COMMISSION, AccountKind.PAYOUTS_IN_TRANSIT}
)
# ... a receivable (what a creator owes) never goes above zero ...
CEILING_KINDS = frozenset({AccountKind.RECEIVABLE})
# ... and only money's way in and out of the platform may take either sign.
UNBOUNDED_KINDS = frozenset({AccountKind.GATEWAY_CLEARING, AccountKind.OUTSIDE_WORLD})


class Account(models.Model):
    """One bucket of money in one currency: a user's wallet account or a system account.

    `balance` is the *folded* part of the balance: entries that move the account towards its bound
    (a debit of an available account) update it under the row lock, in the same transaction; entries
    moving it away from its bound (any credit of a wallet) are appended to `BalanceDelta` instead, so
    that many payers can pay one creator without queueing on this row. The balance is
    `balance + sum(deltas)`; `ledger_balances_fold` moves deltas into `balance` later.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_accounts"
    )
    kind = models.CharField(max_length=24, choices=AccountKind.choices)
    gateway = models.CharField(max_length=32, blank=True, help_text=_("For gateway clearing accounts only."))
    currency = models.CharField(max_length=3)
    balance = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner__isnull=False) & Q(kind__in=USER_KINDS))
                | (Q(owner__isnull=True) & ~Q(kind__in=USER_KINDS)),
                name="ledger_account_owner_for_user_kinds",
            ),
            models.CheckConstraint(
                condition=(Q(kind=AccountKind.GATEWAY_CLEARING) & ~Q(gateway=""))
                | (~Q(kind=AccountKind.GATEWAY_CLEARING) & Q(gateway="")),
                name="ledger_account_gateway_for_clearing",
            ),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="ledger_account_currency_code"),
            models.CheckConstraint(
                condition=(Q(kind__in=FLOOR_KINDS) & Q(balance__gte=0))
                | (Q(kind__in=CEILING_KINDS) & Q(balance__lte=0))
                | Q(kind__in=UNBOUNDED_KINDS),
                name="ledger_account_balance_sign",
            ),
            models.UniqueConstraint(
                fields=["owner", "kind", "currency"],
                condition=Q(owner__isnull=False),
                name="ledger_account_one_per_owner_kind_currency",
            ),
            models.UniqueConstraint(
                fields=["kind", "gateway", "currency"],
                condition=Q(owner__isnull=True),
                name="ledger_account_one_per_system_role_currency",
            ),
        ]

    def __str__(self) -> str:
        whose = f"user {self.owner_id}" if self.owner_id else "system"
        role = f"{self.kind}:{self.gateway}" if self.gateway else self.kind
        return f"{role} {self.currency} ({whose})"


class BalanceDelta(models.Model):
    """An entry's effect on its account's balance, not yet folded into `Account.balance`.

    Written by the database (the entry trigger), deleted only when folded; never by Python code.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField()

    class Meta:
        verbose_name = _("balance delta")
        verbose_name_plural = _("balance deltas")
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_balancedelta_not_zero")]


class HoldStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    POSTED = "posted", _("Posted")
    VOIDED = "voided", _("Voided")
    EXPIRED = "expired", _("Expired")


class HoldReleaseCondition(models.TextChoices):
    REFUND_WINDOW = "refund_window", _("Refund window ends")
    COHORT_END = "cohort_end", _("Cohort ends")
    DISPUTE = "dispute", _("Dispute resolved")
    MANUAL = "manual", _("Until a decision is made")


class Hold(models.Model):
    """Money set aside from a payer until a condition: pending → posted | voided | expired, once.

    Creating a hold moves `amount` from the payer's available account into their held account;
    posting moves it on to destinations (the planned `shares` unless others are given), voiding
    or expiring moves it back.
    """

    payer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledger_holds")
    available_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    held_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=HoldStatus.choices, default=HoldStatus.PENDING)
    release_condition = models.CharField(max_length=16, choices=HoldReleaseCondition.choices)
    release_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_hold_amount_positive"),
            models.CheckConstraint(
                condition=(Q(status=HoldStatus.PENDING) & Q(resolved_at__isnull=True))
                | (~Q(status=HoldStatus.PENDING) & Q(resolved_at__isnull=False)),
                name="ledger_hold_resolved_at_when_resolved",
            ),
        ]
        indexes = [
            models.Index(fields=["release_at"], condition=Q(status="pending"), name="ledger_hold_pending_release"),
            models.Index(fields=["expires_at"], condition=Q(status="pending"), name="ledger_hold_pending_expiry"),
            models.Index(fields=["object_type", "object_id"], name="ledger_hold_object"),
        ]

    def __str__(self) -> str:
        return f"hold {self.pk}: {self.amount} {self.currency} {self.status}"


class HoldShare(models.Model):
    """Where a hold is planned to go when posted (a creator's pending earnings, the commission)."""

    hold = models.ForeignKey(Hold, on_delete=models.PROTECT, related_name="shares")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="hold_shares")
    amount = models.BigIntegerField()

    class Meta:
        verbose_name = _("hold share")
        verbose_name_plural = _("hold shares")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_holdshare_amount_positive"),
            models.UniqueConstraint(fields=["hold", "account"], name="ledger_holdshare_one_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} to account {self.account_id}"


class HoldKind:
    """The transaction kinds the ledger writes itself; callers may not use them."""

    CREATE = "hold.create"
    POST = "hold.post"
    VOID = "hold.void"
    EXPIRE = "hold.expire"
    RESOLUTIONS = (POST, VOID, EXPIRE)
    ALL = (CREATE, POST, VOID, EXPIRE)


REVERSAL_KIND = "reversal"
RESERVED_KINDS = frozenset({*HoldKind.ALL, REVERSAL_KIND})


class Transaction(models.Model):
    """One balanced movement of money, named by who did it, why (reason) and for which object."""

    kind = models.CharField(max_length=40)
    idempotency_key = models.CharField(max_length=200)  # unique: see Meta (no LIKE index needed)
    request_fingerprint = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    reason = models.TextField()
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    hold = models.ForeignKey(
        Hold, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions", db_index=False
    )
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="ledger_transaction_idempotency_key_unique"),
            # A transaction is reversed at most once.
            models.UniqueConstraint(
                fields=["reverses"], condition=Q(reverses__isnull=False), name="ledger_transaction_reversed_once"
            ),
            models.CheckConstraint(condition=Q(kind__regex=r"^[a-z][a-z0-9_.]*$"), name="ledger_transaction_kind_slug"),
            models.CheckConstraint(
                condition=~Q(reason="") & ~Q(object_type="") & ~Q(object_id=""),
                name="ledger_transaction_names_reason_and_object",
            ),
            models.CheckConstraint(
                condition=(Q(kind__in=HoldKind.ALL) & Q(hold__isnull=False))
                | (~Q(kind__in=HoldKind.ALL) & Q(hold__isnull=True)),
                name="ledger_transaction_hold_for_hold_kinds",
            ),
            models.CheckConstraint(
                condition=(Q(kind=REVERSAL_KIND) & Q(reverses__isnull=False))
                | (~Q(kind=REVERSAL_KIND) & Q(reverses__isnull=True)),
                name="ledger_transaction_reverses_for_reversals",
            ),
            # QUALITY.md I7: a hold is created once and resolved at most once, whatever runs concurrently.
            models.UniqueConstraint(
                fields=["hold"], condition=Q(kind=HoldKind.CREATE), name="ledger_transaction_hold_created_once"
            ),
            models.UniqueConstraint(
                fields=["hold"],
                condition=Q(kind__in=HoldKind.RESOLUTIONS),
                name="ledger_transaction_hold_resolved_once",
            ),
        ]
        indexes = [
            models.Index(fields=["hold"], condition=Q(hold__isnull=False), name="ledger_transaction_hold"),
            models.Index(fields=["object_type", "object_id"], name="ledger_transaction_object"),
            models.Index(fields=["created_at"], name="ledger_transaction_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Entry(models.Model):
    """One account's share of a transaction: a signed amount in minor units. Never updated or deleted."""

    # Indexed by ledger_entry_one_per_account (transaction first).
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries", db_index=False)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_not_zero"),
            models.UniqueConstraint(fields=["transaction", "account"], name="ledger_entry_one_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+d} to account {self.account_id}"
