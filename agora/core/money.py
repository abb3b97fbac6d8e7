"""Money: an integer amount in minor units with its currency. No floats anywhere."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True, slots=True)
class Money:
    """`Money(amount=1999, currency="USD")` is 19.99 US dollars."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if type(self.amount) is not int:  # bool and float are refused, not converted
            raise TypeError(f"Money amount must be an int of minor units, not {type(self.amount).__name__}")
        if not isinstance(self.currency, str) or not _CURRENCY.match(self.currency):
            raise ValueError(f"Money currency must be a three-letter upper-case code, not {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> Self:
        return cls(0, currency)

    def __add__(self, other: "Money") -> "Money":
        return Money(self.amount + self._same_currency(other).amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        return Money(self.amount - self._same_currency(other).amount, self.currency)

    def __neg__(self) -> "Money":
        return Money(-self.amount, self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def split(self, weights: Sequence[int]) -> list["Money"]:
        """Allocate this amount over `weights` exactly (largest remainder; ties go to the earlier weight).

        `Money(9999, "USD").split([1500, 4250, 4250])` is 1500, 4250, 4249: the parts always add up to
        the whole, and each part is within one minor unit of its exact share.
        """
        if not weights or any(type(weight) is not int or weight < 0 for weight in weights):
            raise ValueError("weights must be a non-empty sequence of non-negative ints")
        total = sum(weights)
        if total == 0:
            raise ValueError("weights must not all be zero")
        sign, whole = (-1, -self.amount) if self.amount < 0 else (1, self.amount)
        floors = [whole * weight // total for weight in weights]
        remainders = [whole * weight % total for weight in weights]
        left = whole - sum(floors)
        by_remainder = sorted(range(len(weights)), key=lambda index: (-remainders[index], index))
        for index in by_remainder[:left]:
            floors[index] += 1
        return [Money(sign * part, self.currency) for part in floors]

    def _same_currency(self, other: "Money") -> "Money":
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")
        return other
