"""The operator's dispute resolution in the portal (issue 14, item 3): no outcome chosen for them,
reasons required, a confirmation that states the money each side gets (checked against what the
payout run then moves), and the reasons quoted in both sides' mail."""

import re

import pytest

from chalicelib.jobs import runner
from tests.integration.billing_helpers import payout_day, worked_week
from tests.integration.helpers import call
from tests.integration.portal_helpers import signed_in

pytestmark = pytest.mark.integration


def _disputed(client, paying):
    """25.00 USD an hour, 1 h + 2 h logged in 2026-W48 (75.00 + the 5 % fee, paid by card), the
    tier-2 agent (8 % fee) paid out; the business disputes the first hour and the agent contests."""
    hired = worked_week(client, paying)
    paying.add_card(hired["owner"])
    paying.enable_payouts(hired["agent"], country="US")
    runner.run("bill-week", deps=paying.deps)
    owner, cid = hired["owner"], hired["contract"]["id"]
    sheet = call(client, "GET", f"/api/v1/contracts/{cid}/timesheets/2026-W48", token=owner["token"]).json
    entry = sheet["entries"][0]["id"]
    dispute = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/entries/{entry}/dispute",
        {"reason": "No chats answered that hour"},
        token=owner["token"],
    ).json
    contested = f"/api/v1/contracts/{cid}/entries/{entry}/dispute/contest"
    call(client, "POST", contested, token=hired["agent"]["token"])
    return hired, dispute["id"]


def _summary(page) -> list[str]:
    return re.findall(r'<a href="#([^"]+)">', page.text.split('class="error-summary"')[1].split("</div>")[0])


