from django.contrib import admin

from agora.core.models import AuditEntry, OutgoingEmail


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "target_type", "target_id", "actor", "reason"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "reason"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to", "subject", "sent_at", "attempts"]
    search_fields = ["to", "subject"]
    readonly_fields = ["to", "subject", "text", "html", "created_at", "sent_at", "attempts", "last_error"]
