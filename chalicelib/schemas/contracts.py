"""Models of the contract routes: offers, contracts, amendments, the work diary, timesheets,
disputes and the weekly calendars."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal, cast
from zoneinfo import ZoneInfo

from pydantic import Field

from chalicelib.schemas.base import Command, Line, Query, View
from chalicelib.schemas.marketplace import MoneyIn, MoneyView, WindowIn, WindowView

if TYPE_CHECKING:
    from chalicelib.domain import calendar
    from chalicelib.domain.contracts import Amendment
    from chalicelib.domain.diary import WeekMinutes
    from chalicelib.domain.time import BillingWeek
    from chalicelib.services.blocks.hours import Balance
    from chalicelib.services.disputes import Evidence
    from chalicelib.services.timesheets import Timesheet
    from chalicelib.store.billing import InvoiceRecord
    from chalicelib.store.contracts import (
        BonusRecord,
        ClockRecord,
        ContractRecord,
        DisputeRecord,
        EntryRecord,
    )

Kind = Literal["hourly", "block"]
ContractStatus = Literal["offered", "declined", "withdrawn", "expired", "active", "paused", "ended"]
EntryStatus = Literal["logged", "in_review", "approved", "disputed", "resolved"]
Side = Literal["business", "agent", "system"]
AmendmentStatus = Literal["proposed", "accepted", "declined", "withdrawn"]
EntrySource = Literal["manual", "clock"]
WeekPhase = Literal["open", "in_review", "closed"]
TimesheetStatus = Literal["open", "locked", "closed"]
DisputeStatus = Literal["open", "contested", "resolved"]
DisputeOutcome = Literal["withdrawn", "conceded", "upheld", "rejected"]
InvoiceStatus = Literal["planned", "drafted", "itemized", "open", "paid", "void", "uncollectible"]
# The domain's states are StrEnums and plain strings; a view's field names the values it may
# take, and pydantic checks each value against them when the view is made (the casts below say
# so to the type checker, nothing more).


# -- requests -------------------------------------------------------------------------------------


class BonusIn(Command):
    percent_bps: int = Field(ge=1, le=5000, description="basis points of the week's line: 1000 is +10%")
    min_csat_bps: int = Field(default=9000, ge=5000, le=10000, description="CSAT that week, in basis points")
    min_ratings: int = Field(default=10, ge=1, le=1000)


class OfferBody(Command):
    application_id: str | None = Field(default=None, max_length=64, description="offer from an application")
    opening_id: str | None = Field(default=None, max_length=64, description="with agent_id: an invited agent")
    agent_id: str | None = Field(default=None, max_length=64)
    title: Line = Field(default="", max_length=120, description="defaults to the opening's title")
    kind: Kind
    rate: MoneyIn = Field(description="per hour")
    weekly_cap_minutes: int | None = Field(default=None, description="hourly: 750 is 12.5 hours")
    block_minutes: int | None = Field(default=None, description="block: the prepaid minutes")
    start_date: date = Field(description="in the business's calendar")
    end_date: date | None = None
    tier: int = Field(default=1, ge=1, le=2, description="tier-1 or tier-2 support")
    coverage: list[WindowIn] | None = Field(
        default=None,
        max_length=28,
        description="the agent's committed hours, in the business's time zone; null: the opening's",
    )
    bonus: BonusIn | None = None
    note: str = Field(default="", max_length=2000)


class ReasonBody(Command):
    reason: str = Field(default="", max_length=500, description="the other side sees it")


class EndBody(Command):
    reason: str = Field(min_length=1, max_length=500, description="the other side sees it")


class AmendmentBody(Command):
    rate: MoneyIn | None = Field(default=None, description="business: higher; agent: lower")
    weekly_cap_minutes: int | None = None
    note: str = Field(default="", max_length=500)


class ClockInBody(Command):
    memo: str = Field(default="", max_length=2000, description="what you are working on")


class EntryBody(Command):
    started_at: datetime = Field(description="RFC 3339 with an offset; kept to the minute, in UTC")
    ended_at: datetime
    memo: str = Field(default="", max_length=2000)
    tickets: list[str] = Field(default_factory=list, max_length=20, description="ticket references")


class DisputeBody(Command):
    reason: str = Field(min_length=1, max_length=2000)


class DisputeMessageBody(Command):
    body: str = Field(min_length=1, max_length=2000)


class ConcedeBody(Command):
    keep_minutes: int = Field(ge=0, description="amend the entry down to this many minutes")


class ResolveBody(Command):
    outcome: Literal["upheld", "rejected"]
    upheld_minutes: int | None = Field(default=None, description="upheld: how many of the entry's minutes")
    note: str = Field(default="", max_length=2000)


class BonusBody(Command):
    amount: MoneyIn
    note: str = Field(default="", max_length=300, description="what it is for; the agent sees it")


class BlockBody(Command):
    block_minutes: int = Field(description="another block: 60 (1 hour) to 120000 (2,000 hours)")
    number: int | None = Field(
        default=None,
        description="the block you mean to buy (2, 3, ...): sent again, the request answers that "
        "block instead of buying another; left out, the next block is bought",
    )


class TopUpBody(Command):
    enabled: bool = Field(description="false turns the automatic top-up off")
    threshold_minutes: int | None = Field(
        default=None, description="buy a block when an entry leaves fewer minutes than this"
    )
    block_minutes: int | None = Field(default=None, description="the block it buys: 60 to 120000")


class WeekQuery(Query):
    week: str | None = Field(default=None, description="2026-W48; this week when left out")


# -- views ----------------------------------------------------------------------------------------


class AmendmentView(View):
    id: str
    proposed_by: Side
    proposed_at: datetime
    rate: MoneyView | None
    weekly_cap_minutes: int | None
    note: str
    status: AmendmentStatus
    decided_at: datetime | None
    rate_from: datetime | None = Field(description="when an accepted rate applies (a Monday 00:00 UTC)")
    cap_from: datetime | None


class AmendmentList(View):
    amendments: list[AmendmentView]


class TermsView(View):
    effective_at: datetime
    rate: MoneyView
    weekly_cap_minutes: int | None


class PeriodView(View):
    start: datetime
    end: datetime | None


class BonusRuleView(View):
    percent_bps: int
    min_csat_bps: int
    min_ratings: int


class CollisionView(View):
    commitment: str = Field(description="the other commitment it collides with")
    start: datetime
    end: datetime
    minutes: int


class ContractView(View):
    id: str
    status: ContractStatus
    kind: Kind
    title: str
    note: str
    business_name: str
    agent_id: str
    agent_name: str
    opening_id: str | None
    application_id: str | None
    rate: MoneyView = Field(description="in force now")
    weekly_cap_minutes: int | None
    block_minutes: int | None
    used_minutes: int
    remaining_minutes: int | None = Field(description="block contracts")
    terms: list[TermsView] = Field(description="the rate and cap over time, scheduled changes included")
    start_date: date
    end_date: date | None
    time_zone: str = Field(description="the business's: coverage and dates are in it")
    coverage: list[WindowView]
    tier: int
    bonus: BonusRuleView | None
    offered_at: datetime
    expires_at: datetime | None
    periods: list[PeriodView]
    pause_reason: str | None
    end_reason: str | None
    ended_by: str | None
    decline_reason: str | None
    amendments: list[AmendmentView]
    collisions: list[CollisionView] = Field(
        default_factory=list,
        description="to the agent, before accepting: clashes with their other commitments",
    )


class ContractList(View):
    contracts: list[ContractView]


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


class WeekMinutesView(View):
    billed: int
    approved: int
    disputed: int
    upheld: int
    released: int
    payable: int
    awaiting_review: int


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
    entries: list[EntryView]


class DisputeMessageView(View):
    side: str
    name: str
    body: str
    at: datetime


class DisputeView(View):
    id: str
    contract_id: str
    entry_id: str
    week: str
    contract_title: str
    business_name: str
    agent_name: str
    started_at: datetime
    ended_at: datetime
    minutes: int
    reason: str
    status: DisputeStatus
    outcome: DisputeOutcome | None
    upheld_minutes: int
    released_minutes: int
    messages: list[DisputeMessageView]
    filed_by_name: str
    filed_at: datetime
    resolved_at: datetime | None
    resolution_note: str | None


class DisputeList(View):
    disputes: list[DisputeView]


class EvidenceView(View):
    entry: EntryView
    backing: str = Field(description="a plain summary of what backs the entry")
    same_day: list[EntryView]
    inquiries: list[dict] = Field(description="inquiries handled in the entry (with support operations)")
    inquiries_available: bool


class CellView(View):
    state: str
    labels: list[str]
    logged: bool


class RowView(View):
    time: str
    cells: list[CellView]


class CalendarView(View):
    week: str
    time_zone: str
    days: list[date]
    rows: list[RowView]
    totals_minutes: dict[str, int]
    commitments: list[dict]


class BonusView(View):
    id: str
    contract_id: str
    week: str = Field(description="billed with this week's invoice, paid with its hours")
    amount: MoneyView
    note: str
    granted_by: str
    granted_at: datetime


class BonusList(View):
    bonuses: list[BonusView]


class BlockView(View):
    number: int = Field(description="1 the block the contract started with, then 2, 3, ...")
    minutes: int
    invoice_id: str
    status: InvoiceStatus
    total: MoneyView = Field(description="the block's line and the service fee")
    starts_at_minute: int | None = Field(
        description="where its minutes start in the contract's balance, once paid (0 for the first)"
    )
    hosted_url: str | None = Field(description="Stripe's page to pay it")
    last_failure: str | None = Field(description="why the last charge failed")


class TopUpView(View):
    threshold_minutes: int
    block_minutes: int


class BlockBalanceView(View):
    contract_id: str
    block_minutes: int = Field(description="minutes that may be logged: the first block and every block paid")
    used_minutes: int
    remaining_minutes: int
    pending: BlockView | None = Field(description="a block bought and waiting for its payment")
    top_up: TopUpView | None = Field(description="the automatic top-up; null: off")
    blocks: list[BlockView]


# -- mapping ------------------------------------------------------------------------------------


def _money(minor: int, currency: str) -> MoneyView:
    return MoneyView(amount=int(minor), currency=currency)


def _windows(schedule: dict) -> list[WindowView]:
    return [WindowView(**w) for w in schedule["windows"]]


def amendment_view(amendment: Amendment, currency: str) -> AmendmentView:
    return AmendmentView(
        id=amendment.amendment_id,
        proposed_by=cast(Side, str(amendment.proposed_by)),
        proposed_at=amendment.proposed_at,
        rate=_money(amendment.rate_minor, currency) if amendment.rate_minor is not None else None,
        weekly_cap_minutes=amendment.weekly_cap_minutes,
        note=amendment.note,
        status=cast(AmendmentStatus, str(amendment.status)),
        decided_at=amendment.decided_at,
        rate_from=amendment.rate_from,
        cap_from=amendment.cap_from,
    )


def contract_view(
    record: ContractRecord, *, now: datetime, collisions: Sequence[calendar.Collision] = ()
) -> ContractView:
    from chalicelib.services.contracts import records

    block = int(record.block_minutes) if record.block_minutes is not None else None
    return ContractView(
        id=record.contract_id,
        status=cast(ContractStatus, str(records.status_of(record, now))),
        kind=cast(Kind, record.contract_kind),
        title=record.title,
        note=record.note,
        business_name=record.business_name,
        agent_id=record.agent_id,
        agent_name=record.agent_name,
        opening_id=record.opening_id,
        application_id=record.application_id,
        rate=_money(record.rate_minor, record.currency),
        weekly_cap_minutes=int(record.weekly_cap_minutes) if record.weekly_cap_minutes is not None else None,
        block_minutes=block,
        used_minutes=int(record.used_minutes or 0),
        remaining_minutes=max(0, block - int(record.used_minutes or 0)) if block is not None else None,
        terms=[
            TermsView(
                effective_at=t.effective_at,
                rate=_money(t.rate_minor, record.currency),
                weekly_cap_minutes=t.weekly_cap_minutes,
            )
            for t in records.history_of(record)
        ],
        start_date=date.fromisoformat(record.start_date),
        end_date=date.fromisoformat(record.end_date) if record.end_date else None,
        time_zone=record.business_time_zone,
        coverage=_windows(record.coverage),
        tier=int(record.tier),
        bonus=BonusRuleView(**record.bonus) if record.bonus else None,
        offered_at=record.offered_at,
        expires_at=record.expires_at,
        periods=[PeriodView(start=p.start, end=p.end) for p in records.periods_of(record).periods],
        pause_reason=record.pause_reason,
        end_reason=record.end_reason,
        ended_by=record.ended_by,
        decline_reason=record.decline_reason,
        amendments=[amendment_view(a, record.currency) for a in records.amendments_of(record)],
        collisions=[
            CollisionView(commitment=c.label, start=c.start, end=c.end, minutes=c.minutes) for c in collisions
        ],
    )


def _local(moment: datetime, zone: str) -> str:
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
        local_start=_local(entry.started_at, zone),
        local_end=_local(entry.ended_at, zone),
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
        local_starts_at=_local(week.starts_at, sheet.zone),
        local_ends_at=_local(week.ends_at, sheet.zone),
        phase=cast(WeekPhase, sheet.phase),
        status=cast(TimesheetStatus, sheet.record.status if sheet.record else "open"),
        rate=_money(sheet.rate_minor, sheet.contract.currency),
        cap_minutes=sheet.cap,
        cap_left_minutes=sheet.cap_left,
        logged_minutes=sheet.logged,
        minutes=minutes_view(sheet.minutes),
        entries=[entry_view(line.entry, zone=sheet.zone, status=line.status) for line in sheet.lines],
    )


def dispute_view(record: DisputeRecord) -> DisputeView:
    return DisputeView(
        id=record.dispute_id,
        contract_id=record.contract_id,
        entry_id=record.entry_id,
        week=record.week,
        contract_title=record.contract_title,
        business_name=record.business_name,
        agent_name=record.agent_name,
        started_at=record.started_at,
        ended_at=record.ended_at,
        minutes=int(record.minutes),
        reason=record.reason,
        status=cast(DisputeStatus, record.status),
        outcome=cast(DisputeOutcome | None, record.outcome),
        upheld_minutes=int(record.upheld_minutes or 0),
        released_minutes=int(record.released_minutes or 0),
        messages=[DisputeMessageView(**m) for m in record.messages or []],
        filed_by_name=record.filed_by_name,
        filed_at=record.filed_at,
        resolved_at=record.resolved_at,
        resolution_note=record.resolution_note,
    )


def evidence_view(evidence: Evidence, *, zone: str, now: datetime) -> EvidenceView:
    return EvidenceView(
        entry=entry_view(evidence.entry, zone=zone, now=now),
        backing=evidence.strength,
        same_day=[entry_view(e, zone=zone, now=now) for e in evidence.same_day],
        inquiries=list(evidence.inquiries),
        inquiries_available=evidence.inquiries_available,
    )


def calendar_view(
    grid: calendar.WeekGrid, week: BillingWeek, commitments: Sequence[ContractRecord]
) -> CalendarView:
    return CalendarView(
        week=str(week),
        time_zone=grid.zone,
        days=list(grid.days),
        rows=[
            RowView(
                time=row.label,
                cells=[CellView(state=c.state, labels=list(c.labels), logged=c.logged) for c in row.cells],
            )
            for row in grid.rows
        ],
        totals_minutes=dict(grid.totals),
        commitments=[
            {
                "contract_id": c.contract_id,
                "title": c.title,
                "business": c.business_name,
                "agent": c.agent_name,
            }
            for c in commitments
        ],
    )


def bonus_view(record: BonusRecord) -> BonusView:
    return BonusView(
        id=record.bonus_id,
        contract_id=record.contract_id,
        week=record.week,
        amount=_money(record.amount, record.currency),
        note=record.note,
        granted_by=record.granted_by,
        granted_at=record.granted_at,
    )


def block_view(record: InvoiceRecord) -> BlockView:
    from chalicelib.services.blocks import hours

    number = hours.number_of(record)
    return BlockView(
        number=number,
        minutes=hours.minutes_of(record),
        invoice_id=record.invoice_id,
        status=cast(InvoiceStatus, record.status),
        total=_money(record.total, record.currency),
        starts_at_minute=0
        if number == 1
        else (int(record.block_offset) if record.block_offset is not None else None),
        hosted_url=record.hosted_url,
        last_failure=record.last_failure,
    )


def block_balance_view(balance: Balance) -> BlockBalanceView:
    pending = balance.pending
    top_up = balance.top_up
    return BlockBalanceView(
        contract_id=balance.contract.contract_id,
        block_minutes=balance.block_minutes,
        used_minutes=balance.used_minutes,
        remaining_minutes=balance.remaining_minutes,
        pending=block_view(pending) if pending else None,
        top_up=TopUpView(threshold_minutes=top_up.threshold_minutes, block_minutes=top_up.block_minutes)
        if top_up
        else None,
        blocks=[block_view(b) for b in balance.blocks],
    )
