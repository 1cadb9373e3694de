"""The work diary: time an agent logs on a contract, and the rules it must keep (DESIGN.md 3).

An entry is a half-open span [start, end) of UTC minutes. It cannot be in the future, must lie in
the contract's active periods, may not overlap any other entry of the same agent on any contract
of any business, may not take an hourly contract's week past its cap nor a block past its
remaining minutes, and belongs to one billing week: an entry that crosses Monday 00:00 UTC is
stored as two. Week W can be changed until it locks, Monday 12:00 UTC of W+1.

The overlap rule spans businesses, so it is kept on the agent's side: one *diary day* per UTC
date lists the spans the agent has logged that day, and every write updates the days it touches
under a version check. Two racing writes cannot both pass: the second finds the day changed,
reads it again and sees the first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.time import UTC_ZONE, BillingWeek, to_minute, when
from chalicelib.domain.time import span as written_span

MAX_ENTRY = timedelta(hours=24)
CLOCK_LIMIT = timedelta(hours=12)
MAX_MEMO = 2000
MAX_TICKETS = 20
MAX_TICKET = 120
DAY_MINUTES = 24 * 60


def hours_and_minutes(minutes: int) -> str:
    """750 -> '12 h 30 min'; 45 -> '45 min'."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest:02d} min"
    return f"{hours} h" if hours else f"{rest} min"


@dataclass(frozen=True, order=True)
class Span:
    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds()) // 60

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def label(self, zone: str = UTC_ZONE) -> str:
        """'Mon 23 Nov 09:00–10:00 EST': on `zone`'s clock, the zone named."""
        return written_span(self.start, self.end, zone)


class EntryRejected(Conflict):
    """A rule of the diary said no. `minutes_left` says what is still allowed, where it applies."""

    def __init__(self, message: str, *, code: str, minutes_left: int | None = None, field: str | None = None):
        extra = {} if minutes_left is None else {"minutes_left": minutes_left}
        super().__init__(message, code=code, field=field, extra=extra)
        self.minutes_left = minutes_left


def check_span(start: datetime, end: datetime, *, now: datetime) -> Span:
    """A well-formed span: UTC minutes, at least one minute, at most a day, not in the future."""
    start, end = to_minute(start), to_minute(end)
    if end < start:
        raise InvalidInput("the entry ends before it starts", field="ended_at")
    if end == start:
        raise InvalidInput("an entry lasts at least one minute", field="ended_at")
    if end - start > MAX_ENTRY:
        raise InvalidInput("one entry covers at most 24 hours; log longer work as several", field="ended_at")
    if end > to_minute(now):
        raise InvalidInput("an entry cannot end in the future", field="ended_at")
    return Span(start, end)


