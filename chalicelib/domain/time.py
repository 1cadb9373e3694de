"""Time as deskhire keeps it: UTC, minute precision, and the ISO billing week.

The billing week runs Monday 00:00 UTC to the next Monday 00:00 UTC. Week W locks (and is
invoiced) at Monday 12:00 UTC of W+1; the business may review until Friday 23:59 UTC of W+1."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from chalicelib.domain.errors import InvalidInput

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
# The weeks deskhire can mean. An ISO week as such runs from 0001-W01 to 9999-W52, but the pages
# and calendars step a week back and forth from the one asked for, which overflows a date at
# either end (a 500); no contract, invoice or calendar lies outside these years.
FIRST_YEAR = 1990
LAST_YEAR = 2199


def to_minute(moment: datetime) -> datetime:
    """Normalise an aware datetime to UTC at minute precision (seconds dropped, not rounded)."""
    if moment.tzinfo is None:
        raise InvalidInput("times must carry a UTC offset", field="time")
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


@dataclass(frozen=True, order=True)
class BillingWeek:
    year: int
    week: int

    def __post_init__(self):
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise InvalidInput(
                f"a week between {FIRST_YEAR}-W01 and {LAST_YEAR}-W52, like 2026-W48", field="week"
            )
        try:
            date.fromisocalendar(self.year, self.week, 1)
        except ValueError:
            raise InvalidInput(f"{self.year}-W{self.week:02d} is not an ISO week", field="week") from None

    @classmethod
    def parse(cls, text: str) -> BillingWeek:
        match = _WEEK.match(text)
        if not match:
            raise InvalidInput("a week is written like 2026-W48", field="week")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def containing(cls, moment: datetime) -> BillingWeek:
        iso = to_minute(moment).isocalendar()
        return cls(iso.year, iso.week)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(date.fromisocalendar(self.year, self.week, 1), datetime.min.time(), UTC)

    @property
    def ends_at(self) -> datetime:
        """The first minute that is no longer in this week (next Monday 00:00 UTC)."""
        return self.starts_at + timedelta(days=7)

    def next(self) -> BillingWeek:
        return BillingWeek.containing(self.ends_at)

    @property
    def locks_at(self) -> datetime:
        """Monday 12:00 UTC of the following week: the agent's grace half-day ends, billing runs."""
        return self.ends_at + timedelta(hours=12)

    @property
    def review_closes_at(self) -> datetime:
        """The first minute after Friday 23:59 UTC of the following week."""
        return self.ends_at + timedelta(days=5)
