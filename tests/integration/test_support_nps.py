"""NPS surveys (issue 15, slice 7): a business sends a 0-10 survey to its customers from a CSV in
the portal or a list through the API; each customer answers once through a signed link of their
own, with an optional comment; the business sees the answers and its NPS. A link that is not
signed, altered, another purpose's, expired or used shows a clear page and records nothing; another
business's survey is a 404."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest

from chalicelib import composition
from chalicelib.domain.limits import DAY, Limits, Rate
from tests.integration.contract_helpers import MONDAY
from tests.integration.helpers import business, call
from tests.integration.portal_helpers import PortalSession, signed_in

pytestmark = pytest.mark.integration

SUBJECT = "One question about a business you use"
CSV = "Name,Email,Orders\nJane Doe,jane@example.com,3\nSam Roe,SAM@example.com,1\nJane again,jane@example.com,0\n"


@pytest.fixture
def northwind(client, deps):
    deps.clock.now = MONDAY
    owner = business(client, company_name="Northwind Coffee")
    key = call(client, "POST", "/api/v1/api-keys", {"name": "Shop"}, token=owner["token"]).json["secret"]
    return {"owner": owner, "key": key}


def survey_link(deps, to: str) -> str:
    mail = deps.mailer.last_to(to)
    assert mail.subject == SUBJECT
    (path,) = re.findall(r"https?://[^/\s]+(/help/\S+/nps/\S+)", mail.text)
    return path


def test_a_survey_from_a_csv_is_answered_once_and_the_business_sees_its_nps(client, deps, northwind):
    owner = northwind["owner"]
    member = signed_in(client, owner["email"])
    page = member.get("/app/nps")
    assert page.status_code == 200 and "No survey yet" in page.text
    sent = member.post("/app/nps/surveys", {"name": "Customers of Q4", "recipients": CSV})
    assert sent.status_code == 303
    survey_page = member.follow(sent)
    assert member.flash(survey_page) == "Survey sent to 2 people."  # the email column, each once
    assert "Customers of Q4" in survey_page.text and "Nobody has answered yet." in survey_page.text
    survey_id = sent.headers["Location"].rsplit("/", 1)[1]

    jane_link, sam_link = survey_link(deps, "jane@example.com"), survey_link(deps, "sam@example.com")
    assert jane_link != sam_link and "Northwind Coffee" in deps.mailer.last_to("jane@example.com").text
    # sent Mon 23 Nov 08:00 UTC, for 14 days: on the business's clock, the zone named
    assert "counts once, until Mon 07 Dec 03:00 EST." in deps.mailer.last_to("jane@example.com").text
    jane = PortalSession(client)
    form = jane.get(jane_link)
    assert form.status_code == 200 and "How likely are you to recommend Northwind Coffee" in form.text
    refused = jane.post(jane_link, {"score": "11"})
    assert refused.status_code == 400 and 'class="error-summary"' in refused.text
    answered = jane.post(jane_link, {"score": "10", "comment": "Great <script>alert(1)</script>beans"})
    assert answered.status_code == 303
    assert "Your answer, 10 out of 10, is recorded." in jane.follow(answered).text
    again = jane.post(jane_link, {"score": "0"})
    assert again.status_code == 409 and "counts once, so nothing more was recorded" in again.text
    sam = PortalSession(client)
    sam.get(sam_link)
    assert sam.post(sam_link, {"score": "5"}).status_code == 303

    shown = member.get(f"/app/nps/surveys/{survey_id}")
    assert "Great beans" in shown.text and "<script>alert" not in shown.text
    assert "+0</strong> from 2 answers" in shown.text  # one promoter, one detractor
    api = call(client, "GET", f"/api/v1/nps/surveys/{survey_id}/responses", token=owner["token"]).json
    assert sorted((a["email"], a["score"], a["comment"]) for a in api["answers"]) == [
        ("jane@example.com", 10, "Great beans"),
        ("sam@example.com", 5, ""),
    ]
    overall = call(client, "GET", "/api/v1/nps/surveys", token=northwind["key"]).json["overall"]
    assert overall == {"score": 0.0, "responses": 2, "promoters": 1, "passives": 0, "detractors": 1}


def test_a_list_with_a_line_that_is_not_an_address_is_refused_with_its_line(client, deps, northwind):
    member = signed_in(client, northwind["owner"]["email"])
    refused = member.post(
        "/app/nps/surveys", {"recipients": "jane@example.com\nnot an address\nsam@example.com"}
    )
    assert refused.status_code == 400 and 'class="error-summary"' in refused.text
    assert "Line 2 is not one email address" in refused.text
    header = member.post(
        "/app/nps/surveys", {"recipients": "Email\njane@example.com\nbob@example.com\r\nBcc: x@evil.test"}
    )
    assert header.status_code == 400 and "Line 4 is not one email address" in header.text
    assert not [m for m in deps.mailer.sent if m.to == "jane@example.com"]
    assert call(client, "GET", "/api/v1/nps/surveys", token=northwind["key"]).json["surveys"] == []


def test_the_api_sends_a_survey_and_lists_recipients_and_responses(client, deps, northwind):
    key = northwind["key"]
    made = call(
        client, "POST", "/api/v1/nps/surveys", {"name": "API", "recipients": ["ann@example.com"]}, token=key
    )
    assert made.status_code == 201 and made.json["recipients"] == 1 and made.json["mailed"] == 1
    survey_id = made.json["id"]
    bad = call(
        client, "POST", "/api/v1/nps/surveys", {"recipients": ["ann@example.com\r\nBcc: x"]}, token=key
    )
    assert bad.status_code == 400
    ann = PortalSession(client)
    link = survey_link(deps, "ann@example.com")
    ann.get(link)
    assert ann.post(link, {"score": "8"}).status_code == 303
    recipients = call(client, "GET", f"/api/v1/nps/surveys/{survey_id}/recipients", token=key).json
    assert [(r["email"], r["score"]) for r in recipients["recipients"]] == [("ann@example.com", 8)]
    one = call(client, "GET", f"/api/v1/nps/surveys/{survey_id}", token=key).json
    assert one["nps"] == {"score": 0.0, "responses": 1, "promoters": 0, "passives": 1, "detractors": 0}


def test_another_business_gets_404_for_a_survey(client, deps, northwind):
    made = call(
        client, "POST", "/api/v1/nps/surveys", {"recipients": ["ann@example.com"]}, token=northwind["key"]
    ).json
    other = business(client, company_name="Bravo Beans")
    for suffix in ("", "/recipients", "/responses"):
        seen = call(client, "GET", f"/api/v1/nps/surveys/{made['id']}{suffix}", token=other["token"])
        assert seen.status_code == 404 and "ann@example.com" not in str(seen.json)
    assert signed_in(client, other["email"]).get(f"/app/nps/surveys/{made['id']}").status_code == 404
    # the link itself, on the other business's page: not valid there
    link = survey_link(deps, "ann@example.com").replace(northwind["owner"]["slug"], other["slug"])
    page = PortalSession(client).get(link)
    assert page.status_code == 404 and "Northwind" not in page.text


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda p: p.rsplit(".", 1)[0], id="unsigned"),
        pytest.param(lambda p: p[:-3] + ("xyz" if not p.endswith("xyz") else "abc"), id="altered"),
        pytest.param(lambda p: p[: len(p) - 20], id="cut-short"),
        pytest.param(lambda p: p.replace("/nps/", "/rate/"), id="a-rating-page"),
    ],
)
def test_a_bad_survey_link_is_a_clear_page_and_records_nothing(client, deps, northwind, tamper):
    call(client, "POST", "/api/v1/nps/surveys", {"recipients": ["ann@example.com"]}, token=northwind["key"])
    good = survey_link(deps, "ann@example.com")
    path = tamper(good)
    ann = PortalSession(client)
    page = ann.get(path)
    assert page.status_code == 404 and "Nothing was recorded" in page.text and 'name="score"' not in page.text
    ann.get(good)  # the form's CSRF cookie, as the customer's browser would hold
    assert ann.post(path, {"score": "9"}).status_code == 404
    surveys = call(client, "GET", "/api/v1/nps/surveys", token=northwind["key"]).json
    assert surveys["overall"]["responses"] == 0


def test_an_expired_survey_link_records_nothing(client, deps, northwind):
    call(client, "POST", "/api/v1/nps/surveys", {"recipients": ["ann@example.com"]}, token=northwind["key"])
    link = survey_link(deps, "ann@example.com")
    ann = PortalSession(client)
    ann.get(link)
    deps.clock.now = deps.clock.now + timedelta(days=14, minutes=1)
    page = ann.get(link)
    assert page.status_code == 410 and "expired" in page.text and 'name="score"' not in page.text
    assert ann.post(link, {"score": "9"}).status_code == 410


def test_a_business_sends_at_most_its_daily_surveys(client, deps, northwind):
    composition.override_deps(
        dataclasses.replace(
            deps, limits=dataclasses.replace(Limits.relaxed(), nps_surveys_tenant=Rate(1, DAY))
        )
    )
    key = northwind["key"]
    assert (
        call(client, "POST", "/api/v1/nps/surveys", {"recipients": ["a@example.com"]}, token=key).status_code
        == 201
    )
    limited = call(client, "POST", "/api/v1/nps/surveys", {"recipients": ["b@example.com"]}, token=key)
    assert limited.status_code == 429
    member = signed_in(client, northwind["owner"]["email"])
    page = member.post("/app/nps/surveys", {"recipients": "c@example.com"})
    assert page.status_code == 429 and 'class="error-summary"' in page.text
