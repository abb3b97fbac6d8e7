"""The wallet page: balances, the history (signs, filters, pages, CSV), top-ups with exact amounts,
payout methods and withdrawals; refusals that change nothing; a fixed number of queries."""

import csv
import datetime
import io
import re
import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from agora.accounts.tests.factories import UserFactory
from agora.core.money import Money
from agora.core.templatetags.formatting import localdate
from agora.ledger.models import AccountKind, Hold, HoldReleaseCondition
from agora.ledger.selectors import wallet_balances
from agora.ledger.services import (
    BusinessObject,
    Move,
    hold_create,
    hold_post,
    hold_void,
    ledger_transfer,
    system_account_ensure,
    wallet_account_ensure,
)
from agora.payments.forms import amount_parse
from agora.payments.models import Payment, Payout, PayoutMethod, PayoutStatus
from agora.payments.services import payout_method_add
from agora.payments.tests.conftest import USD, card_pay, deliver_webhooks, key

pytestmark = pytest.mark.django_db

WALLET = "/wallet/"
IBAN = "DE89 3704 0044 0532 0130 00"


# Seeding the ledger as the other apps will ----------------------------------------------------------------


def fund(user, amount: int) -> None:
    """A top-up as the payments app books it: outside world → sandbox clearing → the user's wallet."""
    outside = system_account_ensure(kind=AccountKind.OUTSIDE_WORLD, currency=USD)
    clearing = system_account_ensure(kind=AccountKind.GATEWAY_CLEARING, currency=USD, gateway="sandbox")
    available = wallet_account_ensure(user=user, kind=AccountKind.AVAILABLE, currency=USD)
    money = Money(amount, USD)
    ledger_transfer(
        idempotency_key=key(),
        kind="top_up",
        moves=[Move(outside, clearing, money), Move(clearing, available, money)],
        actor=None,
        reason="Wallet top-up",
        business_object=BusinessObject("payments.payment", str(uuid.uuid4().int % 10**9)),
    )


def purchase(buyer, creator, amount: int, *, release_in_days: int = 7) -> Hold:
    """A purchase as commerce will book it: the buyer's money held, 85 % planned for the creator."""
    creator_account = wallet_account_ensure(user=creator, kind=AccountKind.AVAILABLE, currency=USD)
    commission = system_account_ensure(kind=AccountKind.COMMISSION, currency=USD)
    creator_share, commission_share = Money(amount, USD).split([8500, 1500])
    return hold_create(
        idempotency_key=key(),
        payer=buyer,
        amount=Money(amount, USD),
        release_condition=HoldReleaseCondition.REFUND_WINDOW,
        release_at=timezone.now() + datetime.timedelta(days=release_in_days),
        shares=[(creator_account, creator_share), (commission, commission_share)],
        actor=buyer,
        reason="Purchase of Watercolour basics",
        business_object=BusinessObject("commerce.orderline", str(uuid.uuid4().int % 10**9)),
    )


def refund(hold: Hold) -> None:
    hold_void(idempotency_key=key(), hold=hold, actor=None, reason="Refund of Watercolour basics")


def release(hold: Hold) -> None:
    hold_post(idempotency_key=key(), hold=hold, actor=None, reason="Refund window over")


def bank(user) -> PayoutMethod:
    """The user's bank account, added the first time (the same account is not added twice)."""
    added = PayoutMethod.objects.filter(user=user, kind="bank", is_active=True).first()
    return added or payout_method_add(user=user, kind="bank", details={"iban": IBAN, "account_holder": "Ada Lovelace"})


def rows(response) -> list[tuple[str, str, str]]:
    """The history table as (operation, amount class, amount text) rows."""
    html = response.content.decode()
    table = html.split('id="history"', 1)[1].split("</table>", 1)[0] if 'id="history"' in html else ""
    found = re.findall(
        r'<span class="op op--[a-z_]+">([^<]+)</span>.*?<span class="amount (amount--(?:in|out))">([^<]+)</span>',
        table,
        re.S,
    )
    return [(operation, css, amount) for operation, css, amount in found]


