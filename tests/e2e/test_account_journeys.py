"""The two account journeys of the foundation, clicked through in Chromium."""

import re

import pytest
from playwright.sync_api import Page, expect

from agora.accounts.models import User, UserStatus
from tests.e2e.conftest import open_mail, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-secret-for-e2e"


def _log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_sign_up_activate_log_in_edit_profile_log_out(page: Page):
    page.goto("/")
    screenshot(page, "home")
    page.get_by_role("link", name=re.compile("Sign up", re.I)).first.click()
    page.fill("input[name=email]", "newcomer@example.com")
    page.fill("input[name=display_name]", "New Comer")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    screenshot(page, "signup")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text("newcomer@example.com")
    assert User.objects.get(email="newcomer@example.com").status == UserStatus.PENDING

    open_mail(page, "newcomer@example.com", "Activate")
    screenshot(page, "activation-mail")
    page.locator("#mail-text a[href*='/accounts/confirm-email/']").first.click()
    page.locator("main form button[type=submit]").first.click()
    assert User.objects.get(email="newcomer@example.com").status == UserStatus.ACTIVE

    _log_in(page, "newcomer@example.com")
    page.goto("/accounts/profile/edit/")
    page.fill("input[name=display_name]", "Newcomer Renamed")
    page.fill("input[name=headline]", "Learning everything")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text("Newcomer Renamed")
    expect(page.locator("main")).to_contain_text("Learning everything")
    screenshot(page, "profile")

    page.goto("/accounts/logout/")
    page.locator("main form button[type=submit]").first.click()
    page.goto("/accounts/profile/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_waiting_account_claims_activates_and_becomes_active(page: Page):
    page.goto("/dev/accounts/waiting/")
    page.fill("input[name=email]", "giftee@example.com")
    page.locator("main form button[type=submit]").first.click()
    assert User.objects.get(email="giftee@example.com").status == UserStatus.WAITING

    open_mail(page, "giftee@example.com", "")
    page.locator("#mail-text a[href*='/accounts/claim/']").first.click()
    email_field = page.locator("input[type=email]")
    expect(email_field).to_have_value("giftee@example.com")
    expect(email_field).to_be_disabled()
    page.fill("input[name=display_name]", "Gift Receiver")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    screenshot(page, "claim")
    page.locator("main form button[type=submit]").first.click()
    assert User.objects.get(email="giftee@example.com").status == UserStatus.PENDING

    open_mail(page, "giftee@example.com", "Activate")
    page.locator("#mail-text a[href*='/accounts/confirm-email/']").first.click()
    page.locator("main form button[type=submit]").first.click()
    assert User.objects.get(email="giftee@example.com").status == UserStatus.ACTIVE

    _log_in(page, "giftee@example.com")
    page.goto("/accounts/profile/")
    expect(page.locator("main")).to_contain_text("Gift Receiver")
