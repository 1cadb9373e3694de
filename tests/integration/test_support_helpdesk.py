"""Helpdesk integrations (issue 15, slice 10): a business that keeps Zendesk or Freshdesk posts its
ticket events with its API key; each ticket becomes one of its inquiries (source `helpdesk`), so
that proof of work, CSAT and reputation work for it too. The bodies posted here are the ones the
integrations page tells the business to paste (services/support/helpdesk_setup.py), filled the way
each product fills its placeholders, and Zendesk's own event payloads as its reference shows them
(developer.zendesk.com, "Ticket events")."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest

from chalicelib import composition
from chalicelib.domain.limits import HOUR, Limits, Rate
from tests.integration.contract_helpers import at, sign_in, timesheet
from tests.integration.helpers import business, call
from tests.integration.portal_helpers import signed_in
from tests.integration.support_helpers import clock_in, clock_out, hire_team

pytestmark = pytest.mark.integration

PATH = "/api/v1/integrations/helpdesk/events"
CUSTOMER = "jane@example.com"


def fill(product: str, event: str, values: dict[str, str]) -> dict:
    """The JSON body of the setup's rule for `event`, its placeholders filled as the product fills
    them: each `{{name}}` replaced by its value, an unknown one by nothing."""
    from chalicelib.services.support import helpdesk_setup

    setup = {"zendesk": helpdesk_setup.ZENDESK, "freshdesk": helpdesk_setup.FRESHDESK}[product]
    [rule] = [r for r in setup.rules if r.event == event]
    body = json.loads(rule.body)
    return {
        name: re.sub(r"\{\{([^}]+)\}\}", lambda m: values.get(m.group(1).strip(), ""), text)
        for name, text in body.items()
    }


def zendesk_values(**overrides) -> dict[str, str]:
    return {
        "ticket.id": "5158",
        "ticket.created_at_with_timestamp": "2026-11-23T14:00Z",
        "ticket.title": "Grinder arrived broken",
        "ticket.requester.email": CUSTOMER,
        "ticket.requester.name": "Jane Doe",
        "ticket.priority": "High",
        "ticket.via": "Web Form",
        "ticket.description": "It arrived broken. <script>alert(1)</script>",
        **overrides,
    }


def freshdesk_values(**overrides) -> dict[str, str]:
    return {
        "ticket.id": "24",
        "ticket.subject": "Refund please",
        "ticket.requester.email": CUSTOMER,
        "ticket.requester.name": "Jane Doe",
        "ticket.priority": "Urgent",
        "ticket.source": "Portal",
        "ticket.description": "<div>I was charged <b>twice</b>.<br>Order 42.</div>",
        **overrides,
    }


def post(client, key: str, body) -> Any:
    return call(client, "POST", PATH, body, token=key)


def sent(client, key: str, body) -> dict:
    response = post(client, key, body)
    assert response.status_code == 202, response.json
    return response.json


def inquiry(client, owner, inquiry_id: str) -> dict:
    response = call(client, "GET", f"/api/v1/inquiries/{inquiry_id}", token=owner["token"])
    assert response.status_code == 200, response.json
    return response.json


def agent_of(shown: dict) -> str | None:
    return shown["agent"]["id"] if shown["agent"] else None


def rating_of(owner, inquiry_id: str) -> dict:
    """The rating on the inquiry's head, as services/ratings.py keeps one (score, agent_id, ...)."""
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.services.support import inquiries

    head = inquiries.find_for_system(TenantId(owner["tenant_id"]), inquiry_id)
    assert head is not None and head.rating is not None
    return dict(head.rating)


def standing(agent_id: str):
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.services import reputation

    return reputation.standing(AgentId(agent_id)).evidence


def csat(owner, week: str) -> dict:
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.domain.time import BillingWeek
    from chalicelib.services import ratings

    return ratings.csat_week(TenantId(owner["tenant_id"]), BillingWeek.parse(week))


@pytest.fixture
def team(client, deps):
    made = hire_team(client, deps)
    made["owner"]["tenant_id"] = call(client, "GET", "/api/v1/integrations/whoami", token=made["key"]).json[
        "tenant_id"
    ]
    return made