def available(user) -> int:
    return wallet_balances(user=user, currency=USD).available.amount


@pytest.fixture
def learner(client):
    user = UserFactory()
    client.force_login(user)
    return user


# The page ---------------------------------------------------------------------------------------------


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(WALLET)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_balances_and_history_with_purchases_in_red_and_refunds_in_green(client, learner):
    creator = UserFactory()
    fund(learner, 10_000)
    refunded = purchase(learner, creator, 1999)
    refund(refunded)
    purchase(learner, creator, 2500)

    response = client.get(WALLET)

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'data-testid="balance-available">\$75\.00<', html)
    assert re.search(r'data-testid="balance-held">\$25\.00<', html)
    assert rows(response) == [
        ("Purchase", "amount--out", "-$25.00"),
        ("Refund", "amount--in", "+$19.99"),
        ("Purchase", "amount--out", "-$19.99"),
        ("Top-up", "amount--in", "+$100.00"),
    ]
    assert 'style="' not in html and "<style" not in html  # the CSP allows no inline style


def test_a_creator_sees_pending_earnings_with_their_dates_then_the_sale(client):
    creator = UserFactory()
    client.force_login(creator)
    buyer = UserFactory()
    fund(buyer, 10_000)
    hold = purchase(buyer, creator, 2000, release_in_days=7)
    release_day = hold.release_at

    html = client.get(WALLET).content.decode()

    assert re.search(r'data-testid="balance-pending">\$17\.00<', html)
    assert "Available on" in html and release_day.strftime("%b") in html
    assert rows(client.get(WALLET)) == []

    release(hold)

    response = client.get(WALLET)
    assert rows(response) == [("Sale", "amount--in", "+$17.00")]
    assert re.search(r'data-testid="balance-available">\$17\.00<', response.content.decode())


def test_everyone_sees_the_earnings_part_with_an_explanation(client, learner):
    html = client.get(WALLET).content.decode()

    assert "Earnings and withdrawals" in html
    assert "When learners buy your courses" in html
    assert "Add a payout method below to withdraw" in html


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        ("purchase", [("Purchase", "amount--out", "-$25.00"), ("Purchase", "amount--out", "-$19.99")]),
        ("refund", [("Refund", "amount--in", "+$19.99")]),
        ("top_up", [("Top-up", "amount--in", "+$100.00")]),
        ("withdrawal", [("Withdrawal", "amount--out", "-$10.00")]),
        ("sale", []),
    ],
)
def test_the_history_filters_by_operation(client, learner, operation, expected):
    creator = UserFactory()
    fund(learner, 10_000)
    refund(purchase(learner, creator, 1999))
    purchase(learner, creator, 2500)
    method = bank(learner)
    client.post(
        reverse("payments:withdrawal-request"), {"method": method.pk, "amount": "10", "idempotency_key": uuid.uuid4()}
    )

    response = client.get(WALLET, {"type": operation})

    assert rows(response) == expected


def test_the_history_filters_by_days(client, learner):
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        fund(learner, 1000)
    with time_machine.travel(datetime.datetime(2026, 3, 5, 12, tzinfo=datetime.UTC), tick=False):
        fund(learner, 2000)
    with time_machine.travel(datetime.datetime(2026, 3, 9, 12, tzinfo=datetime.UTC), tick=False):
        fund(learner, 4000)

    both_ends = client.get(WALLET, {"date_from": "2026-03-05", "date_to": "2026-03-09"})
    one_day = client.get(WALLET, {"date_from": "2026-03-05", "date_to": "2026-03-05"})
    backwards = client.get(WALLET, {"date_from": "2026-03-09", "date_to": "2026-03-01"})

    assert [amount for _op, _css, amount in rows(both_ends)] == ["+$40.00", "+$20.00"]
    assert [amount for _op, _css, amount in rows(one_day)] == ["+$20.00"]
    assert "The end date is before the start date." in backwards.content.decode()


