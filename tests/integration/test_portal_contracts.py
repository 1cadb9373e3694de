"""Contracts and the work diary in the portal, without a browser: the business offers from an
application, the agent sees the collision and accepts, clocks in and out and logs time by hand,
the business reviews the locked week and disputes an entry after the pre-check, the agent
concedes part of it, and an operator works the queue. Every form refusal is a 4xx page that names
the problem."""

import re

import pytest

from tests.integration.contract_helpers import MONDAY, apply, approved, at, hire, published_opening, sign_in
from tests.integration.helpers import business, operator
from tests.integration.portal_helpers import signed_in

pytestmark = pytest.mark.integration


def test_offer_accept_diary_review_and_dispute_in_the_portal(client, deps):
    deps.clock.now = MONDAY
    ops = operator(client, deps)
    someone = approved(client, ops)
    # the agent already works for another business, weekdays 14:00-22:00 Lisbon (09:00-17:00 New York)
    hire(client, deps, ops=ops, someone=someone, owner=business(client, company_name="Earlier Co"), now=None)
    owner = business(client, company_name="Portal Beans")
    opening = published_opening(client, owner)
    application = apply(client, someone, opening)

    shop = signed_in(client, owner["email"])
    thread = shop.get(f"/app/applications/{application['id']}")
    assert f"/app/offers/new?application={application['id']}" in thread.text
    form = shop.get(f"/app/offers/new?application={application['id']}")
    assert form.status_code == 200 and 'value="12.5"' in form.text
    fields = {
        "application": application["id"],
        "title": "Weekday chat",
        "kind": "hourly",
        "rate": "25",
        "weekly_hours": "12.5",
        "start_date": "2026-11-23",
        "tier": "1",
        "window_0_day": "mon",
        "window_0_start": "10:00",
        "window_0_end": "12:00",
        "note": "Start Monday",
    }
    bad = shop.post("/app/offers", {**fields, "weekly_hours": "0.1"})
    assert bad.status_code == 400 and "15 minutes to 168 hours" in bad.text
    warned = shop.post("/app/offers", fields)
    # a 12.5 h cap with one 2 h window disagrees: the business reads it before the offer goes
    assert "more than its windows hold (2 h a week)" in warned.text
    sent = shop.confirm(warned)
    assert sent.status_code == 303
    contract_id = sent.headers["Location"].rsplit("/", 1)[1]
    landed = shop.follow(sent)
    assert "offered" in landed.text
    assert shop.flash(landed).startswith("Offer sent to")  # post-redirect-get says what happened
    assert shop.flash(shop.get(f"/app/contracts/{contract_id}")) == ""  # once

    agent = signed_in(client, someone["email"])
    offers = agent.get("/agent/contracts")
    assert "Weekday chat" in offers.text and "Portal Beans" in offers.text
    page = agent.get(f"/agent/contracts/{contract_id}")
    assert "collides with your other commitments" in page.text and "Earlier Co" in page.text
    accepted = agent.post(f"/agent/contracts/{contract_id}/accept")
    assert accepted.status_code == 303 and "active" in agent.follow(accepted).text

    # the diary: clock in and out on the new contract, then time by hand (Lisbon = UTC in November)
    deps.clock.now = at(23, 10, 0)
    diary = agent.get("/agent/diary")
    assert diary.status_code == 200 and "Clock in" in diary.text
    assert (
        agent.post("/agent/clock-in", {"contract_id": contract_id, "memo": "Chat queue"}).status_code == 303
    )
    deps.clock.now = at(23, 11, 30)
    diary = agent.get("/agent/diary")
    assert "Clocked in on <strong>Weekday chat</strong> since 10:00 WET" in diary.text
    out = agent.post("/agent/clock-out")
    assert out.status_code == 303 and "Clocked out: 1 h 30 min logged." in agent.flash(agent.follow(out))
    logged = agent.post(
        "/agent/entries",
        {
            "contract_id": contract_id,
            "date": "2026-11-23",
            "start": "08:30",
            "end": "09:15",
            "memo": "Backlog",
            "tickets": "ZD-7",
        },
    )
    assert logged.status_code == 303, re.findall(r"class=\"error\"[^<]*<", logged.text)
    assert "Logged 45 min." in agent.flash(agent.follow(logged))
    overlap = agent.post(
        "/agent/entries", {"contract_id": contract_id, "date": "2026-11-23", "start": "09:00", "end": "09:30"}
    )
    assert overlap.status_code == 409 and "overlaps time you already logged" in overlap.text
    assert 'class="error-summary"' in overlap.text and 'value="09:30"' in overlap.text  # what was typed stays
    future = agent.post(
        "/agent/entries", {"contract_id": contract_id, "date": "2026-11-23", "start": "12:00", "end": "13:00"}
    )
    assert future.status_code == 400 and "future" in future.text
    week = agent.get(f"/agent/contracts/{contract_id}/timesheets/2026-W48")
    assert "Billing week 2026-W48" in week.text and "2 h 15 min" in week.text and "Change" in week.text

    # the business reviews the locked week: approve one, check and dispute the other
    deps.clock.now = at(30, 13)
    shop = signed_in(client, owner["email"])
    overview = shop.get("/app/timesheets")
    assert "Weekday chat" in overview.text and "in review" in overview.text
    review = shop.get(f"/app/contracts/{contract_id}/timesheets/2026-W48")
    assert "Approve all undisputed time" in review.text
    entry_ids = re.findall(rf"/app/contracts/{contract_id}/entries/(\w+)/dispute", review.text)
    assert len(entry_ids) == 2
    manual, clocked = entry_ids  # by start: 08:30 then 10:00
    check = shop.get(f"/app/contracts/{contract_id}/entries/{manual}/dispute")
    assert "1 ticket reference" in check.text and "ZD-7" in check.text
    empty = shop.post(f"/app/contracts/{contract_id}/entries/{manual}/dispute", {"reason": " "})
    assert empty.status_code == 400 and "Say what is wrong" in empty.text
    filed = shop.post(
        f"/app/contracts/{contract_id}/entries/{manual}/dispute", {"reason": "No chats before 8"}
    )
    assert filed.status_code == 303
    assert shop.post(f"/app/contracts/{contract_id}/entries/{clocked}/approve").status_code == 303

    agent = signed_in(client, someone["email"])
    dispute = agent.get(f"/agent/contracts/{contract_id}/disputes/{manual}")
    assert "No chats before 8" in dispute.text
    too_many = agent.post(f"/agent/contracts/{contract_id}/disputes/{manual}/concede", {"keep_minutes": "45"})
    assert too_many.status_code == 400 and "keep 0 to 44" in too_many.text
    asked = agent.post(f"/agent/contracts/{contract_id}/disputes/{manual}/concede", {"keep_minutes": "30"})
    assert "15 min is refunded to Portal Beans" in asked.text  # the money, before it moves
    conceded = agent.confirm(asked)
    assert conceded.status_code == 303 and "15 min upheld" in agent.follow(conceded).text

    sign_in(client, ops)
    ops_browser = signed_in(client, ops["email"])
    assert ops_browser.get("/admin/disputes").status_code == 200

    coverage = signed_in(client, owner["email"]).get("/app/coverage?week=2026-W48")
    assert coverage.status_code == 200 and "Agents on contract" in coverage.text
    calendar = agent.get("/agent/calendar?week=2026-W48")
    assert calendar.status_code == 200 and "conflict" in calendar.text and "Portal Beans" in calendar.text


