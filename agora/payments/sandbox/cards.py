"""The sandbox's test cards and test payout accounts (docs/payments.md lists them for people)."""

import datetime
import enum
from dataclasses import dataclass


class CardBehaviour(enum.Enum):
    SUCCEED = "succeed"
    DECLINE = "decline"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    AUTHENTICATE = "authenticate"  # an extra step: the "Authorize test payment" page
    LATE_WEBHOOK = "late_webhook"  # captured at once, its confirmation webhook arrives late


@dataclass(frozen=True, slots=True)
class SandboxCard:
    number: str
    behaviour: CardBehaviour
    description: str


TEST_CARDS = (
    SandboxCard("4242424242424242", CardBehaviour.SUCCEED, "Succeeds"),
    SandboxCard("4000000000000002", CardBehaviour.DECLINE, "Declined"),
    SandboxCard("4000000000009995", CardBehaviour.INSUFFICIENT_FUNDS, "Declined: insufficient funds"),
    SandboxCard("4000000000003220", CardBehaviour.AUTHENTICATE, "Asks the payer to authorise the payment"),
    SandboxCard("4000000000000077", CardBehaviour.LATE_WEBHOOK, "Succeeds; the confirmation arrives a minute late"),
)
CARDS_BY_NUMBER = {card.number: card for card in TEST_CARDS}

DECLINES = {
    CardBehaviour.DECLINE: ("card_declined", "Your card was declined."),
    CardBehaviour.INSUFFICIENT_FUNDS: ("insufficient_funds", "Your card has insufficient funds."),
}


def card_number_normalise(number: str) -> str:
    return "".join(character for character in number if not character.isspace() and character != "-")


def luhn_valid(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for position, digit in enumerate(int(character) for character in reversed(number)):
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def expiry_valid(value: str, *, today: datetime.date) -> bool:
    """`MM/YY` (or `MM / YY`, `MM/YYYY`) in this month or later."""
    month_text, _sep, year_text = value.replace(" ", "").partition("/")
    if not (month_text.isdigit() and year_text.isdigit() and len(year_text) in (2, 4)):
        return False
    month, year = int(month_text), int(year_text)
    year += 2000 if len(year_text) == 2 else 0
    return 1 <= month <= 12 and (year, month) >= (today.year, today.month)


# Payout test accounts: the last four characters of the account (the IBAN, the PayPal address's local
# part, the Stripe account id) decide what the sandbox does with a payout.
PAYOUT_FAILS_AT_ONCE = "0002"  # refused at once: the account is closed
PAYOUT_FAILS_LATER = "0010"  # accepted, then returned a moment later (a payout.failed webhook)
PAYOUT_PAID_LATER = "0077"  # accepted, then confirmed a moment later (a payout.paid webhook)
