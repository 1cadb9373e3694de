"""The knowledge base's main paths in a real browser: a business writes, previews and publishes an
article; a visitor on a phone searches the business's help centre, reads the article and finds the
way to contact the business, with no error and no sideways scrolling."""

import json
import urllib.request
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
PASSWORD = "violet-harbor-92-lantern"


def api(portal_url, method, path, body=None, token=None):
    request = urllib.request.Request(
        portal_url + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read() or b"null")


def business(portal_url, name):
    slug = f"kb-{uuid.uuid4().hex[:8]}"
    signed_up = api(
        portal_url,
        "POST",
        "/api/v1/signup/business",
        {
            "company_name": name,
            "slug": slug,
            "owner_name": "Kim Keeper",
            "email": f"{slug}@example.com",
            "password": PASSWORD,
            "time_zone": "America/New_York",
            "currency": "usd",
        },
    )
    return {"slug": slug, "email": f"{slug}@example.com", "token": signed_up["session"]["token"]}


def test_a_business_writes_previews_and_publishes_an_article(page, portal_url):
    owner = business(portal_url, "Kettle Club")
    page.goto(portal_url + "/login")
    page.get_by_label("Email").fill(owner["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/app*")
    page.goto(portal_url + "/app/knowledge")
    page.get_by_role("button", name="Write an article").click()
    page.get_by_label("Title", exact=True).fill("Descaling your kettle")
    page.locator("#body").fill("Use **white vinegar** once a month.\n\n<script>alert('x')</script>")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    expect(page.locator("article.kb-article strong")).to_have_text("white vinegar")
    assert page.get_by_label("Title", exact=True).input_value() == "Descaling your kettle"  # kept
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_text("Article published")).to_be_visible()
    page.get_by_role("link", name="See it on your help centre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Descaling your kettle")
    assert page.problems == []  # the escaped script never ran, nothing was blocked


def test_a_visitor_searches_and_reads_an_article_on_a_phone(phone, portal_url):
    owner = business(portal_url, "Kettle Club")
    for title, body in (
        (
            "Refund policy",
            "We refund any kettle within **30 days** of delivery. Refunds reach your card in 5 days.",
        ),
        ("Shipping times", "Kettles ship within two working days."),
        ("Warranty", "Every kettle has a two-year warranty."),
    ):
        api(
            portal_url,
            "POST",
            "/api/v1/kb/articles",
            {"title": title, "body": body, "language": "en", "status": "published"},
            token=owner["token"],
        )
    problems = []
    phone.on("pageerror", lambda error: problems.append(str(error)))

    phone.goto(f"{portal_url}/help/{owner['slug']}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Kettle Club")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.get_by_label("Search the help centre").fill("refunded")
    phone.get_by_role("button", name="Search").click()
    phone.wait_for_url("**q=refunded*")
    results = phone.locator("ol.help-results li")
    expect(results.first).to_contain_text("Refund policy")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    results.first.get_by_role("link", name="Refund policy").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Refund policy")
    expect(phone.locator("article.kb-article strong")).to_have_text("30 days")
    contact = phone.get_by_role("link", name="Contact us")
    expect(contact).to_be_visible()
    assert contact.get_attribute("href") == f"/help/{owner['slug']}/contact"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    # the visit is named by a first-party cookie and nothing else
    cookies = {c["name"]: c for c in phone.context.cookies()}
    assert cookies["dh_visit"]["httpOnly"] and cookies["dh_visit"]["sameSite"] == "Lax"
    assert problems == []
