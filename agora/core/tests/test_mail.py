"""Mail leaves through the outbox job: kept when its cause rolls back never, sent once, retried when SMTP is down."""

import socket
import time

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from procrastinate.contrib.django.models import ProcrastinateJob

from agora.core.mail import email_enqueue, email_send
from agora.core.models import OutgoingEmail

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(envelope.content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_settings(settings):
    port = _free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    return port


def test_message_and_its_job_are_enqueued_with_the_callers_transaction():
    with transaction.atomic():
        email = email_enqueue(to="a@example.com", subject="Hi", text="Hello")
        transaction.set_rollback(True)

    assert not OutgoingEmail.objects.filter(pk=email.pk).exists()
    assert not ProcrastinateJob.objects.filter(task_name__endswith="send_email_task").exists()

    email = email_enqueue(to="a@example.com", subject="Hi", text="Hello")
    job = ProcrastinateJob.objects.get(task_name__endswith="send_email_task")
    assert job.args == {"email_id": email.pk}


def test_sent_over_smtp_exactly_once(smtp_settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_settings)
    controller.start()
    try:
        email = email_enqueue(to="a@example.com", subject="Welcome", text="Plain part", html="<p>HTML part</p>")
        email_send(email.pk)
        email_send(email.pk)  # a second run of the job (a retry, a duplicate) sends nothing
    finally:
        controller.stop()

    assert len(inbox.messages) == 1
    assert b"Subject: Welcome" in inbox.messages[0] and b"HTML part" in inbox.messages[0]
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1


def test_smtp_down_keeps_the_message_and_a_later_retry_sends_it(smtp_settings):
    email = email_enqueue(to="a@example.com", subject="Receipt", text="Your order")

    with pytest.raises(OSError):
        email_send(email.pk)
    email.refresh_from_db()
    assert (email.sent_at, email.attempts) == (None, 1)
    assert email.last_error

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_settings)
    controller.start()
    try:
        time.sleep(0.1)
        email_send(email.pk)
    finally:
        controller.stop()
    email.refresh_from_db()
    assert (len(inbox.messages), email.attempts, email.last_error) == (1, 2, "")
    assert email.sent_at is not None
