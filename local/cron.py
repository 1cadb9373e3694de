"""EventBridge's six-field cron rules (minute hour day-of-month month day-of-week year, UTC), read
for the local scheduler so that it fires the scheduled functions when AWS would.

Supported: `*`, `?`, numbers, lists (`1,15`), ranges (`MON-FRI`, `9-17`), steps (`0/15`, `*/5`),
month and weekday names. Weekdays follow EventBridge: 1 is Sunday, 7 is Saturday."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

_MONTHS = {
    n: i
    for i, n in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1
    )
}
_DAYS = {n: i for i, n in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], start=1)}
_BOUNDS = {
    "minute": (0, 59),
    "hour": (0, 23),
    "day": (1, 31),
    "month": (1, 12),
    "weekday": (1, 7),
    "year": (1970, 2199),
}


def _value(text: str, names: dict[str, int]) -> int:
    return names[text.upper()] if text.upper() in names else int(text)


def _field(text: str, kind: str, names: dict[str, int] | None = None) -> frozenset[int] | None:
    """The values a field allows; None for `*` or `?` (anything)."""
    names = names or {}
    lo, hi = _BOUNDS[kind]
    if text in ("*", "?"):
        return None
    allowed: set[int] = set()
    for part in text.split(","):
        base, _, step = part.partition("/")
        if base in ("*", ""):
            start, end = lo, hi
        elif "-" in base:
            first, last = base.split("-", 1)
            start, end = _value(first, names), _value(last, names)
        else:
            start = _value(base, names)
            end = hi if step else start
        allowed.update(range(start, end + 1, int(step) if step else 1))
    if not allowed or min(allowed) < lo or max(allowed) > hi:
        raise ValueError(f"{text!r} is not a valid {kind} field")
    return frozenset(allowed)


@dataclass(frozen=True)
class CronRule:
    minute: frozenset[int] | None
    hour: frozenset[int] | None
    day: frozenset[int] | None
    month: frozenset[int] | None
    weekday: frozenset[int] | None
    year: frozenset[int] | None

    @classmethod
    def parse(cls, text: str) -> CronRule:
        parts = text.split()
        if len(parts) != 6:
            raise ValueError(f"{text!r}: EventBridge cron has six fields")
        minute, hour, day, month, weekday, year = parts
        return cls(
            _field(minute, "minute"),
            _field(hour, "hour"),
            _field(day, "day"),
            _field(month, "month", _MONTHS),
            _field(weekday, "weekday", _DAYS),
            _field(year, "year"),
        )

    def matches(self, moment: datetime) -> bool:
        weekday = moment.isoweekday() % 7 + 1  # Monday 1 -> 2, Sunday 7 -> 1
        return all(
            allowed is None or value in allowed
            for allowed, value in (
                (self.minute, moment.minute),
                (self.hour, moment.hour),
                (self.day, moment.day),
                (self.month, moment.month),
                (self.weekday, weekday),
                (self.year, moment.year),
            )
        )

    def fired_between(self, after: datetime, until: datetime) -> datetime | None:
        """The last minute in (after, until] the rule fires at, if any."""
        minute = until.replace(second=0, microsecond=0)
        while minute > after:
            if self.matches(minute):
                return minute
            minute -= timedelta(minutes=1)
        return None