# -- each product's payloads -----------------------------------------------------------------------


def test_zendesk_triggers_make_one_inquiry_with_proof_of_work_csat_and_reputation(client, deps, team):
    [lia] = team["agents"]
    owner, key = team["owner"], team["key"]
    contract_id = lia["contract"]["id"]
    deps.clock.now = at(23, 14)
    clock_in(client, lia)
    deps.clock.now = at(23, 14, 1)
    made = sent(client, key, fill("zendesk", "created", zendesk_values()))
    assert made["status"] == "applied" and made["number"] == 1 and made["needs_attention"] is False
    deps.clock.now = at(23, 14, 21)
    replied = zendesk_values(
        **{
            "current_user.email": lia["email"].upper(),
            "ticket.updated_at_with_timestamp": "2026-11-23T14:20Z",
        }
    )
    assert sent(client, key, fill("zendesk", "replied", replied))["inquiry_id"] == made["inquiry_id"]
    deps.clock.now = at(23, 14, 41)
    solved = {**replied, "ticket.updated_at_with_timestamp": "2026-11-23T14:40Z"}
    sent(client, key, fill("zendesk", "solved", solved))
    deps.clock.now = at(23, 15)
    clock_out(client, lia)
    deps.clock.now = at(23, 16)
    rated = zendesk_values(
        **{
            "ticket.updated_at_with_timestamp": "2026-11-23T16:00Z",
            "satisfaction.current_rating": "Good, I'm satisfied",
            "satisfaction.current_comment": "Quick and kind.",
            "ticket.assignee.email": lia["email"],
        }
    )
    sent(client, key, fill("zendesk", "rated", rated))

    shown = inquiry(client, owner, made["inquiry_id"])
    assert shown["source"] == "helpdesk" and shown["status"] == "resolved"
    assert shown["subject"] == "Grinder arrived broken" and shown["customer_email"] == CUSTOMER
    assert shown["priority"] == "high" and agent_of(shown) == lia["id"]
    assert shown["first_response_at"] == "2026-11-23T14:20:00Z"
    # the ticket's text is the customer's first message, kept as text
    assert "<script>alert(1)</script>" in shown["messages"][0]["body"]
    # proof of work: the reply and the solve under the clock's entry of 14:00-15:00
    sign_in(client, owner)
    sheet = timesheet(client, owner, contract_id, "2026-W48")
    [entry] = sheet["entries"]
    assert sorted((w["action"], w["entry_id"]) for w in sheet["work"]) == [
        ("reply", entry["id"]),
        ("resolve", entry["id"]),
    ]
    assert sheet["unbacked_entry_ids"] == []
    # the rating: Lia's reputation and the week's CSAT (the performance bonus reads it)
    evidence = standing(lia["id"])
    assert (evidence.ratings, evidence.good_ratings, evidence.rating_total) == (1, 1, 5)
    assert csat(owner, "2026-W48") == {lia["id"]: (1, 1)}
    assert rating_of(owner, made["inquiry_id"])["score"] == 5


