"""The staffing plan (issue 16, slice M4): this week's agents needed per hour from a known hourly
history, against the agents contracted, the gap, the prefilled opening and the surge request
(offers only to eligible agents, once per week and agent, nothing of one business to another).

The metrics store's hour and day items stand in through the service's sources (`_hours_source`,
`_handling`): the plan is checked against domain.staffing's own computation."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain import staffing as model
from tests.integration.contract_helpers import MONDAY, approved, hire, sign_in
from tests.integration.helpers import business, call
from tests.integration.portal_helpers import signed_in

pytestmark = pytest.mark.integration

NEW_YORK = ZoneInfo("America/New_York")


def history(*, base: int = 2, growth: int = 0) -> dict:
    """Eight weeks before MONDAY's week, on New York's clock: weekdays 09:00-16:59 get `base`
    contacts an hour (plus `growth` a week), Saturday 10:00 one; nothing else. Keyed by UTC hour,
    as the metrics store answers (the weeks cross the end of daylight saving on 1 Nov)."""
    from chalicelib.services.metrics.staffing import HISTORY_WEEKS, local_monday, slot_start

    monday = local_monday(MONDAY, NEW_YORK)
    hours = {}
    for w in range(HISTORY_WEEKS):
        week_monday = monday - timedelta(weeks=HISTORY_WEEKS - w)
        for day in range(5):
            for hour in range(9, 17):
                hours[slot_start(week_monday, day * 24 + hour, NEW_YORK)] = base + growth * w
        hours[slot_start(week_monday, 5 * 24 + 10, NEW_YORK)] = 1
    return hours


def weeks_of(hours: dict) -> list[list[int]]:
    """The same history as the domain takes it: 8 lists of 168 counts."""
    from chalicelib.services.metrics.staffing import HISTORY_WEEKS, local_monday

    first = local_monday(MONDAY, NEW_YORK) - timedelta(weeks=HISTORY_WEEKS)
    weeks = [[0] * 168 for _ in range(HISTORY_WEEKS)]
    for moment, count in hours.items():
        local = moment.astimezone(NEW_YORK)
        weeks[(local.date() - first).days // 7][local.weekday() * 24 + local.hour] += count
    return weeks


@pytest.fixture
def sources(monkeypatch):
    """The metrics store as the test says: hourly contacts and (minutes, resolved)."""
    from chalicelib.services.metrics import staffing

    given = {"hours": {}, "handling": (0, 0)}
    monkeypatch.setattr(staffing, "_hours_source", lambda: lambda tenant, first, last: given["hours"])
    monkeypatch.setattr(staffing, "_handling", lambda tenant, first, last: given["handling"])
    return given


def plan_json(client, owner, query: str = ""):
    response = call(client, "GET", f"/api/v1/staffing/plan{query}", token=owner["token"])
    assert response.status_code == 200, response.json
    return response.json


def test_the_plan_for_a_known_history_is_the_domains_computation_and_the_gap_is_what_is_not_contracted(
    client, deps, sources
):
    # Given eight weeks of a growing weekday load, measured handling of 6 minutes (20 resolved),
    # and an agent contracted weekdays 09:00-17:00 New York (the opening's coverage)
    hired = hire(client, deps)
    owner = hired["owner"]
    sources["hours"] = history(base=20, growth=2)
    sources["handling"] = (120, 20)
    deps.clock.now = MONDAY
    sign_in(client, owner)

    # When the business reads its plan
    plan = plan_json(client, owner)

    # Then every hour is domain.staffing's forecast, Erlang C and gap for that history
    expected = model.forecast(weeks_of(sources["hours"]))
    contracted = [1 if d < 5 and 9 <= h < 17 else 0 for d in range(7) for h in range(24)]
    want = model.plan(expected, contracted, handle_seconds=360, target_seconds=8 * 3600)
    assert plan["week"] == "2026-W48" and plan["time_zone"] == "America/New_York"
    assert plan["assumptions"]["handle_seconds"] == 360 and plan["assumptions"]["handle_source"] == "measured"
    assert plan["assumptions"]["first_response_target_seconds"] == 8 * 3600
    assert [(h["needed"], h["contracted"], h["gap"]) for h in plan["hours"]] == [
        (p.needed, p.contracted, p.gap) for p in want
    ]
    assert [h["expected_contacts"] for h in plan["hours"]] == [round(p.expected, 3) for p in want]
    # the trend grew the forecast above the average (20 + 2w over w = 0..7 averages 27)
    monday_ten = plan["hours"][10]
    assert monday_ten["expected_contacts"] > 27
    # the line projects 36 contacts (27 + 4.5 weeks x 2): 6 minutes each is 3.6 erlangs, and under
    # the 85 % occupancy cap that is 5 agents (4 would be 90 % busy), one contracted, 4 missing;
    # Saturday 10:00 needs one and has none
    assert 35.5 < monday_ten["expected_contacts"] < 36
    assert (monday_ten["needed"], monday_ten["contracted"], monday_ten["gap"]) == (5, 1, 4)
    assert plan["hours"][5 * 24 + 10]["gap"] == 1
    assert plan["hours"][3]["needed"] == 0 and plan["hours"][3]["gap"] == 0
    assert plan["missing_agent_hours"] == model.missing_hours(want)
    assert plan["history_weekly_contacts"] == [sum(w) for w in weeks_of(sources["hours"])]
    assert [c["agent_name"] for c in plan["commitments"]] == ["Ada Agent"]


def test_handling_time_is_measured_defaulted_or_the_businesss_own_and_a_bad_one_is_400(client, deps, sources):
    owner = business(client)
    sources["hours"] = history()
    sources["handling"] = (900, 19)  # too few resolved to trust
    assert plan_json(client, owner)["assumptions"]["handle_source"] == "default"
    assert plan_json(client, owner)["assumptions"]["handle_seconds"] == 8 * 60
    sources["handling"] = (900, 30)
    assert plan_json(client, owner)["assumptions"]["handle_seconds"] == 30 * 60
    mine = plan_json(client, owner, "?handle_minutes=12")["assumptions"]
    assert (mine["handle_seconds"], mine["handle_source"]) == (720, "yours")
    bad = call(client, "GET", "/api/v1/staffing/plan?handle_minutes=0", token=owner["token"])
    assert bad.status_code == 400 and bad.json["error"]["field"] == "handle_minutes"
    # agents have no staffing plan
    someone = call(client, "GET", "/api/v1/staffing/plan", token=hire(client, deps)["agent"]["token"])
    assert someone.status_code in (401, 403)


def surge_world(client, deps, sources):
    """A business that hired Ada, an approved agent who matches its opening (Bea), one who speaks
    no English (Caio), a busy history, and the clock on Monday 08:00 UTC. (Its tests run on a
    table of their own: the best matches are ranked among every approved agent in the table.)"""
    hired = hire(client, deps)
    ops, owner = hired["ops"], hired["owner"]
    bea = approved(client, ops, name="Bea Match")
    caio = approved(client, ops, name="Caio Unmatched", languages=[{"code": "pt", "level": "native"}])
    sources["hours"] = history(base=20, growth=2)
    sources["handling"] = (120, 20)
    deps.clock.now = MONDAY
    sign_in(client, owner)
    return hired, owner, bea, caio


def surge_body(*agents, **overrides):
    body = {"agent_ids": [a["id"] for a in agents], "hours": 6, "rate": {"amount": 2600, "currency": "usd"}}
    body.update(overrides)
    return body


def test_a_surge_offers_only_to_eligible_agents_once_a_week_and_they_accept_it_like_any_offer(
    fresh_table, client, deps, sources
):
    hired, owner, bea, caio = surge_world(client, deps, sources)
    ada = hired["agent"]

    # an agent who neither worked for the business nor matches it is refused, naming the field
    refused = call(client, "POST", "/api/v1/staffing/surge", surge_body(ada, caio), token=owner["token"])
    assert refused.status_code == 400 and refused.json["error"]["field"] == "agent_ids.1"
    assert call(client, "GET", "/api/v1/offers", token=owner["token"]).json["contracts"] == []

    # the agent who worked for the business and the best match get an offer each
    sent = call(client, "POST", "/api/v1/staffing/surge", surge_body(ada, bea), token=owner["token"])
    assert sent.status_code == 200, sent.json
    assert [(o["agent_name"], o["sent"]) for o in sent.json["offers"]] == [
        ("Ada Agent", True),
        ("Bea Match", True),
    ]
    quote = sent.json["quote"]
    assert quote["hours_amount"] == {"amount": 2 * 6 * 2600, "currency": "usd"}
    assert quote["client_fee"] == {"amount": 1560, "currency": "usd"}  # 5 % of 312.00
    offers = call(client, "GET", "/api/v1/offers", token=owner["token"]).json["contracts"]
    assert len(offers) == 2
    offer = next(o for o in offers if o["id"] == sent.json["offers"][1]["contract_id"])
    assert offer["weekly_cap_minutes"] == 360 and offer["end_date"] == "2026-11-29"
    assert offer["start_date"] == "2026-11-23" and offer["kind"] == "hourly"
    assert deps.mailer.last_to(bea["email"]) is not None

    # asked again (a retry, or a second click): no second offer to anyone
    again = call(client, "POST", "/api/v1/staffing/surge", surge_body(ada, bea), token=owner["token"])
    assert again.status_code == 200
    assert [o["sent"] for o in again.json["offers"]] == [False, False]
    assert [o["contract_id"] for o in again.json["offers"]] == [o["contract_id"] for o in sent.json["offers"]]
    assert len(call(client, "GET", "/api/v1/offers", token=owner["token"]).json["contracts"]) == 2

    # Bea accepts it like any offer
    sign_in(client, bea)
    accepted = call(client, "POST", f"/api/v1/offers/{offer['id']}/accept", token=bea["token"])
    assert accepted.status_code == 200 and accepted.json["status"] == "active"

    # another business sees nothing of it, and its own surge has no gap to fill
    other = business(client, company_name="Other Co")
    assert call(client, "GET", f"/api/v1/contracts/{offer['id']}", token=other["token"]).status_code == 404
    assert (
        call(client, "GET", f"/api/v1/openings/{sent.json['opening_id']}", token=other["token"]).status_code
        == 404
    )
    sources["hours"] = {}
    none = call(client, "POST", "/api/v1/staffing/surge", surge_body(bea), token=other["token"])
    assert none.status_code == 409 and none.json["error"]["code"] == "no_gap"
    # the surge's opening is private: never on the board
    board = call(client, "GET", "/api/v1/board", token=bea["token"]).json
    assert sent.json["opening_id"] not in str(board)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hours": 0.3}, "hours"),
        ({"hours": 200}, "hours"),
        ({"rate": {"amount": 2600, "currency": "eur"}}, "rate.currency"),
        ({"agent_ids": []}, "agent_ids"),
        ({"agent_ids": ["nobody"]}, "agent_ids.0"),
    ],
)
def test_bad_surge_input_is_400_naming_the_field(fresh_table, client, deps, sources, overrides, field):
    _, owner, bea, _ = surge_world(client, deps, sources)
    response = call(
        client, "POST", "/api/v1/staffing/surge", surge_body(bea, **overrides), token=owner["token"]
    )
    assert response.status_code == 400, response.json
    assert response.json["error"]["field"] == field
    assert call(client, "GET", "/api/v1/offers", token=owner["token"]).json["contracts"] == []


def test_the_portal_shows_the_heatmap_prefills_an_opening_and_confirms_a_surge_with_its_money(
    fresh_table, client, deps, sources
):
    hired, owner, bea, _ = surge_world(client, deps, sources)
    shop = signed_in(client, owner["email"])

    page = shop.get("/app/staffing")
    assert page.status_code == 200
    assert 'href="/app/staffing" aria-current="page"' in page.text
    assert '5/1<span class="sr-only">: 5 needed, 1 contracted, 4 missing' in page.text
    assert "Erlang C" in page.text and "/app/staffing/opening" in page.text

    form = shop.get("/app/staffing/opening")
    assert form.status_code == 200 and 'action="/app/openings"' in form.text
    assert "Support for the missing hours" in form.text and 'value="2026-11-30"' in form.text

    surge = shop.get("/app/staffing/surge")
    assert surge.status_code == 200 and "Bea Match" in surge.text and "Ada Agent" in surge.text
    asked = shop.post("/app/staffing/surge", {"agent_ids": bea["id"], "hours": "6", "rate": "26"})
    assert asked.status_code == 200 and "data-confirm" in asked.text
    assert "156.00 USD" in asked.text and "7.80 USD" in asked.text and "163.80 USD" in asked.text
    assert call(client, "GET", "/api/v1/offers", token=owner["token"]).json["contracts"] == []
    done = shop.confirm(asked)
    assert done.status_code == 303 and "Bea Match" in shop.flash(shop.follow(done))
    assert len(call(client, "GET", "/api/v1/offers", token=owner["token"]).json["contracts"]) == 1

    wrong = shop.post("/app/staffing/surge", {"hours": "x", "rate": ""})
    assert wrong.status_code == 400 and 'class="error-summary"' in wrong.text
    for name in ("hours", "rate", "agent_ids"):
        assert f'href="#{name}"' in wrong.text
    stranger = shop.post("/app/staffing/surge", {"agent_ids": "nobody", "hours": "6", "rate": "26"})
    assert stranger.status_code == 400 and 'href="#agent_ids"' in stranger.text
