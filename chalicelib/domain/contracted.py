"""Hours contracted, per UTC day: the denominator of "hours used against contracted" (issue 16).

Computed when the figures are read, from the contract items themselves, rather than kept at write
time: a contract already holds the whole history the figure needs (its terms over time, where
a raised weekly cap governs its week at once and a lowered one from the next Monday, and its
periods of activity, which pauses and the end close), so the figure is exact for any past range,
changes with no contract event to hook into (a week simply passing), and costs one Query of the
business's contract items whatever the range.

The rule, per hourly contract: a billing week (ISO, UTC) contracts the weekly cap that governs it
(domain/contracts.py `terms_in_week`), spread over its seven days so that the days of a week add
up to the cap exactly (day i of the week, Monday 0, gets floor(cap x (i+1) / 7) - floor(cap x i / 7)
minutes); a day counts when the contract was active at any moment of it (started, not paused all
day, not ended). A contract active all week contracts its whole cap; one that starts on a Thursday
contracts the Thursday-to-Sunday share of it.

Block contracts are left out: a block is a number of prepaid minutes with no period of its own, so
it has no share of a day or a week to set against the minutes used that day. Their minutes still
count as used when approved, so a business that runs blocks sees used above contracted; the
block's own page shows its minutes drawn against its minutes bought."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from chalicelib.domain.contracts import ActivePeriods, TermsChange, terms_in_week
from chalicelib.domain.time import BillingWeek


@dataclass(frozen=True)
class HourlyTerms:
    """What a contract says about its weekly hours: its terms over time and when it was active."""

    terms: tuple[TermsChange, ...]
    active: ActivePeriods


def day_share(cap: int, weekday: int) -> int:
    """Day `weekday`'s (Monday 0) minutes of a weekly cap: the seven shares add up to `cap`."""
    return cap * (weekday + 1) // 7 - cap * weekday // 7


def _active_on(active: ActivePeriods, start: datetime, end: datetime) -> bool:
    for period in active.periods:
        stops = [moment for moment in (period.end, active.ends_at) if moment is not None]
        stop = min(stops) if stops else None
        if period.start < end and (stop is None or stop > start) and (stop is None or stop > period.start):
            return True
    return False


def contracted_by_day(contracts: Iterable[HourlyTerms], first: date, last: date) -> dict[date, int]:
    """Minutes contracted on each UTC day from `first` to `last` (days with none absent)."""
    out: dict[date, int] = {}
    for contract in contracts:
        if not contract.terms:
            continue
        history = list(contract.terms)
        day = first
        while day <= last:
            start = datetime.combine(day, time(), tzinfo=UTC)
            if _active_on(contract.active, start, start + timedelta(days=1)):
                cap = terms_in_week(history, BillingWeek.containing(start)).weekly_cap_minutes
                if cap:
                    out[day] = out.get(day, 0) + day_share(cap, day.weekday())
            day += timedelta(days=1)
    return out