def test_the_operator_resolves_from_the_queue(client, deps):
    hired = hire(client, deps)
    someone, owner, cid = hired["agent"], hired["owner"], hired["contract"]["id"]
    deps.clock.now = at(24, 12)
    agent = signed_in(client, someone["email"])
    logged = agent.post(
        "/agent/entries", {"contract_id": cid, "date": "2026-11-24", "start": "09:00", "end": "10:00"}
    )
    assert logged.status_code == 303, re.findall(r"class=\"error\"[^<]*<", logged.text)
    deps.clock.now = at(30, 13)
    shop = signed_in(client, owner["email"])
    review = shop.get(f"/app/contracts/{cid}/timesheets/2026-W48")
    (entry_id,) = re.findall(rf"/app/contracts/{cid}/entries/(\w+)/dispute", review.text)
    shop.post(f"/app/contracts/{cid}/entries/{entry_id}/dispute", {"reason": "Not us"})
    agent = signed_in(client, someone["email"])
    assert agent.post_confirmed(f"/agent/contracts/{cid}/disputes/{entry_id}/contest").status_code == 303
    ops = signed_in(client, hired["ops"]["email"])
    queue = ops.get("/admin/disputes")
    (dispute_id,) = re.findall(r'href="/admin/disputes/(\w+)"', queue.text.split("Not us")[0] + queue.text)[
        :1
    ]
    bad = ops.post(f"/admin/disputes/{dispute_id}/resolve", {"outcome": "upheld", "upheld_minutes": "61"})
    assert bad.status_code == 400 and "Uphold 1 to 60 minutes" in bad.text
    asked = ops.post(
        f"/admin/disputes/{dispute_id}/resolve", {"outcome": "rejected", "note": "Tickets prove it"}
    )
    assert "0 min upheld, 1 h released" in asked.text and "Tickets prove it" in asked.text
    assert '<span class="chip contested">' in ops.get(f"/admin/disputes/{dispute_id}").text  # nothing yet
    done = ops.confirm(asked)
    assert done.status_code == 303
    assert "rejected" in ops.get(f"/admin/disputes/{dispute_id}").text


def test_the_business_pays_a_bonus_from_the_contract_page(client, deps):
    hired = hire(client, deps)
    shop = signed_in(client, hired["owner"]["email"])
    cid = hired["contract"]["id"]
    bad = shop.post(f"/app/contracts/{cid}/bonuses", {"amount": "12.345", "note": "x"})
    assert bad.status_code == 400 and "decimals" in bad.text
    asked = shop.post(f"/app/contracts/{cid}/bonuses", {"amount": "50", "note": "Black Friday rush"})
    assert "a bonus of 50.00 USD" in asked.text and "client fee" in asked.text
    done = shop.confirm(asked)
    assert done.status_code == 303
    assert "Bonus of 50.00 USD granted" in shop.flash(shop.follow(done))
    agent = signed_in(client, hired["agent"]["email"])
    assert "Black Friday rush" in agent.get(f"/agent/contracts/{cid}").text
