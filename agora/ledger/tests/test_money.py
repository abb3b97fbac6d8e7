"""Money (agora.core.money): integer minor units, exact splits (I6)."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agora.core.money import Money


def test_addition_subtraction_negation_keep_the_currency():
    assert Money(1999, "USD") + Money(1, "USD") == Money(2000, "USD")
    assert Money(1999, "USD") - Money(2000, "USD") == Money(-1, "USD")
    assert -Money(5, "EUR") == Money(-5, "EUR")


def test_currencies_do_not_mix():
    with pytest.raises(ValueError, match="USD with EUR"):
        Money(1, "USD") + Money(1, "EUR")


@pytest.mark.parametrize("amount", [1.5, 1.0, True, "3"])
def test_only_integer_amounts(amount):
    with pytest.raises(TypeError):
        Money(amount, "USD")


@pytest.mark.parametrize("currency", ["usd", "US", "USDT", ""])
def test_currency_is_a_three_letter_code(currency):
    with pytest.raises(ValueError):
        Money(1, currency)


def test_a_sale_splits_into_commission_and_two_equal_shares_exactly():
    # 15 % commission, the rest 50/50 between two co-authors: weights in basis points.
    assert Money(9999, "USD").split([1500, 4250, 4250]) == [Money(1500, "USD"), Money(4250, "USD"), Money(4249, "USD")]
    assert Money(10000, "USD").split([1500, 4250, 4250]) == [
        Money(1500, "USD"),
        Money(4250, "USD"),
        Money(4250, "USD"),
    ]


def test_ties_go_to_the_earlier_weight_and_zero_weights_get_nothing():
    assert Money(2, "USD").split([1, 1, 1]) == [Money(1, "USD"), Money(1, "USD"), Money(0, "USD")]
    assert Money(5, "USD").split([0, 1, 1]) == [Money(0, "USD"), Money(3, "USD"), Money(2, "USD")]


def test_a_negative_amount_splits_like_its_opposite():
    assert Money(-9999, "USD").split([1500, 4250, 4250]) == [
        -part for part in Money(9999, "USD").split([1500, 4250, 4250])
    ]


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1], [1.5]])
def test_bad_weights_are_refused(weights):
    with pytest.raises(ValueError):
        Money(100, "USD").split(weights)


@given(
    amount=st.integers(min_value=-(10**12), max_value=10**12),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12).filter(any),
)
def test_split_adds_up_and_each_part_is_within_one_unit_of_its_share(amount, weights):
    parts = Money(amount, "USD").split(weights)
    assert sum(part.amount for part in parts) == amount
    total = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = Fraction(amount * weight, total)
        assert abs(part.amount - exact) < 1
        if weight == 0:
            assert part.amount == 0
