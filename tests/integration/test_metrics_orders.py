"""Daily order counts (issue 16): POST /api/v1/orders/daily with the business's API key or a
member's token, and the portal's form. A later count for a day replaces the earlier one; a day in
the future, older than the window, or a count out of range is a 400 naming the field; the count
lands on the business's own day, whatever the caller sends, and feeds contact intensity."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain import orders as rules
from chalicelib.domain.tenancy import TenantId
from chalicelib.store import metrics as store
from tests.integration.helpers import business, call
from tests.integration.portal_helpers import signed_in

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)
TODAY = NOW.date()


def _day(tenant: str, day: date) -> store.BusinessDay | None:
    found = store.business_days(TenantId(tenant), day, day)
    return found[0] if found else None


@pytest.fixture
def owner(client, deps):
    deps.clock.now = NOW
    return business(client)


def test_a_key_posts_a_count_and_a_later_post_replaces_it(client, owner):
    key = call(client, "POST", "/api/v1/api-keys", {"name": "Shop"}, token=owner["token"]).json
    day = TODAY - timedelta(days=1)
    first = call(
        client, "POST", "/api/v1/orders/daily", {"day": day.isoformat(), "count": 120}, token=key["secret"]
    )
    assert first.status_code == 200, first.json
    assert first.json["day"] == day.isoformat() and first.json["count"] == 120
    again = call(
        client, "POST", "/api/v1/orders/daily", {"day": day.isoformat(), "count": 80}, token=owner["token"]
    )
    assert again.status_code == 200, again.json
    kept = _day(owner["tenant_id"], day)
    assert kept is not None and (kept.orders, kept.orders_posted) == (80, 1)
    # zero orders is a count, and it replaces too
    assert (
        call(
            client, "POST", "/api/v1/orders/daily", {"day": day.isoformat(), "count": 0}, token=key["secret"]
        ).status_code
        == 200
    )
    kept = _day(owner["tenant_id"], day)
    assert kept is not None and (kept.orders, kept.orders_posted) == (0, 1)


def test_contact_intensity_reads_the_posted_count(client, owner):
    """An inquiry today and 40 orders: 2.5 contacts per 100 orders on the dashboard's API."""
    key = call(client, "POST", "/api/v1/api-keys", {"name": "Shop"}, token=owner["token"]).json
    inquiry = {
        "customer_email": "c@example.com",
        "subject": "Where is it",
        "body": "My parcel",
        "language": "en",
    }
    assert call(client, "POST", "/api/v1/inquiries", inquiry, token=key["secret"]).status_code == 201
    body = {"day": TODAY.isoformat(), "count": 40}
    assert call(client, "POST", "/api/v1/orders/daily", body, token=key["secret"]).status_code == 200
    board = call(
        client, "GET", f"/api/v1/metrics/business?from={TODAY}&to={TODAY}", token=owner["token"]
    ).json
    assert board["figures"]["orders"] == 40
    assert board["figures"]["contact_intensity"] == 2.5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"day": (TODAY + timedelta(days=1)).isoformat(), "count": 5}, "day"),  # tomorrow
        ({"day": (TODAY - timedelta(days=rules.WINDOW_DAYS)).isoformat(), "count": 5}, "day"),  # too old
        ({"day": "2026-02-30", "count": 5}, "day"),
        ({"day": "yesterday", "count": 5}, "day"),
        ({"count": 5}, "day"),
        ({"day": TODAY.isoformat(), "count": -1}, "count"),
        ({"day": TODAY.isoformat(), "count": rules.MAX_COUNT + 1}, "count"),
        ({"day": TODAY.isoformat(), "count": 2.5}, "count"),
        ({"day": TODAY.isoformat(), "count": "12"}, "count"),
        ({"day": TODAY.isoformat()}, "count"),
        ({"day": TODAY.isoformat(), "count": 5, "tenant_id": "T0"}, "tenant_id"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_keeps_nothing(client, owner, body, field):
    response = call(client, "POST", "/api/v1/orders/daily", body, token=owner["token"])
    assert response.status_code == 400, response.json
    assert response.json["error"]["field"] == field, response.json
    assert (
        store.posted_orders(
            TenantId(owner["tenant_id"]), TODAY - timedelta(days=400), TODAY + timedelta(days=2)
        )
        == {}
    )


def test_the_window_edges_are_accepted(client, owner):
    oldest = TODAY - timedelta(days=rules.WINDOW_DAYS - 1)
    for day, count in ((oldest, 7), (TODAY, rules.MAX_COUNT)):
        response = call(
            client,
            "POST",
            "/api/v1/orders/daily",
            {"day": day.isoformat(), "count": count},
            token=owner["token"],
        )
        assert response.status_code == 200, response.json
    posted = store.posted_orders(TenantId(owner["tenant_id"]), oldest, TODAY)
    assert {day: count for day, (count, _) in posted.items()} == {oldest: 7, TODAY: rules.MAX_COUNT}


def test_an_agent_cannot_post_orders(client, owner):
    from tests.integration.helpers import agent

    someone = agent(client)
    body = {"day": TODAY.isoformat(), "count": 5}
    assert call(client, "POST", "/api/v1/orders/daily", body, token=someone["token"]).status_code == 403
    assert call(client, "POST", "/api/v1/orders/daily", body).status_code == 401


def test_the_portal_form_posts_replaces_and_says_every_problem(client, owner):
    browser = signed_in(client, owner["email"])
    page = browser.get("/app/orders")
    assert page.status_code == 200 and "Daily orders" in page.text
    day = (TODAY - timedelta(days=2)).isoformat()
    saved = browser.post("/app/orders", {"day": day, "count": "1,250"})
    assert saved.status_code == 303 and saved.headers["Location"] == "/app/orders"
    shown = browser.follow(saved)
    assert "Saved: 1,250 orders" in shown.text and "1,250" in shown.text
    assert browser.post("/app/orders", {"day": day, "count": "900"}).status_code == 303
    kept = _day(owner["tenant_id"], date.fromisoformat(day))
    assert kept is not None and kept.orders == 900
    refused = browser.post("/app/orders", {"day": "2026-13-01", "count": "lots"})
    assert refused.status_code == 400
    assert 'class="error-summary"' in refused.text
    assert 'href="#day"' in refused.text and 'href="#count"' in refused.text
    assert 'value="lots"' in refused.text  # what was typed stays
    future = browser.post("/app/orders", {"day": (TODAY + timedelta(days=1)).isoformat(), "count": "3"})
    assert future.status_code == 400 and "cannot be in the future" in future.text
    assert _day(owner["tenant_id"], date.fromisoformat(day)).orders == 900  # type: ignore[union-attr]


def test_the_dashboard_links_to_the_form(client, owner):
    browser = signed_in(client, owner["email"])
    assert 'href="/app/orders"' in browser.get("/app/metrics").text


def test_a_count_lands_on_the_callers_business_only(client, owner):
    other = business(client, company_name="Other Co")
    day = TODAY.isoformat()
    assert (
        call(
            client, "POST", "/api/v1/orders/daily", {"day": day, "count": 11}, token=owner["token"]
        ).status_code
        == 200
    )
    assert (
        call(
            client, "POST", "/api/v1/orders/daily", {"day": day, "count": 22}, token=other["token"]
        ).status_code
        == 200
    )
    assert _day(owner["tenant_id"], TODAY).orders == 11  # type: ignore[union-attr]
    assert _day(other["tenant_id"], TODAY).orders == 22  # type: ignore[union-attr]
