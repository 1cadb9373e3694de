"""A payout of an agent's Stripe balance to their bank fails (issue 14, item 13): Stripe's
`payout.failed` on the Connect endpoint is verified and handled once, the failure is kept on the
agent's payout account, the agent is mailed what happened and what to do, their payouts and
earnings pages say it with the way to update their bank details, their home page's action list
says it and the menu counts it beside Earnings, and the operators' payouts page lists it beside
refused transfers with what to do; a later payout paid clears it."""

import json

import pytest

from chalicelib.domain.tenancy import AgentId
from chalicelib.jobs import runner
from chalicelib.services import payouts
from tests.integration.billing_helpers import payout_day, worked_week
from tests.integration.contract_helpers import sign_in
from tests.integration.portal_helpers import signed_in
from tests.integration.test_portal_needs import nav_count, needs
from tests.stripe_support import FUNDS_DELAY

pytestmark = pytest.mark.integration
HANDLED = {"received": True, "outcome": "handled"}


def paid_agent(client, paying):
    """3 h at 25.00 USD in 2026-W48 paid out to the agent on Wed 9 Dec: 69.00 USD after the 8%
    agent fee, available in their Stripe balance two days later. Returns the hire and the agent's
    Stripe account."""
    hired = worked_week(client, paying)
    paying.add_card(hired["owner"])
    account = paying.enable_payouts(hired["agent"], country="US")
    assert runner.run("bill-week", deps=paying.deps).failures == []
    payout_day(paying)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    paying.emulator.advance_time(FUNDS_DELAY)
    for person in (hired["agent"], hired["owner"], hired["ops"]):
        sign_in(client, person)
    paying.forward()  # what the payout run's transfer sent, out of the way
    return hired, account["id"]


def connect_delivery(paying, type_: str):
    return next(d for d in reversed(paying.connect_webhooks.deliveries) if d.event and d.event.type == type_)


