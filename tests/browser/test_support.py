"""Support's main path in a real browser (issue 15): a customer finds no article on the business's
help centre and writes through its contact form; the inquiry goes to the agent on shift, who
replies from a phone and resolves it; the customer rates it from the mail's link, and the rating
moves the agent's reputation; the business sees the inquiry, with its routing decision, and beside
the diary entry in that week's timesheet review.

The portal runs on a fixed clock (PORTAL_NOW, Wednesday 25 Nov 2026 15:10 UTC). The agent clocked
in an hour before through the API (the test's own clock) and clocks out after the portal's
moment, so the entry holds the work done at 15:10."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from chalicelib.domain.time import BillingWeek
from tests.browser.conftest import PORTAL_NOW
from tests.browser.test_contracts import fits_a_phone, sign_in, watch_for_errors
from tests.integration.contract_helpers import hire
from tests.integration.contract_helpers import sign_in as api_sign_in
from tests.integration.helpers import call

pytestmark = pytest.mark.browser


def test_a_customer_asks_an_agent_answers_from_a_phone_and_the_business_sees_it_in_review(
    client, deps, page, phone, browser, portal_url
):
    week = BillingWeek.containing(PORTAL_NOW)
    hired = hire(
        client, deps, now=week.starts_at + timedelta(hours=8), start_date=week.starts_at.date().isoformat()
    )
    agent, owner, cid = hired["agent"], hired["owner"], hired["contract"]["id"]
    deps.clock.now = PORTAL_NOW - timedelta(hours=1)
    api_sign_in(client, agent)
    assert call(client, "POST", f"/api/v1/contracts/{cid}/clock-in", token=agent["token"]).status_code in (
        200,
        201,
    )

    # the customer: the help centre first, no article answers, then the contact form
    customer = browser.new_context()
    visitor = customer.new_page()
    visitor.goto(f"{portal_url}/help/{owner['slug']}")
    visitor.get_by_label("Search the help centre").fill("broken grinder")
    visitor.get_by_role("button", name="Search").click()
    visitor.get_by_role("link", name="Contact us").click()
    visitor.get_by_label("Your email address").fill("jane@example.com")
    visitor.get_by_label("Subject").fill("My grinder arrived broken")
    visitor.get_by_label("Your message").fill("Hello, the grinder I ordered arrived broken. What can I do?")
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_role("status")).to_contain_text("your request #1 is with Acme Widgets")
    customer.close()

    # the agent, on a phone: the inquiry is theirs; reply, then resolve
    problems = watch_for_errors(phone)
    sign_in(phone, portal_url, agent["email"])
    phone.wait_for_url("**/agent")
    phone.goto(portal_url + "/agent/inquiries")
    expect(phone.get_by_role("heading", name="Inquiries")).to_be_visible()
    assert fits_a_phone(phone)
    phone.get_by_role("link", name="My grinder arrived broken").tap()
    expect(phone.get_by_text("the grinder I ordered arrived broken")).to_be_visible()
    assert fits_a_phone(phone)
    phone.get_by_label("Reply to the customer (sent by mail)").fill("So sorry! A new grinder ships today.")
    phone.get_by_role("button", name="Send the reply").tap()
    expect(phone.get_by_role("status")).to_contain_text("Reply sent to the customer.")
    expect(phone.get_by_text("A new grinder ships today.")).to_be_visible()
    phone.get_by_role("button", name="Mark resolved").tap()
    expect(phone.get_by_role("status")).to_contain_text("Resolved.")
    assert problems == []

    # the customer rates it from the mail (the local stage's outbox holds it): the link of a score
    # opens a page that confirms it and takes a comment; sending it records the rating once
    rater = browser.new_context()
    mailbox = rater.new_page()
    mailbox.goto(f"{portal_url}/dev/outbox")
    mail = mailbox.locator("article").filter(has_text="How did we do with your request #1?").first
    expect(mail).to_contain_text("to jane@example.com")
    mail.locator('a[href*="/rate/"]').first.click()  # the first line is 5 - Excellent
    expect(mailbox.get_by_role("heading", name="How did we do?")).to_be_visible()
    expect(mailbox.get_by_label("5 · Excellent")).to_be_checked()
    mailbox.get_by_label("Comment (optional)").fill("Quick and kind, thank you!")
    mailbox.get_by_role("button", name="Send my rating").click()
    expect(mailbox.get_by_role("status")).to_contain_text("Thank you: your rating is recorded.")
    expect(mailbox.get_by_text("Request #1 is rated 5 out of 5.")).to_be_visible()
    rater.close()

    # the rating moves the agent's reputation: (10 x 4.0 + 5) / 11, shown with its count
    phone.goto(portal_url + "/agent/reputation")
    expect(phone.locator(".reputation")).to_contain_text("4.09 out of 5, from 1 customer rating (CSAT 100%)")
    expect(phone.get_by_text("Quick and kind, thank you!")).to_be_visible()
    assert fits_a_phone(phone)
    assert problems == []

    # the agent's shift ends after the portal's moment: the entry holds the work done at 15:10
    deps.clock.now = PORTAL_NOW + timedelta(minutes=20)
    api_sign_in(client, agent)
    assert call(client, "POST", "/api/v1/clock-out", token=agent["token"]).status_code == 200

    # the business: the inquiry with its routing decision, then the week's review beside the entry
    sign_in(page, portal_url, owner["email"])
    page.wait_for_url("**/app")
    page.goto(f"{portal_url}/app/inquiries?view=all")
    page.get_by_role("link", name="My grinder arrived broken").click()
    expect(page.get_by_role("heading", name="#1 My grinder arrived broken")).to_be_visible()
    page.get_by_text("Routing decisions").click()
    expect(page.locator(".routing").first).to_contain_text("to Ada Agent")
    page.goto(f"{portal_url}/app/contracts/{cid}/timesheets/{week}")
    entry = page.locator("article.entry").first
    expect(entry).to_contain_text("Inquiries handled in it:")
    expect(entry.get_by_role("link", name="#1")).to_have_count(2)  # replied, resolved
    expect(entry).to_contain_text("replied")
    expect(entry).to_contain_text("resolved")
    assert page.problems == []
