"""Offers, the contract lifecycle and amendments through the JSON API (DynamoDB Local)."""

import pytest

from tests.integration.contract_helpers import (
    MONDAY,
    accept,
    apply,
    approved,
    at,
    hire,
    log,
    offer,
    offer_body,
    published_opening,
    sign_in,
)
from tests.integration.helpers import business, call, operator

pytestmark = pytest.mark.integration


@pytest.fixture
def market(client, deps):
    deps.clock.now = MONDAY
    ops = operator(client, deps)
    someone = approved(client, ops)
    owner = business(client)
    opening = published_opening(client, owner, seats=2)
    application = apply(client, someone, opening)
    return {"ops": ops, "agent": someone, "owner": owner, "opening": opening, "application": application}


def test_offer_accept_fills_a_seat_and_hires_the_application(client, deps, market):
    owner, someone = market["owner"], market["agent"]
    sent = offer(client, owner, market["application"]["id"])
    assert sent["status"] == "offered" and sent["rate"] == {"amount": 2500, "currency": "usd"}
    assert sent["expires_at"].startswith("2026-11-30T08:00")
    mail = deps.mailer.last_to(someone["email"])
    assert f"/agent/contracts/{sent['id']}" in mail.text
    # the agent sees it among their offers; the application is marked offered
    listed = call(client, "GET", "/api/v1/offers", token=someone["token"]).json["contracts"]
    assert [o["id"] for o in listed] == [sent["id"]]
    application = call(
        client, "GET", f"/api/v1/applications/{market['application']['id']}", token=owner["token"]
    ).json
    assert application["status"] == "offered"
    # a second offer from the same application waits for this one
    again = call(
        client, "POST", "/api/v1/offers", offer_body(market["application"]["id"]), token=owner["token"]
    )
    assert again.status_code == 409 and again.json["error"]["code"] == "application_not_live"

    # only the agent accepts
    wrong = call(client, "POST", f"/api/v1/offers/{sent['id']}/accept", token=owner["token"])
    assert wrong.status_code == 403
    contract = accept(client, someone, sent["id"])
    assert contract["status"] == "active"
    # the contract starts at midnight of its start date in New York, or at acceptance if later
    assert contract["periods"] == [{"start": "2026-11-23T08:00:00Z", "end": None}]
    assert "accepted" in deps.mailer.last_to(owner["email"]).subject
    opening = call(client, "GET", f"/api/v1/openings/{market['opening']['id']}", token=owner["token"]).json
    assert opening["filled_seats"] == 1 and opening["status"] == "open"
    application = call(
        client, "GET", f"/api/v1/applications/{market['application']['id']}", token=owner["token"]
    ).json
    assert application["status"] == "hired"
    twice = call(client, "POST", f"/api/v1/offers/{sent['id']}/accept", token=someone["token"])
    assert twice.status_code == 409 and "active" in twice.json["error"]["message"]
    assert [
        c["id"] for c in call(client, "GET", "/api/v1/contracts", token=someone["token"]).json["contracts"]
    ] == [sent["id"]]


