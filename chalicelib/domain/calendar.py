"""Weekly calendars in a person's own time zone: the business's coverage (the hours it wants
covered against its agents' committed schedules) and an agent's commitments across all their
contracts (with the hours they logged, and clashes between businesses).

Everything is computed on real UTC minutes: each schedule is laid out on the calendar dates in
its own zone (zoneinfo, so daylight-saving changes are honoured on their real dates) and then read
back in the viewer's zone. The grid shows 30-minute cells; the totals are exact minutes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.schedule import WeeklySchedule

SLOT_MINUTES = 30
Intervals = tuple[tuple[int, int], ...]  # merged [lo, hi) in epoch minutes


def epoch_minute(moment: datetime) -> int:
    return int(moment.timestamp()) // 60


def from_epoch_minute(value: int) -> datetime:
    return datetime.fromtimestamp(value * 60, UTC)


def merge(intervals: Iterable[tuple[int, int]]) -> Intervals:
    merged: list[list[int]] = []
    for lo, hi in sorted(intervals):
        if hi <= lo:
            continue
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return tuple((lo, hi) for lo, hi in merged)


def intersect(a: Intervals, b: Intervals) -> Intervals:
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def subtract(a: Intervals, b: Intervals) -> Intervals:
    out: list[tuple[int, int]] = []
    for lo, hi in a:
        cursor = lo
        for blo, bhi in b:
            if bhi <= cursor or blo >= hi:
                continue
            if blo > cursor:
                out.append((cursor, blo))
            cursor = max(cursor, bhi)
        if cursor < hi:
            out.append((cursor, hi))
    return tuple(out)


def clip(intervals: Intervals, *, start: int, end: int | None = None) -> Intervals:
    """The part of `intervals` from epoch minute `start` to `end` (None: open-ended)."""
    last = end if end is not None else max((hi for _, hi in intervals), default=start)
    return intersect(intervals, ((start, last),))


def total(intervals: Intervals) -> int:
    return sum(hi - lo for lo, hi in intervals)


def laid_out(schedule: WeeklySchedule, first: date, last: date) -> Intervals:
    """The schedule's real UTC minutes for its local dates first..last (inclusive), merged."""
    return merge(
        (epoch_minute(lo), epoch_minute(hi)) for lo, hi in schedule.intervals(first, last + timedelta(days=1))
    )


def local_week(zone: str, monday: date) -> tuple[int, int]:
    """The epoch minutes of a local Monday 00:00 to the next local Monday 00:00 in `zone`."""
    tz = ZoneInfo(zone)
    start = datetime.combine(monday, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=tz).astimezone(UTC)
    return epoch_minute(start), epoch_minute(end)


def schedule_in_week(schedule: WeeklySchedule, zone: str, monday: date) -> Intervals:
    """A schedule (in its own zone) clipped to the viewer's local week starting `monday`.

    Laid out from a day before to a day after, since a window's local date in one zone may be the
    day before or after in the other."""
    lo, hi = local_week(zone, monday)
    return intersect(laid_out(schedule, monday - timedelta(days=1), monday + timedelta(days=7)), ((lo, hi),))


@dataclass(frozen=True)
class Layer:
    """One thing drawn on the calendar: what a business wants covered, an agent's committed
    schedule on a contract, or time logged."""

    key: str
    label: str
    kind: str  # "wanted", "schedule" or "logged"
    intervals: Intervals


@dataclass(frozen=True)
class Cell:
    state: str  # "", "gap", "covered", "overlap", "extra", "scheduled", "conflict"
    labels: tuple[str, ...] = ()
    logged: bool = False


@dataclass(frozen=True)
class Row:
    label: str  # the local time the row starts, "09:30"
    cells: tuple[Cell, ...]


@dataclass
class WeekGrid:
    zone: str
    days: tuple[date, ...]
    rows: tuple[Row, ...]
    totals: dict[str, int] = field(default_factory=dict[str, int])  # exact minutes


