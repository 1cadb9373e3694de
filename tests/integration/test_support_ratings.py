"""CSAT (issue 15, slice 7): on resolution the customer gets a mail with a signed link per score;
the business's public page confirms it and takes a comment; sending it records the rating once,
in the transaction that moves the agent's reputation (its evidence, their record, their matching
cards; the next clock-in's routing snapshot reads it). PROMISES R1: unsigned, altered, reused,
expired and another business's links show a clear page and record nothing."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest

from chalicelib import composition
from chalicelib.domain.limits import HOUR, Limits, Rate
from tests.integration.contract_helpers import at, sign_in
from tests.integration.helpers import business, call
from tests.integration.portal_helpers import PortalSession
from tests.integration.support_helpers import ask, clock_in, clock_out, hire_team

pytestmark = pytest.mark.integration

SUBJECT = "How did we do with your request #{n}?"


@pytest.fixture
def resolved(client, deps):
    """Lia (tier 1) at Northwind answered and resolved Jane's inquiry #1 on Monday 23 Nov."""
    team = hire_team(client, deps, agents=1, profiles=[{"name": "Lia Lopes"}])
    (lia,) = team["agents"]
    deps.clock.now = at(23, 14)
    clock_in(client, lia)
    made = ask(client, team["key"])
    assert made["agent"]["id"] == lia["id"]
    path = f"/api/v1/inquiries/{made['id']}"
    assert (
        call(client, "POST", f"{path}/replies", {"body": "It ships today."}, token=lia["token"]).status_code
        == 201
    )
    assert call(client, "POST", f"{path}/resolve", {}, token=lia["token"]).status_code == 200
    return {**team, "lia": lia, "inquiry": made}


def links(deps, to="jane@example.com", number=1) -> dict[int, str]:
    mail = deps.mailer.last_to(to)
    assert mail.subject == SUBJECT.format(n=number)
    found = dict(re.findall(r"  (\d) - [A-Za-z ]+: https?://[^/\s]+(/help/\S+)", mail.text))
    return {int(score): path for score, path in found.items()}


def customer(client) -> PortalSession:
    return PortalSession(client)


def reputation_of(client, someone) -> dict:
    return call(client, "GET", f"/api/v1/agents/{someone['id']}/reputation", token=someone["token"]).json


def business_ratings(client, team) -> dict:
    return call(client, "GET", "/api/v1/ratings?month=2026-11", token=team["owner"]["token"]).json


def test_the_customer_rates_from_the_mail_and_the_agents_reputation_moves(client, deps, resolved):
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.store.identity import AgentRecord
    from chalicelib.store.keys import agent_pk
    from chalicelib.store.marketplace import MatchIndexItem

    lia, team = resolved["lia"], resolved
    mail = deps.mailer.last_to("jane@example.com")
    assert "Northwind Coffee" in mail.text and "In the business's own words" in mail.text
    # resolved Mon 23 Nov 14:00 UTC, links for 14 days: on the business's clock, the zone named
    assert "Each link counts once, until Mon 07 Dec 09:00 EST." in mail.text
    offered = links(deps)
    assert sorted(offered) == [1, 2, 3, 4, 5] and len(set(offered.values())) == 5
    before = reputation_of(client, lia)
    assert before["reputation"]["ratings"] == 0 and before["reputation"]["label"] == "new"

    jane = customer(client)
    page = jane.get(offered[4])
    assert page.status_code == 200 and "How did we do?" in page.text and "request #1" in page.text
    assert re.search(r'value="4"\s+checked', page.text)  # the score of the link, chosen already
    assert reputation_of(client, lia)["reputation"]["ratings"] == 0  # opening a link records nothing
    sent = jane.post(offered[4], {"score": "5", "comment": "Quick and kind <b>thanks</b>"})
    assert sent.status_code == 303
    thanks = jane.follow(sent)
    assert "Thank you: your rating is recorded." in thanks.text and "rated 5 out of 5" in thanks.text
    assert "<b>thanks</b>" not in thanks.text

    after = reputation_of(client, lia)["reputation"]
    assert after["ratings"] == 1 and after["csat"] == 100.0 and after["score"] > before["reputation"]["score"]
    assert after["label"].startswith("4.09 from 1 rating")  # (10 x 4 + 5) / 11
    rated = business_ratings(client, team)
    assert rated["csat"] == 100.0
    assert [(r["number"], r["score"], r["agent_id"], r["comment"]) for r in rated["ratings"]] == [
        (1, 5, lia["id"], "Quick and kind thanks")  # plain text: the markup is taken out
    ]
    # the agent's record and matching cards carry it in the same transaction: matching reads no more
    record = AgentRecord.find(agent_pk(AgentId(lia["id"])), "AGENT", consistent=True)
    assert record is not None and record.reputation["ratings"] == 1 and record.rating_total == 5
    assert record.index_keys
    for key in record.index_keys:
        pk, sk = key.split("|", 1)
        card = MatchIndexItem.find(pk, sk, consistent=True)
        assert card is not None and card.card["reputation"] == record.reputation
    profile = call(client, "GET", f"/api/v1/agents/{lia['id']}", token=team["owner"]["token"]).json
    assert profile["reputation"].startswith("4.09 from 1 rating")
    # routing's snapshot: the next clock-in copies it onto the on-shift item
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.store.support import OnShiftRecord, on_shift_key

    tenant = TenantId(team["owner"]["tenant_id"])
    shift = OnShiftRecord.find(*on_shift_key(tenant, AgentId(lia["id"])), consistent=True)
    assert shift is not None and shift.reputation == 7500
    deps.clock.now = at(23, 15)
    clock_out(client, lia)
    clock_in(client, lia)
    shift = OnShiftRecord.find(*on_shift_key(tenant, AgentId(lia["id"])), consistent=True)
    assert shift is not None and shift.reputation == 7727


