"""Money rules (PROMISES M1-M4): integer minor units, round-half-even once per line, allocation
that never loses or creates a cent."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.money import Money, allocate, basis_points, line_amount, round_half_even

USD = "usd"


def test_money_refuses_floats_and_bools():
    with pytest.raises(TypeError):
        Money(12.5, USD)
    with pytest.raises(TypeError):
        Money(True, USD)


def test_money_refuses_unknown_currency():
    with pytest.raises(InvalidInput) as raised:
        Money(100, "xyz")
    assert raised.value.field == "currency"


def test_money_does_not_mix_currencies():
    with pytest.raises(ValueError):
        Money(1, "usd") + Money(1, "eur")


@pytest.mark.parametrize(
    ("minutes", "rate", "expected"),
    [
        (60, 2500, 2500),  # an hour at $25
        (1, 30, 0),  # 0.5 cent: tie, to even (0)
        (3, 30, 2),  # 1.5 cents: tie, to even (2)
        (5, 30, 2),  # 2.5 cents: tie, to even (2)
        (7, 30, 4),  # 3.5 cents: tie, to even (4)
        (750, 1999, 24988),  # 12.5 h at $19.99 = 249.875 -> 249.88
        (0, 2500, 0),
    ],
)
def test_line_amount_rounds_half_even_once(minutes, rate, expected):
    assert line_amount(minutes, Money(rate, USD)) == Money(expected, USD)


def test_line_is_rounded_once_not_per_entry():
    rate = Money(30, USD)  # half a cent a minute
    per_entry = sum(line_amount(1, rate).minor for _ in range(3))
    assert per_entry == 0  # three ties rounded down to even
    assert line_amount(3, rate).minor == 2  # the line of 3 minutes: 1.5 -> 2


@given(st.integers(0, 100_000), st.integers(0, 1_000_000))
def test_line_amount_matches_exact_oracle(minutes, rate):
    exact = Fraction(minutes * rate, 60)
    got = line_amount(minutes, Money(rate, USD)).minor
    assert abs(Fraction(got) - exact) <= Fraction(1, 2)
    if abs(Fraction(got) - exact) == Fraction(1, 2):
        assert got % 2 == 0


def test_round_half_even_is_exact_on_fractions():
    assert round_half_even(Fraction(5, 2)) == 2
    assert round_half_even(Fraction(7, 2)) == 4
    assert round_half_even(Fraction(-5, 2)) == -2


def test_basis_points():
    assert basis_points(Money(10_000, USD), 500) == Money(500, USD)
    assert basis_points(Money(1, USD), 5000) == Money(0, USD)  # 0.5 -> 0 (even)


@given(
    st.integers(0, 10**9),
    st.lists(st.integers(0, 1000), min_size=1, max_size=20).filter(lambda w: sum(w) > 0),
)
def test_allocate_never_loses_or_creates_a_cent(total, weights):
    parts = allocate(Money(total, USD), weights)
    assert sum(p.minor for p in parts) == total
    whole = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(Fraction(part.minor) - Fraction(total * weight, whole)) < 1


def test_allocate_refuses_zero_weights():
    with pytest.raises(InvalidInput):
        allocate(Money(100, USD), [0, 0])


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (2150, "usd", "21.50"),
        (5, "usd", "0.05"),
        (0, "eur", "0.00"),
        (-1999, "usd", "-19.99"),
        (1500, "jpy", "1500"),
    ],
)
def test_amounts_read_as_people_write_them(minor, currency, text):
    from chalicelib.domain.money import format_amount

    assert format_amount(minor, currency) == text
