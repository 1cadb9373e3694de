"""Inquiries (issue 15, slices 2-3): arriving through the API, stored in one transaction, routed to
an agent on shift with every decision's reasons kept; the queue routed when an agent clocks in,
handed back when they clock out; replies by mail with a reply-to address that threads back; the
tenant always the key's (PROMISES R2), bad input refused by field, 413 for an oversized message."""

from __future__ import annotations

import pytest

from tests.integration.contract_helpers import at
from tests.integration.helpers import business, call
from tests.integration.support_helpers import ask, clock_in, clock_out, hire_team

pytestmark = pytest.mark.integration


@pytest.fixture
def team(client, deps):
    return hire_team(client, deps, agents=2, tiers=(1, 2))


def test_an_inquiry_belongs_to_the_keys_business_whatever_its_body_says(client, deps, team):
    other = business(client)
    made = ask(client, team["key"], subject="Order 1042")
    assert made["number"] == 1 and made["status"] == "queued" and made["source"] == "api"
    # a foreign tenant id in the body is refused, never followed (R2)
    refused = call(
        client,
        "POST",
        "/api/v1/inquiries",
        {"customer_email": "x@example.com", "subject": "s", "body": "b", "tenant_id": other["tenant_id"]},
        token=team["key"],
    )
    assert refused.status_code == 400 and refused.json["error"]["field"] == "tenant_id"
    assert (
        call(client, "GET", f"/api/v1/inquiries/{made['id']}", token=team["owner"]["token"]).status_code
        == 200
    )
    assert call(client, "GET", f"/api/v1/inquiries/{made['id']}", token=other["token"]).status_code == 404
    assert call(client, "GET", "/api/v1/inquiries", token=other["token"]).json["inquiries"] == []
    second = ask(client, team["key"])
    assert second["number"] == 2


def test_a_revoked_key_is_refused(client, deps, team):
    owner = team["owner"]
    key = call(client, "POST", "/api/v1/api-keys", {"name": "Old"}, token=owner["token"]).json
    ask(client, key["secret"])
    call(client, "DELETE", f"/api/v1/api-keys/{key['id']}", token=owner["token"])
    response = call(
        client,
        "POST",
        "/api/v1/inquiries",
        {"customer_email": "j@example.com", "subject": "s", "body": "b"},
        token=key["secret"],
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"customer_email": "jane@example.com\r\nBcc: all@example.com"}, 400, "customer_email"),
        ({"customer_email": "Jane <jane@example.com>"}, 400, "customer_email"),
        ({"customer_email": "a@example.com, b@example.com"}, 400, "customer_email"),
        ({"body": "x" * 20_001}, 413, "body"),
        ({"body": "   "}, 400, "body"),
        ({"subject": "line\nbreak"}, 400, "subject"),
        ({"reason": "refund"}, 400, "reason"),
        ({"priority": "asap"}, 400, "priority"),
        ({"channel": "pigeon"}, 400, "channel"),
        ({"language": "english"}, 400, "language"),
    ],
)
def test_bad_input_is_refused_naming_the_field(client, deps, team, change, status, field):
    body = {"customer_email": "jane@example.com", "subject": "Order", "body": "Where is it?", **change}
    response = call(client, "POST", "/api/v1/inquiries", body, token=team["key"])
    assert response.status_code == status, response.json
    assert response.json["error"]["field"] == field


def test_the_language_is_detected_when_not_given_and_kept_when_given(client, deps, team):
    pt = ask(
        client,
        team["key"],
        subject="Encomenda",
        body="Olá, a minha encomenda ainda não chegou. Podem verificar, por favor?",
    )
    assert pt["language"] == "pt"
    given = ask(client, team["key"], language="es")
    assert given["language"] == "es"


