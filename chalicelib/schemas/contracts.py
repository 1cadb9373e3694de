"""Models of the contract routes: offers, the contract and its lifecycle, amendments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal, cast

from pydantic import Field

from chalicelib.schemas.base import Command, Line, View
from chalicelib.schemas.marketplace import MoneyIn, MoneyView, WindowIn, WindowView

if TYPE_CHECKING:
    from chalicelib.domain import calendar
    from chalicelib.domain.contracts import Amendment
    from chalicelib.store.contracts import ContractRecord


# The domain's states are StrEnums and plain strings; a view's field names the values it may
# take, and pydantic checks each value against them when the view is made (the casts below say
# so to the type checker, nothing more).
Kind = Literal["hourly", "block"]
ContractStatus = Literal["offered", "declined", "withdrawn", "expired", "active", "paused", "ended"]
Side = Literal["business", "agent", "system"]
AmendmentStatus = Literal["proposed", "accepted", "declined", "withdrawn"]


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


class OfferWarningView(View):
    field: str = Field(description="the offer's field it is about: weekly_cap_minutes, block_minutes or rate")
    message: str


class OfferMadeView(ContractView):
    """The offer as made, with what in it disagrees (the portal asks the business to read these
    before sending; the API sends and says them)."""

    warnings: list[OfferWarningView] = Field(
        description="numbers that contradict each other (a cap above the opening's hours, a rate "
        "outside its range or below the agent's lowest); the offer is made all the same"
    )


class ContractList(View):
    contracts: list[ContractView]


def money_view(minor: int, currency: str) -> MoneyView:
    return MoneyView(amount=int(minor), currency=currency)


def _windows(schedule: dict) -> list[WindowView]:
    return [WindowView(**w) for w in schedule["windows"]]


def amendment_view(amendment: Amendment, currency: str) -> AmendmentView:
    return AmendmentView(
        id=amendment.amendment_id,
        proposed_by=cast(Side, str(amendment.proposed_by)),
        proposed_at=amendment.proposed_at,
        rate=money_view(amendment.rate_minor, currency) if amendment.rate_minor is not None else None,
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
        rate=money_view(record.rate_minor, record.currency),
        weekly_cap_minutes=int(record.weekly_cap_minutes) if record.weekly_cap_minutes is not None else None,
        block_minutes=block,
        used_minutes=int(record.used_minutes or 0),
        remaining_minutes=max(0, block - int(record.used_minutes or 0)) if block is not None else None,
        terms=[
            TermsView(
                effective_at=t.effective_at,
                rate=money_view(t.rate_minor, record.currency),
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
