from django.apps import AppConfig


class DevmailConfig(AppConfig):
    """Keeps every sent message and shows it at /dev/mail/. Installed in the default mode only."""

    name = "agora.devmail"
    label = "devmail"
