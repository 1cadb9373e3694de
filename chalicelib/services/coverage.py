"""The two weekly calendars: the business's coverage (what its openings want covered against
what its contracted agents committed to) and the agent's commitments across all businesses, each
in its viewer's time zone; and the collisions an offer would make with the agent's commitments."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.composition import Deps
from chalicelib.domain import calendar as cal
from chalicelib.domain import contracts as terms
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import AgentId
from chalicelib.domain.time import BillingWeek
from chalicelib.services import openings
from chalicelib.services.contracts import records
from chalicelib.services.diary import entries
from chalicelib.store.contracts import ContractRecord
from chalicelib.store.marketplace import schedule_of

WANTED_OPENINGS = ("open", "paused", "filled")
COMMITTED = (terms.Status.ACTIVE, terms.Status.PAUSED)


def local_monday(week: BillingWeek) -> date:
    """The Monday (a calendar date) of the ISO week: each viewer sees that Monday to Sunday in
    their own zone."""
    return week.starts_at.date()


def committed_in_week(contract: ContractRecord, zone: str, monday: date) -> cal.Intervals:
    """A contract's committed hours in the viewer's local week, from its start (00:00 of its start
    date in the business's zone, or its acceptance if later) to its end: a contract that has not
    started, or has ended, covers nothing in those days."""
    start = records.starts_at(contract)
    if start is None:
        return ()
    end = contract.ends_at
    return cal.clip(
        cal.schedule_in_week(records.coverage_of(contract), zone, monday),
        start=cal.epoch_minute(start),
        end=None if end is None else cal.epoch_minute(end),
    )


def business_coverage(
    actor: Principal, week: BillingWeek, *, deps: Deps
) -> tuple[cal.WeekGrid, list[ContractRecord]]:
    if actor.kind is not PrincipalKind.MEMBER:
        raise Forbidden("this is the business's view")
    tenant = actor.require_tenant()
    zone = openings._tenant(tenant).time_zone
    monday = local_monday(week)
    wanted = [
        iv
        for opening in openings.listed(actor)
        if opening.status in WANTED_OPENINGS
        for iv in cal.schedule_in_week(schedule_of(opening.coverage), zone, monday)
    ]
    now = deps.now()
    staffed = [c for c in records.listed(actor) if records.status_of(c, now) in COMMITTED]
    layers = [cal.Layer("wanted", "Wanted", "wanted", cal.merge(wanted))]
    layers += [
        cal.Layer(
            c.contract_id,
            c.agent_name,
            "schedule",
            committed_in_week(c, zone, monday),
        )
        for c in staffed
    ]
    return cal.week_grid(zone, monday, layers, business_view=True), staffed


def agent_calendar(
    actor: Principal, week: BillingWeek, *, deps: Deps
) -> tuple[cal.WeekGrid, list[ContractRecord]]:
    if actor.kind is not PrincipalKind.AGENT:
        raise Forbidden("this is the agent's view")
    from chalicelib.services.profiles import my_profile

    zone = my_profile(actor).time_zone
    monday = local_monday(week)
    now = deps.now()
    committed = [c for c in records.listed(actor) if records.status_of(c, now) in COMMITTED]
    layers = [
        cal.Layer(
            c.contract_id,
            c.business_name,
            "schedule",
            committed_in_week(c, zone, monday),
        )
        for c in committed
    ]
    lo, hi = cal.local_week(zone, monday)
    spans = entries.agent_entries(
        AgentId(actor.id), cal.from_epoch_minute(lo) - timedelta(days=1), cal.from_epoch_minute(hi)
    )
    logged = cal.merge((cal.epoch_minute(e.started_at), cal.epoch_minute(e.ended_at)) for e in spans)
    layers.append(cal.Layer("logged", "Logged", "logged", logged))
    return cal.week_grid(zone, monday, layers, business_view=False), committed


def offer_collisions(actor: Principal, offer: ContractRecord, *, deps: Deps) -> list[cal.Collision]:
    """Where the offer's schedule would collide with the agent's other live commitments (shown to
    the agent before they accept, and to nobody else)."""
    if actor.kind is not PrincipalKind.AGENT:
        return []
    now = deps.now()
    others = [
        (c.business_name + " · " + c.title, records.coverage_of(c))
        for c in records.listed(actor)
        if c.contract_id != offer.contract_id and records.status_of(c, now) in COMMITTED
    ]
    if not others:
        return []
    start = max(date.fromisoformat(offer.start_date), now.date())
    return cal.collisions(records.coverage_of(offer), others, start=start)


def local_label(moment: datetime, zone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(zone)):%a %d %b %H:%M}"