def test_the_operator_decides_with_reasons_after_seeing_the_money(client, paying):
    hired, dispute_id = _disputed(client, paying)
    ops = signed_in(client, hired["ops"]["email"])
    form = ops.get(f"/admin/disputes/{dispute_id}")
    assert form.status_code == 200
    assert "checked" not in form.text.split('id="outcome"')[1].split("</fieldset>")[0]  # no default outcome
    assert 'name="upheld_minutes" inputmode="numeric" value=""' in form.text  # nor minutes filled in

    # nothing chosen, no reasons: both said at once, nothing moves
    empty = ops.post(f"/admin/disputes/{dispute_id}/resolve", {})
    assert empty.status_code == 400 and set(_summary(empty)) == {"outcome", "note"}
    no_reasons = ops.post(
        f"/admin/disputes/{dispute_id}/resolve", {"outcome": "upheld", "upheld_minutes": "30"}
    )
    assert no_reasons.status_code == 400 and _summary(no_reasons) == ["note"]
    assert 'value="30"' in no_reasons.text  # what was typed is kept
    too_many = ops.post(
        f"/admin/disputes/{dispute_id}/resolve", {"outcome": "upheld", "upheld_minutes": "61", "note": "x"}
    )
    assert too_many.status_code == 400 and _summary(too_many) == ["upheld_minutes"]

    # half the hour upheld: the confirmation states the money, to the cent, and moves nothing yet
    asked = ops.post(
        f"/admin/disputes/{dispute_id}/resolve",
        {"outcome": "upheld", "upheld_minutes": "30", "note": "Only the first half hour is backed by chats."},
    )
    assert asked.status_code == 200 and "data-confirm" in asked.text
    money = asked.text.split('class="money-moves"')[1].split("</section>")[0]
    # 30 min of 25.00 = 12.50 back, and the fee on it: 3.75 on 75.00 less 3.12 on 62.50 = 0.63
    assert "13.13 USD refunded to" in money and "12.50 USD for the minutes upheld" in money
    assert "0.63 USD of deskhire&#39;s service fee" in money
    # the other 30 min to the agent: 12.50 less the 8 % fee of 1.00; they forgo the same for the rest
    assert "11.50 USD paid to" in money and "agent fee of 1.00 USD" in money
    assert "forgoes 11.50 USD" in money
    assert "by the payout run of Wed 09 Dec 14:00 UTC" in money  # the operator reads UTC
    assert "Only the first half hour is backed by chats." in asked.text
    assert '<span class="chip contested">' in ops.get(f"/admin/disputes/{dispute_id}").text

    done = ops.confirm(asked)
    assert done.status_code == 303 and "your reasons" in ops.flash(ops.follow(done))
    assert "upheld" in ops.get(f"/admin/disputes/{dispute_id}").text

    # both sides are told, with the reasons quoted and what it moves for each; subjects are deskhire's
    sent = [m for m in paying.deps.mailer.sent if m.subject == "A dispute was settled: upheld"]
    to_agent = next(m for m in sent if m.to == hired["agent"]["email"])
    to_business = next(m for m in sent if m.to == hired["owner"]["email"])
    for mail in (to_agent, to_business):
        assert "> Only the first half hour is backed by chats." in mail.text
        assert "30 min upheld, 30 min released" in mail.text
    assert "11.50 USD paid to you" in to_agent.text and "You forgo 11.50 USD" in to_agent.text
    assert "13.13 USD refunded to you" in to_business.text and "forgo" not in to_business.text
    # each on their own clock, the zone named (issue 14, item 8): the hour disputed (Tue 24 Nov
    # 09:00-10:00 UTC) and the payout run that moves the money (Wed 09 Dec 14:00 UTC), for the
    # business in New York and the agent in Lisbon; the billing week said to be on UTC
    assert "logged Tue 24 Nov 04:00–05:00 EST" in to_business.text
    assert "by the payout run of Wed 09 Dec 09:00 EST" in to_business.text
    assert "logged Tue 24 Nov 09:00–10:00 WET" in to_agent.text
    assert "by the payout run of Wed 09 Dec 14:00 WET" in to_agent.text
    for mail in (to_agent, to_business):
        assert (
            "in week 2026-W48 (a billing week, on UTC: Mon 23 Nov 00:00 to Mon 30 Nov 00:00 UTC)" in mail.text
        )
        assert " UTC, week" not in mail.text

    # and the payout run moves what the confirmation said
    payout_day(paying)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    assert [r.amount for r in paying.stripe.v1.refunds.list(params={"limit": 10}).data] == [1313]
    # the agent: the 2 h undisputed (50.00) and the 30 min released (12.50), less 8 %: 57.50
    assert sum(t.amount for t in paying.stripe.v1.transfers.list(params={"limit": 10}).data) == 5750


def test_rejecting_states_the_agents_net_and_no_refund(client, paying):
    hired, dispute_id = _disputed(client, paying)
    # the API asks for the reasons too: they are in both sides' mail
    unexplained = call(
        client,
        "POST",
        f"/api/v1/admin/disputes/{dispute_id}/resolve",
        {"outcome": "rejected"},
        token=hired["ops"]["token"],
    )
    assert unexplained.status_code == 400 and unexplained.json["error"]["field"] == "note"
    ops = signed_in(client, hired["ops"]["email"])
    ops.get(f"/admin/disputes/{dispute_id}")
    asked = ops.post(
        f"/admin/disputes/{dispute_id}/resolve",
        {"outcome": "rejected", "note": "The chat log shows the hour."},
    )
    money = asked.text.split('class="money-moves"')[1].split("</section>")[0]
    assert "Nothing is refunded to" in money
    # the hour at 25.00 less the 8 % fee: 23.00 more than the undisputed hours already pay
    assert "23.00 USD paid to" in money and "agent fee of 2.00 USD" in money and "forgoes" not in money
    assert ops.confirm(asked).status_code == 303
    mail = next(
        m for m in paying.deps.mailer.sent if m.to == hired["agent"]["email"] and "rejected" in m.subject
    )
    assert "> The chat log shows the hour." in mail.text