def _recorded(client, resolved) -> int:
    return reputation_of(client, resolved["lia"])["reputation"]["ratings"]


def test_r1_a_reused_link_shows_what_was_recorded_and_records_nothing_more(client, deps, resolved):
    offered = links(deps)
    jane = customer(client)
    jane.get(offered[5])
    assert jane.post(offered[5], {"score": "5"}).status_code == 303
    again = jane.post(offered[5], {"score": "1", "comment": "changed my mind"})
    assert again.status_code == 409 and "rated 5 out of 5" in again.text and "counts once" in again.text
    other = jane.get(offered[1])  # another score's link of the same mail: the request is rated
    assert other.status_code == 200 and "Thank you" in other.text and "rated 5 out of 5" in other.text
    assert jane.post(offered[1], {"score": "1"}).status_code == 409
    assert _recorded(client, resolved) == 1
    assert [r["score"] for r in business_ratings(client, resolved)["ratings"]] == [5]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda p: p.rsplit(".", 1)[0], id="unsigned"),
        pytest.param(lambda p: p.replace(".4.", ".5."), id="score-altered"),
        pytest.param(lambda p: p[:-3] + ("xyz" if not p.endswith("xyz") else "abc"), id="signature-altered"),
        pytest.param(lambda p: p[: len(p) - 20], id="cut-short"),
    ],
)
def test_r1_an_unsigned_or_altered_link_is_a_clear_page_and_records_nothing(client, deps, resolved, tamper):
    path = tamper(links(deps)[4])
    jane = customer(client)
    page = jane.get(path)
    assert page.status_code == 404 and "This rating link is not valid here" in page.text
    assert 'name="score"' not in page.text
    jane.get(links(deps)[4])  # a form's CSRF cookie, as a browser would have
    posted = jane.post(path, {"score": "5"})
    assert posted.status_code == 404 and "Nothing was recorded" in posted.text
    assert _recorded(client, resolved) == 0 and business_ratings(client, resolved)["ratings"] == []


def test_r1_an_expired_link_is_a_clear_page_and_records_nothing(client, deps, resolved):
    offered = links(deps)
    jane = customer(client)
    jane.get(offered[5])
    deps.clock.now = deps.clock.now + timedelta(days=14, minutes=1)
    page = jane.get(offered[5])
    assert page.status_code == 410 and "expired" in page.text and 'name="score"' not in page.text
    posted = jane.post(offered[5], {"score": "5"})
    assert posted.status_code == 410 and "Nothing was recorded" in posted.text
    sign_in(client, resolved["lia"])  # bearer tokens last a day
    assert _recorded(client, resolved) == 0


def test_r1_a_link_on_another_business_page_is_not_valid_there(client, deps, resolved):
    other = business(client, company_name="Bravo Beans")
    path = links(deps)[5].replace(f"/help/{resolved['owner']['slug']}/", f"/help/{other['slug']}/")
    jane = customer(client)
    page = jane.get(path)
    assert page.status_code == 404 and "Northwind" not in page.text and "#1" not in page.text
    jane.get(links(deps)[5])  # a form's CSRF token, as the customer's browser would hold
    assert jane.post(path, {"score": "5"}).status_code == 404
    assert customer(client).get(path.replace(other["slug"], "no-such-business")).status_code == 404
    assert _recorded(client, resolved) == 0


def test_a_score_outside_one_to_five_or_a_long_comment_is_refused_beside_its_field(client, deps, resolved):
    path = links(deps)[3]
    jane = customer(client)
    jane.get(path)
    refused = jane.post(path, {"score": "6"})
    assert refused.status_code == 400 and "choose from 1 (very poor) to 5 (excellent)" in refused.text.lower()
    long = jane.post(path, {"score": "3", "comment": "x" * 2001})
    assert long.status_code == 400 and "at most 2,000 characters" in long.text
    assert _recorded(client, resolved) == 0
    assert jane.post(path, {"score": "3"}).status_code == 303