def test_routed_to_the_agent_on_shift_who_fits_with_every_reason_kept(client, deps, team):
    lia, raj = team["agents"]
    deps.clock.now = at(23, 14)
    clock_in(client, lia)
    made = ask(client, team["key"])
    assert made["status"] == "assigned" and made["agent"]["id"] == lia["id"]
    detail = call(client, "GET", f"/api/v1/inquiries/{made['id']}", token=team["owner"]["token"]).json
    [decision] = detail["routing"]
    assert decision["trigger"] == "created" and decision["chosen"]["id"] == lia["id"]
    assert decision["verdicts"][0]["eligible"] and "0 open inquiries" in decision["verdicts"][0]["reason"]
    # German: Lia speaks English and Portuguese only, and Raj is not on shift: it waits, with why
    german = ask(client, team["key"], language="de")
    assert german["status"] == "queued" and german["agent"] is None
    reasons = call(client, "GET", f"/api/v1/inquiries/{german['id']}", token=team["owner"]["token"]).json[
        "routing"
    ]
    assert reasons[-1]["chosen"] is None and "does not speak German" in reasons[-1]["verdicts"][0]["reason"]
    # the agent's own queue lists theirs, across businesses
    mine = call(client, "GET", "/api/v1/agent/inquiries", token=lia["token"]).json["inquiries"]
    assert [i["id"] for i in mine] == [made["id"]]
    assert mine[0]["business_name"] == "Northwind Coffee"


def test_the_queue_is_routed_when_someone_clocks_in_and_handed_back_at_clock_out(client, deps, team):
    lia, raj = team["agents"]
    deps.clock.now = at(23, 14)
    first, second = ask(client, team["key"]), ask(client, team["key"], priority="urgent")
    clock_in(client, lia)
    owner = team["owner"]["token"]
    for made in (first, second):
        assert (
            call(client, "GET", f"/api/v1/inquiries/{made['id']}", token=owner).json["agent"]["id"]
            == lia["id"]
        )
    # she answers one, then leaves: the unanswered one goes back to the queue and on to Raj
    reply = call(
        client,
        "POST",
        f"/api/v1/inquiries/{first['id']}/replies",
        {"body": "On its way!"},
        token=lia["token"],
    )
    assert reply.status_code == 201, reply.json
    clock_in(client, raj)
    deps.clock.now = at(23, 15)
    clock_out(client, lia)
    handed = call(client, "GET", f"/api/v1/inquiries/{second['id']}", token=owner).json
    assert handed["agent"]["id"] == raj["id"] and handed["status"] == "assigned"
    assert [r["trigger"] for r in handed["routing"]][-2:] == ["hand_back", "hand_back"]
    assert "left the shift before replying" in handed["routing"][-2]["summary"]
    answered = call(client, "GET", f"/api/v1/inquiries/{first['id']}", token=owner).json
    assert answered["agent"]["id"] == lia["id"] and answered["status"] == "answered"


def test_the_forgotten_clock_sweep_takes_the_agent_off_shift(client, deps, team):
    from tests.integration.contract_helpers import run_job

    lia, _ = team["agents"]
    deps.clock.now = at(23, 9)
    clock_in(client, lia)
    deps.clock.now = at(23, 22)  # 13 hours later: the clock is due
    run_job("close-clocks", deps)
    made = ask(client, team["key"])
    assert made["status"] == "queued"  # nobody on shift any more


def test_an_agents_reply_is_mailed_with_a_reply_to_that_threads_back(client, deps, team):
    from tests.integration.support_helpers import inbound_secret, post_mail

    lia, _ = team["agents"]
    deps.clock.now = at(23, 14)
    clock_in(client, lia)
    made = ask(client, team["key"], body="<script>alert(1)</script> where is my order? https://evil.example")
    reply = call(
        client,
        "POST",
        f"/api/v1/inquiries/{made['id']}/replies",
        {"body": "Hi Jane, it ships today. Track it at https://tracker.example/1"},
        token=lia["token"],
    )
    assert reply.status_code == 201 and reply.json["author"] == "agent"
    mail = deps.mailer.last_to("jane@example.com")
    assert mail.subject == "Your request #1"
    assert "“Northwind Coffee”" in mail.text and "it ships today" in mail.text
    assert "tracker.example" not in mail.text  # links in a business's words are removed
    assert mail.reply_to.startswith("reply+") and mail.reply_to.endswith("@reply.deskhire.local")
    detail = call(client, "GET", f"/api/v1/inquiries/{made['id']}", token=team["owner"]["token"]).json
    assert detail["status"] == "answered" and detail["first_response_at"] is not None
    assert detail["messages"][0]["body"].startswith("<script>")  # kept as the customer's plain text
    # the customer answers by mail: it joins the same inquiry, and it is Lia's turn again
    secret = inbound_secret(client, team["owner"])
    answer = post_mail(
        client,
        secret,
        {
            "from": "Jane Doe <jane@example.com>",
            "to": [mail.reply_to],
            "subject": "Re: Your request #1",
            "text": "Thanks! It arrived.\n\nOn Mon, 23 Nov 2026, Northwind wrote:\n> Hi Jane, it ships today.",
            "message_id": "<m1@example.com>",
        },
    )
    assert answer.status_code == 202 and answer.json == {
        "status": "threaded",
        "inquiry_id": made["id"],
        "number": 1,
    }
    detail = call(client, "GET", f"/api/v1/inquiries/{made['id']}", token=team["owner"]["token"]).json
    assert detail["status"] == "assigned" and detail["agent"]["id"] == lia["id"]
    assert detail["messages"][-1]["body"] == "Thanks! It arrived."


