"""The portal's own card page (GET /app/billing/card), which a business reaches against Stripe itself
(where `card_page` gives no emulator page): Stripe.js and its Payment Element confirm the business's
latest SetupIntent in the browser. Without a browser these tests check what the page hands Stripe.js
(the publishable key, the SetupIntent's client secret, the return URL), that its
Content-Security-Policy lets Stripe in on this page only, and that the page applies the return's
rules: another business's setup does not exist, an older one is stale, a confirmed one goes to the
return page, and a malformed id never reaches Stripe."""

from __future__ import annotations

import dataclasses
import html
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from chalicelib.web.observability import CARD_PAGE_POLICY, PAGE_POLICY
from tests.integration.helpers import business
from tests.integration.portal_helpers import PortalSession, signed_in

pytestmark = pytest.mark.integration

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STALE = "A newer card setup replaced this one; add the card again"


def path_of(url: str) -> str:
    """The portal path of an absolute link (the test client takes paths)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";"))}


def card_form(page) -> dict[str, str]:
    tag = re.search(r'<form id="card-form"([^>]*)>', page.text)
    assert tag, page.text
    return {k: html.unescape(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', tag.group(1))}


def start_setup(browser: PortalSession) -> str:
    """The billing page's "Add a card": the SetupIntent id its redirect names."""
    started = browser.post("/app/billing/card")
    assert started.status_code == 303, started.text
    return re.search(r"(seti_[A-Za-z0-9]+)", started.headers["Location"]).group(1)


@pytest.fixture
def against_stripe(paying, monkeypatch):
    """The app as against Stripe itself: no emulator card page, so "Add a card" sends the browser to
    the portal's own card page (the Stripe calls still go to the emulator)."""
    monkeypatch.setattr(paying.gateway, "card_page", lambda intent, *, return_url: None)
    return paying


@pytest.fixture
def stripe_reads(paying, monkeypatch):
    """Every SetupIntent the app reads from Stripe, in order."""
    reads: list[str] = []
    read = paying.gateway.retrieve_setup_intent

    def recording(setup_intent: str) -> dict:
        reads.append(setup_intent)
        return read(setup_intent)

    monkeypatch.setattr(paying.gateway, "retrieve_setup_intent", recording)
    return reads