def test_zendesk_own_events_time_the_ticket_and_credit_nobody(client, deps, team):
    """The payloads of Zendesk's event webhook as its reference documents them
    (https://developer.zendesk.com/api-reference/webhooks/event-types/ticket-events/)."""
    owner, key = team["owner"], team["key"]
    deps.clock.now = at(23, 15)
    detail = {
        "actor_id": "8447388090494",
        "assignee_id": "8447388090494",
        "brand_id": "8447346621310",
        "created_at": "2026-11-23T14:00:00Z",
        "description": "My grinder arrived broken.",
        "id": "5158",
        "priority": "LOW",
        "requester_id": "8447388090494",
        "status": "OPEN",
        "subject": "Broken grinder",
        "tags": [],
        "type": "QUESTION",
        "updated_at": "2026-11-23T14:00:00Z",
        "via": {"channel": "web_service"},
    }

    def event(kind: str, event_id: str, time: str, said: dict | None) -> dict:
        return {
            "account_id": 22129848,
            "detail": detail,
            "event": said or {},
            "id": event_id,
            "subject": "zen:ticket:5158",
            "time": time,
            "type": f"zen:event-type:ticket.{kind}",
            "zendesk_event_version": "2022-11-06",
        }

    created = sent(
        client,
        key,
        event(
            "created", "cbe4028c-7239-495d-b020-f22348516046", "2026-11-23T14:00:00.000000000Z", {"meta": {}}
        ),
    )
    staff = {
        "comment": {
            "author": {"id": "1", "is_staff": True, "name": "Lia"},
            "body": "On its way",
            "id": "9",
            "is_public": True,
        }
    }
    sent(client, key, event("comment_added", "e-reply", "2026-11-23T14:30:10Z", staff))
    private = {"comment": {**staff["comment"], "is_public": False}}
    assert (
        sent(client, key, event("comment_added", "e-note", "2026-11-23T14:20:00Z", private))["status"]
        == "ignored"
    )
    assert (
        sent(client, key, event("priority_changed", "e-prio", "2026-11-23T14:25:00Z", {"current": "HIGH"}))[
            "status"
        ]
        == "ignored"
    )
    sent(
        client,
        key,
        event("status_changed", "e-solve", "2026-11-23T14:50:00Z", {"current": "SOLVED", "previous": "OPEN"}),
    )
    # the same delivery again: one effect
    assert (
        sent(client, key, event("status_changed", "e-solve", "2026-11-23T14:50:00Z", {"current": "SOLVED"}))[
            "status"
        ]
        == "duplicate"
    )
    shown = inquiry(client, owner, created["inquiry_id"])
    assert shown["status"] == "resolved" and shown["first_response_at"] == "2026-11-23T14:30:00Z"
    assert agent_of(shown) is None and shown["priority"] == "low" and shown["customer_email"] == ""
    overview = call(client, "GET", PATH, token=owner["token"]).json
    assert [e["outcome"] for e in overview["events"]].count("ignored") == 2
    assert overview["attention"] == []


def test_freshdesk_rules_make_one_inquiry_and_each_rating_rule_rates_it(client, deps, team):
    [lia] = team["agents"]
    owner, key = team["owner"], team["key"]
    deps.clock.now = at(23, 10)
    made = sent(client, key, fill("freshdesk", "created", freshdesk_values()))
    deps.clock.now = at(23, 10, 30)
    sent(client, key, fill("freshdesk", "replied", freshdesk_values(**{"ticket.agent.email": lia["email"]})))
    deps.clock.now = at(23, 11)
    sent(client, key, fill("freshdesk", "solved", freshdesk_values(**{"ticket.agent.email": lia["email"]})))
    deps.clock.now = at(23, 16)
    rating = fill("freshdesk", "rated", freshdesk_values(**{"ticket.agent.email": lia["email"]}))
    sent(client, key, {**rating, "rating": "bad"})  # the rule of the survey's worst answer
    shown = inquiry(client, owner, made["inquiry_id"])
    assert shown["priority"] == "urgent" and shown["channel"] == "email" and shown["status"] == "resolved"
    assert shown["first_response_at"] == "2026-11-23T10:30:00Z" and agent_of(shown) == lia["id"]
    assert shown["messages"][0]["body"] == "I was charged twice.\nOrder 42."
    assert rating_of(owner, made["inquiry_id"])["score"] == 1
    evidence = standing(lia["id"])
    assert (evidence.ratings, evidence.good_ratings) == (1, 0)
    # the customer changes their mind: the new rating replaces the old one, everywhere
    deps.clock.now = at(23, 17)
    sent(client, key, {**rating, "rating": "5"})
    evidence = standing(lia["id"])
    assert (evidence.ratings, evidence.good_ratings, evidence.rating_total) == (1, 1, 5)
    assert csat(owner, "2026-W48") == {lia["id"]: (1, 1)}
    assert rating_of(owner, made["inquiry_id"])["score"] == 5


