"""The sandbox gateway's own books: what the pretend card network knows, kept apart from our records.

Nothing here refers to our `Payment` or `Payout` rows: like a real gateway, the sandbox knows only the
merchant's idempotency keys and the reference strings it was given, so that reconciliation can compare
two independent views (a captured charge whose webhook never reached us, for example).
"""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SandboxChargeStatus(models.TextChoices):
    REQUIRES_PAYMENT_METHOD = "requires_payment_method", _("Waiting for a card")
    REQUIRES_ACTION = "requires_action", _("Waiting for the payer's authorisation")
    PROCESSING = "processing", _("Processing")
    SUCCEEDED = "succeeded", _("Captured")
    FAILED = "failed", _("Declined")


class SandboxCharge(models.Model):
    """A payment as the sandbox card network sees it (Stripe calls this a PaymentIntent)."""

    charge_id = models.CharField(max_length=40, unique=True)
    merchant_key = models.CharField(max_length=200, unique=True)
    merchant_reference = models.CharField(max_length=64)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=24, choices=SandboxChargeStatus.choices, default=SandboxChargeStatus.REQUIRES_PAYMENT_METHOD
    )
    amount_refunded = models.BigIntegerField(default=0)
    card_last4 = models.CharField(max_length=4, blank=True)
    cardholder = models.CharField(max_length=100, blank=True)
    failure_code = models.CharField(max_length=40, blank=True)
    failure_message = models.CharField(max_length=200, blank=True)
    return_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sandbox charge")
        verbose_name_plural = _("sandbox charges")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("amount")),
                name="payments_sandboxcharge_refunded_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.charge_id}: {self.amount} {self.currency} {self.status}"


class SandboxRefund(models.Model):
    refund_id = models.CharField(max_length=40, unique=True)
    charge = models.ForeignKey(SandboxCharge, on_delete=models.PROTECT, related_name="refunds")
    merchant_key = models.CharField(max_length=200, unique=True)
    amount = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sandbox refund")
        verbose_name_plural = _("sandbox refunds")

    def __str__(self) -> str:
        return f"{self.refund_id}: {self.amount}"


class SandboxPayoutStatus(models.TextChoices):
    PENDING = "pending", _("In transit")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


class SandboxPayout(models.Model):
    """Money the sandbox sent to a bank account, PayPal address or connected account."""

    payout_id = models.CharField(max_length=40, unique=True)
    merchant_key = models.CharField(max_length=200, unique=True)
    merchant_reference = models.CharField(max_length=64)
    destination = models.CharField(max_length=80)
    amount = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=SandboxPayoutStatus.choices)
    failure_code = models.CharField(max_length=40, blank=True)
    # For a payout in transit: what it will become when it settles (decided by the test account).
    settles_as = models.CharField(max_length=10, choices=SandboxPayoutStatus.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sandbox payout")
        verbose_name_plural = _("sandbox payouts")

    def __str__(self) -> str:
        return f"{self.payout_id}: {self.amount} {self.currency} {self.status}"


class SandboxEvent(models.Model):
    """A webhook event the sandbox sends to the merchant (us): signed, delivered by a job, retried."""

    event_id = models.CharField(max_length=40, unique=True)
    type = models.CharField(max_length=64)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sandbox event")
        verbose_name_plural = _("sandbox events")

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class SandboxWebhookDelivery(models.Model):
    """One attempt series to deliver an event; a duplicate delivery is a second row for the same event."""

    event = models.ForeignKey(SandboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    scheduled_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("sandbox webhook delivery")
        verbose_name_plural = _("sandbox webhook deliveries")
        indexes = [
            models.Index(fields=["scheduled_at"], condition=Q(delivered_at=None), name="payments_sandbox_undelivered")
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} of {self.event_id}"