def _count_segments(layers: list[Layer]) -> list[tuple[int, int, int]]:
    """(lo, hi, how many schedules are on) for every stretch where the count is constant."""
    events: dict[int, int] = {}
    for layer in layers:
        for lo, hi in layer.intervals:
            events[lo] = events.get(lo, 0) + 1
            events[hi] = events.get(hi, 0) - 1
    segments: list[tuple[int, int, int]] = []
    count, previous = 0, None
    for point in sorted(events):
        if previous is not None and count and point > previous:
            segments.append((previous, point, count))
        count += events[point]
        previous = point
    return segments


def overlapping(layers: list[Layer]) -> Intervals:
    """Minutes in which two or more of the layers are on."""
    return merge((lo, hi) for lo, hi, count in _count_segments(layers) if count >= 2)


def week_grid(zone: str, monday: date, layers: list[Layer], *, business_view: bool) -> WeekGrid:
    """The local week as 30-minute rows, one cell per day, classified for its viewer.

    Business view: gap (wanted, nobody scheduled), covered (one agent), overlap (two or more),
    extra (an agent scheduled outside the wanted hours). Agent view: scheduled, conflict (two
    contracts at once), and whether time was logged. Rows outside any activity are left out."""
    tz = ZoneInfo(zone)
    days = tuple(monday + timedelta(days=d) for d in range(7))
    wanted = merge(iv for layer in layers if layer.kind == "wanted" for iv in layer.intervals)
    schedules = [layer for layer in layers if layer.kind == "schedule"]
    logged = merge(iv for layer in layers if layer.kind == "logged" for iv in layer.intervals)
    grid_rows: list[Row] = []
    busy_rows: list[int] = []
    for index in range(24 * 60 // SLOT_MINUTES):
        minute = index * SLOT_MINUTES
        cells: list[Cell] = []
        for day in days:
            start = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz).astimezone(UTC)
            slot = ((epoch_minute(start), epoch_minute(start) + SLOT_MINUTES),)
            on = tuple(layer.label for layer in schedules if intersect(layer.intervals, slot))
            wants = bool(intersect(wanted, slot))
            did = bool(intersect(logged, slot))
            if business_view:
                state = (
                    "overlap"
                    if len(on) >= 2
                    else "covered"
                    if on and wants
                    else "extra"
                    if on
                    else "gap"
                    if wants
                    else ""
                )
            else:
                state = "conflict" if len(on) >= 2 else "scheduled" if on else ""
            cells.append(Cell(state, on, did))
        if any(c.state or c.logged for c in cells):
            busy_rows.append(index)
        grid_rows.append(Row(f"{minute // 60:02d}:{minute % 60:02d}", tuple(cells)))
    if busy_rows:
        first = busy_rows[0] - busy_rows[0] % 2  # start on the hour
        shown = grid_rows[first : busy_rows[-1] + 1]
    else:
        shown = grid_rows[18:36]  # an empty week shows 09:00-18:00
    span = (local_week(zone, monday),)
    staffed = merge(iv for layer in schedules for iv in layer.intervals)
    totals = {
        "wanted": total(intersect(wanted, span)),
        "gap": total(intersect(subtract(wanted, staffed), span)),
        "covered": total(intersect(intersect(wanted, staffed), span)),
        "overlap": total(intersect(overlapping(schedules), span)),
        "scheduled": total(intersect(staffed, span)),
        "logged": total(intersect(logged, span)),
    }
    return WeekGrid(zone=zone, days=days, rows=tuple(shown), totals=totals)


@dataclass(frozen=True)
class Collision:
    label: str  # whose schedule the offer collides with
    start: datetime  # UTC
    end: datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds()) // 60


def collisions(
    offer: WeeklySchedule, commitments: list[tuple[str, WeeklySchedule]], *, start: date
) -> list[Collision]:
    """Where an offered schedule would run into the agent's other commitments, in the first week
    from the offer's start date (real minutes, so a collision that only exists across zones or
    after a DST change is found)."""
    first, last = start, start + timedelta(days=6)
    mine = laid_out(offer, first, last)
    found: list[Collision] = []
    for label, schedule in commitments:
        for lo, hi in intersect(
            mine, laid_out(schedule, first - timedelta(days=1), last + timedelta(days=1))
        ):
            found.append(Collision(label, from_epoch_minute(lo), from_epoch_minute(hi)))
    return sorted(found, key=lambda c: (c.start, c.label))
