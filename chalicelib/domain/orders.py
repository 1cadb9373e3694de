"""A business's daily order counts (issue 16): the denominator of contact intensity (contacts per
100 orders). The business posts one count per UTC day, through `POST /api/v1/orders/daily` or the
portal's form; a later count for the same day replaces the earlier one.

Rules, each refused with the field named:
- `day` is a UTC date, not after today and at most WINDOW_DAYS days back (today included in the
  window). The window is bounded so that a typo in a year cannot write figures nobody looks at,
  and it is long enough to correct the last quarter's counts (the dashboards' default range is 28
  days; a quarter is what a business reconciles against its shop's reports).
- `count` is a whole number from 0 (a day without orders is a count) to MAX_COUNT."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.domain.errors import InvalidInput

WINDOW_DAYS = 92
MAX_COUNT = 10_000_000


@dataclass(frozen=True)
class DailyOrders:
    day: date
    count: int


def earliest_day(today: date) -> date:
    """The oldest day a count may be posted for."""
    return today - timedelta(days=WINDOW_DAYS - 1)


def check(day: date, count: int, *, today: date) -> DailyOrders:
    """The count if the rules allow it, else InvalidInput naming `day` or `count`."""
    if day > today:
        raise InvalidInput(f"the day cannot be in the future (today is {today.isoformat()} UTC)", field="day")
    if day < earliest_day(today):
        raise InvalidInput(
            f"counts can be posted for the last {WINDOW_DAYS} days only, from {earliest_day(today).isoformat()}",
            field="day",
        )
    if isinstance(count, bool) or not 0 <= count <= MAX_COUNT:
        raise InvalidInput(f"the count is a whole number from 0 to {MAX_COUNT:,}", field="count")
    return DailyOrders(day, count)