# -- bad input, keys, other businesses, limits -----------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"product": "helpscout"}, "product"),
        ({"event": "reopened"}, "event"),
        ({"ticket_id": "5158; DROP"}, "ticket_id"),
        ({"requester_email": "jane@example.com\r\nBcc: x@example.com"}, "requester_email"),
        ({"agent_email": "not an address"}, "agent_email"),
        ({"at": "yesterday"}, "at"),
        ({"at": "2027-01-01T00:00Z"}, "at"),
        ({"rating": "meh"}, "rating"),
        ({"tenant_id": "someone-else"}, "tenant_id"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_files_nothing(client, deps, team, change, field):
    deps.clock.now = at(23, 16)
    body = {**fill("zendesk", "rated", zendesk_values(**{"satisfaction.current_rating": "good"})), **change}
    refused = post(client, team["key"], body)
    assert refused.status_code == 400, refused.json
    assert refused.json["error"]["field"] == field
    assert (
        call(client, "GET", "/api/v1/inquiries?view=all&month=2026-11", token=team["owner"]["token"]).json[
            "inquiries"
        ]
        == []
    )


def test_a_body_that_is_not_a_json_object_is_a_400_and_one_over_256_kib_a_413(client, deps, team):
    assert post(client, team["key"], ["created"]).status_code == 400
    deps.clock.now = at(23, 16)
    huge = fill("zendesk", "created", zendesk_values(**{"ticket.description": "x" * 300_000}))
    refused = post(client, team["key"], huge)
    assert refused.status_code == 413 and refused.json["error"]["code"] == "too_large"
    # a long text under the limit is cut, never refused (the helpdesk cannot fix it)
    long = fill("zendesk", "created", zendesk_values(**{"ticket.description": "y" * 150_000}))
    made = sent(client, team["key"], long)
    body = inquiry(client, team["owner"], made["inquiry_id"])["messages"][0]["body"]
    assert len(body) == 20_000 and body.endswith("(cut here: the whole text is in Zendesk)")


def test_only_a_live_api_key_posts_events(client, deps, team):
    owner = team["owner"]
    key = call(client, "POST", "/api/v1/api-keys", {"name": "Zendesk"}, token=owner["token"]).json
    deps.clock.now = at(23, 16)
    body = fill("zendesk", "created", zendesk_values())
    assert post(client, key["secret"], body).status_code == 202
    call(client, "DELETE", f"/api/v1/api-keys/{key['id']}", token=owner["token"])
    assert post(client, key["secret"], {**body, "ticket_id": "6000"}).status_code == 401
    # a person's token is not a helpdesk
    assert post(client, owner["token"], {**body, "ticket_id": "6001"}).status_code == 403
    # a helpdesk's inquiries are worked in the helpdesk: in the business's history, not its queue
    listed = call(client, "GET", "/api/v1/inquiries?view=all&month=2026-11", token=owner["token"]).json
    assert [i["number"] for i in listed["inquiries"]] == [1]


def test_another_business_key_files_its_own_tickets_and_reaches_nothing_of_this_one(client, deps, team):
    owner = team["owner"]
    other = business(client, company_name="Southwind Tea")
    other_key = call(client, "POST", "/api/v1/api-keys", {"name": "Zendesk"}, token=other["token"]).json[
        "secret"
    ]
    deps.clock.now = at(23, 16)
    mine = sent(
        client,
        team["key"],
        fill("zendesk", "replied", zendesk_values(**{"current_user.email": "temp@agency.example"})),
    )
    assert mine["needs_attention"] is True
    # the same ticket id, with the other business's key: its own inquiry, whatever the body says
    theirs = sent(client, other_key, fill("zendesk", "solved", zendesk_values(**{"ticket.title": "Theirs"})))
    assert theirs["inquiry_id"] != mine["inquiry_id"] and theirs["number"] == 1
    assert inquiry(client, owner, mine["inquiry_id"])["status"] == "answered"
    assert call(client, "GET", f"/api/v1/inquiries/{mine['inquiry_id']}", token=other_key).status_code == 404
    [address] = call(client, "GET", PATH, token=owner["token"]).json["attention"]
    assert address["email"] == "temp@agency.example"
    gone = call(
        client, "DELETE", f"/api/v1/integrations/helpdesk/attention/{address['id']}", token=other["token"]
    )
    assert gone.status_code == 404
    assert call(client, "GET", PATH, token=other["token"]).json["attention"] == []
    assert len(call(client, "GET", PATH, token=owner["token"]).json["attention"]) == 1


def test_a_business_helpdesk_has_its_own_bucket_with_retry_after(client, deps, team):
    other = business(client, company_name="Southwind Tea")
    other_key = call(client, "POST", "/api/v1/api-keys", {"name": "Zendesk"}, token=other["token"]).json[
        "secret"
    ]
    composition.override_deps(
        dataclasses.replace(deps, limits=dataclasses.replace(Limits.relaxed(), helpdesk_tenant=Rate(3, HOUR)))
    )
    deps.clock.now = at(23, 16)
    answers = [
        post(client, team["key"], fill("zendesk", "created", zendesk_values(**{"ticket.id": str(n)})))
        for n in range(4)
    ]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    assert answers[-1].json["error"]["code"] == "rate_limited"
    assert answers[-1].headers["Retry-After"] == "1200"  # one event back every 20 minutes
    assert post(client, other_key, fill("zendesk", "created", zendesk_values())).status_code == 202


# -- any order, any number of times ----------------------------------------------------------------


def story(lia_email: str) -> list[dict]:
    """A Zendesk ticket: created, a first reply by a stranger to this business, Lia's reply, her
    solve, a bad rating, then a good one."""

    def with_time(event: str, moment: str, **values) -> dict:
        return fill(
            "zendesk", event, zendesk_values(**{"ticket.updated_at_with_timestamp": moment, **values})
        )

    return [
        fill("zendesk", "created", zendesk_values()),
        with_time("replied", "2026-11-23T14:10Z", **{"current_user.email": "temp@agency.example"}),
        with_time("replied", "2026-11-23T14:30Z", **{"current_user.email": lia_email}),
        with_time("solved", "2026-11-23T14:40Z", **{"current_user.email": lia_email}),
        with_time(
            "rated",
            "2026-11-23T15:00Z",
            **{"satisfaction.current_rating": "bad", "ticket.assignee.email": lia_email},
        ),
        with_time(
            "rated",
            "2026-11-23T15:30Z",
            **{"satisfaction.current_rating": "good", "ticket.assignee.email": lia_email},
        ),
    ]


def outcome(client, deps, team) -> dict:
    [lia] = team["agents"]
    owner = team["owner"]
    found = call(client, "GET", "/api/v1/inquiries?view=all&month=2026-11", token=owner["token"]).json[
        "inquiries"
    ]
    assert len(found) == 1
    shown = inquiry(client, owner, found[0]["id"])
    sign_in(client, owner)
    sheet = timesheet(client, owner, lia["contract"]["id"], "2026-W48")
    evidence = standing(lia["id"])
    overview = call(client, "GET", PATH, token=owner["token"]).json
    return {
        "inquiry": {
            **{
                k: shown[k]
                for k in ("status", "first_response_at", "resolved_at", "subject", "priority", "created_at")
            },
            "agent_id": agent_of(shown),
        },
        "rating": (lambda r: (r["score"], r["agent_id"]))(rating_of(owner, shown["id"])),
        "notes": len(shown["messages"]),
        "work": sorted((w["action"], w["at"]) for w in sheet["work"]),
        "reputation": (evidence.ratings, evidence.good_ratings, evidence.rating_total),
        "csat": csat(owner, "2026-W48"),
        "attention": [(a["email"], a["events"]) for a in overview["attention"]],
        "metrics": metrics(owner, lia["id"]),
    }


def metrics(owner, agent_id: str) -> dict:
    """The support metrics of Monday 23 November for the business and for the agent."""
    from datetime import date

    from chalicelib.domain.tenancy import AgentId, TenantId
    from chalicelib.store import metrics as store

    tenant, day = TenantId(owner["tenant_id"]), date(2026, 11, 23)
    [business] = store.business_days(tenant, day, day)
    agent_days = store.agent_days(tenant, AgentId(agent_id), day, day)
    names = ("first_replies", "frt_sum_s", "resolved", "sla_met", "sla_breached", "csat_ratings", "csat_good")
    return {
        "business": {
            "contacts": business.contacts,
            "by_source": {k: v for k, v in business.by_source.items() if v},
            **{n: getattr(business, n) for n in names},
        },
        "agent": [{n: getattr(d, n) for n in names} for d in agent_days],
    }


@pytest.mark.parametrize("order", ["in_order", "reversed_and_repeated"])
def test_events_in_any_order_and_repeated_converge(client, deps, order):
    team = hire_team(client, deps)
    team["owner"]["tenant_id"] = call(client, "GET", "/api/v1/integrations/whoami", token=team["key"]).json[
        "tenant_id"
    ]
    [lia] = team["agents"]
    events = story(lia["email"])
    if order == "reversed_and_repeated":
        events = events[::-1] + [events[4], events[0], events[2]]
    deps.clock.now = at(23, 16)
    statuses = [sent(client, team["key"], body)["status"] for body in events]
    assert statuses[:6] == ["applied"] * 6 and statuses[6:] == ["duplicate"] * (len(statuses) - 6)
    got = outcome(client, deps, team)
    assert got == {
        "inquiry": {
            "status": "resolved",
            "agent_id": lia["id"],
            "first_response_at": "2026-11-23T14:10:00Z",  # the stranger's reply is the first response
            "resolved_at": "2026-11-23T14:40:00Z",
            "subject": "Grinder arrived broken",
            "priority": "high",
            "created_at": "2026-11-23T14:00:00Z",
        },
        "rating": (5, lia["id"]),  # the latest rating, for the agent it names
        "notes": 6,
        "work": [("reply", "2026-11-23T14:30:00Z"), ("resolve", "2026-11-23T14:40:00Z")],
        "reputation": (1, 1, 5),
        "csat": {lia["id"]: (1, 1)},
        "attention": [("temp@agency.example", 1)],
        "metrics": {
            "business": {
                "contacts": 1,
                "by_source": {"helpdesk": 1},
                "first_replies": 1,
                "frt_sum_s": 600,  # the stranger's reply, 10 minutes in: within the 4 hours of high
                "resolved": 1,
                "sla_met": 1,
                "sla_breached": 0,
                "csat_ratings": 1,
                "csat_good": 1,
            },
            "agent": [  # Lia solved it and is rated; the first reply was not hers
                {
                    "first_replies": 0,
                    "frt_sum_s": 0,
                    "resolved": 1,
                    "sla_met": 0,
                    "sla_breached": 0,
                    "csat_ratings": 1,
                    "csat_good": 1,
                }
            ],
        },
    }


# -- the integrations page -------------------------------------------------------------------------


def test_the_integrations_page_shows_the_setup_and_the_addresses_to_deal_with(client, deps, team):
    owner = team["owner"]
    deps.clock.now = at(23, 16)
    sent(
        client,
        team["key"],
        fill("zendesk", "replied", zendesk_values(**{"current_user.email": "temp@agency.example"})),
    )
    browser = signed_in(client, owner["email"])
    page = browser.get("/app/support/integrations")
    assert page.status_code == 200
    assert PATH in page.text and "{{ticket.requester.email}}" in page.text
    assert "temp@agency.example" in page.text and "needs attention" in page.text
    # the navigation links the page for owners and admins, with the addresses to deal with counted
    home = browser.get("/app")
    assert re.search(r'href="/app/support/integrations">Integrations <span class="count">1<', home.text)
    [address] = call(client, "GET", PATH, token=owner["token"]).json["attention"]
    done = browser.post(f"/app/support/integrations/attention/{address['id']}/dismiss")
    assert done.status_code == 303
    after = browser.follow(done)
    assert "temp@agency.example is off the list" in after.text
    assert call(client, "GET", PATH, token=owner["token"]).json["attention"] == []
    assert 'href="/app/support/integrations">Integrations</a>' in browser.get("/app").text
    # an address not on the list (gone, or another business's): not found, nothing changes
    again = browser.post(f"/app/support/integrations/attention/{address['id']}/dismiss")
    assert again.status_code == 404
    # an agent of the business has no such page
    [lia] = team["agents"]
    assert signed_in(client, lia["email"]).get("/app/support/integrations").status_code in (403, 404)


def test_a_helpdesk_inquiry_is_answered_in_the_helpdesk_not_here(client, deps, team):
    owner = team["owner"]
    deps.clock.now = at(23, 16)
    made = sent(client, team["key"], fill("zendesk", "created", zendesk_values()))
    base = f"/api/v1/inquiries/{made['inquiry_id']}"
    for path, body in ((f"{base}/replies", {"body": "Hello"}), (f"{base}/resolve", {})):
        refused = call(client, "POST", path, body, token=owner["token"])
        assert refused.status_code == 409 and refused.json["error"]["code"] == "helpdesk_inquiry"
    # a note for the team is still the team's to write
    noted = call(client, "POST", f"{base}/replies", {"body": "VIP", "internal": True}, token=owner["token"])
    assert noted.status_code == 201, noted.json
    page = signed_in(client, owner["email"]).get(f"/app/inquiries/{made['inquiry_id']}")
    assert "worked in Zendesk (ticket 5158)" in page.text and "/reply" not in page.text
    assert inquiry(client, owner, made["inquiry_id"])["status"] == "queued"


def test_the_first_events_of_a_ticket_racing_make_one_inquiry(client, deps, team):
    """Six events of one new ticket taken at the same moment (threads past a barrier): the ticket's
    claim under attribute_not_exists makes one inquiry, the losers read again and join it, and the
    state is the one any order reaches."""
    import threading

    from chalicelib.domain.tenancy import TenantId
    from chalicelib.schemas import helpdesk as schemas
    from chalicelib.services.support import helpdesk

    [lia] = team["agents"]
    tenant = TenantId(team["owner"]["tenant_id"])
    deps.clock.now = at(23, 16)
    events = [schemas.parse(body, now=deps.now()).event for body in story(lia["email"])]
    results, failures, gate = [], [], threading.Barrier(len(events))

    def take(event):
        gate.wait()
        try:
            results.append(helpdesk.take(tenant, event, key_id="race", deps=deps))
        except Exception as failure:  # a lost race must be retried inside, never surface
            failures.append(repr(failure))

    threads = [threading.Thread(target=take, args=(event,)) for event in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert {r.status for r in results} == {"applied"} and len({r.inquiry_id for r in results}) == 1
    got = outcome(client, deps, team)
    assert got["inquiry"]["first_response_at"] == "2026-11-23T14:10:00Z"
    assert got["rating"] == (5, lia["id"]) and got["reputation"] == (1, 1, 5)
    assert got["metrics"]["business"]["contacts"] == 1 and got["notes"] == 6


def test_the_business_s_own_team_answers_as_the_team_and_another_business_s_agent_is_unknown(
    client, deps, team
):
    owner = team["owner"]
    outsider = hire_team(client, deps)["agents"][0]  # under contract with another business only
    deps.clock.now = at(23, 16)
    own = zendesk_values(
        **{"current_user.email": owner["email"], "ticket.updated_at_with_timestamp": "2026-11-23T14:05Z"}
    )
    answered = sent(client, team["key"], fill("zendesk", "replied", own))
    assert answered["needs_attention"] is False
    shown = inquiry(client, owner, answered["inquiry_id"])
    assert shown["status"] == "answered" and shown["agent"] is None
    assert shown["first_response_at"] == "2026-11-23T14:05:00Z"
    theirs = zendesk_values(**{"ticket.id": "77", "current_user.email": outsider["email"]})
    assert sent(client, team["key"], fill("zendesk", "replied", theirs))["needs_attention"] is True
    [address] = call(client, "GET", PATH, token=owner["token"]).json["attention"]
    assert address["email"] == outsider["email"].lower() and address["last_ticket_id"] == "77"
