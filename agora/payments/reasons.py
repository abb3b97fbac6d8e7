"""The reasons the wallet's transactions are booked with. The books keep them in English, as written;
`reason_shown` gives a wallet's owner the ones listed here in their language (a reason from elsewhere
is shown as it is). The ledger's own reason comes from the ledger; the demo books its purchases with
the two purchase reasons until commerce exists."""

import re
from functools import cache

from django.utils.translation import gettext, gettext_noop

from agora.ledger.tasks import HOLD_EXPIRED

REFUND_WINDOW_ENDED = gettext_noop("Refund window ended")
DEMO_PURCHASE = gettext_noop("Demo purchase")
PAYMENT_CAPTURED = gettext_noop("Payment captured by %(gateway)s")
TOPUP = gettext_noop("Wallet top-up")
WITHDRAWAL_REQUESTED = gettext_noop("Withdrawal requested")
WITHDRAWAL_REJECTED = gettext_noop("Withdrawal rejected: %(reason)s")
WITHDRAWAL_SENT = gettext_noop("Withdrawal sent to the gateway")
WITHDRAWAL_PAID = gettext_noop("Withdrawal paid by %(gateway)s")
WITHDRAWAL_FAILED = gettext_noop("Withdrawal failed at the gateway")
WITHDRAWAL_RETURNED = gettext_noop("Withdrawal returned by the gateway")

REASONS = (
    HOLD_EXPIRED,
    REFUND_WINDOW_ENDED,
    DEMO_PURCHASE,
    PAYMENT_CAPTURED,
    TOPUP,
    WITHDRAWAL_REQUESTED,
    WITHDRAWAL_REJECTED,
    WITHDRAWAL_SENT,
    WITHDRAWAL_PAID,
    WITHDRAWAL_FAILED,
    WITHDRAWAL_RETURNED,
)


def reason_shown(reason: str) -> str:
    """`reason` in the active language when it was written from one of REASONS."""
    for template, pattern in _patterns():
        match = pattern.fullmatch(reason)
        if match:
            return gettext(template) % match.groupdict()
    return reason


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Each template as a pattern: "%(name)s" matches any text, the rest itself."""
    return [
        (template, re.compile(re.sub(r"%\\\(([a-z_]+)\\\)s", r"(?P<\1>.*)", re.escape(template)), re.DOTALL))
        for template in REASONS
    ]
