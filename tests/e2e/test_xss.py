"""User text from the profile is rendered in Chromium and nothing in it executes."""

import pytest
from playwright.sync_api import Page

from agora.accounts.tests.factories import UserFactory
from tests.e2e.xss import PAYLOADS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PROFILE_FIELDS = ["headline", "about", "degree", "awards_and_education", "work_experience", "working_hours"]


def test_profile_text_never_executes_on_the_author_and_profile_pages(page: Page, quality_figure):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    authors = []
    for payload in PAYLOADS:
        author = UserFactory(display_name=payload[:80])
        for field in PROFILE_FIELDS:
            setattr(author.profile, field, payload[:80])
        author.profile.save()
        authors.append(author)

    executed, loads = [], 0
    for author in authors:
        page.goto(f"/authors/{author.pk}/")
        page.wait_for_load_state("load")
        loads += 1
        if page.evaluate("() => window.__xss") is not None:
            executed.append(page.url)
    page.goto("/accounts/login/")
    page.fill("input[name=login]", authors[0].email)
    page.fill("input[name=password]", "correct-horse-battery-staple")
    page.locator("main form button[type=submit]").first.click()
    page.goto("/accounts/profile/")
    page.wait_for_load_state("load")
    loads += 1
    if page.evaluate("() => window.__xss") is not None:
        executed.append(page.url)
    quality_figure(
        "xss_profile",
        payloads=len(authors),
        fields=1 + len(PROFILE_FIELDS),
        pages=loads,
        executions=len(executed),
        dialogs=len(dialogs),
    )

    assert executed == []
    assert dialogs == []