def check_memo(memo: str, tickets: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    text = memo.strip()
    if len(text) > MAX_MEMO:
        raise InvalidInput(f"a memo has at most {MAX_MEMO} characters", field="memo")
    cleaned: list[str] = []
    for index, ticket in enumerate(tickets):
        ref = ticket.strip()
        if not ref:
            continue
        if len(ref) > MAX_TICKET:
            raise InvalidInput(
                f"a ticket reference has at most {MAX_TICKET} characters", field=f"tickets.{index}"
            )
        if ref not in cleaned:
            cleaned.append(ref)
    if len(cleaned) > MAX_TICKETS:
        raise InvalidInput(f"at most {MAX_TICKETS} ticket references", field="tickets")
    return text, tuple(cleaned)


def split_by_week(span: Span) -> list[tuple[BillingWeek, Span]]:
    """The span cut at every Monday 00:00 UTC it crosses: one piece per billing week."""
    pieces: list[tuple[BillingWeek, Span]] = []
    start = span.start
    while start < span.end:
        week = BillingWeek.containing(start)
        end = min(span.end, week.ends_at)
        pieces.append((week, Span(start, end)))
        start = end
    return pieces


def check_week_open(week: BillingWeek, *, now: datetime, zone: str = UTC_ZONE) -> None:
    """`zone`: the clock the refusal names its time on (the agent's)."""
    if now >= week.locks_at:
        raise EntryRejected(
            f"week {week} locked at {when(week.locks_at, zone)}; its time can no longer change",
            code="week_locked",
        )


def check_cap(week: BillingWeek, *, cap: int, logged: int, adding: int) -> None:
    left = max(0, cap - logged)
    if adding > left:
        raise EntryRejected(
            f"that is {hours_and_minutes(adding)}, but only {hours_and_minutes(left)} are left "
            f"of the weekly cap of {hours_and_minutes(cap)} in {week}",
            code="over_weekly_cap",
            minutes_left=left,
        )


def check_block(*, block: int, used: int, adding: int) -> None:
    left = max(0, block - used)
    if adding > left:
        raise EntryRejected(
            f"that is {hours_and_minutes(adding)}, but only {hours_and_minutes(left)} are left "
            f"of the block of {hours_and_minutes(block)}",
            code="block_exhausted",
            minutes_left=left,
        )


# -- the agent's diary days (the overlap guard) -------------------------------------------------


@dataclass(frozen=True)
class DaySpan:
    """One span on a diary day: minutes after 00:00 UTC (end up to 1440), and whose it is."""

    start: int
    end: int
    ref: str  # "<tenant>/<contract>/<entry>": which entry holds these minutes

    def to_json(self) -> list[Any]:
        return [self.start, self.end, self.ref]

    @classmethod
    def from_json(cls, data: list[Any]) -> DaySpan:
        return cls(int(data[0]), int(data[1]), str(data[2]))


def day_pieces(span: Span) -> list[tuple[date, int, int]]:
    """The span cut at UTC midnights: (date, first minute, end minute) per day it touches."""
    pieces: list[tuple[date, int, int]] = []
    day = span.start.date()
    while True:
        midnight = datetime.combine(day, time(0), tzinfo=UTC)
        lo = max(span.start, midnight)
        hi = min(span.end, midnight + timedelta(days=1))
        if lo >= hi:
            break
        pieces.append(
            (day, int((lo - midnight).total_seconds()) // 60, int((hi - midnight).total_seconds()) // 60)
        )
        day += timedelta(days=1)
    return pieces


def find_clash(
    span: Span, days: dict[date, list[DaySpan]], *, ignore: frozenset[str] = frozenset()
) -> Span | None:
    """The first logged span of the agent's that `span` overlaps, if any (entries in `ignore`, the
    one being edited, do not count)."""
    for day, lo, hi in day_pieces(span):
        for held in sorted(days.get(day, []), key=lambda d: d.start):
            if held.ref in ignore:
                continue
            if lo < held.end and held.start < hi:
                midnight = datetime.combine(day, time(0), tzinfo=UTC)
                return Span(midnight + timedelta(minutes=held.start), midnight + timedelta(minutes=held.end))
    return None


def check_no_overlap(
    span: Span,
    days: dict[date, list[DaySpan]],
    *,
    ignore: frozenset[str] = frozenset(),
    clock: Span | None = None,
    zone: str = UTC_ZONE,
) -> None:
    """`zone`: the clock the refusal names its times on (the agent's)."""
    clash = find_clash(span, days, ignore=ignore)
    if clash is not None:
        raise EntryRejected(
            f"it overlaps time you already logged ({clash.label(zone)}); an agent bills one client per minute",
            code="overlap",
        )
    if clock is not None and span.overlaps(clock):
        raise EntryRejected(
            f"you are clocked in since {when(clock.start, zone)}; clock out before logging that time",
            code="overlap",
        )


def days_with(days: dict[date, list[DaySpan]], span: Span, ref: str) -> dict[date, list[DaySpan]]:
    """The diary days after adding `span` under `ref` (only the days it touches)."""
    changed: dict[date, list[DaySpan]] = {}
    for day, lo, hi in day_pieces(span):
        held = changed.get(day, list(days.get(day, [])))
        held.append(DaySpan(lo, hi, ref))
        changed[day] = sorted(held, key=lambda d: d.start)
    return changed


def days_without(days: dict[date, list[DaySpan]], span: Span, ref: str) -> dict[date, list[DaySpan]]:
    """The diary days after removing `ref`'s minutes (only the days `span` touches)."""
    return {
        day: [held for held in days.get(day, []) if held.ref != ref]
        for day in {d for d, _, _ in day_pieces(span)}
    }


# -- clocking in and out --------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockStop:
    """Where a clocked span ends, and why it ended before `now` if it did."""

    end: datetime
    reason: str | None  # None: clocked out by the agent, nothing cut


FORGOTTEN = "closed automatically after 12 hours"
AT_CAP = "stopped at the weekly cap"
BLOCK_USED = "stopped when the block ran out"
CONTRACT_STOPPED = "stopped when the contract paused or ended"
BUSY = "stopped where other logged time begins"


def clock_stop(
    start: datetime,
    now: datetime,
    *,
    period_stop: datetime | None,
    cap_left: dict[BillingWeek, int] | None,
    block_left: int | None,
    next_busy: datetime | None,
) -> ClockStop:
    """Where a clock started at `start` stops if it is clocked out at `now`.

    It stops at the first of: `now`; 12 hours after it started; the end of the contract's running
    period; the moment the weekly cap (per billing week, `cap_left`) or the block is used up; the
    start of time already logged. The reason is kept on the entry as a flag for both sides."""
    start, now = to_minute(start), to_minute(now)
    end, reason = now, None
    for limit, why in ((start + CLOCK_LIMIT, FORGOTTEN), (period_stop, CONTRACT_STOPPED), (next_busy, BUSY)):
        if limit is not None and limit < end:
            end, reason = limit, why
    end = max(end, start)
    if cap_left is not None:
        for week, piece in split_by_week(Span(start, end)) if end > start else []:
            left = cap_left.get(week, 0)
            if piece.minutes > left:
                end, reason = piece.start + timedelta(minutes=left), AT_CAP
                break
    if block_left is not None and (end - start) > timedelta(minutes=block_left):
        end, reason = start + timedelta(minutes=max(0, block_left)), BLOCK_USED
    return ClockStop(end, reason)


# -- review ---------------------------------------------------------------------------------------


def check_review_window(week: BillingWeek, *, now: datetime, action: str, zone: str = UTC_ZONE) -> None:
    """The business reviews week W from its lock until Friday 23:59 UTC of W+1. `zone`: the clock
    the refusal names its times on (the business's)."""
    if now < week.locks_at:
        raise Conflict(
            f"week {week} is still open: the agent may fix it until {when(week.locks_at, zone)}; "
            f"you can {action} after that",
            code="week_open",
        )
    if now >= week.review_closes_at:
        raise Conflict(
            f"the review of week {week} closed at {when(week.review_closes_at - timedelta(minutes=1), zone)}",
            code="review_window_closed",
        )


def entry_status(review: str, *, week: BillingWeek, timesheet_closed: bool, now: datetime) -> str:
    """What an entry is now: logged (its week open), in_review, approved, disputed or resolved."""
    if review in ("approved", "disputed", "resolved"):
        return review
    if now < week.locks_at:
        return "logged"
    if timesheet_closed or now >= week.review_closes_at:
        return "approved"
    return "in_review"


@dataclass(frozen=True)
class WeekMinutes:
    """A contract's week in minutes, as billing reads it.

    billed: what the week held at the lock (invoiced then); approved: approved early or when the
    review closed; disputed: in disputes not yet resolved; upheld: resolved for the business
    (refunded, never paid out); released: resolved for the agent (paid out like approved)."""

    billed: int = 0
    approved: int = 0
    disputed: int = 0
    upheld: int = 0
    released: int = 0

    @property
    def payable(self) -> int:
        return self.approved + self.released

    @property
    def awaiting_review(self) -> int:
        return max(0, self.billed - self.approved - self.disputed - self.upheld - self.released)
