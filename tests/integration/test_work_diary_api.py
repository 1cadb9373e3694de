"""The work diary through the JSON API: every rule of DESIGN.md section 3 refused with a clear 4xx
and nothing written; the clock; weekly timesheets in each side's time zone."""

import pytest

from tests.integration.contract_helpers import approved, at, hire, iso, log, run_job, sign_in, timesheet
from tests.integration.helpers import business, call

pytestmark = pytest.mark.integration


@pytest.fixture
def hired(client, deps):
    return hire(client, deps)


def entries_of(client, person, cid, week="2026-W48"):
    return timesheet(client, person, cid, week)["entries"]


@pytest.mark.parametrize(
    ("start", "end", "status", "code", "field"),
    [
        (at(23, 9), at(23, 9), 400, "invalid", "ended_at"),  # 0 minutes
        (at(23, 10), at(23, 9), 400, "invalid", "ended_at"),  # ends before it starts
        (at(24, 11), at(24, 13), 400, "invalid", "ended_at"),  # in the future
        (at(23, 5), at(23, 6), 409, "outside_contract", None),  # before the contract started (08:00)
        (at(23, 0), at(24, 1), 400, "invalid", "ended_at"),  # more than a day
    ],
)
def test_malformed_or_misplaced_entries_are_refused_and_nothing_is_written(
    client, deps, hired, start, end, status, code, field
):
    someone, cid = hired["agent"], hired["contract"]["id"]
    deps.clock.now = at(24, 12)
    sign_in(client, someone)
    response = log(client, someone, cid, start, end)
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code
    assert response.json["error"]["field"] == field
    assert entries_of(client, someone, cid) == []


def test_the_weekly_cap_says_how_many_minutes_are_left(client, deps, hired):
    someone, cid = hired["agent"], hired["contract"]["id"]  # cap 750 minutes
    deps.clock.now = at(27, 23)
    sign_in(client, someone)
    for day in (23, 24, 25, 26):
        assert log(client, someone, cid, at(day, 9), at(day, 12)).status_code == 201  # 4 x 180 = 720
    over = log(client, someone, cid, at(27, 9), at(27, 9, 31))
    assert over.status_code == 409
    assert over.json["error"]["code"] == "over_weekly_cap" and over.json["error"]["minutes_left"] == 30
    assert "30 min are left" in over.json["error"]["message"]
    assert log(client, someone, cid, at(27, 9), at(27, 9, 30)).status_code == 201
    sheet = timesheet(client, someone, cid, "2026-W48")
    assert sheet["logged_minutes"] == 750 and sheet["cap_left_minutes"] == 0


def test_no_overlap_for_the_same_agent_across_businesses(client, deps, hired):
    someone = hired["agent"]
    other = hire(client, deps, ops=hired["ops"], someone=someone, owner=business(client), now=None)
    deps.clock.now = at(23, 18)
    sign_in(client, someone)
    assert log(client, someone, hired["contract"]["id"], at(23, 9), at(23, 10)).status_code == 201
    clash = log(client, someone, other["contract"]["id"], at(23, 9, 59), at(23, 11))
    assert clash.status_code == 409 and clash.json["error"]["code"] == "overlap"
    assert "09:00–10:00" in clash.json["error"]["message"]
    # touching is not overlapping: minutes are half-open
    assert log(client, someone, other["contract"]["id"], at(23, 10), at(23, 11)).status_code == 201
    assert entries_of(client, other["owner"], other["contract"]["id"])[0]["minutes"] == 60


def test_an_entry_across_monday_midnight_is_stored_as_two(client, deps):
    hired = hire(client, deps, now=at(27, 8), start_date="2026-11-27")
    someone, cid = hired["agent"], hired["contract"]["id"]
    deps.clock.now = at(30, 3)
    sign_in(client, someone)
    response = log(client, someone, cid, at(29, 22), at(30, 1, 30))
    assert response.status_code == 201
    first, second = response.json["entries"]
    assert (first["week"], first["minutes"], second["week"], second["minutes"]) == (
        "2026-W48",
        120,
        "2026-W49",
        90,
    )
    assert first["pair_id"] == second["id"] and second["pair_id"] == first["id"]
    assert [e["minutes"] for e in entries_of(client, someone, cid, "2026-W48")] == [120]
    assert [e["minutes"] for e in entries_of(client, someone, cid, "2026-W49")] == [90]