def test_the_api_records_through_the_same_link_rules(client, deps, resolved):
    offered = links(deps)
    token = offered[2].rsplit("/", 1)[1]
    bad = call(client, "POST", f"/api/v1/ratings/{token[:-2]}zz", {"score": 2})
    assert bad.status_code == 404 and bad.json["error"]["code"] == "invalid_link"
    made = call(client, "POST", f"/api/v1/ratings/{token}", {"score": 2, "comment": "Slow"})
    assert made.status_code == 201 and made.json == {"number": 1, "score": 2}
    again = call(client, "POST", f"/api/v1/ratings/{token}", {"score": 5})
    assert again.status_code == 409 and again.json["error"]["code"] == "already_answered"
    assert reputation_of(client, resolved["lia"])["reputation"]["csat"] == 0.0
    deps.clock.now = deps.clock.now + timedelta(days=15)
    late = call(client, "POST", f"/api/v1/ratings/{offered[5].rsplit('/', 1)[1]}", {"score": 5})
    assert late.status_code == 410 and late.json["error"]["code"] == "link_expired"


def test_answers_are_rate_limited_per_client_address(client, deps, resolved):
    composition.override_deps(
        dataclasses.replace(
            deps, limits=dataclasses.replace(Limits.relaxed(), answers_per_address=Rate(1, HOUR))
        )
    )
    offered = links(deps)
    jane = customer(client)
    jane.get(offered[5])
    assert jane.post(offered[5], {"score": "5"}).status_code == 303
    limited = jane.post(offered[4], {"score": "4"})
    assert limited.status_code == 429 and limited.headers.get("Retry-After")


def test_an_inquiry_the_team_resolved_is_rated_for_the_business_only(client, deps):
    team = hire_team(client, deps, agents=1)
    deps.clock.now = at(23, 14)
    made = ask(client, team["key"], customer_email="sam@example.com")  # nobody on shift: queued
    owner = team["owner"]["token"]
    call(client, "POST", f"/api/v1/inquiries/{made['id']}/replies", {"body": "Done."}, token=owner)
    assert call(client, "POST", f"/api/v1/inquiries/{made['id']}/resolve", {}, token=owner).status_code == 200
    path = links(deps, to="sam@example.com")[4]
    sam = customer(client)
    sam.get(path)
    assert sam.post(path, {"score": "4"}).status_code == 303
    listed = call(client, "GET", "/api/v1/ratings?month=2026-11", token=owner).json
    assert [(r["score"], r["agent_id"]) for r in listed["ratings"]] == [(4, None)]
    (someone,) = team["agents"]
    assert reputation_of(client, someone)["reputation"]["ratings"] == 0


@pytest.mark.parametrize(("fives", "twos", "earned"), [(9, 1, True), (8, 2, False)])
def test_the_weekly_billing_run_pays_the_performance_bonus_from_the_weeks_ratings(
    client, paying, fives, twos, earned
):
    """A contract with a performance bonus (+10 % of the week at CSAT >= 90 % over >= 10 ratings):
    the customers' ratings of that week decide it when the week is billed. 9 of 10 good is 90 %:
    earned, a line of its own; 8 of 10 is not, and the invoice's notes say the week's CSAT."""
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.domain.time import BillingWeek
    from chalicelib.jobs import runner
    from chalicelib.store.billing import InvoiceRecord, invoice_key
    from tests.integration.contract_helpers import hire

    deps = paying.deps
    rule = {"percent_bps": 1000, "min_csat_bps": 9000, "min_ratings": 10}
    hired = hire(client, deps, bonus=rule)
    lia, owner = hired["agent"], hired["owner"]
    lia["contract"] = hired["contract"]
    paying.add_card(owner)
    key = call(client, "POST", "/api/v1/api-keys", {"name": "Shop"}, token=owner["token"]).json["secret"]
    deps.clock.now = at(26, 9)
    sign_in(client, lia)
    clock_in(client, lia)
    for index, score in enumerate([5] * fives + [2] * twos):
        made = ask(client, key, customer_email=f"c{index}@example.com")
        path = f"/api/v1/inquiries/{made['id']}"
        call(client, "POST", f"{path}/replies", {"body": "Done."}, token=lia["token"])
        assert call(client, "POST", f"{path}/resolve", {}, token=lia["token"]).status_code == 200
        token = links(deps, to=f"c{index}@example.com", number=index + 1)[score].rsplit("/", 1)[1]
        assert call(client, "POST", f"/api/v1/ratings/{token}", {"score": score}).status_code == 201
    deps.clock.now = at(26, 11)
    clock_out(client, lia)

    deps.clock.now = at(30, 12, 30)  # Monday of W49, the week locked: billed
    runner.run("bill-week", deps=deps)
    invoice = InvoiceRecord.find(
        *invoice_key(TenantId(owner["tenant_id"]), BillingWeek(2026, 48)), consistent=True
    )
    assert invoice is not None
    hours = next(line for line in invoice.lines if line["kind"] == "hours")
    bonuses = [line for line in invoice.lines if line["kind"] == "bonus"]
    if earned:
        (bonus,) = bonuses
        assert bonus["amount"] == hours["amount"] // 10  # 10 % of the week's line
        assert "CSAT 90% over 10 ratings" in bonus["description"]
        assert "earned in 2026-W48" in invoice.notes[0]
    else:
        assert bonuses == []
        assert "not earned in 2026-W48, CSAT 80% over 10 ratings" in invoice.notes[0]
