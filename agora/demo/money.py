"""Demo money: learners' wallets topped up through the sandbox card network, creators with pending
and available earnings, and one withdrawal waiting for the accountant. Every step has a fixed
idempotency key, so loading again changes nothing."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agora.accounts.models import User
from agora.core.money import Money
from agora.ledger.models import AccountKind, HoldReleaseCondition, Transaction
from agora.ledger.services import (
    BusinessObject,
    hold_create,
    hold_post,
    system_account_ensure,
    wallet_account_ensure,
)
from agora.payments import reasons
from agora.payments.models import PaymentStatus, PayoutMethod
from agora.payments.sandbox import network
from agora.payments.services import payment_outcome_apply, payout_method_add, topup_start, withdrawal_request

TOP_UPS = {"lena@agora.test": 20_000, "sam@agora.test": 15_000, "noor@agora.test": 12_000}
# (buyer, creator, price, days until the refund window ends; 0 = already released)
SALES = [
    ("lena@agora.test", "ada@agora.test", 4_999, 0),
    ("sam@agora.test", "ada@agora.test", 4_999, 0),
    ("noor@agora.test", "ada@agora.test", 4_999, 5),
    ("lena@agora.test", "grace@agora.test", 2_999, 3),
    ("sam@agora.test", "dmitri@agora.test", 1_999, 0),
    ("noor@agora.test", "frida@agora.test", 3_499, 6),
]
COMMISSION_BASIS_POINTS = 1_500
DEMO_IBAN = "DE89370400440532013000"


def demo_money_load() -> None:
    for email, amount in TOP_UPS.items():
        _top_up(User.objects.get(email=email), amount)
    for number, (buyer, creator, price, days) in enumerate(SALES):
        _sale(number, User.objects.get(email=buyer), User.objects.get(email=creator), price, days)
    _withdrawal_waiting(User.objects.get(email="ada@agora.test"))


def _top_up(user: User, amount: int) -> None:
    """The real path: a sandbox charge paid with the success card, confirmed like its webhook would."""
    payment = topup_start(user=user, amount=amount, idempotency_key=f"demo:topup:{user.email}")
    if payment.status != PaymentStatus.CREATED:
        return
    network.card_submit(charge_id=payment.gateway_payment_id, number="4242424242424242", cardholder=user.name)
    payment_outcome_apply(
        payment_id=payment.pk,
        status=PaymentStatus.SUCCEEDED,
        amount=payment.amount,
        currency=payment.currency,
        gateway_payment_id=payment.gateway_payment_id,
    )


@transaction.atomic
def _sale(number: int, buyer: User, creator: User, price: int, days: int) -> None:
    """What a purchase will book once commerce exists: a hold split into the creator's share and
    the commission, released when the refund window ends."""
    if Transaction.objects.filter(idempotency_key=f"demo:sale:{number}").exists():
        return  # loaded before (its release date was relative to that day)
    currency = settings.PLATFORM_CURRENCY
    commission, share = Money(price, currency).split([COMMISSION_BASIS_POINTS, 10_000 - COMMISSION_BASIS_POINTS])
    hold = hold_create(
        idempotency_key=f"demo:sale:{number}",
        payer=buyer,
        amount=Money(price, currency),
        release_condition=HoldReleaseCondition.REFUND_WINDOW,
        release_at=timezone.now() + datetime.timedelta(days=days or 7),
        shares=[
            (wallet_account_ensure(user=creator, kind=AccountKind.AVAILABLE, currency=currency), share),
            (system_account_ensure(kind=AccountKind.COMMISSION, currency=currency), commission),
        ],
        actor=buyer,
        reason=reasons.DEMO_PURCHASE,
        business_object=BusinessObject("demo.sale", str(number)),
    )
    if days == 0:
        hold_post(
            idempotency_key=f"demo:sale:{number}:release", hold=hold, actor=None, reason=reasons.REFUND_WINDOW_ENDED
        )


def _withdrawal_waiting(creator: User) -> None:
    method = PayoutMethod.objects.filter(user=creator).first() or payout_method_add(
        user=creator, kind="bank", details={"iban": DEMO_IBAN, "account_holder": creator.name}
    )
    withdrawal_request(user=creator, method_id=method.pk, amount=5_000, idempotency_key="demo:withdrawal:ada")