def test_the_last_seat_fills_the_opening_and_a_further_acceptance_is_refused(client, deps, market):
    owner, ops = market["owner"], market["ops"]
    opening = published_opening(client, owner, seats=1)
    first, second = approved(client, ops), approved(client, ops)
    offers = [offer(client, owner, apply(client, a, opening)["id"]) for a in (first, second)]
    accept(client, first, offers[0]["id"])
    status = call(client, "GET", f"/api/v1/openings/{opening['id']}", token=owner["token"]).json
    assert status["status"] == "filled" and status["filled_seats"] == 1
    late = call(client, "POST", f"/api/v1/offers/{offers[1]['id']}/accept", token=second["token"])
    assert late.status_code == 409 and late.json["error"]["code"] == "opening_not_open"
    assert (
        call(client, "GET", f"/api/v1/contracts/{offers[1]['id']}", token=second["token"]).json["status"]
        == "offered"
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"rate": {"amount": 2500, "currency": "eur"}}, "rate.currency"),
        ({"rate": {"amount": 0, "currency": "usd"}}, "rate.amount"),
        ({"weekly_cap_minutes": 0}, "weekly_cap_minutes"),
        ({"weekly_cap_minutes": None}, "weekly_cap_minutes"),
        ({"start_date": "2026-11-20"}, "start_date"),
        ({"end_date": "2026-11-22"}, "end_date"),
        ({"tier": 3}, "tier"),
        ({"kind": "block", "weekly_cap_minutes": None, "block_minutes": 10}, "block_minutes"),
        ({"coverage": [{"day": "mon", "start": "09:00", "end": "09:00"}]}, "coverage.0"),
        ({"rate": {"amount": 25.5, "currency": "usd"}}, "rate.amount"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_offers_are_400s_naming_the_field_and_nothing_is_written(client, market, overrides, field):
    owner = market["owner"]
    response = call(
        client,
        "POST",
        "/api/v1/offers",
        offer_body(market["application"]["id"], **overrides),
        token=owner["token"],
    )
    assert response.status_code == 400, response.json
    assert response.json["error"]["field"] == field
    assert call(client, "GET", "/api/v1/offers", token=owner["token"]).json["contracts"] == []


def test_offers_go_to_applicants_or_invited_agents_only(client, market):
    owner, ops = market["owner"], market["ops"]
    stranger = approved(client, ops)
    body = offer_body(None, opening_id=market["opening"]["id"], agent_id=stranger["id"])
    response = call(client, "POST", "/api/v1/offers", body, token=owner["token"])
    assert response.status_code == 409 and response.json["error"]["code"] == "not_invited"
    invited = call(
        client,
        "POST",
        f"/api/v1/openings/{market['opening']['id']}/invitations",
        {"agent_id": stranger["id"], "note": ""},
        token=owner["token"],
    )
    assert invited.status_code == 201
    direct = call(client, "POST", "/api/v1/offers", body, token=owner["token"])
    assert direct.status_code == 201 and direct.json["agent_id"] == stranger["id"]
    missing = call(client, "POST", "/api/v1/offers", offer_body("NOSUCHAPPLICATION"), token=owner["token"])
    assert missing.status_code == 404 and missing.json["error"]["field"] == "application_id"


def test_decline_and_withdraw_give_the_application_back(client, deps, market):
    owner, someone = market["owner"], market["agent"]
    sent = offer(client, owner, market["application"]["id"])
    declined = call(
        client,
        "POST",
        f"/api/v1/offers/{sent['id']}/decline",
        {"reason": "Booked that week"},
        token=someone["token"],
    )
    assert declined.status_code == 200 and declined.json["status"] == "declined"
    assert declined.json["decline_reason"] == "Booked that week"
    assert "Booked that week" in deps.mailer.last_to(owner["email"]).text
    application = call(
        client, "GET", f"/api/v1/applications/{market['application']['id']}", token=owner["token"]
    ).json
    assert application["status"] == "shortlisted"
    second = offer(client, owner, market["application"]["id"], weekly_cap_minutes=600)
    # declining needs no body at all
    assert (
        call(client, "POST", f"/api/v1/offers/{second['id']}/withdraw", token=owner["token"]).json["status"]
        == "withdrawn"
    )
    gone = call(client, "POST", f"/api/v1/offers/{second['id']}/accept", token=someone["token"])
    assert gone.status_code == 409 and "withdrawn" in gone.json["error"]["message"]
    third = offer(client, owner, market["application"]["id"])
    assert (
        call(client, "POST", f"/api/v1/offers/{third['id']}/decline", token=someone["token"]).status_code
        == 200
    )


def test_an_offer_expires_after_seven_days_even_before_the_job_runs(client, deps, market):
    owner, someone = market["owner"], market["agent"]
    sent = offer(client, owner, market["application"]["id"])
    deps.clock.advance(days=7)
    sign_in(client, someone)
    late = call(client, "POST", f"/api/v1/offers/{sent['id']}/accept", token=someone["token"])
    assert late.status_code == 409 and "expired" in late.json["error"]["message"]


def test_pause_resume_end(client, deps):
    hired = hire(client, deps)
    owner, someone, contract = hired["owner"], hired["agent"], hired["contract"]
    cid = contract["id"]
    deps.clock.now = at(23, 12)
    assert log(client, someone, cid, at(23, 9), at(23, 10)).status_code == 201
    assert call(client, "POST", f"/api/v1/contracts/{cid}/pause", token=someone["token"]).status_code == 403
    paused = call(client, "POST", f"/api/v1/contracts/{cid}/pause", token=owner["token"])
    assert paused.status_code == 200 and paused.json["status"] == "paused"
    assert paused.json["periods"][-1]["end"] == "2026-11-23T12:00:00Z"
    assert "paused" in deps.mailer.last_to(someone["email"]).subject
    deps.clock.now = at(23, 14)
    # time while paused is refused, time from before the pause can still be fixed
    refused = log(client, someone, cid, at(23, 12, 30), at(23, 13))
    assert refused.status_code == 409 and refused.json["error"]["code"] == "outside_contract"
    assert log(client, someone, cid, at(23, 10, 30), at(23, 11)).status_code == 201
    clock = call(client, "POST", f"/api/v1/contracts/{cid}/clock-in", token=someone["token"])
    assert clock.status_code == 409 and clock.json["error"]["code"] == "contract_not_active"
    again = call(client, "POST", f"/api/v1/contracts/{cid}/pause", token=owner["token"])
    assert again.status_code == 409 and "paused" in again.json["error"]["message"]
    resumed = call(client, "POST", f"/api/v1/contracts/{cid}/resume", token=owner["token"])
    assert resumed.json["status"] == "active" and len(resumed.json["periods"]) == 2
    deps.clock.now = at(23, 16)
    assert log(client, someone, cid, at(23, 14, 30), at(23, 15)).status_code == 201
    no_reason = call(client, "POST", f"/api/v1/contracts/{cid}/end", {"reason": ""}, token=someone["token"])
    assert no_reason.status_code == 400 and no_reason.json["error"]["field"] == "reason"
    ended = call(
        client, "POST", f"/api/v1/contracts/{cid}/end", {"reason": "Moving on"}, token=someone["token"]
    )
    assert ended.json["status"] == "ended" and ended.json["ended_by"] == "agent"
    assert "Moving on" in deps.mailer.last_to(owner["email"]).text
    assert call(client, "POST", f"/api/v1/contracts/{cid}/resume", token=owner["token"]).status_code == 409
    # time already logged stays
    sheet = call(client, "GET", f"/api/v1/contracts/{cid}/timesheets/2026-W48", token=owner["token"]).json
    assert sheet["logged_minutes"] == 120


def test_pausing_stops_a_running_clock_first(client, deps):
    hired = hire(client, deps)
    owner, someone, cid = hired["owner"], hired["agent"], hired["contract"]["id"]
    deps.clock.now = at(23, 9)
    assert (
        call(client, "POST", f"/api/v1/contracts/{cid}/clock-in", token=someone["token"]).status_code == 201
    )
    deps.clock.now = at(23, 10, 15)
    call(client, "POST", f"/api/v1/contracts/{cid}/pause", token=owner["token"])
    assert call(client, "GET", "/api/v1/clock", token=someone["token"]).json == {"clock": None}
    entries = call(
        client, "GET", f"/api/v1/contracts/{cid}/timesheets/2026-W48", token=someone["token"]
    ).json["entries"]
    assert [(e["minutes"], e["source"]) for e in entries] == [(75, "clock")]


def test_amendments_follow_who_may_change_what_and_when(client, deps):
    hired = hire(client, deps)
    owner, someone, cid = hired["owner"], hired["agent"], hired["contract"]["id"]
    deps.clock.now = at(25, 15)  # a Wednesday
    sign_in(client, owner), sign_in(client, someone)
    raise_by_agent = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/amendments",
        {"rate": {"amount": 3000, "currency": "usd"}},
        token=someone["token"],
    )
    assert raise_by_agent.status_code == 403 and raise_by_agent.json["error"]["field"] == "rate.amount"
    lower_by_business = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/amendments",
        {"rate": {"amount": 2000, "currency": "usd"}},
        token=owner["token"],
    )
    assert lower_by_business.status_code == 403
    proposed = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/amendments",
        {"rate": {"amount": 3000, "currency": "usd"}, "weekly_cap_minutes": 900, "note": "Great work"},
        token=owner["token"],
    )
    assert proposed.status_code == 201, proposed.json
    assert "waits for your answer" in deps.mailer.last_to(someone["email"]).subject
    pending = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/amendments",
        {"weekly_cap_minutes": 600},
        token=someone["token"],
    )
    assert pending.status_code == 409 and pending.json["error"]["code"] == "amendment_pending"
    own = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/amendments/{proposed.json['id']}/accept",
        token=owner["token"],
    )
    assert own.status_code == 403
    accepted = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/amendments/{proposed.json['id']}/accept",
        token=someone["token"],
    )
    assert accepted.status_code == 200
    assert accepted.json["rate_from"] == "2026-11-30T00:00:00Z"  # the next billing week
    # the business is told when the new rate starts on its own clock, the zone named (issue 14, item 8)
    settled = deps.mailer.last_to(owner["email"])
    assert settled.subject == "Your change to a contract was accepted"
    assert "30.00 USD/h from Sun 29 Nov 19:00 EST, as billing week 2026-W49 starts" in settled.text
    assert accepted.json["cap_from"] == "2026-11-25T15:00:00Z"  # a raised cap: at once
    contract = call(client, "GET", f"/api/v1/contracts/{cid}", token=owner["token"]).json
    assert contract["rate"]["amount"] == 2500 and contract["weekly_cap_minutes"] == 900
    assert [t["rate"]["amount"] for t in contract["terms"]] == [2500, 2500, 3000]
    # this week's timesheet: the new cap, the old rate; next week both new
    this_week = call(client, "GET", f"/api/v1/contracts/{cid}/timesheets/2026-W48", token=owner["token"]).json
    assert (this_week["cap_minutes"], this_week["rate"]["amount"]) == (900, 2500)
    next_week = call(client, "GET", f"/api/v1/contracts/{cid}/timesheets/2026-W49", token=owner["token"]).json
    assert (next_week["cap_minutes"], next_week["rate"]["amount"]) == (900, 3000)
    # a lowered cap waits for Monday; the agent may lower the rate, the business declines
    lowered = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/amendments",
        {"weekly_cap_minutes": 600},
        token=someone["token"],
    )
    call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/amendments/{lowered.json['id']}/accept",
        token=owner["token"],
    )
    this_week = call(client, "GET", f"/api/v1/contracts/{cid}/timesheets/2026-W48", token=owner["token"]).json
    next_week = call(client, "GET", f"/api/v1/contracts/{cid}/timesheets/2026-W49", token=owner["token"]).json
    assert (this_week["cap_minutes"], next_week["cap_minutes"]) == (900, 600)
    cheaper = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/amendments",
        {"rate": {"amount": 2400, "currency": "usd"}},
        token=someone["token"],
    )
    assert cheaper.status_code == 201
    declined = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/amendments/{cheaper.json['id']}/decline",
        token=owner["token"],
    )
    assert declined.json["status"] == "declined"
    history = call(client, "GET", f"/api/v1/contracts/{cid}/amendments", token=someone["token"]).json[
        "amendments"
    ]
    assert [a["status"] for a in history] == ["accepted", "accepted", "declined"]


