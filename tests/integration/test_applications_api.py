"""Invitations, applications and their threads through the JSON API."""

import pytest

from tests.integration.helpers import agent, business, call, opening_body, operator, profile_body
from tests.integration.test_marketplace_api import approved_agent, open_opening

pytestmark = pytest.mark.integration

PROPOSAL = {
    "cover_note": "I know Shopify well.",
    "proposed_rate": {"amount": 2400, "currency": "usd"},
    "earliest_start": "2027-01-04",
}


@pytest.fixture
def hiring(client, deps):
    ops = operator(client, deps)
    someone = approved_agent(client, deps, ops)
    owner = business(client)
    opening = open_opening(client, owner)
    return {"ops": ops, "agent": someone, "owner": owner, "opening": opening}


def test_invite_apply_message_and_shortlist(client, deps, hiring):
    owner, someone, opening = hiring["owner"], hiring["agent"], hiring["opening"]
    invited = call(
        client,
        "POST",
        f"/api/v1/openings/{opening['id']}/invitations",
        {"agent_id": someone["id"], "note": "You fit!"},
        token=owner["token"],
    )
    assert invited.status_code == 201
    assert f"/agent/openings/{opening['id']}" in deps.mailer.last_to(someone["email"]).text
    assert [
        i["opening_id"]
        for i in call(client, "GET", "/api/v1/agent/invitations", token=someone["token"]).json["invitations"]
    ] == [opening["id"]]

    applied = call(
        client, "POST", f"/api/v1/openings/{opening['id']}/applications", PROPOSAL, token=someone["token"]
    )
    assert applied.status_code == 201 and applied.json["status"] == "submitted"
    application_id = applied.json["id"]
    again = call(
        client, "POST", f"/api/v1/openings/{opening['id']}/applications", PROPOSAL, token=someone["token"]
    )
    assert again.status_code == 409 and again.json["error"]["code"] == "already_applied"

    listed = call(client, "GET", f"/api/v1/openings/{opening['id']}/applications", token=owner["token"]).json[
        "applications"
    ]
    assert [a["id"] for a in listed] == [application_id]

    # the thread: business writes, the agent has one unread and a mail
    hello = call(
        client,
        "POST",
        f"/api/v1/applications/{application_id}/messages",
        {"body": "<b>Hi</b> Ana, when can you start?"},
        token=owner["token"],
    )
    assert hello.status_code == 201
    assert (
        call(client, "GET", f"/api/v1/applications/{application_id}", token=someone["token"]).json["unread"]
        == 1
    )
    assert "when can you start" in deps.mailer.last_to(someone["email"]).text
    thread = call(
        client, "GET", f"/api/v1/applications/{application_id}/messages", token=someone["token"]
    ).json
    assert [m["body"] for m in thread["messages"]] == ["<b>Hi</b> Ana, when can you start?"]
    assert (
        call(client, "GET", f"/api/v1/applications/{application_id}", token=someone["token"]).json["unread"]
        == 0
    )
    call(
        client,
        "POST",
        f"/api/v1/applications/{application_id}/messages",
        {"body": "Monday!"},
        token=someone["token"],
    )
    assert (
        call(client, "GET", f"/api/v1/applications/{application_id}", token=owner["token"]).json["unread"]
        == 1
    )
    assert "Monday!" in deps.mailer.last_to(owner["email"]).text

    shortlisted = call(
        client, "POST", f"/api/v1/applications/{application_id}/shortlist", token=owner["token"]
    )
    assert shortlisted.json["status"] == "shortlisted"
    assert (
        call(
            client, "POST", f"/api/v1/applications/{application_id}/shortlist", token=owner["token"]
        ).status_code
        == 409
    )
    # the agent cannot shortlist themselves; the business cannot withdraw for them
    assert (
        call(
            client, "POST", f"/api/v1/applications/{application_id}/withdraw", token=owner["token"]
        ).status_code
        == 403
    )
    declined = call(
        client,
        "POST",
        f"/api/v1/applications/{application_id}/decline",
        {"reason": "We hired someone local"},
        token=owner["token"],
    )
    assert declined.json["status"] == "declined"
    assert (
        call(client, "GET", "/api/v1/agent/applications", token=someone["token"]).json["applications"][0][
            "decline_reason"
        ]
        == "We hired someone local"
    )


