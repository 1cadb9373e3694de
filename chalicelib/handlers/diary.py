"""The work diary on the JSON API: the clock and the entries."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import AGENT

api = JsonApi(__name__, tag="diary", schemas="chalicelib.schemas.diary")


def _zone(principal, contract) -> str:
    from chalicelib.services import timesheets

    return timesheets.viewer_zone(principal, contract)


@api.get("/api/v1/clock", response="ClockState", access=AGENT)
def get_clock(principal):
    """Whether you are clocked in, on which contract, and when the clock stops by itself."""
    from chalicelib.schemas import diary as schemas
    from chalicelib.services.diary import clock

    running = clock.current_clock(principal)
    return schemas.ClockState(clock=schemas.clock_view(running) if running else None)


@api.post(
    "/api/v1/contracts/{contract_id}/clock-in",
    body="ClockInBody",
    body_required=False,
    response="ClockView",
    status=201,
    errors=(404, 409),
    access=AGENT,
)
def clock_in(contract_id: str, body, principal):
    """Start the clock (one at a time, across all your contracts)."""
    from chalicelib.schemas import diary as schemas
    from chalicelib.services.diary import clock

    return schemas.clock_view(clock.clock_in(principal, contract_id, memo=body.memo, deps=composition.deps()))


@api.post("/api/v1/clock-out", response="ClockOutView", errors=(409,), access=AGENT)
def clock_out(principal):
    """Stop the clock: the time becomes an entry (two, across Monday 00:00 UTC)."""
    from chalicelib.schemas import diary as schemas
    from chalicelib.services.diary import clock

    result = clock.clock_out(principal, deps=composition.deps())
    zone = principal_zone(principal)
    now = composition.deps().now()
    return schemas.ClockOutView(
        entries=[schemas.entry_view(e, zone=zone, now=now) for e in result.entries],
        stopped_because=result.reason,
        dropped_minutes=result.dropped_minutes,
    )


def principal_zone(principal) -> str:
    from chalicelib.services.profiles import my_profile

    return my_profile(principal).time_zone


def _draft(body):
    from chalicelib.services.diary import entries

    return entries.EntryDraft(
        started_at=body.started_at, ended_at=body.ended_at, memo=body.memo, tickets=tuple(body.tickets)
    )


@api.post(
    "/api/v1/contracts/{contract_id}/entries",
    body="EntryBody",
    response="EntryList",
    status=201,
    errors=(404, 409),
    access=AGENT,
)
def log_time(contract_id: str, body, principal):
    """Log time by hand. Refused with the reason and the minutes left when it breaks a rule."""
    from chalicelib.schemas import diary as schemas
    from chalicelib.services.contracts import records
    from chalicelib.services.diary import entries

    logged = entries.log_time(principal, contract_id, _draft(body), deps=composition.deps())
    record = records.find(principal, contract_id)
    zone, now = _zone(principal, record), composition.deps().now()
    return schemas.EntryList(entries=[schemas.entry_view(e, zone=zone, now=now) for e in logged])


@api.put(
    "/api/v1/contracts/{contract_id}/entries/{entry_id}",
    body="EntryBody",
    response="EntryView",
    errors=(404, 409),
    access=AGENT,
)
def revise_entry(contract_id: str, entry_id: str, body, principal):
    """Change an entry while its week is open (until Monday 12:00 UTC of the next week)."""
    from chalicelib.schemas import diary as schemas
    from chalicelib.services.contracts import records
    from chalicelib.services.diary import entries

    entry = entries.revise(principal, contract_id, entry_id, _draft(body), deps=composition.deps())
    record = records.find(principal, contract_id)
    return schemas.entry_view(entry, zone=_zone(principal, record), now=composition.deps().now())


@api.delete("/api/v1/contracts/{contract_id}/entries/{entry_id}", status=204, errors=(404, 409), access=AGENT)
def delete_entry(contract_id: str, entry_id: str, principal):
    """Delete an entry while its week is open."""
    from chalicelib.services.diary import entries

    entries.delete(principal, contract_id, entry_id, deps=composition.deps())
