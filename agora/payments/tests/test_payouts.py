"""Payout methods and withdrawals: worked examples with every balance, refusals that change nothing."""

import pytest

from agora.accounts.tests.factories import UserFactory
from agora.core.errors import ServiceError
from agora.ledger.models import Hold, HoldStatus, Transaction
from agora.ledger.tests.conftest import USD, Book
from agora.payments.models import PayoutMethod, PayoutStatus, SandboxPayout
from agora.payments.services import (
    payout_method_add,
    payout_method_remove,
    withdrawal_approve,
    withdrawal_reject,
    withdrawal_request,
)
from agora.payments.services.payout_details import details_decrypt, iban_valid
from agora.payments.tests.conftest import assert_ledger_sound, deliver_webhooks, key, settle_payouts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_sound_after")]

IBAN_PAID = "DE89 3704 0044 0532 0130 00"
IBAN_FAILS_AT_ONCE = "DE14370400440000000002"
IBAN_FAILS_LATER = "DE89370400440000000010"
IBAN_PAID_LATER = "DE26370400440000000077"


@pytest.fixture
def creator(wallets):
    """A creator with 100.00 available (a sandbox top-up in the ledger)."""
    user = wallets.add("creator", UserFactory())
    book = Book(accounts={"outside": wallets.accounts["outside"], "clearing": wallets.accounts["clearing"]})
    book.accounts["creator"] = wallets.accounts["creator"]
    book.fund("creator", 10_000)
    return user


def bank(user, iban: str = IBAN_PAID) -> PayoutMethod:
    """The user's account at `iban`, added the first time (the same account is not added twice)."""
    added = PayoutMethod.objects.filter(user=user, kind="bank", is_active=True, masked__endswith=iban[-4:]).first()
    return added or payout_method_add(user=user, kind="bank", details={"iban": iban, "account_holder": "Ada Lovelace"})


# Payout methods ---------------------------------------------------------------------------------------


def test_methods_are_checked_masked_and_stored_encrypted(creator):
    paypal = payout_method_add(user=creator, kind="paypal", details={"email": " Jane.Doe@Example.com "})
    account = bank(creator)
    stripe = payout_method_add(user=creator, kind="stripe_account", details={"account_id": "acct_1AbCdEfGh4321"})

    assert [(m.kind, m.masked, m.label) for m in (paypal, account, stripe)] == [
        ("paypal", "j•••@example.com", "PayPal j•••@example.com"),
        ("bank", "•••• 3000", "DE •••• 3000"),
        ("stripe_account", "acct_•••• 4321", "Stripe acct_•••• 4321"),
    ]
    assert details_decrypt(account.details_encrypted) == {
        "iban": "DE89370400440532013000",
        "account_holder": "Ada Lovelace",
    }
    stored = PayoutMethod.objects.values_list("details_encrypted", flat=True)
    assert not any("3704" in text or "jane" in text or "AbCd" in text for text in stored)


def test_the_same_account_is_not_added_twice_however_it_is_typed(creator):
    first = payout_method_add(user=creator, kind="bank", details={"iban": IBAN_PAID, "account_holder": "Ada Lovelace"})

    with pytest.raises(ServiceError) as refused:
        payout_method_add(
            user=creator,
            kind="bank",
            details={"iban": IBAN_PAID.replace(" ", "").lower(), "account_holder": "Ada Lovelace"},
        )
    payout_method_remove(user=creator, method_id=first.pk)
    again = payout_method_add(user=creator, kind="bank", details={"iban": IBAN_PAID, "account_holder": "Ada Lovelace"})

    assert refused.value.code == "method_duplicate"
    assert PayoutMethod.objects.filter(user=creator, is_active=True).get() == again


def test_the_ui_forms_holder_name_is_accepted_too(creator):
    method = payout_method_add(
        user=creator, kind="bank", details={"iban": IBAN_PAID, "holder_name": "Ada Lovelace", "label": "Main bank"}
    )

    assert method.label == "Main bank"
    assert details_decrypt(method.details_encrypted)["account_holder"] == "Ada Lovelace"


@pytest.mark.parametrize(
    ("kind", "details", "field"),
    [
        ("paypal", {"email": "not-an-email"}, "email"),
        ("bank", {"iban": "DE88370400440532013000", "account_holder": "Ada"}, "iban"),  # checksum off by one
        ("bank", {"iban": "DE89", "account_holder": "Ada"}, "iban"),
        ("bank", {"iban": IBAN_PAID, "account_holder": "  "}, "account_holder"),
        ("stripe_account", {"account_id": "ba_123456789"}, "account_id"),
        ("cash", {}, "kind"),
    ],
)
def test_invalid_details_are_refused_and_nothing_is_stored(creator, kind, details, field):
    with pytest.raises(ServiceError) as refusal:
        payout_method_add(user=creator, kind=kind, details=details)

    assert refusal.value.field == field
    assert not PayoutMethod.objects.exists()


