"""Staff tools for looking at payment records; the product's pages are the wallet and accountant views.

Read only: money changes only through the services, which keep the ledger and the gateway in step.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from agora.payments.models import GatewayEvent, Payment, PaymentRefund, Payout, PayoutMethod


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "gateway", "purpose", "amount", "currency", "status", "created_at"]
    list_filter = ["status", "gateway", "purpose"]
    search_fields = ["user__email", "gateway_payment_id", "reference"]
    exclude = ["client_secret"]


@admin.register(PaymentRefund)
class PaymentRefundAdmin(ReadOnlyAdmin):
    list_display = ["id", "payment", "amount", "status", "created_at"]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "amount", "currency", "status", "requested_at", "decided_by"]
    list_filter = ["status", "gateway"]


@admin.register(PayoutMethod)
class PayoutMethodAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "kind", "masked", "is_active"]
    exclude = ["details_encrypted"]


@admin.register(GatewayEvent)
class GatewayEventAdmin(ReadOnlyAdmin):
    list_display = ["gateway", "event_id", "type", "outcome", "received_at"]
    list_filter = ["gateway", "outcome"]