def test_a_member_reads_the_thread_but_an_agent_without_a_contract_gets_404(client, deps, team):
    from tests.integration.helpers import agent

    made = ask(client, team["key"])
    stranger = agent(client)
    for path in (f"/api/v1/inquiries/{made['id']}", f"/api/v1/inquiries/{made['id']}/replies"):
        assert call(client, "GET", path, token=stranger["token"]).status_code == 404
    assert (
        call(
            client, "POST", f"/api/v1/inquiries/{made['id']}/replies", {"body": "hi"}, token=stranger["token"]
        ).status_code
        == 404
    )
    # an agent of the business who does not own it may read it, not answer it
    lia, _ = team["agents"]
    assert call(client, "GET", f"/api/v1/inquiries/{made['id']}", token=lia["token"]).status_code == 200
    assert (
        call(
            client, "POST", f"/api/v1/inquiries/{made['id']}/replies", {"body": "hi"}, token=lia["token"]
        ).status_code
        == 403
    )
    # the business's team answers from the queue
    team_reply = call(
        client,
        "POST",
        f"/api/v1/inquiries/{made['id']}/replies",
        {"body": "We are on it."},
        token=team["owner"]["token"],
    )
    assert team_reply.status_code == 201 and team_reply.json["author"] == "member"


def test_lists_filter_and_search_by_number_and_customer(client, deps, team):
    owner = team["owner"]["token"]
    a = ask(client, team["key"], priority="low", customer_email="ann@example.com")
    b = ask(client, team["key"], priority="urgent", customer_email="bob@example.com")
    listed = call(client, "GET", "/api/v1/inquiries", token=owner).json["inquiries"]
    assert [i["id"] for i in listed] == [b["id"], a["id"]]  # urgent first
    low = call(client, "GET", "/api/v1/inquiries?priority=low", token=owner).json["inquiries"]
    assert [i["id"] for i in low] == [a["id"]]
    found = call(client, "GET", "/api/v1/inquiries?number=2", token=owner).json["inquiries"]
    assert [i["id"] for i in found] == [b["id"]]
    by_mail = call(client, "GET", "/api/v1/inquiries?email=ANN@example.com", token=owner).json["inquiries"]
    assert [i["id"] for i in by_mail] == [a["id"]]
    month = call(client, "GET", "/api/v1/inquiries?view=all&month=2026-11", token=owner).json["inquiries"]
    assert {i["id"] for i in month} == {a["id"], b["id"]}
    page = call(client, "GET", "/api/v1/inquiries?limit=1", token=owner).json
    assert len(page["inquiries"]) == 1 and page["next_cursor"]
    rest = call(client, "GET", f"/api/v1/inquiries?limit=1&cursor={page['next_cursor']}", token=owner).json
    assert [i["id"] for i in rest["inquiries"]] == [a["id"]]
    other = business(client)
    foreign = call(client, "GET", f"/api/v1/inquiries?cursor={page['next_cursor']}", token=other["token"])
    assert foreign.status_code == 400 and foreign.json["error"]["field"] == "cursor"
