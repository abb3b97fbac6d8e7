"""Money journeys clicked through in Chromium: a top-up by card (and a declined card), and a creator's
withdrawal approved by an accountant. Webhooks reach the live server through the real job worker."""

import re
import uuid

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Browser, Page, expect

from agora.accounts.roles import ACCOUNTANT
from agora.accounts.tests.factories import PASSWORD, UserFactory
from agora.core.money import Money
from agora.ledger.models import AccountKind
from agora.ledger.selectors import wallet_balances
from agora.ledger.services import BusinessObject, Move, ledger_transfer, system_account_ensure, wallet_account_ensure
from agora.payments.models import Payment, PaymentStatus, Payout, PayoutStatus
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CONFIRMATION_TIMEOUT_MS = 60_000  # the webhook job runs on a loaded 2-core machine


@pytest.fixture
def sandbox(settings, live_server):
    """The sandbox sends its webhooks to this live server, in order and once (no chaos: a journey)."""
    settings.PAYMENTS_SANDBOX_ENABLED = "true"
    settings.PAYMENTS_DEFAULT_GATEWAY = "sandbox"
    settings.PAYMENTS_SANDBOX_CHAOS = 0.0
    settings.PAYMENTS_SANDBOX_WEBHOOK_URL = f"{live_server.url}/payments/webhooks/sandbox"
    settings.PAYMENTS_TOPUP_MIN = 500
    settings.PAYMENTS_TOPUP_MAX = 100_000
    settings.PAYMENTS_WITHDRAWAL_MIN = 1000
    return settings


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def open_from_user_menu(page: Page, link: str) -> None:
    page.locator(".user-menu > summary").click()
    page.locator(".user-menu .menu__panel").get_by_role("link", name=link).click()


def available(user) -> int:
    return wallet_balances(user=user, currency="USD").available.amount


def wait_for_payments_settled(page: Page, count: int) -> None:
    """Until the sandbox's webhooks (a job) have settled `count` payments, or a minute passes."""
    settled = [PaymentStatus.SUCCEEDED, PaymentStatus.FAILED]
    for _ in range(CONFIRMATION_TIMEOUT_MS // 250):
        if Payment.objects.filter(status__in=settled).count() >= count:
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"payments still open: {list(Payment.objects.values_list('pk', 'status'))}")


def top_up(page: Page, amount: str, card: str) -> None:
    page.fill("#topup input[name=amount]", amount)
    page.locator("#topup button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/sandbox/pay/"))
    page.fill("input[name=number]", card)
    page.fill("input[name=expiry]", "12 / 34")
    page.fill("input[name=cvc]", "123")
    page.fill("input[name=name]", "Lena Learner")
    page.locator("form button[type=submit]").click()


def test_a_learner_tops_up_by_card_and_a_declined_card_changes_nothing(page: Page, sandbox):
    learner = UserFactory(email="lena@example.com", display_name="Lena Learner")
    log_in(page, learner.email)
    open_from_user_menu(page, "Wallet")
    expect(page.locator("[data-testid=balance-available]")).to_have_text("$0.00")
    screenshot(page, "wallet-empty")

    top_up(page, "50.00", "4242 4242 4242 4242")

    # Back on the wallet; the webhook job credits it in the background, and the person reloads.
    expect(page).to_have_url(re.compile(r"/wallet/\?payment=\d+"))
    wait_for_payments_settled(page, 1)
    page.reload()
    expect(page.locator("[data-testid=balance-available]")).to_have_text("$50.00")
    expect(page.locator("#payment-status")).to_contain_text("Your payment of $50.00 is confirmed")
    expect(page.locator("#history tbody tr").first).to_contain_text("+$50.00")
    screenshot(page, "wallet-topped-up")
    assert available(learner) == 5000

    top_up(page, "50.00", "4000 0000 0000 0002")

    expect(page.locator("main")).to_contain_text("Your card was declined.")
    screenshot(page, "sandbox-declined")
    page.get_by_role("link", name=re.compile("Back to Agora")).click()
    wait_for_payments_settled(page, 2)
    page.reload()
    expect(page.locator("#payment-status")).to_contain_text("Payment not completed")
    expect(page.locator("[data-testid=balance-available]")).to_have_text("$50.00")
    screenshot(page, "wallet-declined")
    assert available(learner) == 5000
    assert sorted(Payment.objects.values_list("status", flat=True)) == [PaymentStatus.FAILED, PaymentStatus.SUCCEEDED]


