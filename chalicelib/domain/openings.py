"""An opening: the support a business wants covered, and its life from draft to closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from chalicelib.domain.bounds import check_rate
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.money import Money
from chalicelib.domain.schedule import WeeklySchedule

MAX_MINUTES_PER_WEEK = 168 * 60


class OpeningStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PAUSED = "paused"
    FILLED = "filled"
    CLOSED = "closed"


# Which status each action leads to, from which statuses.
TRANSITIONS = {
    "publish": ({OpeningStatus.DRAFT, OpeningStatus.PAUSED}, OpeningStatus.OPEN),
    "pause": ({OpeningStatus.OPEN}, OpeningStatus.PAUSED),
    "close": (
        {OpeningStatus.DRAFT, OpeningStatus.OPEN, OpeningStatus.PAUSED, OpeningStatus.FILLED},
        OpeningStatus.CLOSED,
    ),
}


def next_status(current: OpeningStatus, action: str) -> OpeningStatus:
    if action not in TRANSITIONS:
        raise InvalidInput(f"unknown action {action!r}", field="action")
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        raise Conflict(f"an opening that is {current} cannot {action}", code="illegal_transition")
    return target


def hours_to_minutes(hours: object, *, field: str) -> int:
    """Fractional hours (12.5) to whole minutes, in steps of a quarter hour, at most a week. Any
    value is checked (a JSON true is an int to Python), hence `object`."""
    if isinstance(hours, bool) or not isinstance(hours, (int, float)):
        raise InvalidInput("hours are a number such as 12.5", field=field)
    quarters = hours * 4
    if hours <= 0 or not float(quarters).is_integer():
        raise InvalidInput("hours come in quarter hours: 10, 12.25, 12.5, 12.75...", field=field)
    minutes = int(quarters) * 15
    if minutes > MAX_MINUTES_PER_WEEK:
        raise InvalidInput("a week has 168 hours", field=field)
    return minutes


@dataclass(frozen=True)
class OpeningTerms:
    """What an opening asks for, checked as a whole."""

    languages: dict[str, int]  # language -> minimum level rank
    skills: frozenset[str]  # helpdesk tools and channels, all required
    products: frozenset[str]
    coverage: WeeklySchedule
    minutes_per_week: int | None  # hourly openings
    block_minutes: int | None  # block openings
    rate_min: Money
    rate_max: Money
    tier: int
    seats: int
    start_date: date

    def __post_init__(self):
        if (self.minutes_per_week is None) == (self.block_minutes is None):
            raise InvalidInput("give either hours_per_week or block_hours", field="hours_per_week")
        if not self.languages:
            raise InvalidInput("ask for at least one language", field="languages")
        if self.rate_min.currency != self.rate_max.currency:
            raise InvalidInput("both ends of the rate range are in one currency", field="rate_max")
        check_rate(self.rate_min, field="rate_min")
        check_rate(self.rate_max, field="rate_max")
        if self.rate_min.minor > self.rate_max.minor:
            raise InvalidInput("the lowest rate is above the highest", field="rate_min")
        if self.tier not in (1, 2, 3):
            raise InvalidInput("tier is 1, 2 or 3", field="tier")
        if not 1 <= self.seats <= 50:
            raise InvalidInput("between 1 and 50 agents", field="seats")
        if self.minutes_per_week is not None and self.minutes_per_week > self.coverage.nominal_minutes:
            raise InvalidInput("more hours a week than the coverage windows hold", field="hours_per_week")

    @property
    def hourly(self) -> bool:
        return self.minutes_per_week is not None