def test_the_history_has_pages_and_htmx_gets_only_the_history(client, learner):
    for amount in range(1, 26):
        fund(learner, amount * 100)

    first = client.get(WALLET)
    second = client.get(WALLET, {"page": 2, "type": "top_up"})
    partial = client.get(WALLET, {"page": 2}, headers={"HX-Request": "true", "HX-Target": "history"})

    assert [amount for *_rest, amount in rows(first)][:2] == ["+$25.00", "+$24.00"]
    assert len(rows(first)) == 20
    assert [amount for *_rest, amount in rows(second)] == ["+$5.00", "+$4.00", "+$3.00", "+$2.00", "+$1.00"]
    assert 'href="/wallet/?type=top_up&amp;page=1#history"' in second.content.decode()
    partial_html = partial.content.decode()
    assert partial_html.lstrip().startswith('<section class="card wallet-history" id="history"')
    assert "<html" not in partial_html and len(rows(partial)) == 5


def test_the_page_costs_the_same_queries_however_long_the_history(client, learner, django_assert_num_queries):
    creator = UserFactory()
    client.force_login(creator)
    buyer = UserFactory()
    fund(creator, 5000)
    fund(buyer, 10_000)
    purchase(buyer, creator, 1000)
    bank(creator)

    # session, user, balances, payout methods, own holds, pending earnings, payouts, payments,
    # history count + page, and the menu's permissions
    with django_assert_num_queries(11):
        client.get(WALLET)

    for _ in range(25):
        fund(creator, 100)
        purchase(buyer, creator, 100)
    bank(creator)
    client.post(reverse("payments:topup"), {"amount": "10", "idempotency_key": uuid.uuid4()})
    with django_assert_num_queries(11):
        client.get(WALLET)


def test_the_csv_export_has_the_filtered_history(client, learner):
    creator = UserFactory()
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        fund(learner, 10_000)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC), tick=False):
        hold = purchase(learner, creator, 1999)
    with time_machine.travel(datetime.datetime(2026, 3, 3, 10, tzinfo=datetime.UTC), tick=False):
        refund(hold)

    everything = client.get(reverse("payments:wallet-history-csv"))
    purchases = client.get(reverse("payments:wallet-history-csv"), {"type": "purchase"})

    assert everything["Content-Type"] == "text/csv; charset=utf-8"
    assert everything["Content-Disposition"].startswith('attachment; filename="wallet-history-')
    lines = list(csv.reader(io.StringIO(b"".join(everything.streaming_content).decode())))
    assert [line[:6] for line in lines] == [
        ["Date", "Operation", "Description", "Amount", "Currency", "Account"],
        ["2026-03-03T10:00:00+00:00", "Refund", "Refund of Watercolour basics", "19.99", "USD", "Available"],
        ["2026-03-02T09:30:00+00:00", "Purchase", "Purchase of Watercolour basics", "-19.99", "USD", "Available"],
        ["2026-03-01T12:00:00+00:00", "Top-up", "Wallet top-up", "100.00", "USD", "Available"],
    ]
    purchase_lines = list(csv.reader(io.StringIO(b"".join(purchases.streaming_content).decode())))
    assert [line[1:4] for line in purchase_lines[1:]] == [["Purchase", "Purchase of Watercolour basics", "-19.99"]]


def test_the_csv_export_is_only_ones_own(client, learner):
    fund(UserFactory(), 7777)
    fund(learner, 1000)

    content = b"".join(client.get(reverse("payments:wallet-history-csv")).streaming_content).decode()

    assert "77.77" not in content and "10.00" in content


# Top-ups ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minor_units"),
    [
        ("50", 5000),
        ("50.00", 5000),
        ("50.5", 5050),
        ("50,05", 5005),
        (" 1 000.10 ", 100_010),
        ("0.07", 7),
        ("1,000", 100_000),
        ("12,345.60", 1_234_560),
    ],
)
def test_amounts_are_parsed_to_exact_minor_units(text, minor_units):
    assert amount_parse(text, "USD") == minor_units


