"""An active contract that has not started says when it starts, in the viewer's zone, on both
parties' contract pages and lists; and its hours count in coverage and in the agent's calendar
only from that start (issue 14, item 10)."""

import pytest

from tests.integration.contract_helpers import MONDAY, at, hire
from tests.integration.helpers import call
from tests.integration.portal_helpers import signed_in

pytestmark = pytest.mark.integration


def test_a_contract_starting_on_thursday_says_so_and_covers_nothing_before(client, deps):
    # Monday 23 Nov 08:00 UTC; the offer starts Thursday 26 Nov, 00:00 in New York (05:00 UTC,
    # 05:00 in Lisbon, where the agent lives); the opening wants weekdays 09:00-17:00 New York
    hired = hire(client, deps, now=MONDAY, start_date="2026-11-26")
    contract_id = hired["contract"]["id"]
    assert hired["contract"]["status"] == "active"

    shop = signed_in(client, hired["owner"]["email"])
    page = shop.get(f"/app/contracts/{contract_id}")
    assert "This contract has not started yet: it starts Thu 26 Nov 00:00 EST." in page.text
    assert "starts Thu 26 Nov 00:00 EST" in shop.get("/app/contracts").text

    agent = signed_in(client, hired["agent"]["email"])
    page = agent.get(f"/agent/contracts/{contract_id}")
    assert "This contract has not started yet: it starts Thu 26 Nov 05:00 WET." in page.text
    assert "You can log time from then." in page.text
    assert "starts Thu 26 Nov 05:00 WET" in agent.get("/agent/contracts").text

    # coverage counts Thursday and Friday only: 2 days x 8 hours of the 40 wanted
    coverage = call(client, "GET", "/api/v1/coverage?week=2026-W48", token=hired["owner"]["token"])
    assert coverage.status_code == 200, coverage.json
    totals = coverage.json["totals_minutes"]
    assert totals["wanted"] == 40 * 60
    assert totals["covered"] == 16 * 60 and totals["gap"] == 24 * 60
    calendar = call(client, "GET", "/api/v1/agent/calendar?week=2026-W48", token=hired["agent"]["token"])
    assert calendar.json["totals_minutes"]["scheduled"] == 16 * 60
    # the next week is whole
    later = call(client, "GET", "/api/v1/coverage?week=2026-W49", token=hired["owner"]["token"])
    assert later.json["totals_minutes"]["covered"] == 40 * 60

    # once it has started, the pages stop saying so
    deps.clock.now = at(26, 6)
    page = agent.get(f"/agent/contracts/{contract_id}")
    assert "has not started yet" not in page.text
    assert "starts Thu" not in agent.get("/agent/contracts").text
