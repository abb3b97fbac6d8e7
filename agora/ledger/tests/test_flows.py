"""Worked examples: whole money flows, every balance asserted after every step."""

import datetime

import pytest
from django.utils import timezone

from agora.core.errors import ServiceError
from agora.ledger.models import Account, HoldReleaseCondition, HoldStatus
from agora.ledger.selectors import hold_share_list_pending_for_user, wallet_balances
from agora.ledger.services import (
    BusinessObject,
    Move,
    hold_create,
    hold_expire,
    hold_post,
    hold_void,
    ledger_balances_fold,
    ledger_transfer,
)
from agora.ledger.tests.conftest import USD, Book, assert_ledger_sound, key, usd

LINE = BusinessObject("commerce.orderline", "17")
PRICE = 9999
# 15 % commission, then the co-authors' 50/50: weights in basis points of the gross.
COMMISSION, ALICE_SHARE, BOB_SHARE = (part.amount for part in usd(PRICE).split([1500, 4250, 4250]))


@pytest.fixture
def shop(book: Book) -> Book:
    book.wallet("buyer")
    book.wallet("alice")
    book.wallet("bob")
    return book


def transfer(book: Book, kind: str, *moves: tuple[str, str, int]) -> None:
    ledger_transfer(
        idempotency_key=key(),
        kind=kind,
        moves=[Move(book[source], book[destination], usd(amount)) for source, destination, amount in moves],
        actor=None,
        reason=kind,
        business_object=LINE,
    )


def purchase(book: Book, **dates: datetime.datetime):
    buyer = book["buyer"].owner
    return hold_create(
        idempotency_key=key(),
        payer=buyer,
        amount=usd(PRICE),
        release_condition=HoldReleaseCondition.REFUND_WINDOW,
        shares=[
            (book["alice"], usd(ALICE_SHARE)),
            (book["bob"], usd(BOB_SHARE)),
            (book["commission"], usd(COMMISSION)),
        ],
        actor=buyer,
        reason="purchase of a course",
        business_object=LINE,
        **dates,
    )


def release(hold) -> None:
    hold_post(idempotency_key=key(), hold=hold, actor=None, reason="refund window over")


def test_the_split_is_exact():
    assert (COMMISSION, ALICE_SHARE, BOB_SHARE) == (1500, 4250, 4249)
    assert COMMISSION + ALICE_SHARE + BOB_SHARE == PRICE


def test_top_up_goes_from_the_outside_world_through_the_gateway_to_the_wallet(shop: Book):
    transfer(shop, "gateway_capture", ("outside", "clearing", 10000))
    assert shop.balances() == shop.expect(outside=-10000, clearing=10000)

    transfer(shop, "top_up", ("clearing", "buyer", 10000))
    assert shop.balances() == shop.expect(outside=-10000, buyer=10000)
    assert wallet_balances(user=shop["buyer"].owner, currency=USD).available == usd(10000)
    assert_ledger_sound()


def test_purchase_is_held_then_released_to_two_co_authors_and_the_commission(shop: Book):
    shop.fund("buyer", 10000)
    hold = purchase(shop, release_at=timezone.now() + datetime.timedelta(days=7))
    assert shop.balances() == shop.expect(outside=-10000, buyer=1, **{"buyer.held": PRICE})
    buyer_wallet = wallet_balances(user=shop["buyer"].owner, currency=USD)
    assert (buyer_wallet.available, buyer_wallet.held) == (usd(1), usd(PRICE))
    alice_wallet = wallet_balances(user=shop["alice"].owner, currency=USD)
    assert (alice_wallet.available, alice_wallet.pending_earnings) == (usd(0), usd(ALICE_SHARE))
    [pending] = hold_share_list_pending_for_user(user=shop["alice"].owner, currency=USD)
    assert (pending.amount, pending.hold.release_at) == (ALICE_SHARE, hold.release_at)

    release(hold)
    assert shop.balances() == shop.expect(
        outside=-10000, buyer=1, alice=ALICE_SHARE, bob=BOB_SHARE, commission=COMMISSION
    )
    hold.refresh_from_db()
    assert hold.status == HoldStatus.POSTED
    assert wallet_balances(user=shop["alice"].owner, currency=USD).pending_earnings == usd(0)
    assert_ledger_sound()


def test_refund_before_release_voids_the_hold(shop: Book):
    shop.fund("buyer", 10000)
    hold = purchase(shop)
    hold_void(idempotency_key=key(), hold=hold, actor=None, reason="refund within the window")
    assert shop.balances() == shop.expect(outside=-10000, buyer=10000)
    hold.refresh_from_db()
    assert hold.status == HoldStatus.VOIDED
    with pytest.raises(ServiceError) as refused:
        release(hold)
    assert refused.value.code == "hold_not_pending"
    assert shop.balances() == shop.expect(outside=-10000, buyer=10000)
    assert_ledger_sound()


def test_refund_after_release_takes_each_share_back(shop: Book):
    shop.fund("buyer", 10000)
    release(purchase(shop))
    transfer(
        shop,
        "refund",
        ("alice", "buyer", ALICE_SHARE),
        ("bob", "buyer", BOB_SHARE),
        ("commission", "buyer", COMMISSION),
    )
    assert shop.balances() == shop.expect(outside=-10000, buyer=10000)
    assert_ledger_sound()


