"""The marketplace path in a real browser: an approved agent on a phone finds an opening in
their feed and applies; the business sees the applicant with the match's reasons and replies."""

import pytest
from playwright.sync_api import expect

from tests.integration.helpers import STRONG, agent, business, call, opening_body, operator, profile_body

pytestmark = pytest.mark.browser


def sign_in(page, url, email):
    page.goto(url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(STRONG)
    page.get_by_role("button", name="Sign in").click()


def fits_a_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def test_agent_applies_on_a_phone_and_the_business_replies(client, deps, browser, phone, page, portal_url):
    # seeded through the API: an approved agent with a profile, an open opening
    ops = operator(client, deps)
    someone = agent(client, name="Mia Mobile")
    call(client, "PUT", "/api/v1/agent/profile", profile_body(), token=someone["token"])
    call(client, "POST", f"/api/v1/admin/agents/{someone['id']}/approve", {"tier": 1}, token=ops["token"])
    owner = business(client, company_name="Beanery")
    opening = call(
        client, "POST", "/api/v1/openings", opening_body(title="Weekend chat cover"), token=owner["token"]
    ).json
    call(client, "POST", f"/api/v1/openings/{opening['id']}/publish", token=owner["token"])

    sign_in(phone, portal_url, someone["email"])
    phone.wait_for_url("**/agent")
    assert fits_a_phone(phone)
    phone.get_by_role("link", name="Weekend chat cover · Beanery").click()
    phone.wait_for_url(f"**/agent/openings/{opening['id']}")
    assert fits_a_phone(phone)
    phone.get_by_label("Why you").fill("I love weekend shifts.")
    phone.get_by_role("button", name="Send my application").click()
    phone.wait_for_url("**/agent/applications/*")
    assert fits_a_phone(phone)
    expect(phone.get_by_text("I love weekend shifts.")).to_be_visible()

    sign_in(page, portal_url, owner["email"])
    page.goto(f"{portal_url}/app/openings/{opening['id']}")
    expect(page.get_by_text("h/week of the coverage windows").first).to_be_visible()
    page.get_by_role("button", name="Invite to apply").first.click()
    expect(page.get_by_role("status")).to_have_text(
        "Invitation sent: the agent gets a mail with a link to apply."
    )
    # her application (the matches and the applicants also link her profile, by her name)
    page.locator('a[href^="/app/applications/"]', has_text="Mia Mobile").click()
    page.get_by_label("Write").fill("Welcome aboard soon!")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Welcome aboard soon!")).to_be_visible()
    assert page.problems == []

    phone.reload()
    expect(phone.get_by_text("Welcome aboard soon!")).to_be_visible()
