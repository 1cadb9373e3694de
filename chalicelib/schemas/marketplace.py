"""Models of the marketplace routes: agent profiles, vetting, openings, matches."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from chalicelib.schemas.base import Command, Line, Query, Title, View

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Level = Literal["a1", "a2", "b1", "b2", "c1", "c2", "native"]


class WindowIn(Command):
    """A weekly window on the schedule's own clock. Several a day may be given (they may touch,
    not overlap); an `end` before `start` runs past midnight into the next day (mon
    22:00-06:00 is Monday night to Tuesday 06:00; sun 22:00-06:00 runs into Monday)."""

    day: Day = Field(description="the day the window starts")
    start: str = Field(min_length=5, max_length=5, description="HH:MM, local time, 00:00 to 23:59")
    end: str = Field(
        min_length=5,
        max_length=5,
        description="HH:MM, local time; 24:00 (or 00:00) for midnight; before start: the next day's",
    )


class LanguageIn(Command):
    code: str = Field(min_length=2, max_length=3, description="ISO 639 code, such as en")
    level: Level


class MoneyIn(Command):
    amount: int = Field(ge=0, le=10_000_000, description="minor units (cents)")
    currency: Literal["usd", "eur", "gbp", "cad", "aud", "jpy"]


class ProfileBody(Command):
    headline: Line = Field(default="", max_length=120)
    bio: str = Field(default="", max_length=2000)
    skills: list[Line] = Field(default_factory=list, max_length=11)
    products: list[Line] = Field(default_factory=list, max_length=30)
    languages: list[LanguageIn] = Field(min_length=1, max_length=8)
    availability: list[WindowIn] = Field(min_length=1, max_length=28)
    min_rate: MoneyIn
    country: str | None = Field(
        default=None, max_length=60, description="where you live, ISO 3166-1 alpha-2 (PT); omitted: unchanged"
    )
    time_zone: str | None = Field(
        default=None,
        max_length=64,
        description="your IANA time zone (America/Sao_Paulo), which availability is read in; omitted: unchanged",
    )


class WindowView(View):
    """A weekly window as stored: `end` before `start` runs overnight into the next day."""

    day: Day = Field(description="the day the window starts")
    start: str = Field(description="HH:MM, local time")
    end: str = Field(description="HH:MM, local time; 24:00 for midnight; before start: the next day's")


class LanguageView(View):
    code: str = Field(description="ISO 639-1 code, such as pt")
    level: Level
    name: str = Field(description="the language's name, such as Portuguese")
    level_name: str = Field(description="the level's name, such as C1 advanced")


class MoneyView(View):
    amount: int
    currency: str


class ProfileView(View):
    id: str
    name: str
    status: Literal["pending", "approved", "rejected"]
    tier: int | None
    rejection_reason: str | None = None
    headline: str
    bio: str
    skills: list[str]
    products: list[str]
    languages: list[LanguageView]
    time_zone: str
    country: str | None = None
    availability: list[WindowView]
    min_rate: MoneyView | None
    payout_status: str
    reputation: str
    listed_for_matching: bool


class AgentQueue(View):
    agents: list[ProfileView]


class ApproveBody(Command):
    tier: int = Field(ge=1, le=3)


class RejectBody(Command):
    reason: str = Field(min_length=1, max_length=500)


class OpeningBody(Command):
    title: Title
    description: str = Field(default="", max_length=5000)
    skills: list[Line] = Field(default_factory=list, max_length=11)
    products: list[Line] = Field(default_factory=list, max_length=30)
    languages: list[LanguageIn] = Field(min_length=1, max_length=8)
    coverage: list[WindowIn] | None = Field(
        default=None, max_length=28, description="in the business's time zone; null for 24/7"
    )
    hours_per_week: float | None = Field(default=None, description="in quarter hours, such as 12.5")
    block_hours: float | None = Field(default=None, description="a prepaid block instead of weekly hours")
    seats: int = Field(default=1, ge=1, le=50)
    rate_min: MoneyIn
    rate_max: MoneyIn
    tier: int = Field(default=1, ge=1, le=3)
    start_date: date


class OpeningView(View):
    id: str
    title: str
    description: str
    status: Literal["draft", "open", "paused", "filled", "closed"]
    skills: list[str]
    products: list[str]
    languages: list[LanguageView]
    time_zone: str
    coverage: list[WindowView]
    hours_per_week: float | None
    block_hours: float | None
    seats: int
    filled_seats: int = Field(
        description="seats taken by accepted offers; the opening is filled when all are"
    )
    rate_min: MoneyView
    rate_max: MoneyView
    tier: int
    start_date: date
    created_at: datetime


class OpeningList(View):
    openings: list[OpeningView]


class ComponentView(View):
    name: str
    weight: int
    points: float = Field(description="weight x value, for display")
    detail: str


class MatchView(View):
    id: str = Field(description="the agent's id (matches for an opening) or the opening's (an agent's feed)")
    name: str
    score: int
    components: list[ComponentView]


class MatchList(View):
    matches: list[MatchView]
    items_read: int


def _languages(data: dict) -> list[LanguageView]:
    from chalicelib.domain.vocabulary import language_name, level_name

    return [
        LanguageView(code=code, level=level, name=language_name(code), level_name=level_name(level))
        for code, level in sorted(data.items())
    ]


def profile_view(record) -> ProfileView:
    from chalicelib.domain.reputation import from_snapshot
    from chalicelib.services.profiles import is_complete

    availability = record.availability or {"time_zone": record.time_zone, "windows": []}
    return ProfileView(
        id=record.agent_id,
        name=record.name,
        status=record.status,
        tier=record.tier,
        rejection_reason=record.rejection_reason,
        headline=record.headline,
        bio=record.bio,
        skills=list(record.skills),
        products=list(record.products),
        languages=_languages(record.languages),
        time_zone=record.time_zone,
        country=record.country,
        availability=[WindowView(**w) for w in availability["windows"]],
        min_rate=MoneyView(amount=int(record.min_rate_minor), currency=record.rate_currency)
        if record.min_rate_minor is not None
        else None,
        payout_status=record.payout_status,
        reputation=from_snapshot(
            record.reputation, ratings=int(record.rating_count), total=int(record.rating_total)
        ).label(),
        listed_for_matching=bool(record.index_keys) and record.status == "approved" and is_complete(record),
    )


def opening_view(record) -> OpeningView:
    return OpeningView(
        id=record.opening_id,
        title=record.title,
        description=record.description,
        status=record.status,
        skills=list(record.skills),
        products=list(record.products),
        languages=_languages(record.languages),
        time_zone=record.coverage["time_zone"],
        coverage=[WindowView(**w) for w in record.coverage["windows"]],
        hours_per_week=record.minutes_per_week / 60 if record.minutes_per_week else None,
        block_hours=record.block_minutes / 60 if record.block_minutes else None,
        seats=int(record.seats),
        filled_seats=int(record.filled_seats or 0),
        rate_min=MoneyView(amount=int(record.rate_min_minor), currency=record.currency),
        rate_max=MoneyView(amount=int(record.rate_max_minor), currency=record.currency),
        tier=int(record.tier),
        start_date=date.fromisoformat(record.start_date),
        created_at=record.created_at,
    )


def match_list(ranked) -> MatchList:
    return MatchList(
        matches=[
            MatchView(
                id=ranked.subject_of(m),
                name=ranked.names.get(ranked.subject_of(m), ""),
                score=m.score,
                components=[
                    ComponentView(
                        name=c.name, weight=c.weight, points=round(float(c.points), 1), detail=c.detail
                    )
                    for c in m.components
                ],
            )
            for m in ranked.matches
        ],
        items_read=ranked.items_read,
    )


class ApplyBody(Command):
    cover_note: str = Field(default="", max_length=3000)
    proposed_rate: MoneyIn
    earliest_start: date


class DeclineBody(Command):
    reason: str = Field(default="", max_length=500, description="the agent sees this")


class InvitationBody(Command):
    agent_id: str = Field(min_length=1, max_length=64)
    note: str = Field(default="", max_length=1000)


class MessageBody(Command):
    body: str = Field(min_length=1, max_length=4000)


class ApplicationView(View):
    id: str
    opening_id: str
    opening_title: str
    business_name: str
    agent_id: str
    agent_name: str
    cover_note: str
    proposed_rate: MoneyView
    earliest_start: date
    status: Literal["submitted", "shortlisted", "declined", "withdrawn", "offered", "hired"]
    decline_reason: str | None
    unread: int = Field(description="messages the caller has not read yet")
    created_at: datetime


class ApplicationList(View):
    applications: list[ApplicationView]


class InvitationView(View):
    id: str
    opening_id: str
    opening_title: str
    business_name: str
    note: str
    created_at: datetime


class InvitationList(View):
    invitations: list[InvitationView]


class MessageView(View):
    author_kind: str
    author_name: str
    body: str
    at: datetime


class ThreadView(View):
    application: ApplicationView
    messages: list[MessageView]


def application_view(record, *, side: str) -> ApplicationView:
    return ApplicationView(
        id=record.application_id,
        opening_id=record.opening_id,
        opening_title=record.opening_title,
        business_name=record.business_name,
        agent_id=record.agent_id,
        agent_name=record.agent_name,
        cover_note=record.cover_note,
        proposed_rate=MoneyView(amount=int(record.proposed_rate_minor), currency=record.currency),
        earliest_start=date.fromisoformat(record.earliest_start),
        status=record.status,
        decline_reason=record.decline_reason,
        unread=int(record.business_unread if side == "business" else record.agent_unread),
        created_at=record.created_at,
    )


def invitation_view(record) -> InvitationView:
    return InvitationView(
        id=record.invitation_id,
        opening_id=record.opening_id,
        opening_title=record.opening_title,
        business_name=record.business_name,
        note=record.note,
        created_at=record.created_at,
    )


def message_view(record) -> MessageView:
    return MessageView(
        author_kind=record.author_kind, author_name=record.author_name, body=record.body, at=record.at
    )


class BoardQuery(Query):
    skill: str | None = Field(default=None, max_length=40)
    language: str | None = Field(default=None, min_length=2, max_length=3)
    min_hours: float | None = Field(default=None, ge=0, le=168)
    max_hours: float | None = Field(default=None, ge=0, le=168)
    min_rate: int | None = Field(
        default=None, ge=0, description="minor units: openings paying up to at least this"
    )
    min_overlap_hours: float | None = Field(
        default=None, ge=0, le=168, description="with your own availability, h/week"
    )
    currency: str | None = Field(
        default=None,
        pattern="^(all|[a-z]{3})$",
        description="omitted: only openings you can be paid for (the platform's settlement "
        "currencies); `all`: every currency; or one currency code, such as `gbp`",
    )


class BoardEntry(View):
    opening: OpeningView
    business_name: str
    overlap_hours_per_week: float | None


class BoardList(View):
    entries: list[BoardEntry]


class ProposeInterviewBody(Command):
    slots: list[datetime] = Field(min_length=1, max_length=5, description="RFC 3339 with an offset")
    duration_minutes: int = Field(default=30)


class BookInterviewBody(Command):
    slot: datetime


class InterviewView(View):
    id: str
    status: Literal["proposed", "booked"]
    duration_minutes: int
    slots: list[datetime]
    chosen: datetime | None


class InterviewList(View):
    interviews: list[InterviewView]


def interview_view(record) -> InterviewView:
    return InterviewView(
        id=record.interview_id,
        status=record.status,
        duration_minutes=int(record.duration_minutes),
        slots=[datetime.fromisoformat(s.replace("Z", "+00:00")) for s in record.slots],
        chosen=record.chosen,
    )
