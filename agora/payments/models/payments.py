"""Our side of money crossing the platform's edge: payments in, refunds back, payouts out.

What the gateway itself knows lives with the gateway (the sandbox's `SandboxCharge`, Stripe's own
servers); reconciliation compares the two.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agora.ledger.models import Hold


class Gateway(models.TextChoices):
    SANDBOX = "sandbox", _("Sandbox (test cards)")
    STRIPE = "stripe", "Stripe"


class PaymentPurpose(models.TextChoices):
    TOPUP = "topup", _("Wallet top-up")
    # A payment for something a caller books itself on `payment_succeeded` (e.g. reference "order:123").
    CHARGE = "charge", _("Charge")


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Created")
    REQUIRES_ACTION = "requires_action", _("Requires action")
    PROCESSING = "processing", _("Processing")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")


# Statuses in which the gateway has the money (captured), refunded or not.
CAPTURED_STATUSES = frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED})
# Statuses a payment may still leave for another one (the rest are final, refunds aside).
OPEN_STATUSES = frozenset(
    {PaymentStatus.CREATED, PaymentStatus.REQUIRES_ACTION, PaymentStatus.PROCESSING, PaymentStatus.FAILED}
)


class Payment(models.Model):
    """Money a user pays in through a gateway: a wallet top-up, or a charge for a caller's reference."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments")
    gateway = models.CharField(max_length=16, choices=Gateway.choices)
    purpose = models.CharField(max_length=16, choices=PaymentPurpose.choices)
    reference = models.CharField(max_length=64, help_text=_("What the payment is for, e.g. wallet:12 or order:123."))
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED)
    amount_refunded = models.BigIntegerField(default=0)
    gateway_payment_id = models.CharField(max_length=255, blank=True)
    # Stripe's PaymentIntent client secret, for the page that mounts Stripe Elements.
    client_secret = models.CharField(max_length=255, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    return_url = models.CharField(max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=200)
    request_fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="payments_payment_idempotency_key_unique"),
            models.UniqueConstraint(
                fields=["gateway", "gateway_payment_id"],
                condition=~Q(gateway_payment_id=""),
                name="payments_payment_gateway_id_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_payment_amount_positive"),
            # QUALITY.md I13: never more refunded than was paid.
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("amount")),
                name="payments_payment_refunded_within_amount",
            ),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="payments_payment_currency_code"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="payments_payment_user"),
            models.Index(fields=["status", "-created_at"], name="payments_payment_status"),
            models.Index(fields=["-created_at"], name="payments_payment_created"),
        ]

    def __str__(self) -> str:
        return f"payment {self.pk}: {self.amount} {self.currency} {self.status}"

    @property
    def checkout_url(self) -> str:
        """Where the payer enters their card: the sandbox's hosted page, or our page mounting Stripe
        Elements (which needs js.stripe.com, so it cannot work offline)."""
        if not self.gateway_payment_id:
            return ""
        if self.gateway == Gateway.SANDBOX:
            return reverse("payments_gateway:sandbox-pay", args=[self.gateway_payment_id])
        return reverse("payments_gateway:stripe-pay", args=[self.pk])

    @property
    def amount_refundable(self) -> int:
        return self.amount - self.amount_refunded if self.status in CAPTURED_STATUSES else 0


def wallet_url() -> str:
    """The wallet page (the UI's `payments:wallet`), or the home page while it does not exist."""
    try:
        return reverse("payments:wallet")
    except NoReverseMatch:
        return "/"


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class PaymentRefund(models.Model):
    """All or part of a captured payment sent back to the payer's card."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    gateway_refund_id = models.CharField(max_length=255, blank=True)
    reason = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=200)
    request_fingerprint = models.CharField(max_length=64)
    failure_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payment refund")
        verbose_name_plural = _("payment refunds")
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="payments_refund_idempotency_key_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"refund {self.pk} of payment {self.payment_id}: {self.amount} {self.status}"


class PayoutMethodKind(models.TextChoices):
    STRIPE_ACCOUNT = "stripe_account", _("Stripe connected account")
    PAYPAL = "paypal", "PayPal"
    BANK = "bank", _("Bank account (IBAN)")


class PayoutMethod(models.Model):
    """Where a user's withdrawals go. The details are stored encrypted; only `masked` is shown."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payout_methods")
    kind = models.CharField(max_length=16, choices=PayoutMethodKind.choices)
    label = models.CharField(max_length=80)
    masked = models.CharField(max_length=80)
    details_encrypted = models.TextField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("payout method")
        verbose_name_plural = _("payout methods")
        indexes = [models.Index(fields=["user", "is_active"], name="payments_payoutmethod_user")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.masked}"


class PayoutStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    REJECTED = "rejected", _("Rejected")


class Payout(models.Model):
    """A withdrawal: requested by the user (money held), approved or rejected by an accountant, then
    paid (or failed) by the gateway. Paid out at most once per payout (QUALITY.md I14)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payouts")
    method = models.ForeignKey(PayoutMethod, on_delete=models.PROTECT, related_name="payouts")
    gateway = models.CharField(max_length=16, choices=Gateway.choices)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=PayoutStatus.choices, default=PayoutStatus.REQUESTED)
    hold = models.OneToOneField(Hold, on_delete=models.PROTECT, related_name="+")
    gateway_payout_id = models.CharField(max_length=255, blank=True)
    reason = models.TextField(blank=True, help_text=_("Why it was rejected or failed."))
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=200)
    request_fingerprint = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        permissions = [("review_payout", "Can approve and reject withdrawals")]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="payments_payout_idempotency_key_unique"),
            models.UniqueConstraint(
                fields=["gateway", "gateway_payout_id"],
                condition=~Q(gateway_payout_id=""),
                name="payments_payout_gateway_id_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_payout_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=["requested"]) | Q(decided_at__isnull=False),
                name="payments_payout_decided_when_not_requested",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-requested_at"], name="payments_payout_user"),
            models.Index(fields=["status", "requested_at"], name="payments_payout_status"),
        ]

    def __str__(self) -> str:
        return f"payout {self.pk}: {self.amount} {self.currency} {self.status}"


class GatewayEventOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    UNCHANGED = "unchanged", _("Nothing to change (already in that state or later)")
    AMOUNT_MISMATCH = "amount_mismatch", _("Amount or currency differs from ours")
    UNKNOWN_OBJECT = "unknown_object", _("No payment or payout of ours")
    IGNORED = "ignored", _("A type we do not act on")


class GatewayEvent(models.Model):
    """One event from a gateway (a webhook, or a finding of reconciliation), written in the same
    transaction as its effect, so that each is processed once (QUALITY.md I11)."""

    gateway = models.CharField(max_length=16, choices=Gateway.choices)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    outcome = models.CharField(max_length=20, choices=GatewayEventOutcome.choices, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("gateway event")
        verbose_name_plural = _("gateway events")
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="payments_gatewayevent_once"),
        ]
        indexes = [models.Index(fields=["-received_at"], name="payments_gatewayevent_received")]

    def __str__(self) -> str:
        return f"{self.gateway} {self.type} {self.event_id}"


class ReconciliationRun(models.Model):
    """One comparison of the gateways' payments and payouts with ours and the ledger."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    window_start = models.DateTimeField()
    payments_checked = models.PositiveIntegerField(default=0)
    payouts_checked = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")

    def __str__(self) -> str:
        return f"reconciliation {self.started_at:%Y-%m-%d %H:%M}"


class ReconciliationFinding(models.Model):
    """Something a run found that did not agree, and whether the run repaired it."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="findings")
    gateway = models.CharField(max_length=16, choices=Gateway.choices)
    kind = models.CharField(max_length=8, choices=[("payment", _("Payment")), ("payout", _("Payout"))])
    object_id = models.BigIntegerField(null=True, blank=True, help_text=_("Our payment's or payout's id."))
    gateway_object_id = models.CharField(max_length=255, blank=True)
    our_status = models.CharField(max_length=20, blank=True)
    gateway_status = models.CharField(max_length=20, blank=True)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    problem = models.CharField(max_length=255)
    repaired = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("reconciliation finding")
        verbose_name_plural = _("reconciliation findings")

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id or self.gateway_object_id}: {self.problem}"
