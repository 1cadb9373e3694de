"""No money surprises (issue 14, item 4): accepting a block offer charges the business at once, and
the offer form, both sides' offer pages and the business's mail say so with the amount; an upheld
dispute's refund reads on the billing page as what it is (waiting for the payout run, with its
day, then refunded on its date), never "0.00"; agents see what they receive after the agent fee,
before accepting an offer and on their earnings."""

import pytest

from chalicelib.jobs import runner
from tests.integration.billing_helpers import payout_day, worked_week
from tests.integration.contract_helpers import MONDAY, apply, approved, offer, published_opening, sign_in
from tests.integration.helpers import business, call, operator
from tests.integration.portal_helpers import signed_in
from tests.integration.test_portal_dispute_resolution import _disputed

pytestmark = pytest.mark.integration


def test_a_block_offer_says_it_charges_the_business_at_once(client, paying):
    deps = paying.deps
    deps.clock.now = MONDAY
    ops = operator(client, deps)
    someone = approved(client, ops)  # tier 2: an 8 % agent fee
    owner = business(client)
    paying.add_card(owner)
    opening = published_opening(client, owner)
    application = apply(client, someone, opening)
    shop = signed_in(client, owner["email"])

    form = shop.get(f"/app/offers/new?application={application['id']}")
    # the form says it before the offer is made: 40 h at the opening's 20.00 is 800.00 + 5 % = 840.00
    assert "the moment the agent accepts, your card is charged" in form.text
    assert "deskhire's 5% service fee" in form.text and "840.00 USD" in form.text

    deps.mailer.sent.clear()
    sent = offer(
        client,
        owner,
        application["id"],
        kind="block",
        weekly_cap_minutes=None,
        block_minutes=600,
        rate={"amount": 2000, "currency": "usd"},
    )
    cid = sent["id"]
    # the offer's mail says what the agent would receive an hour, after the tier-2 fee
    (offered,) = [m for m in deps.mailer.sent if m.to == someone["email"]]
    assert (
        "You would receive 18.40 USD an hour: the offered 20.00 USD less deskhire's 8% agent fee"
        in offered.text
    )
    # 10 h at 20.00 = 200.00, and the 5 % fee of 10.00: 210.00 at once
    waiting = shop.get(f"/app/contracts/{cid}").text
    assert "your card is charged <strong>210.00 USD</strong> at once" in waiting
    assert "(200.00)" in waiting and "5% service fee (10.00)" in waiting

    worker = signed_in(client, someone["email"])
    page = worker.get(f"/agent/contracts/{cid}").text
    assert "is charged <strong>210.00 USD</strong> for the block at once" in page
    # what the agent receives an hour, before accepting: 20.00 less 8 %
    assert "you receive <strong>18.40 USD an hour</strong> after the 8% agent fee" in page
    assert "Nothing is charged to you." in page

    deps.mailer.sent.clear()
    assert call(client, "POST", f"/api/v1/offers/{cid}/accept", token=someone["token"]).status_code == 200
    (mail,) = [
        m
        for m in deps.mailer.sent
        if m.to == owner["email"] and m.subject == "Your contract offer was accepted"
    ]
    assert "Accepting a block charges it at once: 210.00 USD" in mail.text
    assert "10 h at 20.00 USD an hour" in mail.text and "was charged to your card" in mail.text


def test_an_hourly_offer_shows_the_agent_net_and_no_block_charge(client, deps):
    from tests.integration.contract_helpers import hire

    hired = hire(client, deps)  # 25.00 an hour to a tier-2 agent
    worker = signed_in(client, hired["agent"]["email"])
    page = worker.get(f"/agent/contracts/{hired['contract']['id']}").text
    assert "You receive <strong>23.00 USD an hour</strong> after deskhire's 8% agent fee (tier 2)" in page
    shop = signed_in(client, hired["owner"]["email"]).get(f"/app/contracts/{hired['contract']['id']}").text
    assert "charged" not in shop and "You receive" not in shop  # the agent's net is theirs


def test_an_upheld_refund_reads_as_waiting_then_refunded_on_its_day(client, paying):
    hired, dispute_id = _disputed(client, paying)
    shop = signed_in(client, hired["owner"]["email"])
    before = shop.get("/app/billing").text
    assert "No refund" in before

    ops = signed_in(client, hired["ops"]["email"])
    asked = ops.post(
        f"/admin/disputes/{dispute_id}/resolve",
        {"outcome": "upheld", "upheld_minutes": "30", "note": "Only half of it is backed by chats."},
    )
    assert ops.confirm(asked).status_code == 303

    # upheld: 13.13 USD owed back, sent by the payout run of the payout day (Wed 9 Dec 14:00 UTC, in New York)
    waiting = shop.get("/app/billing").text
    cell = waiting.split('data-label="Refunded"')[1].split("</td>")[0]
    assert "13.13 USD" in cell and "upheld in a dispute: refunded Wed 09 Dec 09:00 EST" in cell
    assert "0.00" not in cell

    payout_day(paying)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    done = signed_in(client, hired["owner"]["email"]).get("/app/billing").text  # days later: a new session
    cell = done.split('data-label="Refunded"')[1].split("</td>")[0]
    assert "13.13 USD" in cell and "refunded Wed 09 Dec 2026" in cell and "upheld in a dispute" not in cell


def test_earnings_show_what_the_agent_receives_after_the_fee(client, paying):
    hired = worked_week(client, paying)  # 1 h + 2 h at 25.00 in 2026-W48, locked, in review
    sign_in(client, hired["agent"])
    page = signed_in(client, hired["agent"]["email"]).get("/agent/earnings").text
    # 75.00 in review; after the tier-2 agent's 8 % fee: 69.00
    assert (
        "75.00 USD" in page and "you receive about <strong>69.00 USD</strong> after the 8% agent fee" in page
    )
    assert 'data-label="You receive" class="num">69.00 USD' in page
