"""Staff roles are groups of permissions; later apps add theirs to `ROLE_PERMISSIONS`."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

MODERATOR = "moderator"
ADMIN = "admin"
ACCOUNTANT = "accountant"

# role → "app_label.codename" permissions
ROLE_PERMISSIONS: dict[str, set[str]] = {
    MODERATOR: {"accounts.suspend_user", "accounts.view_user"},
    ADMIN: {
        "accounts.suspend_user",
        "accounts.view_user",
        "accounts.change_user",
        "accounts.add_specialisation",
        "accounts.change_specialisation",
        "accounts.delete_specialisation",
        "accounts.add_expertise",
        "accounts.change_expertise",
        "accounts.delete_expertise",
        "accounts.add_socialnetwork",
        "accounts.change_socialnetwork",
        "accounts.delete_socialnetwork",
        "core.view_auditentry",
        "payments.view_payment",
        "payments.view_payout",
        "payments.review_payout",
        "payments.view_gatewayevent",
    },
    ACCOUNTANT: {
        "accounts.view_user",
        "core.view_auditentry",
        "payments.view_payment",
        "payments.view_payout",
        "payments.review_payout",
        "payments.view_gatewayevent",
    },
}


# Publishing: moderators and admins review revisions, block courses, and keep the category tree and
# skills in the Django admin.
CATALOG_MODERATION = {
    "publishing.review_revision",
    "catalog.block_course",
    *(
        f"catalog.{action}_{model}"
        for action in ("add", "change", "delete", "view")
        for model in ("category", "skillarea", "skill")
    ),
}
ROLE_PERMISSIONS[MODERATOR] |= CATALOG_MODERATION
ROLE_PERMISSIONS[ADMIN] |= CATALOG_MODERATION


def roles_sync(**_kwargs: object) -> None:
    """Create the role groups and give each exactly its permissions (run after every migrate).
    Runs after the accounts app's migrations, so the permissions of apps later in INSTALLED_APPS
    are created here first (Django's own step for them would come later)."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([_permission(name) for name in sorted(names)])


def _permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)
