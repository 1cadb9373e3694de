"""Billing in the portal, without a browser, against the Stripe emulator: the business saves a card
on Stripe's page (the emulator's, reached over plain HTTP) and comes back to a page that read the
outcome from Stripe; a declined card, a foreign setup and a failed charge say what happened; the
agent sets up payouts through the onboarding page and the return page believes only Stripe; the
earnings page follows a week from review to payout; an operator sets net terms."""

import html
import re
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from chalicelib.jobs import runner
from tests.integration.billing_helpers import payout_day, worked_week
from tests.integration.contract_helpers import at, hire, log, sign_in
from tests.integration.helpers import business, operator
from tests.integration.portal_helpers import fits_a_phone, signed_in

pytestmark = pytest.mark.integration


def path_of(url: str) -> str:
    """The portal path a Stripe page sends the browser back to (the app's public URL is not served
    in tests: the test client takes the path)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def save_card_on_stripe(card_page_url: str, number: str) -> str:
    """A person on Stripe's card page: load it, type a test card, submit. Returns the portal path
    the page sends them back to."""
    page = requests.get(card_page_url, timeout=10)
    assert page.status_code == 200 and "Save a card" in page.text, page.text[:500]
    action = re.search(r"<form class=box method=post action='([^']+)'", page.text).group(1)
    hidden = {
        k: html.unescape(v)
        for k, v in re.findall(r"<input type=hidden name=(\w+) value='([^']*)'", page.text)
    }
    sent = requests.post(
        urljoin(card_page_url, action),
        data={**hidden, "card_number": number, "exp": "12 / 34", "cvc": "123", "name": "Olivia Owner"},
        allow_redirects=False,
        timeout=10,
    )
    assert sent.status_code == 303, sent.text[:500]
    return path_of(sent.headers["Location"])


def checklist_step(page, label: str) -> tuple[str, str]:
    match = re.search(
        rf'<li class="(done|todo)">\s*<span[^>]*>[^<]*</span>\s*<a href="([^"]+)">{label}</a>', page.text
    )
    assert match, page.text
    return match.group(1), match.group(2)


def test_the_business_saves_a_card_on_stripes_page(client, paying):
    owner = business(client, company_name="Card Co")
    shop = signed_in(client, owner["email"])
    assert checklist_step(shop.get("/app"), "Add a card") == ("todo", "/app/billing")
    page = shop.get("/app/billing")
    assert page.status_code == 200 and "No card yet." in page.text and ">Add a card</button>" in page.text
    assert (
        "Charged to the card on file when the week locks" in page.text
        and "Add a card before then" in page.text
    )
    assert "No invoice yet" in page.text
    fits_a_phone(page)

    started = shop.post("/app/billing/card")
    assert started.status_code == 303
    card_page = started.headers["Location"]
    assert card_page.startswith(f"{paying.emulator.url}/_pages/setup/seti_")
    back = save_card_on_stripe(card_page, "4242 4242 4242 4242")
    assert (
        back.startswith("/app/billing/card/return?setup_intent=seti_") and "redirect_status=succeeded" in back
    )
    saved = shop.get(back)
    assert saved.status_code == 200, saved.text
    assert "Saved: visa ending 4242" in saved.text
    assert (
        "Visa ending <strong>4242</strong>, expires 12/2034" in saved.text
        and "Replace the card" in saved.text
    )
    assert shop.get(back).status_code == 200  # a reload reads Stripe again and says the same
    assert checklist_step(shop.get("/app"), "Add a card")[0] == "done"

    # a declined card: the page says so, and the card on file stays what it was
    declined = save_card_on_stripe(shop.post("/app/billing/card").headers["Location"], "4000000000000002")
    assert "redirect_status=failed" in declined
    refused = shop.get(declined)
    assert refused.status_code == 409
    assert "The card was not saved: Your card was declined." in refused.text
    assert "Visa ending <strong>4242</strong>" in refused.text

    # another business's card setup does not exist for this one; nor does a made-up one
    other = business(client, company_name="Other Co")
    elsewhere = signed_in(client, other["email"]).post("/app/billing/card").headers["Location"]
    foreign = re.search(r"/_pages/setup/(seti_\w+)", elsewhere).group(1)
    for query in (f"setup_intent={foreign}", "setup_intent=seti_madeup123", "setup_intent=x", ""):
        stranger = shop.get(f"/app/billing/card/return?{query}")
        assert stranger.status_code == 404, (query, stranger.status_code)
        assert "No such card setup" in stranger.text


def test_a_failed_charge_shows_past_due_with_the_reason_and_the_estimate(client, paying):
    hired = worked_week(client, paying)  # 3 hours at 25.00 USD in 2026-W48, now Monday 12:30 of W49
    owner, someone = hired["owner"], hired["agent"]
    paying.add_card(owner, card="pm_card_chargeCustomerFail")  # saved; every charge on it fails
    runner.run("bill-week", deps=paying.deps)
    log(client, someone, hired["contract"]["id"], at(30, 9), at(30, 10))  # this week so far

    shop = signed_in(client, owner["email"])
    page = shop.get("/app/billing")
    assert page.status_code == 200
    assert "Your payment is past due." in page.text
    assert "could not collect invoice" in page.text and "pay the invoice now" in page.text
    # the bank's reason, from the decline code Stripe gave (not the generic card_declined)
    assert "the bank declined the card without saying why (generic_decline)" in page.text
    assert "We try the card again once a day until" in page.text
    assert "1 attempt failed" in page.text and "inv-open" in page.text
    assert "2026-W48" in page.text and "78.75 USD" in page.text  # 75.00 + the 5% fee
    assert "Week 2026-W49" in page.text and "26.25 USD" in page.text  # the estimate: 1 h + the fee
    assert "deskhire service fee" in page.text
    # the week locks on the business's own clock (New York): Monday 07:00
    assert "Mon 07 Dec 07:00" in page.text
    fits_a_phone(page)


def test_after_the_retries_the_banner_promises_none_and_a_new_card_pays_at_once(client, paying):
    """Dunning retries a failed card for 5 days, then pauses the contracts: the banner must then
    stop saying it retries, and a card saved after that is charged at once (the business is not
    left paused until a retry that will never come), which resumes the contracts."""
    from datetime import timedelta

    from chalicelib.domain.tenancy import TenantId
    from chalicelib.domain.time import BillingWeek
    from chalicelib.services.contracts import records
    from chalicelib.store.billing import InvoiceRecord, invoice_key

    hired = worked_week(client, paying)
    owner = hired["owner"]
    paying.add_card(owner, card="pm_card_chargeCustomerFail")
    runner.run("bill-week", deps=paying.deps)
    paying.deps.clock.now += timedelta(days=6)  # the grace is over: the next dunning run pauses
    assert runner.run("dunning", deps=paying.deps).failures == []
    tenant = TenantId(owner["tenant_id"])
    contract = records.find_for_system(tenant, hired["contract"]["id"])
    assert records.status_of(contract, paying.deps.now()).value == "paused"

    sign_in(client, owner)
    shop = signed_in(client, owner["email"])
    page = shop.get("/app/billing")
    assert "Your payment is past due." in page.text
    assert "We try" not in page.text and "every day" not in page.text
    assert "The 5 days of retries are over" in page.text and "paused" in page.text
    assert "we charge the new one at once" in page.text

    saved = paying.add_card(owner)  # a good card, through the card page's return
    assert "paid with it" in saved["message"]
    record = InvoiceRecord.find(*invoice_key(tenant, BillingWeek(2026, 48)), consistent=True)
    assert record.status == "paid" and record.last_failure is None
    contract = records.find_for_system(tenant, hired["contract"]["id"])
    assert records.status_of(contract, paying.deps.now()).value == "active"
    again = shop.get("/app/billing")
    assert "past due" not in again.text


def test_the_agent_sets_up_payouts_and_the_return_page_believes_only_stripe(client, paying):
    hired = hire(client, paying.deps)
    agent = signed_in(client, hired["agent"]["email"])
    home = agent.get("/agent")
    assert "Your transfers wait until payouts are set up" in home.text
    page = agent.get("/agent/payouts")
    assert "You have not set up payouts" in page.text and ">Set up payouts</button>" in page.text
    assert '<option value="PT" selected>Portugal</option>' in page.text  # from Europe/Lisbon
    fits_a_phone(page)
    bad = agent.post("/agent/payouts", {"country": "ZZ"})
    assert bad.status_code == 400 and "Choose a country deskhire pays out to" in bad.text

    started = agent.post("/agent/payouts", {"country": "PT"})
    assert started.status_code == 303
    link = started.headers["Location"]
    assert link.startswith(f"{paying.emulator.url}/_pages/connect/onboarding/")
    # the agent opens Stripe's page and comes back without finishing: still pending, and why
    assert "Complete onboarding" in requests.get(link, timeout=10).text
    back = agent.get("/agent/payouts/return")
    assert back.status_code == 200
    assert "Payouts are not set up yet" in back.text and "Payouts are set up" not in back.text
    assert "a bank account to pay you into" in back.text and "your date of birth" in back.text
    assert ">Continue on Stripe</button>" in back.text
    assert "Your transfers wait until payouts are set up" in agent.get("/agent").text

    # the link worked once: Stripe sends the browser to the refresh URL, which makes a new one
    used = requests.get(link, allow_redirects=False, timeout=10)
    assert used.status_code == 303 and path_of(used.headers["Location"]) == "/agent/payouts/refresh"
    fresh = agent.get("/agent/payouts/refresh")
    assert fresh.status_code == 303 and fresh.headers["Location"] != link
    onboarding = requests.get(fresh.headers["Location"], timeout=10).text
    action = re.search(r"action='(/_pages/connect/session/\w+/complete)'", onboarding).group(1)
    finished = requests.post(
        paying.emulator.url + action, data={"outcome": "verified"}, allow_redirects=False, timeout=10
    )
    assert finished.status_code == 303
    done = agent.get(path_of(finished.headers["Location"]))
    assert done.status_code == 200 and path_of(finished.headers["Location"]) == "/agent/payouts/return"
    assert "Payouts are set up" in done.text and "arrives in EUR (Portugal)" in done.text
    assert 'action="/agent/payouts"' not in done.text  # nothing left to set up
    assert "Your transfers wait" not in agent.get("/agent").text


def test_earnings_follow_a_week_from_review_to_payout(client, paying):
    hired = worked_week(client, paying)  # 3 hours at 25.00 USD in 2026-W48; tier 2 keeps 8%
    owner, someone, cid = hired["owner"], hired["agent"], hired["contract"]["id"]
    paying.add_card(owner)
    assert runner.run("bill-week", deps=paying.deps).changed == 1
    assert all(status == 200 for _, status, _ in paying.forward())
    agent = signed_in(client, someone["email"])
    page = agent.get("/agent/earnings")
    assert page.status_code == 200
    totals = re.findall(r"<article><small>([^<]+)</small><br>(.*?)<br><small>", page.text)
    assert totals == [
        ("Pending review", "<strong>75.00 USD</strong>"),
        ("Approved, waiting for payout", "<strong>0</strong>"),
        ("Paid out", "<strong>0</strong>"),
    ]
    assert "in review" in page.text and "3 h" in page.text and "No transfer yet." in page.text
    assert "Your transfers wait until payouts are set up" in page.text
    fits_a_phone(page)

    # payout day: the review is over, the transfer is made but waits for the agent's payouts
    payout_day(paying)
    sign_in(client, someone)
    assert log(client, someone, cid, at(9, 9, month=12), at(9, 10, month=12)).status_code == 201
    runner.run("settle-payouts", deps=paying.deps)
    agent = signed_in(client, someone["email"])
    page = agent.get("/agent/earnings")
    totals = dict(re.findall(r"<article><small>([^<]+)</small><br>(.*?)<br><small>", page.text))
    assert totals["Pending review"] == "<strong>25.00 USD</strong>"  # this week's hour, still open
    assert totals["Approved, waiting for payout"] == "<strong>75.00 USD</strong>"
    assert totals["Paid out"] == "<strong>0</strong>"
    assert "chip waiting" in page.text and "until payouts are set up" in page.text

    paying.enable_payouts(someone, country="PT")
    runner.run("settle-payouts", deps=paying.deps)
    page = agent.get("/agent/earnings")
    totals = dict(re.findall(r"<article><small>([^<]+)</small><br>(.*?)<br><small>", page.text))
    assert totals["Approved, waiting for payout"] == "<strong>0</strong>"
    assert totals["Paid out"] == "<strong>69.00 USD</strong>"
    row = re.search(
        r"<tr>\s*<td data-label=\"Week\" class=\"nowrap\">2026-W48</td>.*?</tr>",
        page.text.split("<h2>Transfers</h2>")[1],
        re.S,
    )
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    assert [re.sub(r"<[^>]+>", "", c).strip() for c in cells[2:5]] == ["75.00 USD", "6.00 USD", "69.00 USD"]
    assert "63.48 EUR" in cells[5] and "chip sent" in cells[5]  # what arrived, converted by Stripe
    assert "Wed 09 Dec 2026" in cells[5]  # sent today, on the agent's clock
    assert "Your transfers wait" not in page.text
    fits_a_phone(page)


def test_the_operator_sets_net_terms(client, paying):
    ops = operator(client, paying.deps)
    owner = business(client, company_name="Terms Co")
    tenant = owner["tenant_id"]
    desk = signed_in(client, ops["email"])
    assert 'href="/admin/payouts"' in desk.get("/admin").text
    page = desk.get("/admin/payouts")
    assert page.status_code == 200 and "How a business pays" in page.text
    assert '<section id="reconciliation">' in page.text
    fits_a_phone(page)
    found = desk.get(f"/admin/payouts?tenant={tenant}")
    assert "Terms Co" in found.text and "charged to the card on file (no card yet)" in found.text
    assert f'action="/admin/businesses/{tenant}/collection"' in found.text
    assert desk.get("/admin/payouts?tenant=NOPE0000000000000000000000").status_code == 404

    too_long = desk.post(f"/admin/businesses/{tenant}/collection", {"days_until_due": "61"})
    assert too_long.status_code == 400 and "Net terms are 1 to 60 days" in too_long.text
    words = desk.post(f"/admin/businesses/{tenant}/collection", {"days_until_due": "soon"})
    assert words.status_code == 400 and "Write a number of days from 1 to 60" in words.text
    nobody = desk.post("/admin/businesses/NOPE0000000000000000000000/collection", {"days_until_due": "30"})
    assert nobody.status_code == 404 and "No such business" in nobody.text

    saved = desk.post(f"/admin/businesses/{tenant}/collection", {"days_until_due": "30"})
    assert saved.status_code == 303
    saved = desk.follow(saved)
    assert "the business pays by invoice, net 30 days" in desk.flash(saved)
    assert "by invoice, net 30 days." in saved.text
    shop = signed_in(client, owner["email"])
    assert "By invoice, net 30 days" in shop.get("/app/billing").text
    back = desk.post(f"/admin/businesses/{tenant}/collection", {"days_until_due": ""})
    assert back.status_code == 303 and "is charged to its card on file" in desk.flash(desk.follow(back))
    assert "Charged to the card on file" in shop.get("/app/billing").text

    # no one else may use the operator's page
    assert shop.get("/admin/payouts").status_code == 403
    assert shop.post(f"/admin/businesses/{tenant}/collection", {"days_until_due": "30"}).status_code == 403