def seed_earnings(user, amount: int) -> None:
    """A creator's released earnings, credited from the outside world through the gateway's clearing."""
    money = Money(amount, "USD")
    outside = system_account_ensure(kind=AccountKind.OUTSIDE_WORLD, currency="USD")
    clearing = system_account_ensure(kind=AccountKind.GATEWAY_CLEARING, currency="USD", gateway="sandbox")
    ledger_transfer(
        idempotency_key=f"e2e:{uuid.uuid4()}",
        kind="sale",
        moves=[
            Move(outside, clearing, money),
            Move(clearing, wallet_account_ensure(user=user, kind=AccountKind.AVAILABLE, currency="USD"), money),
        ],
        actor=None,
        reason="Sales of Watercolour basics",
        business_object=BusinessObject("tests.seed", "1"),
    )


def test_a_creator_withdraws_and_an_accountant_approves(page: Page, browser: Browser, live_server, sandbox):
    creator = UserFactory(email="cora@example.com", display_name="Cora Creator")
    accountant = UserFactory(email="axel@example.com", display_name="Axel Accountant", is_staff=True)
    accountant.groups.add(Group.objects.get(name=ACCOUNTANT))
    seed_earnings(creator, 12_000)

    log_in(page, creator.email)
    page.goto("/wallet/#earnings")
    expect(page.locator("[data-testid=balance-available]")).to_have_text("$120.00")
    page.locator("summary", has_text="Bank account").click()
    page.fill("#id_bank_iban", "DE89 3704 0044 0532 0130 00")
    page.fill("#id_bank_account_holder", "Cora Creator")
    page.get_by_role("button", name="Add Bank account").click()
    expect(page.locator("#payout-methods")).to_contain_text("•••• 3000")
    expect(page.locator("main")).not_to_contain_text("0532")

    page.locator("#withdrawals select[name=method]").select_option(label="Bank account (IBAN) · •••• 3000")
    page.fill("#withdrawals input[name=amount]", "45.00")
    page.get_by_role("button", name="Request withdrawal").click()
    expect(page.locator(".messages")).to_contain_text("Your withdrawal of $45.00 waits for approval.")
    expect(page.locator("[data-testid=balance-available]")).to_have_text("$75.00")
    expect(page.locator(".status--requested")).to_have_text("Requested")
    screenshot(page, "wallet-withdrawal-requested")

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    desk = context.new_page()
    desk_errors: list[str] = []
    desk.on("console", lambda message: message.type == "error" and desk_errors.append(message.text))
    log_in(desk, accountant.email)
    open_from_user_menu(desk, "Withdrawals queue")
    request = desk.locator(".payout-item", has_text="cora@example.com")
    expect(request).to_contain_text("$45.00")
    expect(request).to_contain_text("•••• 3000")
    screenshot(desk, "staff-payouts-queue")
    request.get_by_role("button", name=re.compile("Approve and pay")).click()
    expect(desk.locator(".messages")).to_contain_text("of $45.00 is approved: paid.")
    expect(desk.locator(".payout-item", has_text="cora@example.com")).to_contain_text("Paid")
    screenshot(desk, "staff-payouts-approved")
    desk.goto("/staff/ledger/?email=cora")
    expect(desk.locator("main table")).to_contain_text("hold.post")
    screenshot(desk, "staff-ledger")
    context.close()
    assert desk_errors == []

    page.goto("/wallet/")
    expect(page.locator("[data-testid=balance-available]")).to_have_text("$75.00")
    expect(page.locator("[data-testid=balance-held]")).to_have_text("$0.00")
    expect(page.locator(".status--paid")).to_have_text("Paid")
    screenshot(page, "wallet-withdrawal-paid")
    payout = Payout.objects.get()
    assert (payout.status, payout.amount, payout.decided_by) == (PayoutStatus.PAID, 4500, accountant)
    assert available(creator) == 7500
