from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "agora.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from agora.accounts.roles import roles_sync

        # Permissions exist only after migrate's own post_migrate step; ours runs after it.
        post_migrate.connect(roles_sync, sender=self, dispatch_uid="accounts.roles_sync")
