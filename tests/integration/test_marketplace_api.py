"""The marketplace through the JSON API: profiles, vetting, openings, explained matches both ways."""

import pytest

from tests.integration.helpers import agent, business, call, opening_body, operator, profile_body

pytestmark = pytest.mark.integration


def approved_agent(client, deps, ops, **profile):
    someone = agent(client)
    assert (
        call(
            client, "PUT", "/api/v1/agent/profile", profile_body(**profile), token=someone["token"]
        ).status_code
        == 200
    )
    approved = call(
        client, "POST", f"/api/v1/admin/agents/{someone['id']}/approve", {"tier": 2}, token=ops["token"]
    )
    assert approved.status_code == 200, approved.json
    assert approved.json["listed_for_matching"] is True
    return someone


def open_opening(client, owner, **overrides):
    created = call(client, "POST", "/api/v1/openings", opening_body(**overrides), token=owner["token"])
    assert created.status_code == 201, created.json
    published = call(client, "POST", f"/api/v1/openings/{created.json['id']}/publish", token=owner["token"])
    assert published.status_code == 200 and published.json["status"] == "open"
    return created.json


def test_profile_vetting_opening_and_matches_both_ways(client, deps):
    ops = operator(client, deps)
    fit = approved_agent(client, deps, ops)
    partial = approved_agent(
        client, deps, ops, skills=["email"], availability=[{"day": "mon", "start": "06:00", "end": "10:00"}]
    )
    pending = agent(client)
    call(client, "PUT", "/api/v1/agent/profile", profile_body(), token=pending["token"])  # never approved
    owner = business(client)
    opening = open_opening(client, owner)

    matches = call(client, "GET", f"/api/v1/openings/{opening['id']}/matches", token=owner["token"])
    assert matches.status_code == 200
    ids = [m["id"] for m in matches.json["matches"]]
    assert ids.index(fit["id"]) < ids.index(partial["id"])
    assert pending["id"] not in ids
    top = matches.json["matches"][ids.index(fit["id"])]
    assert {c["name"] for c in top["components"]} == {
        "skills",
        "availability",
        "products",
        "reputation",
        "rate",
    }
    assert any("h/week" in c["detail"] for c in top["components"])
    assert matches.json["items_read"] >= 2

    feed = call(client, "GET", "/api/v1/agent/feed", token=fit["token"])
    assert feed.status_code == 200 and opening["id"] in [m["id"] for m in feed.json["matches"]]
    # an agent whose profile is not approved has no feed yet
    assert call(client, "GET", "/api/v1/agent/feed", token=pending["token"]).status_code == 409
    # the public profile shows approved agents only
    assert call(client, "GET", f"/api/v1/agents/{fit['id']}", token=owner["token"]).status_code == 200
    assert call(client, "GET", f"/api/v1/agents/{pending['id']}", token=owner["token"]).status_code == 404


def test_profile_change_moves_the_agent_between_index_partitions(client, deps):
    ops = operator(client, deps)
    someone = approved_agent(client, deps, ops)
    owner = business(client)
    english = open_opening(client, owner)
    german = open_opening(client, owner, languages=[{"code": "de", "level": "b2"}])
    call(
        client,
        "PUT",
        "/api/v1/agent/profile",
        profile_body(languages=[{"code": "de", "level": "c1"}]),
        token=someone["token"],
    )
    english_ids = [
        m["id"]
        for m in call(client, "GET", f"/api/v1/openings/{english['id']}/matches", token=owner["token"]).json[
            "matches"
        ]
    ]
    german_ids = [
        m["id"]
        for m in call(client, "GET", f"/api/v1/openings/{german['id']}/matches", token=owner["token"]).json[
            "matches"
        ]
    ]
    assert someone["id"] not in english_ids and someone["id"] in german_ids


