"""The sandbox's hosted card pages through Django's test client: checks as a card network makes them,
no inline script or style, and nothing for unknown or switched-off charges."""

import re

import pytest

from agora.accounts.tests.factories import UserFactory
from agora.payments.models import SandboxCharge, SandboxChargeStatus, SandboxEvent
from agora.payments.sandbox.cards import TEST_CARDS, expiry_valid, luhn_valid
from agora.payments.services import topup_start
from agora.payments.tests.conftest import card_pay, key

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(db):
    return topup_start(user=UserFactory(), amount=4999, idempotency_key=key())


def test_the_card_page_shows_the_amount_the_fields_and_every_test_card(client, payment):
    response = client.get(payment.checkout_url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "$49.99" in html and "Pay $49.99" in html
    for name, autocomplete in (("number", "cc-number"), ("expiry", "cc-exp"), ("cvc", "cc-csc"), ("name", "cc-name")):
        assert re.search(rf'<input[^>]*name="{name}"[^>]*autocomplete="{autocomplete}"', html), name
        assert f'<label for="sandbox_{name}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    for card in TEST_CARDS:
        grouped = " ".join(card.number[index : index + 4] for index in range(0, 16, 4))
        assert grouped in html and card.description in html
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert "/static/css/sandbox.css" in html
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self';" in policy and "unsafe-inline" not in policy


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"number": "4242 4242 4242 4241"}, "number", "Your card number is incorrect."),
        ({"number": "5555 5555 5555 4444"}, "number", "This is a sandbox: use one of the test cards."),
        ({"expiry": "01 / 20"}, "expiry", "Your card&#x27;s expiry date is invalid or in the past."),
        ({"expiry": "13/40"}, "expiry", "Your card&#x27;s expiry date is invalid or in the past."),
        ({"cvc": "12"}, "cvc", "Your card&#x27;s security code is incomplete."),
        ({"name": "   "}, "name", "This field is required."),
    ],
)
def test_bad_card_details_are_shown_and_nothing_is_charged(client, payment, fields, field, message):
    response = card_pay(client, payment, **({"number": "4242424242424242"} | fields))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert SandboxCharge.objects.get().status == SandboxChargeStatus.REQUIRES_PAYMENT_METHOD
    assert not SandboxEvent.objects.exists()


def test_a_paid_charge_shows_complete_and_cannot_be_paid_again(client, payment):
    card_pay(client, payment)

    again = card_pay(client, payment, "4000000000000002")

    assert again.status_code == 200 and b"Payment complete" in again.content
    assert SandboxCharge.objects.get().status == SandboxChargeStatus.SUCCEEDED
    assert SandboxEvent.objects.count() == 2  # processing and succeeded, once
    authorize = client.get(f"{payment.checkout_url}/authorize")
    assert authorize.headers["Location"] == payment.checkout_url


def test_unknown_charges_and_a_switched_off_sandbox_are_not_found(client, settings, payment):
    assert client.get("/sandbox/pay/sbpi_forged").status_code == 404
    assert client.get("/sandbox/pay/sbpi_forged/authorize").status_code == 404

    settings.PAYMENTS_SANDBOX_ENABLED = "false"

    assert client.get(payment.checkout_url).status_code == 404
    assert card_pay(client, payment).status_code == 404


def test_card_checks():
    assert all(luhn_valid(card.number) for card in TEST_CARDS)
    assert not luhn_valid("4242424242424241") and not luhn_valid("42424242") and not luhn_valid("4242x42424242424")
    import datetime

    today = datetime.date(2026, 5, 17)
    assert expiry_valid("05/26", today=today) and expiry_valid("12 / 2030", today=today)
    assert not expiry_valid("04/26", today=today) and not expiry_valid("0526", today=today)
