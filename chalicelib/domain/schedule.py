"""Weekly schedules in a time zone, and how much two of them overlap in real hours.

A schedule is a set of weekly windows (Monday 09:00-17:00) in an IANA time zone, as many a day as
a person works, and a window may run past midnight: Monday 22:00-06:00 is an overnight shift from
Monday 22:00 to Tuesday 06:00 on the schedule's own clock (written with the end before the
start, as people write shifts). To compare an agent's availability (Lisbon) with a business's
coverage (New York), each is laid out on the real calendar for the weeks in question, converted to
UTC with zoneinfo (so daylight-saving changes, which the two places make on different dates, are
honoured: a night shift across the change is an hour shorter or longer in real time), and the UTC
intervals intersected.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import InvalidInput

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
MINUTES_PER_WEEK = 7 * 24 * 60


def _minute_of_day(text: object, field: str) -> int:  # any JSON value, checked here
    if not isinstance(text, str) or not _CLOCK.match(text):
        raise InvalidInput("times are written HH:MM, from 00:00 to 24:00", field=field)
    if text == "24:00":
        return 24 * 60
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True, order=True)
class Window:
    """One weekly window: `day` 0 (Monday) to 6, from `start` to `end` minutes after that day's
    midnight, local time. An overnight window ends the next day: its `end` is past 24:00 (Monday
    22:00-06:00 is start 1320, end 1800), at most a day after its start."""

    day: int
    start: int
    end: int

    @classmethod
    def parse(cls, day: str, start: str, end: str, *, field: str) -> Window:
        """`end` at or before `start` is the next day's (22:00-06:00 runs overnight); 24:00 is
        the end of the day."""
        if day not in DAYS:
            raise InvalidInput(f"day must be one of {', '.join(DAYS)}", field=f"{field}.day")
        begin = _minute_of_day(start, f"{field}.start")
        finish = _minute_of_day(end, f"{field}.end")
        if begin == 24 * 60:
            raise InvalidInput("a window starts at 23:59 at the latest", field=f"{field}.start")
        if finish == begin:
            raise InvalidInput("a window must end after it starts", field=field)
        if finish < begin:
            finish += 24 * 60  # overnight: the end is on the next day's clock
        return cls(DAYS.index(day), begin, finish)

    @property
    def minutes(self) -> int:
        return self.end - self.start

    @property
    def overnight(self) -> bool:
        return self.end > 24 * 60

    @property
    def week_start(self) -> int:
        """Minutes from Monday 00:00 (local) to the window's start."""
        return self.day * 24 * 60 + self.start

    @property
    def week_end(self) -> int:
        """Minutes from Monday 00:00 (local) to its end (past the week's end for Sunday night)."""
        return self.day * 24 * 60 + self.end

    def label(self) -> str:
        """'mon 09:00-17:00', or with both days named overnight: 'mon 22:00-tue 06:00'."""
        if self.overnight:
            return f"{DAYS[self.day]} {_clock(self.start)}-{DAYS[(self.day + 1) % 7]} {_clock(self.end - 24 * 60)}"
        return f"{DAYS[self.day]} {_clock(self.start)}-{_clock(self.end)}"

    def to_json(self) -> dict[str, Any]:
        end = self.end - 24 * 60 if self.overnight else self.end
        return {"day": DAYS[self.day], "start": _clock(self.start), "end": _clock(end)}


@dataclass(frozen=True)
class WeeklySchedule:
    time_zone: str
    windows: tuple[Window, ...]

    @classmethod
    def build(cls, time_zone: str, windows: Iterable[Window], *, field: str = "windows") -> WeeklySchedule:
        """The schedule of `windows` (in any order); a window that overlaps another, on its day
        or from the night before (Sunday night runs into Monday), is refused naming its index in
        `windows`."""
        given = list(windows)
        if not given:
            raise InvalidInput("give at least one window", field=field)
        by_start = sorted(range(len(given)), key=lambda i: (given[i].week_start, given[i].week_end, i))
        pairs = list(zip(by_start, by_start[1:], strict=False))
        if len(by_start) > 1:
            pairs.append((by_start[-1], by_start[0]))  # the week wraps: Sunday night into Monday
        for before, after in pairs:
            previous, current = given[before], given[after]
            wrap = MINUTES_PER_WEEK if after == by_start[0] and before == by_start[-1] else 0
            if current.week_start + wrap < previous.week_end:
                later = max(before, after)
                raise InvalidInput(
                    f"{given[later].label()} overlaps {given[min(before, after)].label()}",
                    field=f"{field}.{later}",
                )
        return cls(time_zone, tuple(sorted(given)))

    @classmethod
    def around_the_clock(cls, time_zone: str = "UTC") -> WeeklySchedule:
        return cls(time_zone, tuple(Window(day, 0, 24 * 60) for day in range(7)))

    @property
    def nominal_minutes(self) -> int:
        """Minutes a week on the wall clock (a DST week may really have an hour more or less)."""
        return sum(w.minutes for w in self.windows)

    def intervals(self, start: date, end: date) -> Iterator[tuple[datetime, datetime]]:
        """The schedule's real UTC intervals for the local dates in [start, end)."""
        zone = ZoneInfo(self.time_zone)
        by_day: dict[int, list[Window]] = {}
        for window in self.windows:
            by_day.setdefault(window.day, []).append(window)
        current = start
        while current < end:
            for window in by_day.get(current.weekday(), ()):
                yield _utc(current, window.start, zone), _utc(current, window.end, zone)
            current += timedelta(days=1)

    def to_json(self) -> dict[str, Any]:
        return {"time_zone": self.time_zone, "windows": [w.to_json() for w in self.windows]}


