"""Proof of work (issue 15, slice 5): every reply, escalation and resolution by an agent is a work
item under their contract; the timesheet review and the dispute pre-check show, entry by entry,
the inquiries handled in it (the clock's entry, or a manual entry logged later for that time), and
flag an entry with none to a business that uses support, never to one that does not."""

from __future__ import annotations

import pytest

from tests.integration.contract_helpers import at, iso, log, sign_in, timesheet
from tests.integration.helpers import call
from tests.integration.portal_helpers import signed_in
from tests.integration.support_helpers import ask, clock_in, clock_out, hire_team

pytestmark = pytest.mark.integration


def test_the_review_shows_the_inquiries_handled_in_each_entry_and_flags_an_entry_with_none(client, deps):
    team = hire_team(client, deps)
    [lia] = team["agents"]
    owner = team["owner"]
    contract_id = lia["contract"]["id"]
    deps.clock.now = at(23, 14)
    clock_in(client, lia)
    made = ask(client, team["key"])
    deps.clock.now = at(23, 14, 10)
    call(
        client,
        "POST",
        f"/api/v1/inquiries/{made['id']}/replies",
        {"body": "It ships today."},
        token=lia["token"],
    )
    deps.clock.now = at(23, 15)
    clock_out(client, lia)
    deps.clock.now = at(23, 16)
    clock_in(client, lia)
    deps.clock.now = at(23, 17)
    clock_out(client, lia)
    # off the clock (the inquiry answered stays hers): she writes again at 18:10, resolves it at
    # 18:20, and logs 18:00-19:00 by hand afterwards
    deps.clock.now = at(23, 18, 10)
    sign_in(client, lia)
    again = call(
        client,
        "POST",
        f"/api/v1/inquiries/{made['id']}/replies",
        {"body": "Tracking: 42."},
        token=lia["token"],
    )
    assert again.status_code == 201, again.json
    deps.clock.now = at(23, 18, 20)
    assert (
        call(client, "POST", f"/api/v1/inquiries/{made['id']}/resolve", {}, token=lia["token"]).status_code
        == 200
    )
    deps.clock.now = at(23, 19, 5)
    assert log(client, lia, contract_id, at(23, 18), at(23, 19)).status_code == 201
    sign_in(client, owner)
    sheet = timesheet(client, owner, contract_id, "2026-W48")
    entries = {e["started_at"][11:16]: e["id"] for e in sheet["entries"]}
    assert sheet["inquiries_available"] is True
    by_entry: dict = {}
    for w in sheet["work"]:
        by_entry.setdefault(w["entry_id"], []).append((w["number"], w["action"]))
    assert by_entry == {entries["14:00"]: [(1, "reply")], entries["18:00"]: [(1, "reply"), (1, "resolve")]}
    assert sheet["unbacked_entry_ids"] == [entries["16:00"]]
    # the portal's review: the inquiries beside the entry, the empty hour flagged
    browser = signed_in(client, owner["email"])
    page = browser.get(f"/app/contracts/{contract_id}/timesheets/2026-W48")
    assert page.status_code == 200
    assert f'<a href="/app/inquiries/{made["id"]}">#1</a> replied' in page.text
    assert page.text.count("No inquiries handled in this time.") == 1
    # the dispute pre-check once the week is in review
    deps.clock.now = at(30, 13)
    sign_in(client, owner)
    backed = call(
        client,
        "GET",
        f"/api/v1/contracts/{contract_id}/entries/{entries['14:00']}/evidence",
        token=owner["token"],
    ).json
    assert backed["inquiries_available"] and [i["action"] for i in backed["inquiries"]] == ["reply"]
    assert "1 inquiry handled in it" in backed["backing"]
    empty = call(
        client,
        "GET",
        f"/api/v1/contracts/{contract_id}/entries/{entries['16:00']}/evidence",
        token=owner["token"],
    ).json
    assert empty["inquiries_available"] and empty["inquiries"] == []
    browser = signed_in(client, owner["email"])
    check = browser.get(f"/app/contracts/{contract_id}/entries/{entries['16:00']}/dispute")
    assert "no inquiry was handled in this time" in check.text


def test_a_business_that_does_not_use_support_sees_nothing_new(client, deps):
    team = hire_team(client, deps)
    [lia] = team["agents"]
    deps.clock.now = at(23, 20)
    sign_in(client, lia)
    assert log(client, lia, lia["contract"]["id"], at(23, 18), at(23, 19)).status_code == 201
    sign_in(client, team["owner"])
    sheet = timesheet(client, team["owner"], lia["contract"]["id"], "2026-W48")
    assert sheet["inquiries_available"] is False and sheet["unbacked_entry_ids"] == [] and sheet["work"] == []
    page = signed_in(client, team["owner"]["email"]).get(
        f"/app/contracts/{lia['contract']['id']}/timesheets/2026-W48"
    )
    assert "No inquiries handled" not in page.text


def test_an_agents_replies_in_a_week_for_peer_review(client, deps):
    from chalicelib.domain.tenancy import AgentId, TenantId
    from chalicelib.domain.time import BillingWeek
    from chalicelib.services.support import work

    team = hire_team(client, deps)
    [lia] = team["agents"]
    deps.clock.now = at(23, 14)
    clock_in(client, lia)
    made = ask(client, team["key"])
    for minute in (5, 6):
        deps.clock.now = at(23, 14, minute)
        call(
            client,
            "POST",
            f"/api/v1/inquiries/{made['id']}/replies",
            {"body": f"Reply {minute}"},
            token=lia["token"],
        )
    call(
        client,
        "POST",
        f"/api/v1/inquiries/{made['id']}/replies",
        {"body": "note", "internal": True},
        token=lia["token"],
    )
    replies = work.replies_in_week(
        TenantId(team["owner"]["tenant_id"]), AgentId(lia["id"]), BillingWeek.parse("2026-W48")
    )
    assert [(r.number, r.action, iso(r.at)) for r in replies] == [
        (1, "reply", "2026-11-23T14:05:00Z"),
        (1, "reply", "2026-11-23T14:06:00Z"),
    ]
    assert all(r.message_sk and r.message_sk.startswith("MSG#") for r in replies)
    assert (
        work.replies_in_week(
            TenantId(team["owner"]["tenant_id"]), AgentId(lia["id"]), BillingWeek.parse("2026-W49")
        )
        == []
    )