def test_a_comma_groups_thousands_only_where_the_language_writes_it_so():
    with translation.override("ru"):
        assert amount_parse("1 000,50", "USD") == 100_050
        with pytest.raises(ValidationError) as refused:
            amount_parse("1,000", "USD")  # one and a thousandth, too precise: not a thousand
    assert refused.value.code == "precision"


def test_amounts_follow_the_currencys_decimals():
    assert amount_parse("500", "JPY") == 500
    assert amount_parse("1.234", "KWD") == 1234


def test_a_top_up_starts_a_payment_and_sends_the_payer_to_the_card_page(client, learner):
    response = client.post(reverse("payments:topup"), {"amount": "50.00", "idempotency_key": uuid.uuid4()})

    payment = Payment.objects.get()
    assert (payment.user, payment.amount, payment.currency, payment.purpose) == (learner, 5000, USD, "topup")
    assert response.status_code == 302 and response["Location"] == payment.checkout_url
    assert payment.checkout_url.startswith("/sandbox/pay/")


def test_a_double_submit_starts_one_payment(client, learner):
    form = {"amount": "50.00", "idempotency_key": uuid.uuid4()}

    first = client.post(reverse("payments:topup"), form)
    second = client.post(reverse("payments:topup"), form)

    assert Payment.objects.count() == 1
    assert first["Location"] == second["Location"] == Payment.objects.get().checkout_url


def test_each_rendering_of_the_top_up_form_has_a_new_key(client, learner):
    keys = [
        re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', client.get(WALLET).content.decode()).group(1)
        for _ in range(2)
    ]

    assert keys[0] != keys[1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fifty", "Enter an amount in numbers, like 50.00."),
        ("-5", "Enter an amount in numbers, like 50.00."),
        ("1e3", "Enter an amount in numbers, like 50.00."),
        ("50.001", "Use at most 2 digits after the decimal point."),
        ("1,000.001", "Use at most 2 digits after the decimal point."),
        ("1,00,000", "Enter an amount in numbers, like 50.00."),
        ("99999999999999999999", "That amount is too large."),
        ("５０", "Enter an amount in numbers, like 50.00."),
        ("4.99", "The smallest amount is $5.00."),
        ("1000.01", "The largest amount is $1,000.00."),
        ("", "This field is required."),
    ],
)
def test_a_bad_amount_is_refused_on_the_form_and_nothing_is_created(client, learner, text, message):
    sent_key = str(uuid.uuid4())

    response = client.post(reverse("payments:topup"), {"amount": text, "idempotency_key": sent_key})

    assert response.status_code == 200
    html = response.content.decode()
    topup_form = html.split('id="topup"', 1)[1].split("</form>", 1)[0]
    assert message in topup_form
    assert 'aria-invalid="true"' in topup_form
    assert sent_key not in html  # the form shown again carries a fresh key
    assert Payment.objects.count() == 0


def test_back_from_the_card_page_the_payment_is_followed_until_confirmed(client, learner):
    client.post(reverse("payments:topup"), {"amount": "50.00", "idempotency_key": uuid.uuid4()})
    payment = Payment.objects.get()
    paid = card_pay(client, payment)
    assert paid["Location"] == f"/wallet/?payment={payment.pk}&redirect_status=succeeded"
    poll_headers = {"HX-Request": "true", "HX-Target": "payment-status"}

    waiting = client.get(paid["Location"]).content.decode()
    poll = client.get(paid["Location"], headers=poll_headers)
    deliver_webhooks()
    settled_poll = client.get(paid["Location"], headers=poll_headers)
    settled = client.get(paid["Location"]).content.decode()

    assert "Confirming your payment…" in waiting and 'hx-trigger="every 2s"' in waiting
    assert poll.content.decode().lstrip().startswith('<div class="payment-status" id="payment-status" hx-get=')
    assert "HX-Refresh" not in poll.headers
    assert settled_poll["HX-Refresh"] == "true"
    assert "Your payment of $50.00 is confirmed and in your balance." in settled
    assert "hx-trigger" not in settled.split('id="payment-status"', 1)[1].split(">", 1)[0]
    assert re.search(r'data-testid="balance-available">\$50\.00<', settled)


