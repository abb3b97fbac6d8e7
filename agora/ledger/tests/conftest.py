"""Ledger test helpers: a book of named accounts, funding, whole-balance snapshots, invariant checks."""

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection, connections

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.core.money import Money
from agora.ledger.models import Account, AccountKind
from agora.ledger.selectors import account_balance, ledger_invariants_check
from agora.ledger.services import (
    BusinessObject,
    Move,
    ledger_transfer,
    system_account_ensure,
    wallet_account_ensure,
)

USD = "USD"
TEST_OBJECT = BusinessObject("tests.case", "1")


def usd(amount: int) -> Money:
    return Money(amount, USD)


def key() -> str:
    return f"test:{uuid.uuid4()}"


def assert_ledger_sound() -> None:
    """Run the checks PostgreSQL defers to commit (when the test itself is one transaction), then
    every invariant of QUALITY.md §2 that the ledger can see."""
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert ledger_invariants_check() == []


@dataclass
class Book:
    """Named accounts of one currency, so a test can assert every balance at once."""

    accounts: dict[str, Account] = field(default_factory=dict)

    @classmethod
    def open(cls) -> "Book":
        book = cls()
        book.accounts["outside"] = system_account_ensure(kind=AccountKind.OUTSIDE_WORLD, currency=USD)
        book.accounts["clearing"] = system_account_ensure(
            kind=AccountKind.GATEWAY_CLEARING, currency=USD, gateway="sandbox"
        )
        book.accounts["commission"] = system_account_ensure(kind=AccountKind.COMMISSION, currency=USD)
        book.accounts["in_transit"] = system_account_ensure(kind=AccountKind.PAYOUTS_IN_TRANSIT, currency=USD)
        return book

    def wallet(self, name: str, user: User | None = None) -> User:
        """A user with available, held and receivable accounts named `<name>`, `<name>.held`, ..."""
        user = user or UserFactory(display_name=name)
        self.accounts[name] = wallet_account_ensure(user=user, kind=AccountKind.AVAILABLE, currency=USD)
        self.accounts[f"{name}.held"] = wallet_account_ensure(user=user, kind=AccountKind.HELD, currency=USD)
        self.accounts[f"{name}.receivable"] = wallet_account_ensure(
            user=user, kind=AccountKind.RECEIVABLE, currency=USD
        )
        return user

    def __getitem__(self, name: str) -> Account:
        return self.accounts[name]

    def balances(self) -> dict[str, int]:
        """Every named account's whole balance (folded + deltas)."""
        return {name: account_balance(account=account).amount for name, account in self.accounts.items()}

    def expect(self, **nonzero: int) -> dict[str, int]:
        """The full expected balances: the named ones, zero for every other account."""
        unknown = set(nonzero) - set(self.accounts)
        assert not unknown, unknown
        return {name: nonzero.get(name, 0) for name in self.accounts}

    def fund(self, name: str, amount: int) -> None:
        """A top-up through the sandbox gateway: outside world → clearing → available."""
        ledger_transfer(
            idempotency_key=key(),
            kind="top_up",
            moves=[
                Move(self["outside"], self["clearing"], usd(amount)),
                Move(self["clearing"], self[name], usd(amount)),
            ],
            actor=None,
            reason="test funding",
            business_object=TEST_OBJECT,
        )


@pytest.fixture
def book(db: Any) -> Book:
    return Book.open()


@pytest.fixture
def transactional_book(transactional_db: Any) -> Book:
    return Book.open()


@dataclass
class Outcome:
    results: list[Any] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def race(jobs: list[Callable[[], Any]], *, threads: int = 8) -> Outcome:
    """Run `jobs` on up to `threads` threads (each its own connection) that start together at a
    barrier; collect each job's result or exception."""
    outcome = Outcome()
    queue = list(reversed(jobs))
    workers = min(threads, len(jobs))
    barrier = threading.Barrier(workers)

    def worker() -> None:
        try:
            barrier.wait()
            while True:
                with outcome.lock:
                    if not queue:
                        return
                    job = queue.pop()
                try:
                    result = job()
                except BaseException as error:
                    with outcome.lock:
                        outcome.errors.append(error)
                else:
                    with outcome.lock:
                        outcome.results.append(result)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a racing thread hung"
    return outcome
