"""Money: an integer amount of minor units (cents) with an ISO 4217 currency. Never a float."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from chalicelib.domain.currencies import CURRENCY_EXPONENTS
from chalicelib.domain.errors import InvalidInput


@dataclass(frozen=True, order=True)
class Money:
    minor: int
    currency: str

    def __post_init__(self):
        # bool is an int subclass; a float or a Decimal must never sneak in as an amount.
        if type(self.minor) is not int:
            raise TypeError(f"Money.minor must be an int of minor units, not {type(self.minor).__name__}")
        if self.currency not in CURRENCY_EXPONENTS:
            raise InvalidInput(f"unsupported currency {self.currency!r}", field="currency")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def _same_currency(self, other: object) -> None:
        # `other` is checked at run time too: an int added to Money is a bug to stop here.
        if not isinstance(other, Money) or other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {getattr(other, 'currency', other)!r}")

    def to_json(self) -> dict[str, Any]:
        return {"amount": self.minor, "currency": self.currency}


def round_half_even(value: Fraction) -> int:
    """Round an exact fraction to the nearest integer, ties to even (banker's rounding).

    Python's round() on a Fraction is already exact and ties-to-even; this names the rule the
    design asks for so that call sites read as the rule, and pins it with tests."""
    return round(value)


def line_amount(minutes: int, rate_per_hour: Money) -> Money:
    """A contract's weekly line: round-half-even(minutes x rate / 60), rounded once per line."""
    if type(minutes) is not int or minutes < 0:
        raise InvalidInput("minutes must be a non-negative integer", field="minutes")
    return Money(round_half_even(Fraction(minutes * rate_per_hour.minor, 60)), rate_per_hour.currency)


def basis_points(amount: Money, bps: int) -> Money:
    """A fee of `bps` basis points of `amount`, rounded half-even once."""
    return Money(round_half_even(Fraction(amount.minor * bps, 10_000)), amount.currency)


def allocate(total: Money, weights: list[int]) -> list[Money]:
    """Split `total` in proportion to `weights` without losing or creating a cent.

    Largest-remainder method: each part is floor(share), and the cents left over go to the parts
    with the largest remainders (earliest first on ties), so every part is within one unit of its
    exact share and the parts sum to the whole."""
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise InvalidInput("weights must be non-negative and not all zero", field="weights")
    whole = sum(weights)
    exact = [Fraction(total.minor * w, whole) for w in weights]
    parts = [e.numerator // e.denominator for e in exact]
    leftover = total.minor - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return [Money(p, total.currency) for p in parts]


def format_amount(minor: int, currency: str) -> str:
    """Minor units as the major-unit text people read and type: 2150 usd -> '21.50' (exact, via
    integer arithmetic; never a float)."""
    exponent = CURRENCY_EXPONENTS[currency]
    if exponent == 0:
        return str(minor)
    sign = "-" if minor < 0 else ""
    whole, part = divmod(abs(minor), 10**exponent)
    return f"{sign}{whole}.{part:0{exponent}d}"
