"""The demo's money: real services, sound books, and a second load that changes nothing."""

import pytest
from django.core.management import call_command

from agora.ledger.models import Entry, Transaction
from agora.ledger.selectors import ledger_invariants_check, wallet_balances
from agora.payments.models import Payment, PaymentStatus, Payout, PayoutStatus

pytestmark = pytest.mark.django_db


def _user(email):
    from agora.accounts.models import User

    return User.objects.get(email=email)


def _money_row_counts():
    return [model.objects.count() for model in (Transaction, Entry, Payment, Payout)]


def test_demo_money_is_booked_once_and_the_books_balance(settings):
    call_command("demo_data", verbosity=0)
    counts = _money_row_counts()

    call_command("demo_data", verbosity=0)

    assert _money_row_counts() == counts
    assert ledger_invariants_check() == []
    assert set(Payment.objects.values_list("status", flat=True)) == {PaymentStatus.SUCCEEDED}
    assert list(Payout.objects.values_list("status", flat=True)) == [PayoutStatus.REQUESTED]
    # lena: 200.00 topped up, 49.99 + 29.99 spent; ada: two released sales of 42.49 (85 % of 49.99),
    # one pending, and 50.00 held for her withdrawal.
    lena = wallet_balances(user=_user("lena@agora.test"), currency=settings.PLATFORM_CURRENCY)
    assert lena.available.amount == 20_000 - 4_999 - 2_999
    ada = wallet_balances(user=_user("ada@agora.test"), currency=settings.PLATFORM_CURRENCY)
    assert ada.available.amount == 2 * 4_249 - 5_000
    assert ada.pending_earnings.amount == 4_249
