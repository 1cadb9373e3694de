"""Setting up hires for the contract tests: an approved agent, a business with an open opening,
an application, an offer and its acceptance, on a clock the test moves by hand."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.integration.helpers import STRONG, agent, business, call, opening_body, operator, profile_body

# Monday of billing week 2026-W48, 08:00 UTC (03:00 in New York, 08:00 in Lisbon)
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def sign_in(client, person: dict) -> str:
    """A fresh bearer token (they last 24 hours; tests move the clock by days)."""
    response = call(client, "POST", "/api/v1/sessions", {"email": person["email"], "password": STRONG})
    assert response.status_code == 201, response.json
    person["token"] = response.json["token"]
    return person["token"]


def approved(client, ops, *, tier: int = 2, **profile) -> dict:
    account = {k: profile.pop(k) for k in ("time_zone", "name") if k in profile}
    someone = agent(client, **account)
    assert (
        call(
            client, "PUT", "/api/v1/agent/profile", profile_body(**profile), token=someone["token"]
        ).status_code
        == 200
    )
    response = call(
        client, "POST", f"/api/v1/admin/agents/{someone['id']}/approve", {"tier": tier}, token=ops["token"]
    )
    assert response.status_code == 200, response.json
    return someone


def published_opening(client, owner, **overrides) -> dict:
    created = call(client, "POST", "/api/v1/openings", opening_body(**overrides), token=owner["token"])
    assert created.status_code == 201, created.json
    assert (
        call(
            client, "POST", f"/api/v1/openings/{created.json['id']}/publish", token=owner["token"]
        ).status_code
        == 200
    )
    return created.json


def apply(client, someone, opening, rate: int = 2500) -> dict:
    response = call(
        client,
        "POST",
        f"/api/v1/openings/{opening['id']}/applications",
        {
            "cover_note": "",
            "proposed_rate": {"amount": rate, "currency": "usd"},
            "earliest_start": "2027-01-04",
        },
        token=someone["token"],
    )
    assert response.status_code == 201, response.json
    return response.json


def offer_body(application_id: str, **overrides) -> dict:
    body = {
        "application_id": application_id,
        "kind": "hourly",
        "rate": {"amount": 2500, "currency": "usd"},
        "weekly_cap_minutes": 750,
        "start_date": "2026-11-23",
        "tier": 1,
        "note": "Welcome aboard",
    }
    body.update(overrides)
    return body


def offer(client, owner, application_id: str, **overrides) -> dict:
    response = call(
        client, "POST", "/api/v1/offers", offer_body(application_id, **overrides), token=owner["token"]
    )
    assert response.status_code == 201, response.json
    return response.json


def accept(client, someone, contract_id: str) -> dict:
    response = call(client, "POST", f"/api/v1/offers/{contract_id}/accept", token=someone["token"])
    assert response.status_code == 200, response.json
    return response.json


def hire(
    client, deps, *, ops=None, someone=None, owner=None, seats: int = 1, now=MONDAY, **offer_overrides
) -> dict:
    """A running contract: {ops, agent, owner, opening, application, contract}. The clock is set
    to `now` first (Monday of 2026-W48, 08:00 UTC; None leaves it where it is)."""
    if now is not None:
        deps.clock.now = now
    ops = ops or operator(client, deps)
    someone = someone or approved(client, ops)
    owner = owner or business(client)
    opening = published_opening(client, owner, seats=seats)
    application = apply(client, someone, opening)
    contract = accept(client, someone, offer(client, owner, application["id"], **offer_overrides)["id"])
    return {
        "ops": ops,
        "agent": someone,
        "owner": owner,
        "opening": opening,
        "application": application,
        "contract": contract,
    }


def log(client, someone, contract_id: str, start: datetime, end: datetime, **extra):
    body = {
        "started_at": iso(start),
        "ended_at": iso(end),
        "memo": extra.pop("memo", "Answered tickets"),
        **extra,
    }
    return call(client, "POST", f"/api/v1/contracts/{contract_id}/entries", body, token=someone["token"])


def timesheet(client, person, contract_id: str, week: str) -> dict:
    response = call(
        client, "GET", f"/api/v1/contracts/{contract_id}/timesheets/{week}", token=person["token"]
    )
    assert response.status_code == 200, response.json
    return response.json


def run_job(name: str, deps, **options):
    from chalicelib.jobs import runner

    return runner.run(name, deps=deps, **options)