def test_rejection_with_a_reason_the_agent_sees(client, deps):
    ops = operator(client, deps)
    someone = agent(client)
    assert someone["id"] in [
        a["id"] for a in call(client, "GET", "/api/v1/admin/agents", token=ops["token"]).json["agents"]
    ]
    rejected = call(
        client,
        "POST",
        f"/api/v1/admin/agents/{someone['id']}/reject",
        {"reason": "No support experience yet"},
        token=ops["token"],
    )
    assert rejected.status_code == 200
    mine = call(client, "GET", "/api/v1/agent/profile", token=someone["token"]).json
    assert mine["status"] == "rejected" and mine["rejection_reason"] == "No support experience yet"
    assert someone["id"] not in [
        a["id"] for a in call(client, "GET", "/api/v1/admin/agents", token=ops["token"]).json["agents"]
    ]
    again = call(
        client, "POST", f"/api/v1/admin/agents/{someone['id']}/reject", {"reason": "x"}, token=ops["token"]
    )
    assert again.status_code == 409


def test_only_operators_vet_and_only_agents_have_profiles(client, deps):
    owner = business(client)
    someone = agent(client)
    assert call(client, "GET", "/api/v1/admin/agents", token=owner["token"]).status_code == 403
    assert (
        call(
            client,
            "POST",
            f"/api/v1/admin/agents/{someone['id']}/approve",
            {"tier": 3},
            token=someone["token"],
        ).status_code
        == 403
    )
    assert call(client, "GET", "/api/v1/agent/profile", token=owner["token"]).status_code == 403
    assert call(client, "POST", "/api/v1/openings", opening_body(), token=someone["token"]).status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"rate_min": {"amount": 4000, "currency": "usd"}}, "rate_min"),
        ({"hours_per_week": 12.3}, "hours_per_week"),
        ({"hours_per_week": 170}, "hours_per_week"),
        (
            {
                "coverage": [
                    {"day": "mon", "start": "09:00", "end": "12:00"},
                    {"day": "mon", "start": "11:00", "end": "13:00"},
                ]
            },
            "coverage.1",
        ),
        ({"coverage": [{"day": "mon", "start": "9am..", "end": "12:00"}]}, "coverage.0.start"),
        ({"coverage": [{"day": "mon", "start": "12:00", "end": "12:00"}]}, "coverage.0"),
        ({"skills": ["typing"]}, "skills.0"),
        ({"rate_min": {"amount": 20.5, "currency": "usd"}}, "rate_min.amount"),
        ({"start_date": "2020-01-01"}, "start_date"),
        ({"hours_per_week": None}, "hours_per_week"),
    ],
)
def test_bad_openings_are_400_naming_the_field(client, deps, overrides, field):
    owner = business(client)
    response = call(client, "POST", "/api/v1/openings", opening_body(**overrides), token=owner["token"])
    assert response.status_code == 400, response.json
    assert response.json["error"]["field"] == field
    assert call(client, "GET", "/api/v1/openings", token=owner["token"]).json["openings"] == []


def test_opening_lifecycle_and_illegal_steps(client, deps):
    owner = business(client)
    opening = call(client, "POST", "/api/v1/openings", opening_body(), token=owner["token"]).json
    assert opening["status"] == "draft"
    paused = call(client, "POST", f"/api/v1/openings/{opening['id']}/pause", token=owner["token"])
    assert paused.status_code == 409 and "draft" in paused.json["error"]["message"]
    call(client, "POST", f"/api/v1/openings/{opening['id']}/publish", token=owner["token"])
    assert (
        call(client, "POST", f"/api/v1/openings/{opening['id']}/close", token=owner["token"]).json["status"]
        == "closed"
    )
    assert (
        call(client, "POST", f"/api/v1/openings/{opening['id']}/publish", token=owner["token"]).status_code
        == 409
    )
    other = business(client)
    assert call(client, "GET", f"/api/v1/openings/{opening['id']}", token=other["token"]).status_code == 404