def test_who_may_apply(client, deps, hiring):
    owner, opening = hiring["owner"], hiring["opening"]
    pending = agent(client)
    call(client, "PUT", "/api/v1/agent/profile", profile_body(), token=pending["token"])
    response = call(
        client, "POST", f"/api/v1/openings/{opening['id']}/applications", PROPOSAL, token=pending["token"]
    )
    assert response.status_code == 409 and response.json["error"]["code"] == "agent_not_approved"
    draft = call(client, "POST", "/api/v1/openings", opening_body(), token=owner["token"]).json
    response = call(
        client,
        "POST",
        f"/api/v1/openings/{draft['id']}/applications",
        PROPOSAL,
        token=hiring["agent"]["token"],
    )
    assert response.status_code == 404  # a draft is not visible to agents at all
    call(client, "POST", f"/api/v1/openings/{opening['id']}/close", token=owner["token"])
    response = call(
        client,
        "POST",
        f"/api/v1/openings/{opening['id']}/applications",
        PROPOSAL,
        token=hiring["agent"]["token"],
    )
    assert response.status_code == 404
    euros = {**PROPOSAL, "proposed_rate": {"amount": 2400, "currency": "eur"}}
    other = open_opening(client, owner)
    response = call(
        client, "POST", f"/api/v1/openings/{other['id']}/applications", euros, token=hiring["agent"]["token"]
    )
    assert response.status_code == 400 and response.json["error"]["field"] == "proposed_rate.currency"


def test_withdraw_and_strangers(client, deps, hiring):
    someone, opening = hiring["agent"], hiring["opening"]
    application_id = call(
        client, "POST", f"/api/v1/openings/{opening['id']}/applications", PROPOSAL, token=someone["token"]
    ).json["id"]
    stranger_agent = approved_agent(client, deps, hiring["ops"])
    other_business = business(client)
    for token in (stranger_agent["token"], other_business["token"]):
        assert call(client, "GET", f"/api/v1/applications/{application_id}", token=token).status_code == 404
        assert (
            call(
                client, "POST", f"/api/v1/applications/{application_id}/messages", {"body": "hi"}, token=token
            ).status_code
            == 404
        )
    assert (
        call(client, "POST", f"/api/v1/applications/{application_id}/withdraw", token=someone["token"]).json[
            "status"
        ]
        == "withdrawn"
    )
    too_long = call(
        client,
        "POST",
        f"/api/v1/applications/{application_id}/messages",
        {"body": "x" * 4001},
        token=someone["token"],
    )
    assert too_long.status_code == 400 and too_long.json["error"]["code"] == "too_long"


def test_board_filters_and_overlap(client, deps, hiring):
    someone, owner = hiring["agent"], hiring["owner"]
    phone = open_opening(client, owner, title="Phone line", skills=["phone"], hours_per_week=30)
    board = call(client, "GET", "/api/v1/board", token=someone["token"])
    assert board.status_code == 200
    ids = [e["opening"]["id"] for e in board.json["entries"]]
    assert hiring["opening"]["id"] in ids and phone["id"] in ids
    mine = next(e for e in board.json["entries"] if e["opening"]["id"] == hiring["opening"]["id"])
    assert mine["overlap_hours_per_week"] == 40.0  # Lisbon 14-22 vs New York 9-17 in winter
    only_phone = call(client, "GET", "/api/v1/board?skill=phone&min_hours=20", token=someone["token"]).json[
        "entries"
    ]
    assert {e["opening"]["id"] for e in only_phone} >= {phone["id"]}
    assert hiring["opening"]["id"] not in {e["opening"]["id"] for e in only_phone}
    bad = call(client, "GET", "/api/v1/board?min_hours=lots", token=someone["token"])
    assert bad.status_code == 400 and bad.json["error"]["field"] == "min_hours"
    assert call(client, "GET", "/api/v1/board", token=agent(client)["token"]).status_code == 404  # not vetted


