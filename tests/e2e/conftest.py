"""Browser journeys: Debian's Chromium driven by Playwright against a live server and a real job worker."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "var/screenshots"))

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    # Playwright's sync API keeps an event loop running in the test thread while the browser lives;
    # the ORM calls tests and fixtures make meanwhile are ordinary blocking calls, so Django's
    # async guard is lifted for that time only (one module; browser journeys run last).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser: Browser, live_server, job_worker, transactional_db, settings) -> Iterator[Page]:
    settings.SITE_URL = live_server.url  # links in mail point at this server
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    console_errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    yield page
    context.close()
    assert not console_errors, f"browser console errors (CSP violations?): {console_errors}"


@pytest.fixture(scope="session")
def job_worker(django_db_setup, django_db_blocker) -> Iterator[None]:
    """A real job worker in a thread for the rest of the session (browser journeys run last), so
    mail and webhooks leave through their jobs as in production (`manage.py jobs_worker`).

    Database access stays allowed for the worker between tests, and the jobs earlier tests left
    behind (their rows are gone: procrastinate's tables are not flushed) are dropped first."""
    from django.db import connection

    from agora.core.tests.worker import worker_running

    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM procrastinate_periodic_defers")
            cursor.execute("DELETE FROM procrastinate_jobs WHERE status = 'todo'")
        with worker_running(concurrency=2, polling_interval=0.2):
            yield


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def open_mail(page: Page, to: str, subject_part: str) -> None:
    """Wait for the message to `to` about `subject_part`, then open it in /dev/mail/ as a person would."""
    for _ in range(300):  # up to a minute on a loaded 2-core machine
        messages = page.request.get("/dev/mail/api/messages").json()
        found = [m for m in messages if m["to"] == to and subject_part in m["subject"]]
        if found:
            page.goto("/dev/mail/")
            page.locator(f"a[href='/dev/mail/{found[0]['id']}/']").first.click()
            return
        page.wait_for_timeout(200)
    from procrastinate.contrib.django.models import ProcrastinateJob

    jobs = list(ProcrastinateJob.objects.values_list("task_name", "status", "attempts"))
    sent = [(m["to"], m["subject"]) for m in page.request.get("/dev/mail/api/messages").json()]
    raise AssertionError(f"no mail to {to} about {subject_part!r} arrived; sent: {sent}; jobs: {jobs}")