def test_refund_after_a_payout_books_a_receivable_never_a_silent_negative(shop: Book):
    shop.fund("buyer", 10000)
    release(purchase(shop))
    transfer(shop, "payout_request", ("alice", "in_transit", ALICE_SHARE))
    transfer(shop, "payout_sent", ("in_transit", "clearing", ALICE_SHARE))
    transfer(shop, "payout_settled", ("clearing", "outside", ALICE_SHARE))
    after_payout = shop.expect(outside=-10000 + ALICE_SHARE, buyer=1, bob=BOB_SHARE, commission=COMMISSION)
    assert shop.balances() == after_payout

    # Taking Alice's share from her (empty) available balance is refused, and nothing moves ...
    with pytest.raises(ServiceError) as refused:
        transfer(shop, "refund", ("alice", "buyer", ALICE_SHARE), ("bob", "buyer", BOB_SHARE))
    assert refused.value.code == "insufficient_funds"
    assert shop.balances() == after_payout

    # ... so her share comes from her receivable: she owes it to the platform.
    transfer(
        shop,
        "refund",
        ("alice.receivable", "buyer", ALICE_SHARE),
        ("bob", "buyer", BOB_SHARE),
        ("commission", "buyer", COMMISSION),
    )
    assert shop.balances() == shop.expect(
        outside=-10000 + ALICE_SHARE, buyer=10000, **{"alice.receivable": -ALICE_SHARE}
    )
    assert wallet_balances(user=shop["alice"].owner, currency=USD).receivable == usd(-ALICE_SHARE)

    # Her next earnings pay it back; paying back more than she owes is refused.
    shop.fund("alice", 5000)
    with pytest.raises(ServiceError) as refused:
        transfer(shop, "receivable_repayment", ("alice", "alice.receivable", ALICE_SHARE + 1))
    assert refused.value.code == "receivable_exceeded"
    transfer(shop, "receivable_repayment", ("alice", "alice.receivable", ALICE_SHARE))
    assert shop.balances() == shop.expect(outside=-15000 + ALICE_SHARE, buyer=10000, alice=5000 - ALICE_SHARE)
    assert_ledger_sound()


def test_payout_success_and_failure(shop: Book):
    shop.fund("alice", 7000)
    transfer(shop, "payout_request", ("alice", "in_transit", 3000))
    assert shop.balances() == shop.expect(outside=-7000, alice=4000, in_transit=3000)
    transfer(shop, "payout_sent", ("in_transit", "clearing", 3000))
    transfer(shop, "payout_settled", ("clearing", "outside", 3000))
    assert shop.balances() == shop.expect(outside=-4000, alice=4000)

    transfer(shop, "payout_request", ("alice", "in_transit", 4000))
    assert shop.balances() == shop.expect(outside=-4000, in_transit=4000)
    transfer(shop, "payout_failed", ("in_transit", "alice", 4000))
    assert shop.balances() == shop.expect(outside=-4000, alice=4000)

    with pytest.raises(ServiceError) as refused:  # a payout ≤ available (I14)
        transfer(shop, "payout_request", ("alice", "in_transit", 4001))
    assert refused.value.code == "insufficient_funds"
    assert shop.balances() == shop.expect(outside=-4000, alice=4000)
    assert_ledger_sound()


def test_partial_post_gives_the_rest_back(shop: Book):
    shop.fund("buyer", 10000)
    hold = purchase(shop)
    hold_post(
        idempotency_key=key(),
        hold=hold,
        destinations=[(shop["alice"], usd(5000)), (shop["commission"], usd(1000))],
        actor=None,
        reason="dispute settled: part refunded",
    )
    assert shop.balances() == shop.expect(outside=-10000, buyer=10000 - 6000, alice=5000, commission=1000)
    assert_ledger_sound()


def test_an_expired_hold_goes_back_to_the_payer_only_after_its_expiry(shop: Book):
    shop.fund("buyer", 10000)
    expires_at = timezone.now() + datetime.timedelta(minutes=30)
    hold = purchase(shop, expires_at=expires_at)
    with pytest.raises(ServiceError) as refused:
        hold_expire(idempotency_key=key(), hold=hold, actor=None, reason="lapsed")
    assert refused.value.code == "hold_not_expired"
    assert shop.balances() == shop.expect(outside=-10000, buyer=1, **{"buyer.held": PRICE})

    hold_expire(idempotency_key=key(), hold=hold, actor=None, reason="lapsed", now=expires_at)
    hold.refresh_from_db()
    assert hold.status == HoldStatus.EXPIRED
    assert shop.balances() == shop.expect(outside=-10000, buyer=10000)
    assert_ledger_sound()


def test_folding_moves_deltas_into_cached_balances_without_changing_any_balance(shop: Book):
    shop.fund("buyer", 10000)
    release(purchase(shop))
    before = shop.balances()
    assert ledger_balances_fold() > 0
    assert ledger_balances_fold() == 0
    assert shop.balances() == before
    cached = {name: Account.objects.get(pk=account.pk).balance for name, account in shop.accounts.items()}
    assert cached == before
    assert_ledger_sound()
