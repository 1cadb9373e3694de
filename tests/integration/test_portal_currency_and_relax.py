"""Currency on the board and openings with no match (issue 14, item 12): an agent's board shows by
default the openings deskhire can pay them for, with a filter for the others (each labelled with
its currency); a business whose opening has no match is told which requirement to ease, and how
many agents each would add."""

from __future__ import annotations

import dataclasses

import pytest

from chalicelib import composition
from tests.integration.contract_helpers import approved, published_opening
from tests.integration.helpers import business, call, operator
from tests.integration.portal_helpers import fits_a_phone, signed_in

pytestmark = pytest.mark.integration


def _english(level: str) -> list[dict]:
    return [{"code": "en", "level": level}]


def test_an_opening_without_matches_says_which_requirement_to_ease(fresh_table, client, deps):
    ops = operator(client, deps)
    owner = business(client, company_name="Strict Co")
    # each kept out by one requirement alone
    approved(client, ops, tier=1, name="Tia Tier", languages=_english("c2"))
    approved(client, ops, tier=2, name="Lee Level", languages=_english("c1"))
    approved(
        client,
        ops,
        tier=2,
        name="Ray Rate",
        languages=_english("c2"),
        min_rate={"amount": 4500, "currency": "usd"},
    )
    opening = published_opening(
        client,
        owner,
        title="Strict cover",
        languages=_english("c2"),
        tier=2,
        rate_max={"amount": 3000, "currency": "usd"},
    )
    shop = signed_in(client, owner["email"])
    page = shop.get(f"/app/openings/{opening['id']}")
    assert page.status_code == 200 and "No approved agent fits" in page.text
    hints = page.text[page.text.index('id="relax-title"') :]
    assert "Accept English at C1 advanced instead of C2 proficient: 1 more agent" in hints
    assert "Accept tier 1 instead of 2: 1 more agent" in hints
    assert "Raise the top of the rate range from 30.00 to 45.00 USD an hour" in hints
    assert f'href="/app/openings/{opening["id"]}/edit"' in hints
    fits_a_phone(page)

    # with the range raised, Ray matches and the hints give way to the match
    easier = published_opening(
        client,
        owner,
        title="Easier cover",
        languages=_english("c2"),
        tier=2,
        rate_max={"amount": 4500, "currency": "usd"},
    )
    page = shop.get(f"/app/openings/{easier['id']}")
    assert "Ray Rate" in page.text and 'id="relax-title"' not in page.text


def test_the_board_shows_what_the_agent_can_be_paid_for_by_default(fresh_table, client, deps):
    ops = operator(client, deps)
    owner = business(client, company_name="Dollar Co")
    published_opening(client, owner, title="Dollar cover")
    # a business from when the platform also settled in GBP (or one not migrated): its openings pay
    # in a currency deskhire cannot pay out now
    wider = dataclasses.replace(
        deps, settings=dataclasses.replace(deps.settings, settlement_currencies=("usd", "gbp"))
    )
    composition.override_deps(wider)
    try:
        pounds = business(client, company_name="Pound Co", currency="gbp")
        published_opening(
            client,
            pounds,
            title="Pound cover",
            rate_min={"amount": 2000, "currency": "gbp"},
            rate_max={"amount": 3000, "currency": "gbp"},
        )
    finally:
        composition.override_deps(deps)
    someone = approved(client, ops)
    desk = signed_in(client, someone["email"])

    board = desk.get("/agent/board")
    assert board.status_code == 200
    assert "Dollar cover" in board.text and "Pound cover" not in board.text
    assert "what deskhire can pay me (USD)" in board.text
    every = desk.get("/agent/board?currency=all")
    assert "Dollar cover" in every.text and "Pound cover" in every.text
    label = every.text[every.text.index("Pound cover") :]
    assert "Paid in GBP, which deskhire cannot pay out yet" in label
    assert "Paid in GBP" not in every.text[: every.text.index("Pound cover")]  # the USD one says nothing
    fits_a_phone(every)
    only = desk.get("/agent/board?currency=gbp")
    assert "Pound cover" in only.text and "Dollar cover" not in only.text
    assert desk.get("/agent/board?currency=pounds").status_code == 400

    api = call(client, "GET", "/api/v1/board", token=someone["token"]).json["entries"]
    assert [e["opening"]["title"] for e in api] == ["Dollar cover"]
    api = call(client, "GET", "/api/v1/board?currency=all", token=someone["token"]).json["entries"]
    assert sorted(e["opening"]["title"] for e in api) == ["Dollar cover", "Pound cover"]