def test_interview_slots_booking_and_calendar(client, deps, hiring):
    owner, someone, opening = hiring["owner"], hiring["agent"], hiring["opening"]
    application_id = call(
        client, "POST", f"/api/v1/openings/{opening['id']}/applications", PROPOSAL, token=someone["token"]
    ).json["id"]
    from datetime import timedelta

    first = (
        (deps.now() + timedelta(days=2)).replace(hour=15, minute=0, second=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    second = (
        (deps.now() + timedelta(days=3)).replace(hour=15, minute=0, second=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    proposed = call(
        client,
        "POST",
        f"/api/v1/applications/{application_id}/interviews",
        {"slots": [second, first], "duration_minutes": 45},
        token=owner["token"],
    )
    assert proposed.status_code == 201, proposed.json
    interview_id = proposed.json["id"]
    assert [s.replace("+00:00", "Z") for s in proposed.json["slots"]] == [first, second]
    # the agent was told in their own time zone (Lisbon)
    assert "Europe/Lisbon" in deps.mailer.last_to(someone["email"]).text
    assert (
        call(
            client,
            "POST",
            f"/api/v1/applications/{application_id}/interviews",
            {"slots": ["2020-01-01T10:00:00Z"]},
            token=owner["token"],
        ).json["error"]["field"]
        == "slots.0"
    )
    assert (
        call(
            client,
            "POST",
            f"/api/v1/applications/{application_id}/interviews/{interview_id}/book",
            {"slot": first},
            token=owner["token"],
        ).status_code
        == 403
    )
    not_offered = call(
        client,
        "POST",
        f"/api/v1/applications/{application_id}/interviews/{interview_id}/book",
        {"slot": "2031-01-01T10:00:00Z"},
        token=someone["token"],
    )
    assert not_offered.status_code == 400 and not_offered.json["error"]["field"] == "slot"
    assert (
        call(
            client,
            "GET",
            f"/api/v1/applications/{application_id}/interviews/{interview_id}/calendar.ics",
            token=owner["token"],
        ).status_code
        == 409
    )
    booked = call(
        client,
        "POST",
        f"/api/v1/applications/{application_id}/interviews/{interview_id}/book",
        {"slot": first},
        token=someone["token"],
    )
    assert booked.status_code == 200 and booked.json["status"] == "booked"
    again = call(
        client,
        "POST",
        f"/api/v1/applications/{application_id}/interviews/{interview_id}/book",
        {"slot": second},
        token=someone["token"],
    )
    assert again.status_code == 409
    for token in (owner["token"], someone["token"]):
        ics = client.http.get(
            f"/api/v1/applications/{application_id}/interviews/{interview_id}/calendar.ics",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert ics.status_code == 200 and ics.headers["Content-Type"].startswith("text/calendar")
        assert b"DTSTART:" + first.replace("-", "").replace(":", "").encode() in ics.body
    assert "/agent/applications/" in deps.mailer.last_to(someone["email"]).text
    stranger = business(client)
    assert (
        call(
            client, "GET", f"/api/v1/applications/{application_id}/interviews", token=stranger["token"]
        ).status_code
        == 404
    )


def test_messages_never_roll_the_applications_version_back(client, deps, hiring):
    """Unread counters change without a version check, but the version still only goes up: a copy
    read before a message cannot be saved over it."""
    from chalicelib.domain.errors import Conflict
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.store import keys
    from chalicelib.store.marketplace import ApplicationRecord

    owner, someone, opening = hiring["owner"], hiring["agent"], hiring["opening"]
    application = call(
        client, "POST", f"/api/v1/openings/{opening['id']}/applications", PROPOSAL, token=someone["token"]
    ).json
    call(client, "POST", f"/api/v1/applications/{application['id']}/shortlist", token=owner["token"])
    pk, sk = keys.tenant_pk(TenantId(owner["tenant_id"])), keys.sort_key("APP", application["id"])
    stale = ApplicationRecord.find(pk, sk, consistent=True)
    before = stale.version
    call(
        client,
        "POST",
        f"/api/v1/applications/{application['id']}/messages",
        {"body": "Hi"},
        token=owner["token"],
    )
    call(client, "GET", f"/api/v1/applications/{application['id']}/messages", token=someone["token"])
    assert ApplicationRecord.find(pk, sk, consistent=True).version == before + 2
    stale.status = "declined"
    with pytest.raises(Conflict):
        stale.save_checked()