def test_block_contracts_are_fixed_and_draw_down(client, deps):
    hired = hire(client, deps, kind="block", weekly_cap_minutes=None, block_minutes=120)
    owner, someone, cid = hired["owner"], hired["agent"], hired["contract"]["id"]
    assert hired["contract"]["remaining_minutes"] == 120
    fixed = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/amendments",
        {"weekly_cap_minutes": 600},
        token=owner["token"],
    )
    assert fixed.status_code == 409 and fixed.json["error"]["code"] == "block_terms_fixed"
    deps.clock.now = at(24, 7)
    assert log(client, someone, cid, at(24, 5), at(24, 6, 30)).status_code == 201
    over = log(client, someone, cid, at(24, 6, 30), at(24, 7))
    assert over.status_code == 201
    over = log(client, someone, cid, at(23, 10), at(23, 10, 31))
    assert over.status_code == 409 and over.json["error"]["code"] == "block_exhausted"
    assert over.json["error"]["minutes_left"] == 0
    assert (
        call(client, "GET", f"/api/v1/contracts/{cid}", token=owner["token"]).json["remaining_minutes"] == 0
    )


def test_a_contract_past_its_end_date_reads_ended(client, deps):
    hired = hire(client, deps, end_date="2026-11-24")
    someone, cid = hired["agent"], hired["contract"]["id"]
    deps.clock.now = at(25, 9)
    sign_in(client, someone)
    assert call(client, "GET", f"/api/v1/contracts/{cid}", token=someone["token"]).json["status"] == "ended"
    late = log(client, someone, cid, at(25, 5, 30), at(25, 6, 30))  # after 00:00 of the 25th in New York
    assert late.status_code == 409 and "ends at" in late.json["error"]["message"]
    assert log(client, someone, cid, at(24, 9), at(24, 10)).status_code == 201
