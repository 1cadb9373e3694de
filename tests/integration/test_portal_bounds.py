"""Sane bounds and warnings (issue 14, item 5): a rate range of 20 to 99,999,999,999 GBP an hour
does not save (domain/bounds.py: 1.00 to 1,000.00 an hour), in the portal or the API, each refusal
naming its field; an offer whose numbers disagree (20 h a week against the opening's 15, a rate
outside the opening's range, below the agent's lowest rate) is sent only after the business has
read why on a confirmation."""

import pytest

from tests.integration.contract_helpers import MONDAY, apply, approved, published_opening
from tests.integration.helpers import business, call, opening_body, operator
from tests.integration.portal_helpers import signed_in

pytestmark = pytest.mark.integration
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def _windows(start="09:00", end="17:00") -> dict[str, str]:
    fields: dict[str, str] = {}
    for row, day in enumerate(WEEKDAYS):
        fields |= {f"window_{row}_day": day, f"window_{row}_start": start, f"window_{row}_end": end}
    return fields


def test_a_rate_range_out_of_bounds_is_refused_in_the_portal_and_the_api(client):
    owner = business(client, currency="usd")
    shop = signed_in(client, owner["email"])
    opening = {
        "title": "Support",
        "language_0": "en",
        "level_0": "b2",
        "hours_per_week": "15",
        "rate_min": "20",
        "rate_max": "99999999999",
        "seats": "1",
        "tier": "1",
        "start_date": "2027-02-01",
        "skills": "email",
        **_windows(),
    }
    refused = shop.post("/app/openings", opening)
    assert refused.status_code == 400
    assert (
        "A rate is 1.00 USD to 1,000.00 USD an hour." in refused.text and 'href="#rate_max"' in refused.text
    )
    low = shop.post("/app/openings", {**opening, "rate_min": "0.50", "rate_max": "30"})
    assert low.status_code == 400 and 'href="#rate_min"' in low.text
    assert shop.post("/app/openings", {**opening, "rate_max": "1000"}).status_code == 303

    # the API answers 400 naming the field
    for body, field in (
        (opening_body(rate_max={"amount": 100_001, "currency": "usd"}), "rate_max"),
        (opening_body(rate_min={"amount": 99, "currency": "usd"}), "rate_min"),
    ):
        answer = call(client, "POST", "/api/v1/openings", body, token=owner["token"])
        assert answer.status_code == 400 and answer.json["error"]["field"] == field, answer.json


def test_an_offer_whose_numbers_disagree_is_sent_only_after_its_warnings(client, deps):
    deps.clock.now = MONDAY
    ops = operator(client, deps)
    # Ana asks at least 30.00 USD an hour
    someone = approved(client, ops, min_rate={"amount": 3000, "currency": "usd"})
    owner = business(client)
    opening = published_opening(client, owner, hours_per_week=15)
    application = apply(client, someone, opening, rate=3000)
    shop = signed_in(client, owner["email"])
    shop.get(f"/app/offers/new?application={application['id']}")
    fields = {
        "application": application["id"],
        "title": "Weekday email",
        "kind": "hourly",
        "rate": "35",
        "weekly_hours": "20",
        "start_date": "2026-11-30",
        "tier": "1",
        "note": "",
        **_windows(),
    }
    # a rate out of bounds is refused outright
    refused = shop.post("/app/offers", {**fields, "rate": "5000"})
    assert refused.status_code == 400 and "A rate is 1.00 USD to 1,000.00 USD an hour." in refused.text

    page = shop.post("/app/offers", {**fields, "rate": "25"})
    assert page.status_code == 200 and "data-confirm" in page.text
    assert (
        "The offer&#39;s cap of 20 h a week is more than the 15 h a week the opening asks for." in page.text
    )
    assert (
        "The rate of 25.00 USD an hour is above the opening&#39;s range (20.00 USD to 30.00 USD)."
        not in page.text
    )
    assert "asks at least 30.00 USD an hour; this offer pays 25.00 USD." in page.text
    assert (
        call(client, "GET", "/api/v1/contracts", token=owner["token"]).json["contracts"] == []
    )  # nothing sent yet
    sent = shop.confirm(page)
    assert sent.status_code == 303 and "/app/contracts/" in sent.headers["Location"]

    # a rate above the opening's range says so too; numbers that agree go straight through
    other = published_opening(client, owner, hours_per_week=15)
    second = apply(client, someone, other, rate=3000)
    fields = {**fields, "application": second["id"], "weekly_hours": "15", "rate": "35"}
    page = shop.post("/app/offers", fields)
    assert (
        "The rate of 35.00 USD an hour is above the opening&#39;s range (20.00 USD to 30.00 USD)."
        in page.text
    )
    assert "cap of" not in page.text
    third = apply(client, someone, published_opening(client, owner, hours_per_week=15), rate=3000)
    straight = shop.post("/app/offers", {**fields, "application": third["id"], "rate": "30"})
    assert straight.status_code == 303


def test_the_api_makes_an_offer_whose_numbers_disagree_and_says_the_same_warnings(client, deps):
    """The API does not ask first: it makes the offer and answers the portal's warnings beside
    it (domain/bounds.py offer_warnings, the one rule), each with the field it is about."""
    from tests.integration.contract_helpers import offer_body

    deps.clock.now = MONDAY
    ops = operator(client, deps)
    someone = approved(client, ops, name="Ana Lima", min_rate={"amount": 3000, "currency": "usd"})
    owner = business(client)
    opening = published_opening(client, owner, hours_per_week=15)
    application = apply(client, someone, opening, rate=3000)
    made = call(
        client,
        "POST",
        "/api/v1/offers",
        offer_body(
            application["id"],
            weekly_cap_minutes=20 * 60,
            rate={"amount": 2500, "currency": "usd"},
            start_date="2026-11-30",
        ),
        token=owner["token"],
    )
    assert made.status_code == 201, made.json
    assert made.json["status"] == "offered" and made.json["weekly_cap_minutes"] == 1200
    assert made.json["warnings"] == [
        {
            "field": "weekly_cap_minutes",
            "message": "The offer's cap of 20 h a week is more than the 15 h a week the opening asks for.",
        },
        {"field": "rate", "message": "Ana Lima asks at least 30.00 USD an hour; this offer pays 25.00 USD."},
    ]
    listed = call(client, "GET", "/api/v1/offers", token=owner["token"]).json["contracts"]
    assert [c["id"] for c in listed] == [made.json["id"]]  # made all the same
    assert "warnings" not in listed[0]

    # numbers that agree: no warning
    second = apply(client, someone, published_opening(client, owner, hours_per_week=15), rate=3000)
    agreed = call(
        client,
        "POST",
        "/api/v1/offers",
        offer_body(
            second["id"],
            weekly_cap_minutes=15 * 60,
            rate={"amount": 3000, "currency": "usd"},
            start_date="2026-11-30",
        ),
        token=owner["token"],
    )
    assert agreed.status_code == 201 and agreed.json["warnings"] == []