def test_a_locked_week_cannot_change(client, deps, hired):
    someone, cid = hired["agent"], hired["contract"]["id"]
    deps.clock.now = at(30, 11, 59)  # Monday of W49, the grace half-day
    sign_in(client, someone)
    entry = log(client, someone, cid, at(27, 9), at(27, 10)).json["entries"][0]
    deps.clock.now = at(30, 12, 0)
    refused = log(client, someone, cid, at(28, 9), at(28, 10))
    assert refused.status_code == 409 and refused.json["error"]["code"] == "week_locked"
    body = {"started_at": iso(at(27, 9)), "ended_at": iso(at(27, 9, 30)), "memo": "", "tickets": []}
    edit = call(client, "PUT", f"/api/v1/contracts/{cid}/entries/{entry['id']}", body, token=someone["token"])
    assert edit.status_code == 409 and edit.json["error"]["code"] == "week_locked"
    delete = call(client, "DELETE", f"/api/v1/contracts/{cid}/entries/{entry['id']}", token=someone["token"])
    assert delete.status_code == 409
    assert [e["minutes"] for e in entries_of(client, someone, cid)] == [60]


def test_entries_are_edited_and_deleted_while_the_week_is_open(client, deps, hired):
    someone, cid = hired["agent"], hired["contract"]["id"]
    deps.clock.now = at(24, 18)
    sign_in(client, someone)
    first = log(client, someone, cid, at(24, 9), at(24, 10), tickets=["ZD-1"]).json["entries"][0]
    second = log(client, someone, cid, at(24, 11), at(24, 12)).json["entries"][0]
    body = {"started_at": iso(at(24, 9)), "ended_at": iso(at(24, 11, 30)), "memo": "longer", "tickets": []}
    clash = call(
        client, "PUT", f"/api/v1/contracts/{cid}/entries/{first['id']}", body, token=someone["token"]
    )
    assert clash.status_code == 409 and clash.json["error"]["code"] == "overlap"
    body["ended_at"] = iso(at(24, 11))
    edited = call(
        client, "PUT", f"/api/v1/contracts/{cid}/entries/{first['id']}", body, token=someone["token"]
    )
    assert edited.status_code == 200 and edited.json["minutes"] == 120 and edited.json["memo"] == "longer"
    other_week = dict(body, started_at=iso(at(30, 9)), ended_at=iso(at(30, 10)))
    moved = call(
        client, "PUT", f"/api/v1/contracts/{cid}/entries/{first['id']}", other_week, token=someone["token"]
    )
    assert moved.status_code in (400, 409)
    assert (
        call(
            client, "DELETE", f"/api/v1/contracts/{cid}/entries/{second['id']}", token=someone["token"]
        ).status_code
        == 204
    )
    # the freed minutes can be logged again
    assert log(client, someone, cid, at(24, 11, 15), at(24, 12)).status_code == 201
    sheet = timesheet(client, someone, cid, "2026-W48")
    assert sheet["logged_minutes"] == 165 and len(sheet["entries"]) == 2


def test_nobody_logs_on_another_agents_contract(client, deps, hired):
    intruder = approved(client, hired["ops"])
    deps.clock.now = at(23, 18)
    sign_in(client, intruder)
    cid = hired["contract"]["id"]
    assert log(client, intruder, cid, at(23, 9), at(23, 10)).status_code == 404
    assert (
        call(client, "POST", f"/api/v1/contracts/{cid}/clock-in", token=intruder["token"]).status_code == 404
    )
    owner_try = log(client, hired["owner"], cid, at(23, 9), at(23, 10))
    assert owner_try.status_code == 403
    assert entries_of(client, hired["owner"], cid) == []


