from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from agora.accounts.models import Expertise, Profile, SocialNetwork, Specialisation, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """A staff tool; status changes go through the product's pages so they are audited."""

    ordering = ["-date_joined"]
    list_display = ["email", "display_name", "status", "is_suspended", "is_staff", "date_joined"]
    list_filter = ["status", "is_suspended", "is_staff", "groups"]
    search_fields = ["email", "display_name"]
    readonly_fields = ["status", "is_suspended", "suspension_reason", "date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password", "display_name", "avatar", "locale"]}),
        ("Status", {"fields": ["status", "is_suspended", "suspension_reason"]}),
        ("Staff", {"fields": ["is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal = ["groups"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "headline", "specialisation"]
    search_fields = ["user__email", "user__display_name"]
    raw_id_fields = ["user"]


admin.site.register(Specialisation)
admin.site.register(Expertise)
admin.site.register(SocialNetwork)