def test_iban_checksums():
    assert iban_valid("GB82WEST12345698765432")
    assert iban_valid("DE89370400440532013000")
    assert not iban_valid("GB82WEST12345698765433")
    assert not iban_valid("gb82west12345698765432")


def test_a_removed_method_is_gone_from_the_list_and_only_the_owner_removes_it(creator):
    method = bank(creator)

    with pytest.raises(ServiceError) as refusal:
        payout_method_remove(user=UserFactory(), method_id=method.pk)
    assert refusal.value.code == "method_not_found"

    payout_method_remove(user=creator, method_id=method.pk)

    method.refresh_from_db()
    assert not method.is_active
    with pytest.raises(ServiceError):
        payout_method_remove(user=creator, method_id=method.pk)


# Withdrawals: worked examples ---------------------------------------------------------------------------


def test_a_withdrawal_paid_at_once(wallets, creator, accountant, received, django_capture_on_commit_callbacks):
    method = bank(creator)

    payout = withdrawal_request(user=creator, method_id=method.pk, amount=4000, idempotency_key=key())

    assert (payout.status, payout.amount, payout.currency, payout.gateway) == ("requested", 4000, USD, "sandbox")
    assert wallets.balances() == wallets.expect(outside=-10_000, creator=6000, **{"creator.held": 4000})

    with django_capture_on_commit_callbacks(execute=True):
        payout = withdrawal_approve(actor=accountant, payout_id=payout.pk)

    assert payout.status == PayoutStatus.PAID and payout.paid_at and payout.decided_by == accountant
    assert payout.gateway_payout_id.startswith("sbpo_")
    sent = SandboxPayout.objects.get()
    assert (sent.amount, sent.destination, sent.status, sent.merchant_key) == (
        4000,
        "•••• 3000",
        "paid",
        f"payout:{payout.pk}",
    )
    assert wallets.balances() == wallets.expect(outside=-6000, creator=6000)
    assert Hold.objects.get().status == HoldStatus.POSTED
    assert received.sent == [
        ("payout_paid", {"payout_id": payout.pk, "user_id": creator.pk, "amount": 4000, "currency": USD})
    ]
    assert_ledger_sound()


def test_a_withdrawal_refused_by_the_gateway_gives_the_money_back(wallets, creator, accountant, received):
    method = bank(creator, IBAN_FAILS_AT_ONCE)
    payout = withdrawal_request(user=creator, method_id=method.pk, amount=4000, idempotency_key=key())

    payout = withdrawal_approve(actor=accountant, payout_id=payout.pk)

    assert (payout.status, payout.reason) == (PayoutStatus.FAILED, "account_closed")
    assert Hold.objects.get().status == HoldStatus.VOIDED
    assert wallets.balances() == wallets.expect(outside=-10_000, creator=10_000)
    assert_ledger_sound()


def test_a_withdrawal_that_fails_after_leaving_comes_back_from_transit(wallets, creator, accountant):
    method = bank(creator, IBAN_FAILS_LATER)
    payout = withdrawal_request(user=creator, method_id=method.pk, amount=4000, idempotency_key=key())

    payout = withdrawal_approve(actor=accountant, payout_id=payout.pk)

    assert payout.status == PayoutStatus.APPROVED and payout.gateway_payout_id
    assert wallets.balances() == wallets.expect(outside=-10_000, creator=6000, in_transit=4000)

    settle_payouts()
    assert deliver_webhooks() == ["payout.failed"]

    payout.refresh_from_db()
    assert (payout.status, payout.reason) == (PayoutStatus.FAILED, "account_closed")
    assert wallets.balances() == wallets.expect(outside=-10_000, creator=10_000)
    assert_ledger_sound()


def test_a_withdrawal_confirmed_later_by_webhook(wallets, creator, accountant):
    method = payout_method_add(user=creator, kind="paypal", details={"email": "creator0077@example.com"})
    payout = withdrawal_request(user=creator, method_id=method.pk, amount=2500, idempotency_key=key())
    withdrawal_approve(actor=accountant, payout_id=payout.pk)
    assert wallets.balances() == wallets.expect(outside=-10_000, creator=7500, in_transit=2500)

    settle_payouts()
    deliver_webhooks()
    deliver_webhooks()  # nothing left to deliver

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID
    assert wallets.balances() == wallets.expect(outside=-7500, creator=7500)
    assert_ledger_sound()


