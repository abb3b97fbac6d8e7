"""The job worker: a job a task or request defers stays in its transaction while a worker is running."""

import time
from collections.abc import Iterator

import pytest
from django.db import transaction
from procrastinate.contrib.django import app
from procrastinate.contrib.django.django_connector import DjangoConnector

from agora.core.mail import email_enqueue
from agora.core.models import OutgoingEmail
from agora.core.tests.worker import worker_running

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def running_worker() -> Iterator[None]:
    with worker_running(concurrency=1, polling_interval=0.1):
        yield


def _wait_for(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_running_worker_leaves_the_shared_app_on_djangos_connection(running_worker):
    time.sleep(0.5)  # the worker has opened its own connector by now
    assert isinstance(app.connector, DjangoConnector)


def test_mail_deferred_in_an_open_transaction_is_sent_after_the_commit(running_worker):
    with transaction.atomic():
        email = email_enqueue(to="late@example.com", subject="Committed late", text="Hello")
        time.sleep(1.0)  # ten polling intervals: a job written outside this transaction would run now

    assert _wait_for(lambda: OutgoingEmail.objects.filter(pk=email.pk).exclude(sent_at=None).exists())
