"""The main identity path in a real browser: a business signs up, lands on its checklist, signs
out and back in; an agent signs up on a phone-sized screen."""

import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
PASSWORD = "violet-harbor-92-lantern"


def test_business_signs_up_signs_out_and_signs_in(page, portal_url):
    slug = f"brew-{uuid.uuid4().hex[:8]}"
    email = f"{slug}@example.com"
    page.goto(portal_url + "/")
    page.get_by_role("button", name="Sign up").click()
    page.get_by_label("Company name").fill("Brew & Co")
    page.get_by_label("Your deskhire address").fill(slug)
    page.get_by_label("Your name").fill("Bea Brewer")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_role("button", name="Create my business account").click()

    page.wait_for_url("**/app?welcome=1")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Bea Brewer"
    expect(page.get_by_text("Invite a teammate")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(portal_url + "/")
    page.goto(portal_url + "/app/team")
    page.wait_for_url("**/login?next=/app/team")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("wrong-password-entirely")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The email or password is wrong.")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/app/team")
    expect(page.get_by_role("cell", name="Bea Brewer (you)")).to_be_visible()
    assert page.problems == []


def test_agent_signs_up_on_a_phone(phone, portal_url):
    phone.goto(portal_url + "/agents/signup")
    phone.get_by_label("Your name").fill("Pedro Phone")
    phone.get_by_label("Email").fill(f"pedro-{uuid.uuid4().hex[:8]}@example.com")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_label("Country you live in").select_option("BR")
    phone.get_by_label("Your time zone").fill("America/Sao_Paulo")
    phone.get_by_role("button", name="Create my agent account").click()
    # Stripe does not pay Brazil from a US platform: said before the account exists
    expect(phone.get_by_role("heading", name="deskhire cannot pay agents in Brazil")).to_be_visible()
    phone.get_by_role("button", name="Create my account anyway").click()
    phone.wait_for_url("**/agent")
    assert "We are reviewing your account" in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
