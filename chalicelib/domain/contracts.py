"""Contracts: the offer a business makes, and the contract it becomes when the agent accepts.

An offer and its contract are one aggregate with one id: the offer *is* the draft contract, so
accepting it is a state step, not a copy. Two kinds:

- **hourly**: a rate per hour and a weekly cap in minutes (750 for 12.5 hours);
- **block**: a prepaid number of minutes that logged time draws down.

Terms change through amendments, which apply when the other side accepts. A rate applies from the
next billing week (Monday 00:00 UTC), so that every week has one rate and one invoice line; a
raised weekly cap applies at once, a lowered one from the next Monday. Only the business can raise
the rate and only the agent can lower it.

Time can be logged only inside the contract's *active periods*: from its start (or its
acceptance, if later) to a pause or its end, and again from each resume."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain.bounds import check_rate
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.money import Money
from chalicelib.domain.time import BillingWeek
from chalicelib.domain.time import when as written

OFFER_LIFETIME = timedelta(days=7)
MAX_WEEKLY_CAP = 7 * 24 * 60
MAX_BLOCK_MINUTES = 2000 * 60
INACTIVITY_PAUSE = timedelta(days=30)
MAX_RATE_MINOR = 10_000_000


class Kind(StrEnum):
    HOURLY = "hourly"
    BLOCK = "block"


class Status(StrEnum):
    OFFERED = "offered"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class Side(StrEnum):
    BUSINESS = "business"
    AGENT = "agent"
    SYSTEM = "system"


OFFER_STATES = frozenset({Status.OFFERED, Status.DECLINED, Status.WITHDRAWN, Status.EXPIRED})
LIVE = frozenset({Status.ACTIVE, Status.PAUSED})

# action -> (who may take it, from which states, to which state)
STEPS: dict[str, tuple[frozenset[Side], frozenset[Status], Status]] = {
    "accept": (frozenset({Side.AGENT}), frozenset({Status.OFFERED}), Status.ACTIVE),
    "decline": (frozenset({Side.AGENT}), frozenset({Status.OFFERED}), Status.DECLINED),
    "withdraw": (frozenset({Side.BUSINESS}), frozenset({Status.OFFERED}), Status.WITHDRAWN),
    "expire": (frozenset({Side.SYSTEM}), frozenset({Status.OFFERED}), Status.EXPIRED),
    "pause": (frozenset({Side.BUSINESS, Side.SYSTEM}), frozenset({Status.ACTIVE}), Status.PAUSED),
    "resume": (frozenset({Side.BUSINESS, Side.SYSTEM}), frozenset({Status.PAUSED}), Status.ACTIVE),
    "end": (frozenset({Side.BUSINESS, Side.AGENT, Side.SYSTEM}), LIVE, Status.ENDED),
}


def next_status(current: Status, action: str, *, side: Side) -> Status:
    """The state `action` leads to, or why not: 409 naming the state, 403 for the wrong side."""
    if action not in STEPS:
        raise InvalidInput(f"unknown action {action!r}", field="action")
    who, allowed, target = STEPS[action]
    if side not in who:
        raise Forbidden(f"only the {' or '.join(sorted(who))} can {action} this", code="wrong_party")
    if current not in allowed:
        noun = "an offer" if current in OFFER_STATES else "a contract"
        raise Conflict(f"{noun} that is {current} cannot {action}", code="illegal_transition")
    return target


@dataclass(frozen=True)
class BonusRule:
    """A performance bonus: `percent_bps` of the week's line when the agent's CSAT that week is at
    least `min_csat_bps` over at least `min_ratings` ratings (DESIGN.md "Money")."""

    percent_bps: int
    min_csat_bps: int = 9000
    min_ratings: int = 10

    def __post_init__(self):
        if not 1 <= self.percent_bps <= 5000:
            raise InvalidInput("a bonus is 0.01% to 50% of the week", field="bonus.percent_bps")
        if not 5000 <= self.min_csat_bps <= 10000:
            raise InvalidInput("the CSAT threshold is 50% to 100%", field="bonus.min_csat_bps")
        if not 1 <= self.min_ratings <= 1000:
            raise InvalidInput("ask for 1 to 1000 ratings", field="bonus.min_ratings")

    def to_json(self) -> dict[str, Any]:
        return {
            "percent_bps": self.percent_bps,
            "min_csat_bps": self.min_csat_bps,
            "min_ratings": self.min_ratings,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> BonusRule | None:
        return None if not data else cls(**data)


@dataclass(frozen=True)
class OfferTerms:
    """What a business offers, checked as a whole before it is sent."""

    kind: Kind
    rate: Money
    weekly_cap_minutes: int | None
    block_minutes: int | None
    start_date: date
    end_date: date | None
    tier: int
    bonus: BonusRule | None = None

    def check(self, *, today: date, currency: str, agent_tier: int | None) -> OfferTerms:
        if self.rate.currency != currency:
            raise InvalidInput(f"this business pays in {currency}", field="rate.currency")
        check_rate(self.rate, field="rate.amount")
        if self.kind is Kind.HOURLY:
            if self.weekly_cap_minutes is None or self.block_minutes is not None:
                raise InvalidInput(
                    "an hourly offer has a weekly cap and no block", field="weekly_cap_minutes"
                )
            if not 15 <= self.weekly_cap_minutes <= MAX_WEEKLY_CAP:
                raise InvalidInput("the weekly cap is 15 minutes to 168 hours", field="weekly_cap_minutes")
        else:
            if self.block_minutes is None or self.weekly_cap_minutes is not None:
                raise InvalidInput(
                    "a block offer has a number of minutes and no weekly cap", field="block_minutes"
                )
            if not 60 <= self.block_minutes <= MAX_BLOCK_MINUTES:
                raise InvalidInput("a block is 1 to 2,000 hours", field="block_minutes")
            if self.bonus is not None:
                raise InvalidInput("performance bonuses apply to hourly contracts", field="bonus")
        if self.start_date < today:
            raise InvalidInput("the start date is in the past", field="start_date")
        if self.end_date is not None and self.end_date <= self.start_date:
            raise InvalidInput("the end date must come after the start date", field="end_date")
        if self.tier not in (1, 2):
            raise InvalidInput("a contract is tier-1 or tier-2 support", field="tier")
        if agent_tier is None or agent_tier < self.tier:
            raise InvalidInput(
                f"this agent is vetted at tier {agent_tier}; tier-{self.tier} work needs tier {self.tier} or above",
                field="tier",
            )
        return self


def offer_expires_at(offered_at: datetime) -> datetime:
    return offered_at + OFFER_LIFETIME


def is_expired(status: Status, expires_at: datetime | None, now: datetime) -> bool:
    """An offer past its seven days is expired even before the expiry job has written it."""
    return status is Status.OFFERED and expires_at is not None and now >= expires_at


def local_midnight(day: date, time_zone: str) -> datetime:
    """00:00 of `day` in the business's time zone, as a UTC instant (dates are the business's)."""
    from datetime import UTC

    return datetime.combine(day, time(0), tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


# -- terms over time ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermsChange:
    """From `effective_at` on, the rate and (hourly) the weekly cap are these."""

    effective_at: datetime
    rate_minor: int
    weekly_cap_minutes: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "effective_at": self.effective_at.isoformat(),
            "rate_minor": self.rate_minor,
            "weekly_cap_minutes": self.weekly_cap_minutes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TermsChange:
        return cls(
            datetime.fromisoformat(data["effective_at"]), data["rate_minor"], data["weekly_cap_minutes"]
        )


def terms_in_week(history: list[TermsChange], week: BillingWeek) -> TermsChange:
    """The rate and cap that govern billing week `week`.

    The last change that took effect before the week ended wins: a rate change always takes
    effect at a Monday, so a week has one rate; a cap raised mid-week governs that whole week
    (it applies at once), a lowered one takes effect at the next Monday and so not in this week."""
    governing = [change for change in history if change.effective_at < week.ends_at]
    if not governing:
        return history[0]
    return max(governing, key=lambda change: change.effective_at)


# -- amendments -----------------------------------------------------------------------------------


class AmendmentStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Amendment:
    amendment_id: str
    proposed_by: Side
    proposed_at: datetime
    rate_minor: int | None
    weekly_cap_minutes: int | None
    note: str = ""
    status: AmendmentStatus = AmendmentStatus.PROPOSED
    decided_at: datetime | None = None
    rate_from: datetime | None = None
    cap_from: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "amendment_id": self.amendment_id,
            "proposed_by": str(self.proposed_by),
            "proposed_at": self.proposed_at.isoformat(),
            "rate_minor": self.rate_minor,
            "weekly_cap_minutes": self.weekly_cap_minutes,
            "note": self.note,
            "status": str(self.status),
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
            "rate_from": self.rate_from.isoformat() if self.rate_from else None,
            "cap_from": self.cap_from.isoformat() if self.cap_from else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Amendment:
        def when(key: str) -> datetime | None:
            return datetime.fromisoformat(data[key]) if data.get(key) else None

        return cls(
            amendment_id=data["amendment_id"],
            proposed_by=Side(data["proposed_by"]),
            proposed_at=datetime.fromisoformat(data["proposed_at"]),
            rate_minor=data["rate_minor"],
            weekly_cap_minutes=data["weekly_cap_minutes"],
            note=data.get("note", ""),
            status=AmendmentStatus(data["status"]),
            decided_at=when("decided_at"),
            rate_from=when("rate_from"),
            cap_from=when("cap_from"),
        )


def check_proposal(
    *,
    side: Side,
    kind: Kind,
    status: Status,
    current: TermsChange,
    rate_minor: int | None,
    weekly_cap_minutes: int | None,
    pending: Amendment | None,
) -> None:
    """Who may propose what: the rules of DESIGN.md section 3, each refusal naming its field."""
    if status not in LIVE:
        raise Conflict(f"a contract that is {status} cannot be amended", code="illegal_transition")
    if kind is Kind.BLOCK:
        raise Conflict(
            "a block contract's terms are fixed; buy another block instead", code="block_terms_fixed"
        )
    if pending is not None:
        raise Conflict(
            "a change is already waiting for an answer; withdraw it or wait", code="amendment_pending"
        )
    if rate_minor is None and weekly_cap_minutes is None:
        raise InvalidInput("propose a new rate, a new weekly cap, or both", field="rate")
    if rate_minor is not None:
        if not 0 < rate_minor <= MAX_RATE_MINOR:
            raise InvalidInput("the rate must be above zero", field="rate.amount")
        if rate_minor == current.rate_minor:
            raise InvalidInput("that is the current rate", field="rate.amount")
        if rate_minor > current.rate_minor and side is not Side.BUSINESS:
            raise Forbidden("only the business can raise the rate", field="rate.amount", code="wrong_party")
        if rate_minor < current.rate_minor and side is not Side.AGENT:
            raise Forbidden("only the agent can lower the rate", field="rate.amount", code="wrong_party")
    if weekly_cap_minutes is not None:
        if not 15 <= weekly_cap_minutes <= MAX_WEEKLY_CAP:
            raise InvalidInput("the weekly cap is 15 minutes to 168 hours", field="weekly_cap_minutes")
        if weekly_cap_minutes == current.weekly_cap_minutes:
            raise InvalidInput("that is the current weekly cap", field="weekly_cap_minutes")


def decide(amendment: Amendment, *, side: Side, accept: bool, now: datetime) -> Amendment:
    """The other side accepts or declines; the proposer may only withdraw (see `withdraw`)."""
    if amendment.status is not AmendmentStatus.PROPOSED:
        raise Conflict(f"this change is already {amendment.status}", code="illegal_transition")
    if side is amendment.proposed_by:
        raise Forbidden("the other side answers a change you proposed", code="wrong_party")
    if not accept:
        return replace(amendment, status=AmendmentStatus.DECLINED, decided_at=now)
    return replace(amendment, status=AmendmentStatus.ACCEPTED, decided_at=now)


def withdraw(amendment: Amendment, *, side: Side, now: datetime) -> Amendment:
    if amendment.status is not AmendmentStatus.PROPOSED:
        raise Conflict(f"this change is already {amendment.status}", code="illegal_transition")
    if side is not amendment.proposed_by:
        raise Forbidden("only the side that proposed a change can withdraw it", code="wrong_party")
    return replace(amendment, status=AmendmentStatus.WITHDRAWN, decided_at=now)


def apply_amendment(
    history: list[TermsChange], amendment: Amendment, *, now: datetime
) -> tuple[list[TermsChange], Amendment]:
    """The terms history with an accepted amendment in it, and the amendment with its dates.

    The rate takes effect at the next Monday 00:00 UTC; a raised cap now, a lowered one at the
    next Monday. A change already scheduled for later (a lowered cap waiting for Monday) keeps
    its own values but takes the ones this amendment sets."""
    next_monday = BillingWeek.containing(now).ends_at
    current = terms_at(history, now)
    updated, rate_from, cap_from = list(history), None, None
    if amendment.weekly_cap_minutes is not None:
        raised = (
            current.weekly_cap_minutes is None or amendment.weekly_cap_minutes > current.weekly_cap_minutes
        )
        cap_from = now if raised else next_monday
        updated = _set_from(updated, cap_from, weekly_cap_minutes=amendment.weekly_cap_minutes)
    if amendment.rate_minor is not None:
        rate_from = next_monday
        updated = _set_from(updated, rate_from, rate_minor=amendment.rate_minor)
    return updated, replace(amendment, rate_from=rate_from, cap_from=cap_from)


def _set_from(history: list[TermsChange], moment: datetime, **values: int | None) -> list[TermsChange]:
    updated = [replace(c, **values) if c.effective_at >= moment else c for c in history]
    if not any(c.effective_at == moment for c in updated):
        updated.append(replace(terms_at(updated, moment), effective_at=moment, **values))
    return sorted(updated, key=lambda c: c.effective_at)


def terms_at(history: list[TermsChange], moment: datetime) -> TermsChange:
    """The terms in force at `moment` (the last change at or before it)."""
    in_force = [change for change in history if change.effective_at <= moment]
    return max(in_force, key=lambda c: c.effective_at) if in_force else history[0]


# -- active periods -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime | None = None  # None: still running

    def to_json(self) -> list[Any]:
        return [self.start.isoformat(), self.end.isoformat() if self.end else None]

    @classmethod
    def from_json(cls, data: list[Any]) -> Period:
        return cls(datetime.fromisoformat(data[0]), datetime.fromisoformat(data[1]) if data[1] else None)


@dataclass(frozen=True)
class ActivePeriods:
    """When time may be logged: the contract's periods of activity, bounded by its end date."""

    periods: tuple[Period, ...] = field(default_factory=tuple)
    ends_at: datetime | None = None  # 00:00 after the end date, in the business's zone

    def _stop(self, period: Period) -> datetime | None:
        """When `period` stops: its own end, or the contract's end date, whichever is first."""
        stops = [moment for moment in (period.end, self.ends_at) if moment is not None]
        return min(stops) if stops else None

    def covering(self, start: datetime, end: datetime) -> bool:
        return any(
            period.start <= start and (stop is None or end <= stop)
            for period in self.periods
            for stop in [self._stop(period)]
        )

    def why_not(self, start: datetime, end: datetime, zone: str = "UTC") -> str:
        """Why [start, end) is not inside an active period, in words a person can act on, its
        times on `zone`'s clock (the reader's), the zone named."""
        if not self.periods:
            return "this contract has not started"
        first = self.periods[0].start
        if start < first:
            return f"this contract starts at {written(first, zone)}"
        if self.ends_at is not None and end > self.ends_at:
            return f"this contract ends at {written(self.ends_at, zone)}"
        return "the contract was not active for all of that time (it was paused or had ended)"

    def open_until(self, moment: datetime) -> datetime | None:
        """When the period running at `moment` stops at the latest (None: open-ended); a 409 when
        no period runs at `moment`."""
        for period in self.periods:
            stop = self._stop(period)
            if period.start <= moment and (stop is None or moment < stop):
                return stop
        raise Conflict("this contract is not running now", code="contract_not_active")

    def opened(self, at: datetime) -> ActivePeriods:
        return replace(self, periods=(*self.periods, Period(at)))

    def closed(self, at: datetime) -> ActivePeriods:
        periods = list(self.periods)
        if periods and periods[-1].end is None:
            last = periods[-1]
            periods[-1] = Period(last.start, max(at, last.start))
        return replace(self, periods=tuple(periods))


def first_period_start(start_date: date, time_zone: str, accepted_at: datetime) -> datetime:
    """A contract runs from 00:00 of its start date in the business's zone, or from the moment the
    agent accepted if that is later: nobody logs time before they agreed to the terms."""
    return max(local_midnight(start_date, time_zone), accepted_at.replace(second=0, microsecond=0))


def end_bound(end_date: date | None, time_zone: str) -> datetime | None:
    return None if end_date is None else local_midnight(end_date + timedelta(days=1), time_zone)


def should_pause_for_inactivity(
    *, kind: Kind, status: Status, last_activity: datetime, now: datetime
) -> bool:
    """An hourly contract with no time logged for 30 days pauses itself (with a mail)."""
    return kind is Kind.HOURLY and status is Status.ACTIVE and now - last_activity >= INACTIVITY_PAUSE
