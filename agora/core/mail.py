"""E-mail: rendered now, stored in the outbox and sent by a job enqueued in the same transaction."""

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from agora.core.models import OutgoingEmail


def email_enqueue(*, to: str, subject: str, text: str, html: str = "") -> OutgoingEmail:
    """Store a message and enqueue its sending job; both vanish if the caller's transaction rolls back."""
    from agora.core.tasks import send_email_task

    with transaction.atomic():
        email = OutgoingEmail.objects.create(to=to, subject=subject.strip(), text=text, html=html)
        send_email_task.defer(email_id=email.pk)
    return email


def email_enqueue_template(*, to: str, template: str, context: dict, language: str | None = None) -> OutgoingEmail:
    """Render `<template>_subject.txt`, `_message.txt` and `_message.html` in the recipient's language."""
    with override(language):
        subject = render_to_string(f"{template}_subject.txt", context)
        text = render_to_string(f"{template}_message.txt", context)
        html = render_to_string(f"{template}_message.html", context)
    return email_enqueue(to=to, subject=" ".join(subject.split()), text=text, html=html)


def email_send(email_id: int) -> None:
    """Send one outbox message once: the row lock keeps two workers from sending it twice."""
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id, sent_at=None).first()
        if email is None:
            return
        try:
            _deliver(email)
        except OSError as error:
            failure = error
        else:
            OutgoingEmail.objects.filter(pk=email.pk).update(
                sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
            )
            return
    # Recorded after the lock is released, so the job's retry sees how often it failed and why.
    OutgoingEmail.objects.filter(pk=email_id).update(attempts=F("attempts") + 1, last_error=str(failure))
    raise failure


def _deliver(email: OutgoingEmail) -> None:
    message = EmailMultiAlternatives(subject=email.subject, body=email.text, to=[email.to])
    if email.html:
        message.attach_alternative(email.html, "text/html")
    message.send()
