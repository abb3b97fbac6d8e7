"""Project-wide fixtures: mail delivered through the real outbox job, a clean cache per test, the
ledger's trial balance after every test that commits, and quality figures (agora/core/tests/quality.py)."""

import re
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.utils import translation

from agora.core.mail import email_send
from agora.core.models import OutgoingEmail

pytest_plugins = ["agora.core.tests.quality"]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser journeys last, after pytest-django's own ordering: they hold an event loop open."""
    items.sort(key=lambda item: "tests/e2e/" in item.nodeid)


def _commits(request: pytest.FixtureRequest) -> bool:
    """The test runs on a transactional database: what it writes is committed, then flushed."""
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server", "django_db_reset_sequences"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _trial_balance_after_committing_tests(request: pytest.FixtureRequest, quality_figure):
    """After every test whose writes were committed, and before the flush: every ledger invariant
    holds (QUALITY.md §2). Requesting the database here makes it outlive this check."""
    if not _commits(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    from agora.ledger.selectors import ledger_invariants_check

    violations = ledger_invariants_check()
    quality_figure("trial_balance", tests_checked=1, violations=len(violations))
    if violations:
        pytest.fail("ledger invariants violated after the test:\n" + "\n".join(violations), pytrace=False)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request in Russian leaves Russian active in the thread (LocaleMiddleware does not undo it);
    each test starts in English."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _dev_mailer(settings):
    """The test runner swaps every mailer for locmem; put back the default mode's mail store,
    so tests (and live-server journeys) read mail where /dev/mail/ reads it."""
    settings.MAILERS = {"default": {"BACKEND": "agora.devmail.backend.DatabaseEmailBackend"}}


@pytest.fixture
def mail_outbox_flush() -> Callable[[], list]:
    """Run the sending job for every queued message, as the worker would; return all mail sent so far."""
    from agora.devmail.models import DevMessage

    def flush() -> list[DevMessage]:
        for email_id in OutgoingEmail.objects.filter(sent_at=None).order_by("pk").values_list("pk", flat=True):
            email_send(email_id)
        return list(DevMessage.objects.order_by("id"))

    return flush


def link_in(text: str, fragment: str) -> str:
    """The first URL in `text` containing `fragment`."""
    for url in re.findall(r"https?://\S+", text):
        if fragment in url:
            return url.rstrip(".,)>")
    raise AssertionError(f"no link with {fragment!r} in:\n{text}")
