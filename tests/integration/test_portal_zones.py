"""Hours in the viewer's zone, with the zone named (issue 14, item 8): an agent in São Paulo reads
a New York business's opening hours on their own clock (the opening, the board, the offer) and the
business reads them on its own, each with the zone named and the other clock beside."""

import pytest

from tests.integration.contract_helpers import MONDAY, apply, approved, offer, published_opening
from tests.integration.helpers import business, operator
from tests.integration.portal_helpers import signed_in

pytestmark = pytest.mark.integration

# the opening covers weekdays 09:00-17:00 in New York (UTC-5 in November); São Paulo is UTC-3
THEIRS, OURS = "Mon 11:00–19:00", "Mon 09:00–17:00"


def test_each_side_reads_an_openings_hours_on_its_own_clock(client, deps):
    deps.clock.now = MONDAY
    ops = operator(client, deps)
    someone = approved(client, ops, time_zone="America/Sao_Paulo")
    owner = business(client)  # America/New_York
    opening = published_opening(client, owner)
    worker = signed_in(client, someone["email"])

    page = worker.get(f"/agent/openings/{opening['id']}").text
    mine = page.split("<h2>Hours to cover</h2>")[1].split("<h2>")[0]
    assert "In your time, America/Sao_Paulo:" in mine and f"<li>{THEIRS}</li>" in mine
    assert "On the business's clock (America/New_York): " + OURS in mine

    board = worker.get("/agent/board").text
    entry = board.split(f'href="/agent/openings/{opening["id"]}"')[1].split("</article>")[0]
    assert f"Hours to cover, your time (America/Sao_Paulo): {THEIRS}" in entry

    contract_id = offer(client, owner, apply(client, someone, opening)["id"])["id"]
    offered = worker.get(f"/agent/contracts/{contract_id}").text
    assert f"Hours committed, your time (America/Sao_Paulo): {THEIRS}" in offered
    assert f"on the business's clock, America/New_York: {OURS}" in offered

    shop = signed_in(client, owner["email"])
    own = shop.get(f"/app/openings/{opening['id']}").text
    assert f"Hours to cover, your time (America/New_York): {OURS}" in own
    assert "as written" not in own  # the same zone: said once
    theirs = shop.get(f"/app/contracts/{contract_id}").text
    assert f"Hours committed, your time (America/New_York): {OURS}" in theirs
