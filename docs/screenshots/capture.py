"""Take the README's screenshots from a running `make run` (demo data loaded).

make run            # in one terminal
.venv/bin/python docs/screenshots/capture.py
"""

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

BASE_URL = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8000"
OUT = Path(__file__).parent
PASSWORD = "agora-demo-2026"


def log_in(page: Page, email: str) -> None:
    page.goto(f"{BASE_URL}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def shoot(page: Page, path: str, name: str, *, height: int = 800) -> None:
    page.set_viewport_size({"width": 1280, "height": height})
    page.goto(f"{BASE_URL}{path}")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=OUT / f"{name}.png")


def main() -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        shoot(page, "/", "home")
        shoot(page, "/courses/", "catalog")
        shoot(page, "/courses/kotlin-for-android-masterclass/", "course-page", height=1500)  # a demo course on sale
        shoot(page, "/accounts/signup/", "signup")
        log_in(page, "ada@agora.test")
        shoot(page, "/accounts/profile/", "profile")
        author_page = page.locator("main a[href^='/authors/']").first.get_attribute("href") or "/"
        shoot(page, author_page, "author-page")
        shoot(page, "/accounts/profile/edit/", "profile-edit")
        page.context.clear_cookies()
        log_in(page, "lena@agora.test")
        shoot(page, "/wallet/", "wallet")
        page.locator("#topup input[name=amount]").fill("25.00")
        page.locator("#topup button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT / "sandbox-card-page.png")
        page.context.clear_cookies()
        log_in(page, "accountant@agora.test")
        shoot(page, "/staff/payouts/", "accountant-payouts")
        page.context.clear_cookies()
        log_in(page, "moderator@agora.test")
        shoot(page, "/staff/users/", "staff-users")
        shoot(page, "/dev/mail/", "dev-mail")
        shoot(page, "/api/v1/docs", "api-docs")
        mobile = browser.new_page(viewport={"width": 390, "height": 844})
        mobile.goto(f"{BASE_URL}/")
        mobile.screenshot(path=OUT / "home-mobile.png")
        browser.close()


if __name__ == "__main__":
    main()
