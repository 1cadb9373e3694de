"""Billing in a real browser: the business adds a card on Stripe's card page (the emulator's) and
comes back to it saved; the agent, on a phone, onboards for payouts on Stripe's page and comes
back to payouts enabled (read from Stripe, not assumed)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PORTAL_NOW
from tests.integration.contract_helpers import hire
from tests.integration.helpers import STRONG

pytestmark = pytest.mark.browser


def sign_in(page, url, email):
    page.goto(url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(STRONG)
    page.get_by_role("button", name="Sign in").click()


def test_a_card_is_saved_on_the_card_page_and_payouts_are_set_up_on_a_phone(
    client, deps, page, phone, portal_url
):
    hired = hire(client, deps, now=PORTAL_NOW, start_date="2026-11-25")
    owner, someone = hired["owner"], hired["agent"]

    sign_in(page, portal_url, owner["email"])
    page.wait_for_url("**/app")
    page.goto(portal_url + "/app/billing")
    page.get_by_role("button", name="Add a card").click()
    expect(page.get_by_label("Card number")).to_be_visible()  # Stripe's card page (the emulator's)
    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_label("Expiry (MM / YY)").fill("12 / 34")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Save card").click()
    expect(page.get_by_text("The card was not saved")).to_be_visible()  # declined, said on our page
    page.get_by_role("button", name="Add a card").click()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM / YY)").fill("12 / 34")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Save card").click()
    expect(page.get_by_role("status")).to_have_text("Saved: visa ending 4242.")
    assert page.problems == []

    sign_in(phone, portal_url, someone["email"])
    phone.wait_for_url("**/agent")
    expect(phone.get_by_text("wait until payouts are set up", exact=False)).to_be_visible()
    phone.goto(portal_url + "/agent/payouts")
    phone.get_by_role("button", name="Set up payouts").tap()
    phone.get_by_role("button", name="Complete onboarding").tap()
    phone.wait_for_url("**/agent/payouts/return*")
    expect(phone.get_by_text("enabled", exact=False).first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_portals_emulator_is_the_platform_the_portal_believes_in(
    portal_url, portal_stripe, portal_environment
):
    """The emulator behind the portal is configured from the portal's own settings, as `make run`
    configures its emulator (local/stage.py): the same platform country and settlement currencies,
    and card funds pending 2 days as at Stripe (they used to be available at once here)."""
    import json
    import urllib.request

    from chalicelib.settings import Settings

    settings = Settings.from_environ(portal_environment)
    with urllib.request.urlopen(portal_stripe.url + "/_emulator/health") as response:
        emulator = json.loads(response.read())
    assert emulator["platform_country"] == settings.platform_country
    assert emulator["settlement_currencies"] == sorted(settings.settlement_currencies)
    assert emulator["funds_delay"] == 2 * 24 * 3600