def test_one_clock_across_all_businesses_and_it_becomes_an_entry(client, deps, hired):
    someone = hired["agent"]
    other = hire(client, deps, ops=hired["ops"], someone=someone, owner=business(client), now=None)
    cid, other_id = hired["contract"]["id"], other["contract"]["id"]
    deps.clock.now = at(23, 9, 0)
    started = call(
        client, "POST", f"/api/v1/contracts/{cid}/clock-in", {"memo": "Morning queue"}, token=someone["token"]
    )
    assert started.status_code == 201
    assert started.json["due_at"] == "2026-11-23T21:00:00Z"  # 12 hours
    second = call(client, "POST", f"/api/v1/contracts/{other_id}/clock-in", token=someone["token"])
    assert second.status_code == 409 and second.json["error"]["code"] == "already_clocked_in"
    # manual time that would overlap the running clock is refused
    deps.clock.now = at(23, 10, 0)
    overlapping = log(client, someone, other_id, at(23, 9, 30), at(23, 9, 45))
    assert overlapping.status_code == 409 and "clocked in" in overlapping.json["error"]["message"]
    deps.clock.now = at(23, 10, 40)
    out = call(client, "POST", "/api/v1/clock-out", token=someone["token"])
    assert out.status_code == 200
    assert [(e["minutes"], e["source"], e["memo"]) for e in out.json["entries"]] == [
        (100, "clock", "Morning queue")
    ]
    assert call(client, "POST", "/api/v1/clock-out", token=someone["token"]).status_code == 409
    assert call(client, "GET", "/api/v1/clock", token=someone["token"]).json == {"clock": None}


def test_a_forgotten_clock_is_closed_after_12_hours_and_flagged(client, deps, hired):
    someone, cid = hired["agent"], hired["contract"]["id"]
    deps.clock.now = at(23, 9)
    call(client, "POST", f"/api/v1/contracts/{cid}/clock-in", token=someone["token"])
    deps.clock.now = at(23, 21, 5)
    report = run_job("close-clocks", deps)
    assert (report.planned, report.changed) == (1, 1)
    again = run_job("close-clocks", deps)
    assert again.planned == 0
    entry = entries_of(client, hired["owner"], cid)[0]
    assert entry["minutes"] == 720 and entry["flag"] == "closed automatically after 12 hours"
    assert entry["local_start"] == "2026-11-23T04:00:00-05:00"


def test_a_clock_stops_at_the_weekly_cap(client, deps):
    hired = hire(client, deps, weekly_cap_minutes=120)
    someone, cid = hired["agent"], hired["contract"]["id"]
    deps.clock.now = at(23, 9)
    clock = call(client, "POST", f"/api/v1/contracts/{cid}/clock-in", token=someone["token"]).json
    assert clock["due_at"] == "2026-11-23T11:00:00Z"
    deps.clock.now = at(23, 15)
    out = call(client, "POST", "/api/v1/clock-out", token=someone["token"]).json
    assert out["stopped_because"] == "stopped at the weekly cap"
    assert [e["minutes"] for e in out["entries"]] == [120]
    no_more = call(client, "POST", f"/api/v1/contracts/{cid}/clock-in", token=someone["token"])
    assert no_more.status_code == 409 and no_more.json["error"]["minutes_left"] == 0


def test_each_side_sees_the_week_in_its_own_zone_with_the_utc_week(client, deps, hired):
    someone, owner, cid = hired["agent"], hired["owner"], hired["contract"]["id"]
    deps.clock.now = at(23, 18)
    sign_in(client, someone), sign_in(client, owner)
    log(client, someone, cid, at(23, 14), at(23, 15))
    agent_view = timesheet(client, someone, cid, "2026-W48")
    business_view = timesheet(client, owner, cid, "2026-W48")
    assert agent_view["time_zone"] == "Europe/Lisbon" and business_view["time_zone"] == "America/New_York"
    assert agent_view["entries"][0]["local_start"] == "2026-11-23T14:00:00+00:00"
    assert business_view["entries"][0]["local_start"] == "2026-11-23T09:00:00-05:00"
    assert agent_view["starts_at"] == business_view["starts_at"] == "2026-11-23T00:00:00Z"
    assert business_view["local_starts_at"] == "2026-11-22T19:00:00-05:00"
    assert agent_view["locks_at"] == "2026-11-30T12:00:00Z" and agent_view["phase"] == "open"
    bad_week = call(client, "GET", f"/api/v1/contracts/{cid}/timesheets/2026-48", token=owner["token"])
    assert bad_week.status_code == 400 and bad_week.json["error"]["field"] == "week"