def _utc(day: date, minute: int, zone: ZoneInfo) -> datetime:
    extra_day, minute = divmod(minute, 24 * 60)
    local = datetime.combine(day + timedelta(days=extra_day), time(minute // 60, minute % 60), tzinfo=zone)
    # zoneinfo resolves a wall time in a DST gap or fold by `fold=0`: the earlier reading.
    return local.astimezone(UTC)


@functools.lru_cache(maxsize=16384)
def _laid_out(schedule: WeeklySchedule, start: date, end: date) -> tuple[tuple[int, int], ...]:
    """The schedule's merged UTC intervals for local dates [start, end), in epoch minutes.

    Cached: ranking one opening against thousands of agents lays the opening out once, and an
    agent's schedule once per start date (schedules are immutable values). Most spans contain no
    daylight-saving change in the schedule's zone; then the first week is laid out with zoneinfo
    and the others are the same week shifted by whole weeks. A span with a change is laid out
    day by day."""
    zone = ZoneInfo(schedule.time_zone)
    days = (end - start).days
    offsets = {
        _utc_offset(zone, datetime.combine(start + timedelta(days=d), time(0)))
        # every midnight, the one after the span included: an overnight window of the span's
        # last date ends the next day, and a change of clocks that day shows at that midnight
        for d in range(days + 2)
    }
    if len(offsets) == 1 and days > 7:
        (offset,) = offsets
        offset_minutes = int(offset.total_seconds()) // 60
        first, last = _epoch_day(start), _epoch_day(end)
        week = [
            (lo, hi)
            for b, f in schedule.intervals(start, start + timedelta(days=7))
            for lo, hi in [(int(b.timestamp()) // 60, int(f.timestamp()) // 60)]
        ]
        shifted: list[tuple[int, int]] = []
        for w in range(days // 7 + 1):
            for lo, hi in week:
                lo, hi = lo + w * _WEEK_MINUTES, hi + w * _WEEK_MINUTES
                # keep the windows whose local date lies in [start, end)
                if first <= (lo + offset_minutes) // (24 * 60) < last:
                    shifted.append((lo, hi))
        return _merge(shifted)
    return _exact(schedule, start, end)


def _utc_offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    offset = zone.utcoffset(moment)
    if offset is None:  # never for a ZoneInfo (the tzinfo protocol allows None)
        raise ValueError(f"{zone} has no UTC offset at {moment}")
    return offset


_EPOCH = date(1970, 1, 1)


def _epoch_day(day: date) -> int:
    return (day - _EPOCH).days


_WEEK_MINUTES = 7 * 24 * 60


def _exact(schedule: WeeklySchedule, start: date, end: date) -> tuple[tuple[int, int], ...]:
    return _merge(
        (int(b.timestamp()) // 60, int(f.timestamp()) // 60) for b, f in schedule.intervals(start, end)
    )


def _merge(intervals: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[list[int]] = []
    for lo, hi in sorted(intervals):
        if hi <= lo:
            continue
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return tuple((lo, hi) for lo, hi in merged)


def overlap_minutes(a: WeeklySchedule, b: WeeklySchedule, *, start: date, weeks: int) -> int:
    """Minutes in which both schedules are on, over `weeks` weeks from `start` (in real time).

    Each schedule is laid out from a day before to a day after the span, so that windows which
    cross midnight in the other's time zone are counted, then clipped to the span in UTC."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    end = start + timedelta(weeks=weeks)
    span_start = int(datetime.combine(start, time(0), tzinfo=UTC).timestamp()) // 60
    span_end = int(datetime.combine(end, time(0), tzinfo=UTC).timestamp()) // 60
    first = _laid_out(a, start - timedelta(days=1), end + timedelta(days=1))
    second = _laid_out(b, start - timedelta(days=1), end + timedelta(days=1))
    total = 0
    i = j = 0
    while i < len(first) and j < len(second):
        lo = max(first[i][0], second[j][0], span_start)
        hi = min(first[i][1], second[j][1], span_end)
        if hi > lo:
            total += hi - lo
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return total


def weekly_overlap_hours(a: WeeklySchedule, b: WeeklySchedule, *, start: date, weeks: int) -> float:
    """Average hours a week the two schedules share, over the weeks a contract would run.
    (A ratio for display and scoring; money never passes through here.)"""
    return overlap_minutes(a, b, start=start, weeks=weeks) / 60 / weeks


def seen_from(schedule: WeeklySchedule, zone: str, *, week_of: date) -> WeeklySchedule:
    """The schedule as a reader in `zone` sees it on their own clock (issue 14, items 7 and 8: an
    agent's availability shown to a business, an opening's hours shown to an agent): the week of
    the schedule's local dates from the Monday of `week_of`, laid out in real time, each window
    read on `zone`'s clock. Two places change their clocks on different dates, so the answer is
    that week's (a window may move by an hour in another week); a window that crosses the reader's
    midnight is an overnight window, and one that the move carries past Sunday night wraps round
    to the week's start, as weekly windows do."""
    reader = ZoneInfo(zone)
    monday = week_of - timedelta(days=week_of.weekday())
    windows: list[Window] = []
    for begin, finish in schedule.intervals(monday, monday + timedelta(days=7)):
        start = begin.astimezone(reader)
        # the wall-clock length on the reader's side (a change of their clocks inside the window
        # shows as an hour more or less on their clock, as it would on the wall)
        wall = finish.astimezone(reader).replace(tzinfo=None) - start.replace(tzinfo=None)
        minute = start.hour * 60 + start.minute
        length = min(max(1, int(wall.total_seconds()) // 60), 24 * 60)
        windows.append(Window(start.weekday(), minute, minute + length))
    return WeeklySchedule(zone, tuple(sorted(windows)))