def test_a_failed_bank_payout_is_recorded_mailed_and_shown_to_the_agent_and_operators(client, paying):
    hired, account_id = paid_agent(client, paying)
    someone, deps = hired["agent"], paying.deps
    # Stripe's schedule pays the balance to the agent's bank, and the bank sends it back
    payout = paying.emulator.create_payout(account_id)
    assert payout["amount"] == 6900
    paying.emulator.fail_payout(payout["id"], failure_code="account_closed")
    deps.mailer.sent.clear()
    results = paying.forward()
    assert ("payout.failed", 200, HANDLED) in results, results

    kept = payouts.account_of(AgentId(someone["id"])).bank_failure
    assert (kept["payout_id"], kept["amount"], kept["currency"], kept["code"]) == (
        payout["id"],
        6900,
        "usd",
        "account_closed",
    )
    (mail,) = [m for m in deps.mailer.sent if m.to == someone["email"]]
    assert mail.subject == "Stripe could not pay your earnings into your bank"
    assert "Stripe tried to pay 69.00 USD from your Stripe balance into your bank account" in mail.text
    assert "your bank says the account is closed" in mail.text
    assert 'Stripe\'s words: "The bank account has been closed."' in mail.text
    assert (
        "The money is safe" in mail.text
        and "give Stripe the details of a bank account that is open" in mail.text
    )
    assert '"Update your bank details"' in mail.text and "/agent/payouts" in mail.text

    # the same delivery again (Stripe retries): answered as a duplicate, nothing more happens
    again = connect_delivery(paying, "payout.failed")
    replay = paying.post("/api/v1/webhooks/stripe/connect", again.payload, again.headers["Stripe-Signature"])
    assert replay.status_code == 200 and replay.json["outcome"] == "duplicate"
    # and a tampered copy is refused
    forged = again.payload.replace(payout["id"], "po_forged")
    refused = paying.post("/api/v1/webhooks/stripe/connect", forged, again.headers["Stripe-Signature"])
    assert refused.status_code == 400
    assert [m for m in deps.mailer.sent if m.to == someone["email"]] == [mail]

    agent = signed_in(client, someone["email"])
    page = agent.get("/agent/payouts").text
    assert "Stripe could not pay 69.00 USD into your bank" in page
    assert "your bank says the account is closed" in page and "The bank account has been closed." in page
    assert "give Stripe the details of a bank account that is open" in page
    assert ">Update your bank details</button>" in page and 'action="/agent/payouts"' in page
    assert "Your bank sent your last payout back" in page and "Payouts are set up" not in page
    earnings = agent.get("/agent/earnings").text
    assert "Stripe could not pay 69.00 USD into your bank" in earnings
    assert 'href="/agent/payouts#bank-payout-failed"' in earnings
    # what needs the agent now: the home page's action list, and the menu beside Earnings
    home = agent.get("/agent")
    assert needs(home)["Update your bank details"] == (1, ["/agent/payouts#bank-payout-failed"])
    assert "Your bank refused a payout: update your bank details" in home.text
    assert "Set up payouts" not in needs(home)
    assert nav_count(home, "/agent/earnings") == 1
    assert nav_count(agent.get("/agent/diary"), "/agent/earnings") == 1  # on every page

    ops = signed_in(client, hired["ops"]["email"])
    admin = ops.get("/admin/payouts").text
    section = admin.split('id="bank-payouts-failed"')[1].split("</section>")[0]
    assert "69.00 USD" in section and payout["id"] in section and account_id in section
    assert "came back: your bank says the account is closed" in section
    assert "What to do:" in section and "Update your bank details" in section

    # the agent updates their bank details on Stripe: the link takes them to Stripe's page
    onboarding = agent.post("/agent/payouts", {})
    assert (
        onboarding.status_code in (302, 303)
        and "/_pages/connect/onboarding/" in onboarding.headers["Location"]
    )
    paying.emulator.complete_onboarding(account_id)
    # Stripe pays the balance out again, and the bank takes it
    second = paying.emulator.create_payout(account_id)
    paying.emulator.pay_payout(second["id"])
    assert ("payout.paid", 200, HANDLED) in paying.forward()
    assert payouts.account_of(AgentId(someone["id"])).bank_failure is None
    fixed = agent.get("/agent/payouts").text
    assert "could not pay" not in fixed and "Payouts are set up" in fixed
    assert "could not pay" not in agent.get("/agent/earnings").text
    home = agent.get("/agent")
    assert "Update your bank details" not in needs(home) and nav_count(home, "/agent/earnings") == 0
    admin = ops.get("/admin/payouts").text
    assert "No payout to an agent's bank has failed." in admin


def test_a_failure_is_mailed_once_per_payout_whatever_the_deliveries(client, paying):
    """Stripe may send an event again under a new delivery after the claim's record expired, and
    `payout.paid` of an older payout may arrive after the failure: neither mails again nor clears
    it."""
    from chalicelib.services import stripe_events

    hired, account_id = paid_agent(client, paying)
    someone, deps = hired["agent"], paying.deps
    older = paying.emulator.create_payout(account_id, amount=900)
    paying.emulator.advance_time(60)
    failing = paying.emulator.create_payout(account_id)
    paying.emulator.fail_payout(failing["id"], failure_code="no_account")
    deps.mailer.sent.clear()
    assert ("payout.failed", 200, HANDLED) in paying.forward()
    event = json.loads(connect_delivery(paying, "payout.failed").payload)
    assert stripe_events.handle(event, deps=deps, connect=True) == "handled"  # handled again, directly
    assert len([m for m in deps.mailer.sent if m.to == someone["email"]]) == 1
    paying.emulator.pay_payout(older["id"])  # made before the failed one
    assert ("payout.paid", 200, HANDLED) in paying.forward()
    kept = payouts.account_of(AgentId(someone["id"])).bank_failure
    assert kept is not None and kept["payout_id"] == failing["id"] and kept["code"] == "no_account"
    # the platform's own endpoint never takes a connected account's payout for the agent's
    assert stripe_events.handle({**event, "account": None}, deps=deps, connect=True) == "ignored"
