"""Reads: a fixed number of queries whatever the data, and the figures a wallet page shows."""

import datetime

from django.utils import timezone

from agora.ledger.models import HoldReleaseCondition
from agora.ledger.selectors import (
    entry_list_for_user,
    hold_list_due_for_release,
    hold_share_list_pending_for_user,
    wallet_balances,
)
from agora.ledger.services import Move, hold_create, ledger_transfer
from agora.ledger.tests.conftest import TEST_OBJECT, USD, Book, key, usd


def purchases(book: Book, count: int, *, release_at: datetime.datetime) -> None:
    buyer = book["buyer"].owner
    for _ in range(count):
        hold_create(
            idempotency_key=key(),
            payer=buyer,
            amount=usd(100),
            release_condition=HoldReleaseCondition.REFUND_WINDOW,
            release_at=release_at,
            shares=[(book["creator"], usd(85)), (book["commission"], usd(15))],
            actor=buyer,
            reason="purchase",
            business_object=TEST_OBJECT,
        )


def test_wallet_figures_take_one_query_however_many_holds(book: Book, django_assert_num_queries):
    buyer, creator = book.wallet("buyer"), book.wallet("creator")
    book.fund("buyer", 10_000)
    soon = timezone.now() + datetime.timedelta(days=7)
    for count in (1, 20):
        purchases(book, count, release_at=soon)
        with django_assert_num_queries(1):
            creator_wallet = wallet_balances(user=creator, currency=USD)
        with django_assert_num_queries(1):
            shares = list(hold_share_list_pending_for_user(user=creator, currency=USD))
        with django_assert_num_queries(1):
            history = list(entry_list_for_user(user=buyer, currency=USD))
            assert {entry.transaction.kind for entry in history} == {"top_up", "hold.create"}
    assert creator_wallet.pending_earnings == usd(21 * 85)
    assert [share.amount for share in shares] == [85] * 21
    assert wallet_balances(user=buyer, currency=USD).held == usd(2100)
    assert wallet_balances(user=buyer, currency=USD).available == usd(10_000 - 2100)


def test_history_filters_by_kind_newest_first(book: Book):
    buyer = book.wallet("buyer")
    book.wallet("creator")
    book.fund("buyer", 500)
    ledger_transfer(
        idempotency_key=key(),
        kind="purchase",
        moves=[Move(book["buyer"], book["creator"], usd(200))],
        actor=buyer,
        reason="purchase",
        business_object=TEST_OBJECT,
    )
    kinds = [entry.transaction.kind for entry in entry_list_for_user(user=buyer, currency=USD)]
    assert kinds == ["purchase", "top_up"]
    purchases_only = entry_list_for_user(user=buyer, currency=USD, kinds=["purchase"])
    assert [entry.amount for entry in purchases_only] == [-200]


def test_holds_due_for_release(book: Book):
    book.wallet("buyer")
    book.wallet("creator")
    book.fund("buyer", 1000)
    now = timezone.now()
    purchases(book, 2, release_at=now - datetime.timedelta(minutes=1))
    purchases(book, 1, release_at=now + datetime.timedelta(days=1))
    assert len(hold_list_due_for_release(now=now)) == 2
