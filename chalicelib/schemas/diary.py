"""Models of the work diary's routes: the clock and the entries."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal, cast
from zoneinfo import ZoneInfo

from pydantic import Field

from chalicelib.schemas.base import Command, View

if TYPE_CHECKING:
    from chalicelib.store.contracts import ClockRecord, EntryRecord


# A stored state becomes the view's Literal through a cast; pydantic checks it when the view is made.
EntryStatus = Literal["logged", "in_review", "approved", "disputed", "resolved"]
EntrySource = Literal["manual", "clock"]


class ClockInBody(Command):
    memo: str = Field(default="", max_length=2000, description="what you are working on")


class EntryBody(Command):
    started_at: datetime = Field(description="RFC 3339 with an offset; kept to the minute, in UTC")
    ended_at: datetime
    memo: str = Field(default="", max_length=2000)
    tickets: list[str] = Field(default_factory=list, max_length=20, description="ticket references")


class EntryView(View):
    id: str
    contract_id: str
    week: str
    started_at: datetime
    ended_at: datetime
    minutes: int
    local_start: str = Field(description="in the caller's time zone")
    local_end: str
    memo: str
    tickets: list[str]
    source: EntrySource
    flag: str | None
    pair_id: str | None = Field(description="the other half of an entry split at Monday 00:00 UTC")
    status: EntryStatus
    upheld_minutes: int


class EntryList(View):
    entries: list[EntryView]


class ClockView(View):
    contract_id: str
    contract_title: str
    started_at: datetime
    due_at: datetime = Field(description="when the clock stops by itself (12 hours, or the cap)")
    memo: str


class ClockState(View):
    clock: ClockView | None


class ClockOutView(View):
    entries: list[EntryView]
    stopped_because: str | None
    dropped_minutes: int


def local_time(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).isoformat()


def entry_view(
    entry: EntryRecord, *, zone: str, status: str | None = None, now: datetime | None = None
) -> EntryView:
    """The entry with its status: the one given (its timesheet's view of it), else its status `now`."""
    from chalicelib.domain.diary import entry_status
    from chalicelib.domain.time import BillingWeek

    if status is None:
        if now is None:
            raise TypeError("entry_view needs the entry's status, or the time to tell it by")
        status = entry_status(
            entry.review, week=BillingWeek.parse(entry.week), timesheet_closed=False, now=now
        )
    return EntryView(
        id=entry.entry_id,
        contract_id=entry.contract_id,
        week=entry.week,
        started_at=entry.started_at,
        ended_at=entry.ended_at,
        minutes=int(entry.minutes),
        local_start=local_time(entry.started_at, zone),
        local_end=local_time(entry.ended_at, zone),
        memo=entry.memo,
        tickets=list(entry.tickets or []),
        source=cast(EntrySource, entry.source),
        flag=entry.flag,
        pair_id=entry.pair_id,
        status=cast(EntryStatus, status),
        upheld_minutes=int(entry.upheld_minutes or 0),
    )


def clock_view(clock: ClockRecord) -> ClockView:
    return ClockView(
        contract_id=clock.contract_id,
        contract_title=clock.contract_title,
        started_at=clock.started_at,
        due_at=clock.due_at,
        memo=clock.memo,
    )
