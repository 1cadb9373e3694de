"""A range of days as the metrics dashboards read it (issue 16, docs/metrics.md "Week sums"): the
ISO weeks wholly inside the range come from their week sums, each one item however busy the week
was, and only the days outside them, at most six at each end, are read one by one.

Every event that adds to a day adds the same counts to the day's ISO week in the same transaction
(store/metric_weeks.py), so a week's sums are always exactly the sum of its seven days, and a
range read as whole weeks plus the days outside them adds each of its days once: the weeks cover
days no stretch covers, and together they cover every day of the range (`Split` checks it).

Weeks are ISO weeks of UTC days, Monday to Sunday, keyed `<ISO year>-W<ww>` (2026-W01 may start
in December 2025), which sort in time order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

WEEK = timedelta(days=7)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_key(day: date) -> str:
    """The ISO week that holds `day`, as `2026-W05`."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Split:
    """`first`..`last` (both included) as whole ISO weeks (their Mondays, oldest first) and the
    stretches of days outside them (first day, last day): at most one before the weeks and one
    after, or the whole range when it holds no whole week."""

    first: date
    last: date
    weeks: tuple[date, ...]
    stretches: tuple[tuple[date, date], ...]

    def __post_init__(self) -> None:
        covered = [m + timedelta(days=n) for m in self.weeks for n in range(7)]
        covered += [a + timedelta(days=n) for a, b in self.stretches for n in range((b - a).days + 1)]
        every = [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]
        if sorted(covered) != every:
            raise ValueError(f"{self} does not cover each day of the range exactly once")

    def in_weeks(self, day: date) -> bool:
        """Whether `day` is read from its week's sums rather than as a day."""
        return bool(self.weeks) and self.weeks[0] <= day < self.weeks[-1] + WEEK

    @property
    def stretch_days(self) -> list[date]:
        return [a + timedelta(days=n) for a, b in self.stretches for n in range((b - a).days + 1)]


def days_only(first: date, last: date) -> Split:
    """`first`..`last` read day by day (a dashboard whose rows are days)."""
    return Split(first, last, (), ((first, last),))


def split(first: date, last: date) -> Split:
    """The whole ISO weeks of `first`..`last` and the days left at either end."""
    if last < first:
        raise ValueError("the range ends before it starts")
    start = first if first.weekday() == 0 else monday_of(first) + WEEK
    weeks: list[date] = []
    monday = start
    while monday + timedelta(days=6) <= last:
        weeks.append(monday)
        monday += WEEK
    if not weeks:
        return Split(first, last, (), ((first, last),))
    stretches: list[tuple[date, date]] = []
    if first < weeks[0]:
        stretches.append((first, weeks[0] - timedelta(days=1)))
    end = weeks[-1] + timedelta(days=6)
    if end < last:
        stretches.append((end + timedelta(days=1), last))
    return Split(first, last, tuple(weeks), tuple(stretches))