def test_a_rejected_withdrawal_is_released_with_its_reason(wallets, creator, accountant):
    method = bank(creator)
    payout = withdrawal_request(user=creator, method_id=method.pk, amount=4000, idempotency_key=key())

    with pytest.raises(ServiceError) as refusal:
        withdrawal_reject(actor=accountant, payout_id=payout.pk, reason=" ")
    assert refusal.value.code == "reason_required"
    payout = withdrawal_reject(actor=accountant, payout_id=payout.pk, reason="Account under review")

    assert (payout.status, payout.reason, payout.decided_by) == (
        PayoutStatus.REJECTED,
        "Account under review",
        accountant,
    )
    assert not SandboxPayout.objects.exists()
    assert wallets.balances() == wallets.expect(outside=-10_000, creator=10_000)
    with pytest.raises(ServiceError) as again:
        withdrawal_approve(actor=accountant, payout_id=payout.pk)
    assert again.value.code == "payout_decided"
    assert_ledger_sound()


# Withdrawals: refusals and idempotency -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "code"), [(999, "amount_too_small"), (10_001, "insufficient_funds"), (None, "amount_too_small")]
)
def test_refused_withdrawals_change_nothing(wallets, creator, amount, code):
    method = bank(creator)
    before = wallets.balances()

    with pytest.raises(ServiceError) as refusal:
        withdrawal_request(user=creator, method_id=method.pk, amount=amount, idempotency_key=key())

    assert refusal.value.code == code
    assert wallets.balances() == before
    assert not Hold.objects.exists()


def test_someone_elses_or_a_removed_method_is_not_found(wallets, creator):
    others = bank(UserFactory())
    removed = bank(creator)
    payout_method_remove(user=creator, method_id=removed.pk)

    for method in (others, removed):
        with pytest.raises(ServiceError) as refusal:
            withdrawal_request(user=creator, method_id=method.pk, amount=2000, idempotency_key=key())
        assert refusal.value.code == "method_not_found"
    assert wallets.balances() == wallets.expect(outside=-10_000, creator=10_000)


def test_same_key_same_request_is_the_same_payout_other_request_is_refused(wallets, creator):
    method = bank(creator)
    idempotency_key = key()
    first = withdrawal_request(user=creator, method_id=method.pk, amount=3000, idempotency_key=idempotency_key)
    rows = Transaction.objects.count()

    again = withdrawal_request(user=creator, method_id=method.pk, amount=3000, idempotency_key=idempotency_key)
    with pytest.raises(ServiceError) as refusal:
        withdrawal_request(user=creator, method_id=method.pk, amount=3500, idempotency_key=idempotency_key)

    assert again.pk == first.pk and again.hold_id == first.hold_id
    assert refusal.value.code == "idempotency_conflict"
    assert Transaction.objects.count() == rows
    assert wallets.balances() == wallets.expect(outside=-10_000, creator=7000, **{"creator.held": 3000})


def test_only_accountants_and_admins_decide(wallets, creator, admin_user):
    method = bank(creator)
    payout = withdrawal_request(user=creator, method_id=method.pk, amount=3000, idempotency_key=key())

    for outsider in (creator, UserFactory(), UserFactory(is_staff=True)):
        with pytest.raises(ServiceError) as refusal:
            withdrawal_approve(actor=outsider, payout_id=payout.pk)
        assert (refusal.value.code, refusal.value.status) == ("forbidden", 403)
        with pytest.raises(ServiceError):
            withdrawal_reject(actor=outsider, payout_id=payout.pk, reason="no")
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.REQUESTED

    assert withdrawal_approve(actor=admin_user, payout_id=payout.pk).status == PayoutStatus.PAID
    with pytest.raises(ServiceError) as missing:
        withdrawal_approve(actor=admin_user, payout_id=999_999)
    assert missing.value.code == "payout_not_found"


def test_stripe_pays_only_connected_accounts(settings, creator):
    settings.STRIPE_SECRET_KEY = "sk_test_123"
    settings.PAYMENTS_DEFAULT_GATEWAY = "stripe"

    with pytest.raises(ServiceError) as refusal:
        bank(creator)

    assert refusal.value.code == "method_not_supported"
    assert payout_method_add(user=creator, kind="stripe_account", details={"account_id": "acct_1Abcdefgh"})
