"""More hours for a block contract in the portal, without a browser: the business reads the block
balance, buys more hours (a second post of the same form buys nothing more), sets the automatic
top-up and turns it off; a refused form names the field beside it; the agent sees the hours left."""

import re

import pytest

from tests.integration.contract_helpers import MONDAY, at, hire, log, sign_in
from tests.integration.helpers import business
from tests.integration.portal_helpers import fits_a_phone, signed_in

pytestmark = pytest.mark.integration


def field_error(page, name):
    found = re.search(rf'id="{name}-error" class="error">([^<]*)<', page.text)
    return found.group(1) if found else None


def test_the_business_buys_hours_and_sets_the_top_up_in_the_portal(client, paying):
    paying.deps.clock.now = MONDAY
    owner = business(client, company_name="Block Beans")
    paying.add_card(owner)
    hired = hire(
        client,
        paying.deps,
        owner=owner,
        kind="block",
        weekly_cap_minutes=None,
        block_minutes=600,
        rate={"amount": 2000, "currency": "usd"},
    )
    someone, cid = hired["agent"], hired["contract"]["id"]
    paying.deps.clock.now = at(24, 20)
    sign_in(client, someone)
    assert log(client, someone, cid, at(24, 9), at(24, 17)).status_code == 201  # 8 of 10 hours

    shop = signed_in(client, owner["email"])
    page = shop.get(f"/app/contracts/{cid}")
    assert "Block balance" in page.text and "2 h left</strong> of 10 h bought" in page.text
    assert "Buy more hours" in page.text and 'name="number" value="2"' in page.text

    for hours, message in (
        ("0", "A block is 1 to 2,000 hours"),
        ("3000", "A block is 1 to 2,000 hours"),
        ("lots", "Enter hours"),
    ):
        refused = shop.post(f"/app/contracts/{cid}/blocks", {"block_hours": hours, "number": "2"})
        assert refused.status_code == 400 and message in field_error(refused, "block_hours"), hours
    asked = shop.post(f"/app/contracts/{cid}/blocks", {"block_hours": "5", "number": "2"})
    # the money before it moves: 5 h at 20.00 and the 5% client fee, 105.00 USD, charged now
    assert "105.00 USD in all" in asked.text and "charged to your card on file now" in asked.text
    assert len(paying.stripe.v1.invoices.list(params={"limit": 10}).data) == 1  # nothing bought yet
    done = shop.confirm(asked)
    assert done.status_code == 303
    bought = shop.follow(done)
    assert "Block 2 is paid" in shop.flash(bought)
    assert "7 h left</strong> of 15 h bought" in bought.text and 'name="number" value="3"' in bought.text
    again = shop.post(f"/app/contracts/{cid}/blocks", {"block_hours": "5", "number": "2"})  # the same form
    assert again.status_code == 303 and "of 15 h bought" in shop.follow(again).text
    assert len(paying.stripe.v1.invoices.list(params={"limit": 10}).data) == 2

    off_by_field = shop.post(
        f"/app/contracts/{cid}/top-up", {"enabled": "on", "threshold_hours": "2", "top_up_hours": "0.5"}
    )
    assert off_by_field.status_code == 400 and "1 to 2,000 hours" in field_error(off_by_field, "top_up_hours")
    bad_threshold = shop.post(
        f"/app/contracts/{cid}/top-up", {"enabled": "on", "threshold_hours": "soon", "top_up_hours": "5"}
    )
    assert bad_threshold.status_code == 400 and field_error(bad_threshold, "threshold_hours")
    turned_on = shop.post(
        f"/app/contracts/{cid}/top-up", {"enabled": "on", "threshold_hours": "2", "top_up_hours": "5"}
    )
    assert turned_on.status_code == 303
    page = shop.follow(turned_on)
    assert "Automatic top-up: on" in page.text and "leaves less than 2 h, a block of 5 h" in page.text
    turned_off = shop.post(f"/app/contracts/{cid}/top-up", {"enabled": "off"})
    assert "Automatic top-up: off" in shop.follow(turned_off).text

    # a card that fails: the block waits for its payment, with the reason, and adds no hours yet
    sign_in(client, owner)
    paying.add_card(owner, card="pm_card_chargeCustomerFail")
    declined = shop.post_confirmed(f"/app/contracts/{cid}/blocks", {"block_hours": "5", "number": "3"})
    assert declined.status_code == 303
    declined = shop.follow(declined)
    assert "Block 3 is waiting for its payment" in declined.text
    assert re.search(r"Block 3 \(5 h, 105\.00 USD\) is waiting for its payment: [^.]", declined.text)
    assert "7 h left</strong> of 15 h bought" in declined.text
    fits_a_phone(declined)  # the blocks' table scrolls in its own box
    second = shop.post(f"/app/contracts/{cid}/blocks", {"block_hours": "5", "number": "4"})
    assert second.status_code == 409 and "still waiting for its payment" in field_error(second, "block_hours")
    assert f'action="/app/contracts/{cid}/blocks/3/cancel"' in second.text
    withdrawn = shop.post_confirmed(f"/app/contracts/{cid}/blocks/3/cancel", {})
    assert withdrawn.status_code == 303
    withdrawn = shop.follow(withdrawn)
    assert "Block 3 was cancelled; nothing is charged for it." in shop.flash(withdrawn)
    assert "is waiting for its payment" not in withdrawn.text and "Cancel block" not in withdrawn.text
    paid = shop.post(f"/app/contracts/{cid}/blocks/2/cancel", {})
    assert paid.status_code == 409 and "Block 2 is paid" in paid.text

    agent = signed_in(client, someone["email"])
    seen = agent.get(f"/agent/contracts/{cid}")
    assert "7 h left</strong> of 15 h bought" in seen.text and "Buy more hours" not in seen.text

    sign_in(client, owner)
    hourly = hire(client, paying.deps, owner=owner, now=None, start_date="2026-11-25")
    shop = signed_in(client, owner["email"])
    assert "Block balance" not in shop.get(f"/app/contracts/{hourly['contract']['id']}").text
    refused = shop.post(f"/app/contracts/{hourly['contract']['id']}/blocks", {"block_hours": "5"})
    assert refused.status_code == 409 and "hourly contract has no block" in refused.text
