from collections.abc import Sequence

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

from agora.devmail.models import DevMessage


class DatabaseEmailBackend(BaseEmailBackend):
    """Stores each message instead of sending it, so /dev/mail/ can show it."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            DevMessage.objects.create(
                to=", ".join(message.to),
                subject=str(message.subject),
                text=str(message.body),
                html=_html_part(message),
            )
        return len(email_messages)


def _html_part(message: EmailMessage) -> str:
    if isinstance(message, EmailMultiAlternatives):
        for alternative in message.alternatives:
            if alternative[1] == "text/html":
                return str(alternative[0])
    return ""