def test_a_declined_card_changes_nothing(client, learner):
    client.post(reverse("payments:topup"), {"amount": "50.00", "idempotency_key": uuid.uuid4()})
    payment = Payment.objects.get()

    card_pay(client, payment, number="4000 0000 0000 0002")
    deliver_webhooks()

    html = client.get(f"/wallet/?payment={payment.pk}").content.decode()
    assert "Payment not completed" in html and "Nothing was charged" in html
    assert re.search(r'data-testid="balance-available">\$0\.00<', html)
    assert available(learner) == 0 and rows(client.get(WALLET)) == []


def test_paid_with_another_card_after_a_decline_it_is_confirmed_not_declined(client, learner):
    client.post(reverse("payments:topup"), {"amount": "50.00", "idempotency_key": uuid.uuid4()})
    payment = Payment.objects.get()
    card_pay(client, payment, number="4000 0000 0000 0002")
    deliver_webhooks()  # our payment reads "failed" now
    paid = card_pay(client, payment)  # the same page, another card

    before_the_webhook = client.get(paid["Location"]).content.decode()
    deliver_webhooks()
    after_it = client.get(paid["Location"]).content.decode()

    assert "Confirming your payment…" in before_the_webhook and "Nothing was charged" not in before_the_webhook
    assert "Your payment of $50.00 is confirmed and in your balance." in after_it
    assert available(learner) == 5000


def test_a_failed_payment_is_not_shown_as_waiting_for_long_whatever_the_address_says(client, learner):
    client.post(reverse("payments:topup"), {"amount": "50.00", "idempotency_key": uuid.uuid4()})
    payment = Payment.objects.get()
    card_pay(client, payment, number="4000 0000 0000 0002")
    deliver_webhooks()
    claimed = f"/wallet/?payment={payment.pk}&redirect_status=succeeded"

    at_once = client.get(claimed).content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        later = client.get(claimed).content.decode()

    assert "Confirming your payment…" in at_once
    assert "Payment not completed" in later and 'hx-trigger="every 2s"' not in later


def test_another_users_payment_is_not_shown(client, learner):
    someone = UserFactory()
    client.force_login(someone)
    client.post(reverse("payments:topup"), {"amount": "77.00", "idempotency_key": uuid.uuid4()})
    client.force_login(learner)

    html = client.get(f"/wallet/?payment={Payment.objects.get().pk}").content.decode()

    assert 'id="payment-status"' not in html and "$77.00" not in html


# Payout methods -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "kind", "masked"),
    [
        ({"kind": "bank", "iban": IBAN, "account_holder": "Ada Lovelace"}, "bank", "•••• 3000"),
        ({"kind": "paypal", "email": "ada@example.com"}, "paypal", "a•••@example.com"),
        ({"kind": "stripe_account", "account_id": "acct_1AbCdEfGh4321"}, "stripe_account", "acct_•••• 4321"),
    ],
)
def test_payout_methods_are_added_and_shown_masked_only(client, learner, form, kind, masked):
    response = client.post(reverse("payments:payout-method-add"), form)

    assert response.status_code == 302 and response["Location"] == "/wallet/#payout-methods"
    method = PayoutMethod.objects.get(user=learner)
    assert (method.kind, method.masked) == (kind, masked)
    html = client.get(WALLET).content.decode()
    assert masked in html
    assert "0532" not in html and "ada@example.com" not in html and "AbCdEfGh" not in html


