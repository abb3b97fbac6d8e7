"""Hypothesis drives random sequences of ledger commands against a simple model of the balances;
after every step the balances match the model and every invariant holds."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from agora.core.errors import ServiceError
from agora.ledger.models import Hold, HoldReleaseCondition, Transaction
from agora.ledger.selectors import ledger_invariants_check
from agora.ledger.services import (
    Move,
    hold_create,
    hold_post,
    hold_void,
    ledger_balances_fold,
    ledger_transfer,
    transaction_reverse,
)
from agora.ledger.tests.conftest import TEST_OBJECT, Book, key, usd

USERS = ["u0", "u1", "u2"]
amounts = st.integers(min_value=1, max_value=400)
users = st.sampled_from(USERS)


@dataclass
class Done:
    """A command that succeeded, to be retried with its key: it must give the same result."""

    call: Callable[[], object]
    result: int


@dataclass
class HeldPurchase:
    payer: str
    amount: int
    shares: dict[str, int]
    pending: bool = True


class LedgerMachine(RuleBasedStateMachine):
    counts: Counter[str] = Counter()  # over every example run: examples, invariant checks, retries, violations

    def __init__(self) -> None:
        super().__init__()
        self.counts["examples"] += 1
        self.book = Book.open()
        for name in USERS:
            self.book.wallet(name)
        self.model = self.book.balances()  # system accounts carry what earlier examples left
        self.done: list[Done] = []
        self.holds: dict[int, HeldPurchase] = {}
        self.reversible: dict[int, dict[str, int]] = {}  # transaction → its movement per account name

    def expect_refusal(self, code: str, call: Callable[[], object]) -> None:
        with pytest.raises(ServiceError) as refused:
            call()
        assert refused.value.code == code

    def move(self, movement: dict[str, int]) -> None:
        for name, amount in movement.items():
            self.model[name] += amount

    def affordable(self, movement: dict[str, int]) -> bool:
        return all(self.model[name] + amount >= 0 for name, amount in movement.items() if not name.startswith("out"))

    @rule(user=users, amount=amounts)
    def top_up(self, user: str, amount: int) -> None:
        self.book.fund(user, amount)
        self.move({"outside": -amount, user: amount})

    @rule(source=users, destination=st.sampled_from([*USERS, "commission"]), amount=amounts)
    def transfer(self, source: str, destination: str, amount: int) -> None:
        if source == destination:
            return
        movement = {source: -amount, destination: amount}
        idempotency_key = key()

        def call():
            return ledger_transfer(
                idempotency_key=idempotency_key,
                kind="purchase",
                moves=[Move(self.book[source], self.book[destination], usd(amount))],
                actor=None,
                reason="stateful",
                business_object=TEST_OBJECT,
            )

        if not self.affordable(movement):
            self.expect_refusal("insufficient_funds", call)
            return
        booked = call()
        self.move(movement)
        self.done.append(Done(call, booked.pk))
        self.reversible[booked.pk] = movement

    @rule(payer=users, creator=users, amount=amounts)
    def purchase(self, payer: str, creator: str, amount: int) -> None:
        if payer == creator:
            return
        commission, share = usd(amount).split([1500, 8500])
        idempotency_key = key()

        def call():
            return hold_create(
                idempotency_key=idempotency_key,
                payer=self.book[payer].owner,
                amount=usd(amount),
                release_condition=HoldReleaseCondition.REFUND_WINDOW,
                shares=[(self.book[creator], share)]
                + ([(self.book["commission"], commission)] if commission.amount else []),
                actor=None,
                reason="stateful",
                business_object=TEST_OBJECT,
            )

        if self.model[payer] < amount:
            self.expect_refusal("insufficient_funds", call)
            return
        hold = call()
        self.move({payer: -amount, f"{payer}.held": amount})
        self.holds[hold.pk] = HeldPurchase(payer, amount, {creator: share.amount, "commission": commission.amount})
        self.done.append(Done(call, hold.pk))

    @precondition(lambda self: self.holds)
    @rule(data=st.data(), post=st.booleans())
    def resolve(self, data: st.DataObject, post: bool) -> None:
        hold_id = data.draw(st.sampled_from(sorted(self.holds)))
        held = self.holds[hold_id]
        idempotency_key = key()
        hold = Hold.objects.get(pk=hold_id)
        command = hold_post if post else hold_void

        def call():
            return command(idempotency_key=idempotency_key, hold=hold, actor=None, reason="stateful")

        if not held.pending:
            self.expect_refusal("hold_not_pending", call)
            return
        booked = call()
        held.pending = False
        destinations = (
            {name: amount for name, amount in held.shares.items() if amount} if post else {held.payer: held.amount}
        )
        self.move({f"{held.payer}.held": -held.amount})
        self.move(destinations)
        self.done.append(Done(call, booked.pk))

    @precondition(lambda self: self.reversible)
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        transaction_id = data.draw(st.sampled_from(sorted(self.reversible)))
        back = {name: -amount for name, amount in self.reversible[transaction_id].items()}
        original = Transaction.objects.get(pk=transaction_id)
        idempotency_key = key()

        def call():
            return transaction_reverse(
                idempotency_key=idempotency_key, transaction=original, actor=None, reason="stateful"
            )

        if not self.affordable(back):
            self.expect_refusal("insufficient_funds", call)
            return
        booked = call()
        self.move(back)
        del self.reversible[transaction_id]
        self.done.append(Done(call, booked.pk))
        self.expect_refusal(
            "already_reversed",
            lambda: transaction_reverse(idempotency_key=key(), transaction=original, actor=None, reason="again"),
        )

    @precondition(lambda self: self.done)
    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        """The same key and request again, whatever happened since: the first result, nothing moves."""
        done = data.draw(st.sampled_from(self.done))
        result = done.call()
        self.counts["retries"] += 1
        self.counts["changed_results"] += result.pk != done.result
        assert result.pk == done.result

    @rule()
    def fold(self) -> None:
        ledger_balances_fold()

    @invariant()
    def balances_match_the_model(self) -> None:
        self.counts["checks"] += 1  # after the machine is set up, then after every step
        matches = self.book.balances() == self.model
        self.counts["violations"] += not matches
        assert matches

    @invariant()
    def ledger_is_sound(self) -> None:
        violations = ledger_invariants_check()
        self.counts["violations"] += len(violations)
        assert violations == []


@pytest.mark.django_db(transaction=True)
def test_random_command_sequences_keep_every_invariant(quality_figure):
    LedgerMachine.counts.clear()
    try:
        run_state_machine_as_test(
            LedgerMachine,
            settings=settings(
                max_examples=40,
                stateful_step_count=30,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
    finally:
        counts = LedgerMachine.counts
        quality_figure(
            "ledger_hypothesis",
            examples=counts["examples"],
            steps=counts["checks"] - counts["examples"],
            checks=counts["checks"],
            violations=counts["violations"],
            retries=counts["retries"],
            changed_results=counts["changed_results"],
        )