def test_the_card_page_hands_stripe_js_the_business_s_latest_setup(client, against_stripe):
    paying = against_stripe
    owner = business(client, company_name="Card Page Co")
    shop = signed_in(client, owner["email"])

    # Given "Add a card" against Stripe itself, the browser goes to the portal's own card page
    started = shop.post("/app/billing/card")
    assert started.status_code == 303
    location = started.headers["Location"]
    assert re.fullmatch(
        re.escape(paying.deps.link("/app/billing/card?setup_intent=")) + r"seti_\w+", location
    )
    seti = location.split("setup_intent=")[1]

    # When the business opens it
    page = shop.get(path_of(location))

    # Then it carries what Stripe.js needs, in data- attributes of the form
    assert page.status_code == 200, page.text
    secret = paying.stripe.v1.setup_intents.retrieve(seti).client_secret
    assert secret.startswith(f"{seti}_secret_")
    assert card_form(page) == {
        "publishable-key": paying.deps.settings.stripe_publishable_key,
        "client-secret": secret,
        "return-url": paying.deps.link("/app/billing/card/return"),
    }
    assert paying.deps.settings.stripe_publishable_key.startswith("pk_test_")
    # a mount point for the Payment Element, a button, an error area, a word for browsers without JS
    assert '<div id="payment-element"></div>' in page.text
    assert '<button type="submit" id="card-submit" disabled>Save the card</button>' in page.text
    assert '<p id="card-error" class="error" role="alert"></p>' in page.text
    assert re.search(r"<noscript>\s*<p[^>]*>Adding a card needs JavaScript", page.text)
    # Stripe.js from js.stripe.com, then our own script; no inline script at all
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    sources = [re.search(r'src="([^"]+)"', attributes).group(1) for attributes, _ in scripts]
    assert sources[-2] == "https://js.stripe.com/v3/"
    assert re.fullmatch(r"/static/card\.js\?v=[0-9a-f]{12}", sources[-1])
    assert all(not body.strip() for _, body in scripts)
    served = client.http.get("/static/card.js")
    assert served.status_code == 200 and served.headers["Content-Type"].startswith("text/javascript")

    # And its Content-Security-Policy lets Stripe in, on this page only
    policy = page.headers["Content-Security-Policy"]
    assert policy == CARD_PAGE_POLICY
    assert directives(policy) == {
        "default-src": ["'self'"],
        "script-src": ["'self'", "https://js.stripe.com", "https://*.js.stripe.com"],
        "frame-src": ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"],
        "connect-src": ["'self'", "https://api.stripe.com"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    assert page.headers["X-Frame-Options"] == "DENY"
    for other in ("/app/billing", "/app"):
        assert shop.get(other).headers["Content-Security-Policy"] == PAGE_POLICY, other
    assert "stripe.com" not in PAGE_POLICY

    # When Stripe.js has confirmed the setup (here through the API) and the page is opened again
    paying.stripe.v1.setup_intents.confirm(seti, params={"payment_method": "pm_card_visa"})
    again = shop.get(path_of(location))

    # Then it sends the browser on to the return page, which saves the card
    assert again.status_code == 303
    assert again.headers["Location"] == paying.deps.link(f"/app/billing/card/return?setup_intent={seti}")
    saved = shop.get(path_of(again.headers["Location"]))
    assert saved.status_code == 200 and "Saved: visa ending 4242" in saved.text
    assert saved.headers["Content-Security-Policy"] == PAGE_POLICY


def test_another_business_s_setup_is_not_found_and_an_older_one_is_stale(client, against_stripe):
    owner = business(client, company_name="Twice Co")
    shop = signed_in(client, owner["email"])
    older = start_setup(shop)
    latest = start_setup(shop)
    other = signed_in(client, business(client, company_name="Elsewhere Co")["email"])
    foreign = start_setup(other)

    # another business's setup does not exist for this one, nor does one Stripe never made
    for seti in (foreign, "seti_madeup123"):
        stranger = shop.get(f"/app/billing/card?setup_intent={seti}")
        assert stranger.status_code == 404, (seti, stranger.status_code)
        assert "No such card setup" in stranger.text and "client-secret" not in stranger.text
        assert stranger.headers["Content-Security-Policy"] == PAGE_POLICY

    # an older setup was replaced by the latest: back on the billing page, saying so
    stale = shop.get(f"/app/billing/card?setup_intent={older}")
    assert stale.status_code == 409
    assert STALE in stale.text and "<h1>Billing</h1>" in stale.text
    assert stale.headers["Content-Security-Policy"] == PAGE_POLICY

    # the latest is the one the page offers; the other business still has its own
    assert shop.get(f"/app/billing/card?setup_intent={latest}").status_code == 200
    assert other.get(f"/app/billing/card?setup_intent={foreign}").status_code == 200

    # a setup cancelled on Stripe cannot be confirmed any more: back to the billing page
    against_stripe.stripe.v1.setup_intents.cancel(latest)
    cancelled = shop.get(f"/app/billing/card?setup_intent={latest}")
    assert cancelled.status_code == 409
    assert "This card setup was cancelled; add the card again" in cancelled.text


@pytest.mark.parametrize(
    "query",
    [
        "",
        "setup_intent=",
        "setup_intent=x",
        "setup_intent=seti_",
        "setup_intent=cus_123",
        "setup_intent=seti_abc%2F..%2Fcustomers",
        "setup_intent=seti_abc%3Cscript%3E",
        "setup_intent=seti_" + "a" * 200,
    ],
)
def test_a_malformed_setup_intent_never_reaches_stripe(client, against_stripe, stripe_reads, query):
    shop = signed_in(client, business(client, company_name="Odd Co")["email"])
    start_setup(shop)  # the business has a Stripe customer: only the id's shape stops the call

    refused = shop.get(f"/app/billing/card?{query}")

    assert 400 <= refused.status_code < 500, refused.status_code
    assert "No such card setup" in refused.text
    assert stripe_reads == []


def test_a_placeholder_publishable_key_refuses_the_page_before_any_stripe_call(
    client, against_stripe, stripe_reads
):
    from chalicelib import composition

    shop = signed_in(client, business(client, company_name="Unset Co")["email"])
    seti = start_setup(shop)
    settings = dataclasses.replace(
        against_stripe.deps.settings, stripe_publishable_key="SET-ME: the live Stripe account's key"
    )
    composition.override_deps(dataclasses.replace(against_stripe.deps, settings=settings))
    try:
        refused = shop.get(f"/app/billing/card?setup_intent={seti}")
    finally:
        composition.override_deps(against_stripe.deps)

    assert refused.status_code == 503 and "not set up yet" in refused.text
    assert "SET-ME" not in refused.text and stripe_reads == []


def test_the_card_page_runs_no_inline_or_evaluated_script():
    script = (TEMPLATES / "static" / "card.js").read_text()
    for banned in ("eval(", "new Function", "innerHTML", "outerHTML", "document.write", "setTimeout("):
        assert banned not in script, banned
    for call in ("Stripe(", "elements({ clientSecret", 'create("payment")', "confirmSetup(", "return_url"):
        assert call in script, call
    template = (TEMPLATES / "card.html").read_text()
    bodies = re.findall(r"<script[^>]*>(.*?)</script>", template, re.S)
    assert len(bodies) == 2 and all(not body.strip() for body in bodies)
    assert not re.search(r"\son[a-z]+=", template)  # no inline event handlers either
    assert "style=" not in template
