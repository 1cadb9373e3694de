"""Models of the timesheet routes: a contract's week and its review."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal, cast

from pydantic import Field

from chalicelib.schemas import contracts, diary
from chalicelib.schemas.base import View
from chalicelib.schemas.marketplace import MoneyView

if TYPE_CHECKING:
    from chalicelib.domain.diary import WeekMinutes
    from chalicelib.services.timesheets import Timesheet

# A stored state becomes the view's Literal through a cast; pydantic checks it when the view is made.
WeekPhase = Literal["open", "in_review", "closed"]
TimesheetStatus = Literal["open", "locked", "closed"]


class WeekMinutesView(View):
    billed: int
    approved: int
    disputed: int
    upheld: int
    released: int
    payable: int
    awaiting_review: int


class WorkView(View):
    """An inquiry an agent handled (support, issue 15): proof of work under an entry."""

    entry_id: str | None = Field(description="the entry whose span holds it; null: outside every entry")
    inquiry_id: str
    number: int
    action: Literal["reply", "escalate", "resolve"]
    at: datetime


class TimesheetView(View):
    contract_id: str
    week: str
    starts_at: datetime = Field(description="the billing week, Monday 00:00 UTC")
    ends_at: datetime
    locks_at: datetime
    review_closes_at: datetime
    time_zone: str = Field(description="the caller's; local times are in it")
    local_starts_at: str
    local_ends_at: str
    phase: WeekPhase
    status: TimesheetStatus
    rate: MoneyView
    cap_minutes: int | None
    cap_left_minutes: int | None
    logged_minutes: int
    minutes: WeekMinutesView
    entries: list[diary.EntryView]
    inquiries_available: bool = Field(description="the business uses deskhire's support")
    work: list[WorkView] = Field(description="the inquiries handled this week, under their entries")
    unbacked_entry_ids: list[str] = Field(
        description="entries with no inquiry handled in them (support only)"
    )


def minutes_view(minutes: WeekMinutes) -> WeekMinutesView:
    return WeekMinutesView(
        billed=minutes.billed,
        approved=minutes.approved,
        disputed=minutes.disputed,
        upheld=minutes.upheld,
        released=minutes.released,
        payable=minutes.payable,
        awaiting_review=minutes.awaiting_review,
    )


def timesheet_view(sheet: Timesheet) -> TimesheetView:
    week = sheet.week
    return TimesheetView(
        contract_id=sheet.contract.contract_id,
        week=str(week),
        starts_at=week.starts_at,
        ends_at=week.ends_at,
        locks_at=week.locks_at,
        review_closes_at=week.review_closes_at,
        time_zone=sheet.zone,
        local_starts_at=diary.local_time(week.starts_at, sheet.zone),
        local_ends_at=diary.local_time(week.ends_at, sheet.zone),
        phase=cast(WeekPhase, sheet.phase),
        status=cast(TimesheetStatus, sheet.record.status if sheet.record else "open"),
        rate=contracts.money_view(sheet.rate_minor, sheet.contract.currency),
        cap_minutes=sheet.cap,
        cap_left_minutes=sheet.cap_left,
        logged_minutes=sheet.logged,
        minutes=minutes_view(sheet.minutes),
        entries=[diary.entry_view(line.entry, zone=sheet.zone, status=line.status) for line in sheet.lines],
        inquiries_available=sheet.backing.uses_support,
        work=[
            WorkView(
                entry_id=entry_id, inquiry_id=w.inquiry_id, number=w.number, action=w.action.value, at=w.at
            )
            for entry_id, done in [*sheet.backing.by_entry.items(), (None, sheet.backing.loose)]
            for w in done
        ],
        unbacked_entry_ids=[
            line.entry.entry_id for line in sheet.lines if sheet.backing.unbacked(line.entry.entry_id)
        ],
    )