def test_a_wrong_iban_is_refused_on_its_field(client, learner):
    response = client.post(
        reverse("payments:payout-method-add"),
        {"kind": "bank", "iban": "DE00 3704 0044 0532 0130 00", "account_holder": "Ada Lovelace"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid IBAN." in html
    assert re.search(r'<details class="method-add__item" open>\s*<summary>[^€]*?Bank account', html)
    assert not PayoutMethod.objects.exists()


def test_an_unknown_kind_is_refused(client, learner):
    response = client.post(reverse("payments:payout-method-add"), {"kind": "cash"})

    assert response.status_code == 400
    assert not PayoutMethod.objects.exists()


def test_one_removes_ones_own_method(client, learner):
    method = bank(learner)

    response = client.post(reverse("payments:payout-method-remove", args=[method.pk]))

    assert response.status_code == 302
    method.refresh_from_db()
    assert not method.is_active
    assert "•••• 3000" not in client.get(WALLET).content.decode()


def test_another_users_method_cannot_be_removed(client, learner):
    someone_else = UserFactory()
    method = bank(someone_else)

    response = client.post(reverse("payments:payout-method-remove", args=[method.pk]))

    assert response.status_code == 404
    method.refresh_from_db()
    assert method.is_active
    assert "•••• 3000" not in client.get(WALLET).content.decode()


def test_removing_needs_a_post(client, learner):
    method = bank(learner)

    assert client.get(reverse("payments:payout-method-remove", args=[method.pk])).status_code == 405
    method.refresh_from_db()
    assert method.is_active


# Withdrawals ---------------------------------------------------------------------------------------------


def test_a_withdrawal_is_requested_and_listed(client, learner):
    fund(learner, 10_000)
    method = bank(learner)

    response = client.post(
        reverse("payments:withdrawal-request"),
        {"method": method.pk, "amount": "25.50", "idempotency_key": uuid.uuid4()},
    )

    assert response.status_code == 302 and response["Location"] == "/wallet/#withdrawals"
    payout = Payout.objects.get()
    assert (payout.user, payout.method, payout.amount, payout.status) == (learner, method, 2550, PayoutStatus.REQUESTED)
    assert available(learner) == 7450
    page = client.get(WALLET)
    html = page.content.decode()
    assert "Your withdrawal of $25.50 waits for approval." in html
    assert re.search(r'status--requested">Requested<', html)
    assert rows(page)[0] == ("Withdrawal", "amount--out", "-$25.50")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("100.01", "You have $100.00 available to withdraw."),
        ("9.99", "The smallest amount is $10.00."),
        ("ten", "Enter an amount in numbers, like 50.00."),
    ],
)
def test_a_withdrawal_above_the_balance_or_below_the_minimum_is_refused(client, learner, amount, message):
    fund(learner, 10_000)
    method = bank(learner)

    response = client.post(
        reverse("payments:withdrawal-request"), {"method": method.pk, "amount": amount, "idempotency_key": uuid.uuid4()}
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Payout.objects.exists()
    assert available(learner) == 10_000


def test_a_withdrawal_to_another_users_method_is_refused(client, learner):
    fund(learner, 10_000)
    bank(learner)
    theirs = bank(UserFactory())

    response = client.post(
        reverse("payments:withdrawal-request"), {"method": theirs.pk, "amount": "20", "idempotency_key": uuid.uuid4()}
    )

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not Payout.objects.exists()
    assert available(learner) == 10_000


def test_a_double_submitted_withdrawal_holds_the_money_once(client, learner):
    fund(learner, 10_000)
    method = bank(learner)
    form = {"method": method.pk, "amount": "30", "idempotency_key": uuid.uuid4()}

    client.post(reverse("payments:withdrawal-request"), form)
    client.post(reverse("payments:withdrawal-request"), form)

    assert Payout.objects.count() == 1
    assert available(learner) == 7000


def test_money_on_hold_is_listed_with_its_release_date(client, learner):
    creator = UserFactory()
    fund(learner, 10_000)
    hold = purchase(learner, creator, 1999)
    client.force_login(learner)

    page = client.get(WALLET).content.decode()

    held_list = page.split('data-testid="held-list"')[1].split("</ul>")[0]
    assert f"Held until {localdate(hold.release_at)}" in held_list
    assert "$19.99" in held_list
