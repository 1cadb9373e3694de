"""Sane bounds for the numbers people type, and warnings where two numbers disagree.

**Hourly rates** (an opening's range, an agent's lowest rate, an application's proposal, an
offer's rate and an amendment's), in minor units per hour, per currency (RATE_BOUNDS):

| currency | lowest an hour | highest an hour |
|---|---|---|
| USD, EUR, GBP, CAD, AUD | 1.00 (100) | 1,000.00 (100,000) |
| JPY (no minor unit) | 100 | 150,000 |

Fractional support work is paid from a few units to a few hundred an hour; 1,000 an hour (about
150,000 yen) is far above any support rate and still below what would overflow an invoice line
(round-half-even(minutes x rate / 60) over a week of 10,080 minutes stays under 2^53). A rate
outside the bounds is refused naming its field, in the portal and the API alike.

**Warnings** (`offer_warnings`): numbers that may be meant but contradict each other pass only after
the business has read them on the offer's confirmation: a weekly cap above the opening's hours a
week or above what the offer's own windows hold, a block larger than the opening's, a rate
outside the opening's range, an agent's lowest rate above the rate offered. The API makes the
offer and answers the same warnings beside it, each with the field it is about."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.money import Money, format_amount

# currency -> (lowest, highest) hourly rate in minor units
RATE_BOUNDS: dict[str, tuple[int, int]] = {
    "usd": (100, 100_000),
    "eur": (100, 100_000),
    "gbp": (100, 100_000),
    "cad": (100, 100_000),
    "aud": (100, 100_000),
    "jpy": (100, 150_000),
}


def _money(minor: int, currency: str) -> str:
    """'1,000.00 GBP': the amount as people read it, with its currency."""
    whole, dot, part = format_amount(minor, currency).partition(".")
    return f"{int(whole):,}{dot}{part} {currency.upper()}"


def rate_bounds(currency: str) -> tuple[int, int]:
    bounds = RATE_BOUNDS.get(currency.lower())
    if bounds is None:
        raise InvalidInput(f"deskhire has no rates in {currency.upper()}", field="currency")
    return bounds


def check_rate(rate: Money, *, field: str) -> Money:
    """The rate if it is within its currency's bounds; else InvalidInput naming `field`."""
    low, high = rate_bounds(rate.currency)
    if not low <= rate.minor <= high:
        raise InvalidInput(
            f"a rate is {_money(low, rate.currency)} to {_money(high, rate.currency)} an hour",
            field=field,
        )
    return rate


@dataclass(frozen=True)
class OfferWarning:
    """One disagreement: the offer's field it is about (as the API names it: weekly_cap_minutes,
    block_minutes, rate) and a sentence that says it."""

    field: str
    message: str


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" if not rest else f"{hours} h {rest:02d}"


def offer_warnings(
    *,
    rate: Money,
    weekly_cap_minutes: int | None,
    block_minutes: int | None,
    window_minutes: int,
    opening_minutes_per_week: int | None,
    opening_block_minutes: int | None,
    opening_rate_min: Money,
    opening_rate_max: Money,
    agent_name: str,
    agent_min_rate: Money | None,
) -> list[OfferWarning]:
    """What in an offer disagrees with its opening, its own schedule or the agent's lowest rate,
    one sentence each, with the field it is about (empty: nothing to warn about)."""
    said: list[OfferWarning] = []
    if weekly_cap_minutes is not None:
        if opening_minutes_per_week is not None and weekly_cap_minutes > opening_minutes_per_week:
            said.append(
                OfferWarning(
                    "weekly_cap_minutes",
                    f"The offer's cap of {_hours(weekly_cap_minutes)} a week is more than the "
                    f"{_hours(opening_minutes_per_week)} a week the opening asks for.",
                )
            )
        if window_minutes and weekly_cap_minutes > window_minutes:
            said.append(
                OfferWarning(
                    "weekly_cap_minutes",
                    f"The offer's cap of {_hours(weekly_cap_minutes)} a week is more than its windows hold "
                    f"({_hours(window_minutes)} a week): the agent could only reach it by working outside "
                    "them.",
                )
            )
    if (
        block_minutes is not None
        and opening_block_minutes is not None
        and block_minutes > opening_block_minutes
    ):
        said.append(
            OfferWarning(
                "block_minutes",
                f"The offer's block of {_hours(block_minutes)} is larger than the opening's "
                f"{_hours(opening_block_minutes)}.",
            )
        )
    if rate.currency == opening_rate_min.currency and not (
        opening_rate_min.minor <= rate.minor <= opening_rate_max.minor
    ):
        side = "below" if rate.minor < opening_rate_min.minor else "above"
        said.append(
            OfferWarning(
                "rate",
                f"The rate of {_money(rate.minor, rate.currency)} an hour is {side} the opening's range "
                f"({_money(opening_rate_min.minor, rate.currency)} to "
                f"{_money(opening_rate_max.minor, rate.currency)}).",
            )
        )
    if (
        agent_min_rate is not None
        and agent_min_rate.currency == rate.currency
        and agent_min_rate.minor > rate.minor
    ):
        said.append(
            OfferWarning(
                "rate",
                f"{agent_name} asks at least {_money(agent_min_rate.minor, rate.currency)} an hour; "
                f"this offer pays {_money(rate.minor, rate.currency)}.",
            )
        )
    return said
