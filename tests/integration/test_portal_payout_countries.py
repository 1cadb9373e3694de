"""Agents in the outsourcing countries can be paid, and those who cannot are told before they sign
up (issue 14, item 1): the signup page offers every country, marks those Stripe cannot pay from
this platform and lists the 118 it can (domain/payouts.py, Stripe's cross-border payout
countries); a signup from such a country is confirmed only after saying so; any IANA time zone is
accepted from a searchable field and anything else refused; the agent changes country and time
zone later on the profile, and the payouts page starts from their country."""

import re

import pytest

from tests.integration.helpers import STRONG, call, unique
from tests.integration.portal_helpers import PortalSession

pytestmark = pytest.mark.integration
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def _signup(**overrides) -> dict[str, str]:
    return {
        "name": "Nia Nairobi",
        "email": unique("nia-") + "@example.com",
        "password": STRONG,
        "time_zone": "Africa/Nairobi",
        "country": "KE",
        **overrides,
    }


def _token(client, email: str) -> str:
    return call(client, "POST", "/api/v1/sessions", {"email": email, "password": STRONG}).json["token"]


def test_signup_offers_every_payable_country_and_says_plainly_when_one_cannot_be_paid(client, deps):
    browser = PortalSession(client)
    form = browser.get("/agents/signup")
    # every country, by name; the ones Stripe cannot pay from this (US) platform are marked
    for code, name in (("KE", "Kenya"), ("IN", "India"), ("PH", "Philippines"), ("NG", "Nigeria")):
        assert f'<option value="{code}" >{name}</option>' in form.text, code
    assert '<option value="BR" >Brazil (cannot be paid yet)</option>' in form.text
    assert "deskhire pays agents through Stripe in 118 countries" in form.text
    # any IANA zone, suggested as one types
    assert '<input id="time_zone" name="time_zone" list="time-zones"' in form.text
    assert (
        '<option value="Asia/Kolkata">' in form.text
        and '<option value="America/Argentina/Salta">' in form.text
    )
    assert len(re.findall(r'<option value="[A-Za-z_]+/[^"]*">', form.text)) > 400

    # a country and a zone that are not on the lists are refused, both at once, by name
    refused = browser.post("/agents/signup", _signup(country="", time_zone="Nairobi time"))
    assert refused.status_code == 400
    assert "Pick the country you live in." in refused.text and 'href="#time_zone"' in refused.text
    assert "Nairobi time" in refused.text  # what was typed stays

    # Kenya is paid: the account is created at once, with its country
    nia = _signup()
    made = browser.post("/agents/signup", nia)
    assert made.status_code == 303
    profile = call(client, "GET", "/api/v1/agent/profile", token=_token(client, nia["email"]))
    assert profile.json["country"] == "KE" and profile.json["time_zone"] == "Africa/Nairobi"

    # Brazil is not: the agent reads why before the account exists, and may go on knowing it
    stranger = PortalSession(client)
    stranger.get("/agents/signup")
    bruna = _signup(name="Bruna Brasil", country="BR", time_zone="America/Sao_Paulo")
    page = stranger.post("/agents/signup", bruna)
    assert page.status_code == 200 and "data-confirm" in page.text
    assert "deskhire cannot pay agents in Brazil" in page.text
    assert "you could work but never receive your earnings" in page.text
    assert (
        call(client, "POST", "/api/v1/sessions", {"email": bruna["email"], "password": STRONG}).status_code
        == 401
    )
    created = stranger.confirm(page)
    assert created.status_code == 303 and created.headers["Location"] == "/agent"


def test_an_agent_changes_country_and_time_zone_on_the_profile(client, deps):
    browser = PortalSession(client)
    browser.get("/agents/signup")
    ana = _signup(name="Ana Lisboa", country="PT", time_zone="Europe/Lisbon")
    browser.post("/agents/signup", ana)
    form = browser.get("/agent/profile")
    assert '<option value="PT" selected>Portugal</option>' in form.text
    assert 'value="Europe/Lisbon"' in form.text
    fields = {
        "min_rate": "20",
        "currency": "usd",
        "language_0": "pt",
        "level_0": "native",
        "country": "BR",
        "time_zone": "America/Sao_Paulo",
    }
    for row, day in enumerate(WEEKDAYS):
        fields |= {f"window_{row}_day": day, f"window_{row}_start": "09:00", f"window_{row}_end": "17:00"}
    refused = browser.post("/agent/profile", {**fields, "time_zone": "Sao Paulo", "country": "Brasil"})
    assert refused.status_code == 400
    assert (
        "“Brasil” is not a country on the list" in refused.text and "is not an IANA time zone" in refused.text
    )
    saved = browser.post("/agent/profile", fields)
    assert saved.status_code == 303
    page = browser.follow(saved)
    assert "deskhire cannot pay agents in Brazil" in page.text  # said plainly on the profile too
    profile = call(client, "GET", "/api/v1/agent/profile", token=_token(client, ana["email"]))
    assert profile.json["country"] == "BR" and profile.json["time_zone"] == "America/Sao_Paulo"
    # the windows are read on the new clock
    assert profile.json["availability"][0] == {"day": "mon", "start": "09:00", "end": "17:00"}

    # moved to the Philippines: the payouts page starts from there, and Stripe can pay it
    assert (
        browser.post("/agent/profile", {**fields, "country": "PH", "time_zone": "Asia/Manila"}).status_code
        == 303
    )
    payouts = browser.get("/agent/payouts")
    assert '<option value="PH" selected>Philippines</option>' in payouts.text
    # the API takes both too, and refuses a zone that is not one
    token = _token(client, ana["email"])
    body = {
        "languages": [{"code": "pt", "level": "native"}],
        "availability": [{"day": "mon", "start": "09:00", "end": "17:00"}],
        "min_rate": {"amount": 2000, "currency": "usd"},
    }
    wrong = call(client, "PUT", "/api/v1/agent/profile", {**body, "time_zone": "Mars/Olympus"}, token=token)
    assert wrong.status_code == 400 and wrong.json["error"]["field"] == "time_zone"
    moved = call(
        client,
        "PUT",
        "/api/v1/agent/profile",
        {**body, "country": "IN", "time_zone": "Asia/Kolkata"},
        token=token,
    )
    assert (
        moved.status_code == 200
        and moved.json["country"] == "IN"
        and moved.json["time_zone"] == "Asia/Kolkata"
    )
