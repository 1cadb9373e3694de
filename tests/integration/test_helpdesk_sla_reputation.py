"""A helpdesk ticket's missed first-response target counts on the reputation of the agent whose
reply came late, as a native breach counts on the agent who missed it (issue 16; services/support/
helpdesk_sla.py): the same evidence (Kind.SLA_BREACH, at the due time), once whatever the order and
however often events come, taken back when a held-up reply shows the target was met, moved when an
earlier late reply by another agent arrives; a miss nobody answered is nobody's. An event that
moves a ticket's rating and its miss for one agent writes that agent's items once."""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib.domain.reputation import Evidence, Kind
from chalicelib.domain.tenancy import AgentId
from chalicelib.services import reputation
from tests.integration.contract_helpers import at, run_job
from tests.integration.helpers import call
from tests.integration.portal_helpers import signed_in
from tests.integration.support_helpers import hire_team
from tests.integration.test_helpdesk_sla import body, dashboard, post

pytestmark = pytest.mark.integration

W48 = "2026-W48"


@pytest.fixture
def team(client, deps):
    made = hire_team(client, deps, agents=2, profiles=[{"name": "Lia Lopes"}, {"name": "Raj Rao"}])
    made["client"] = client
    return made


def evidence(someone) -> Evidence:
    return reputation.standing(AgentId(someone["id"])).evidence


def breaches(someone) -> tuple[int, int]:
    """The agent's breaches counted, and those the week 2026-W48 added (their history row)."""
    profile = reputation.profile(someone["id"], now=at(23, 16))
    week = [row.week_breaches for row in profile.history if str(row.week) == W48]
    return evidence(someone).breaches, sum(week)


def shown(client, someone) -> dict:
    answer = call(client, "GET", f"/api/v1/agents/{someone['id']}/reputation", token=someone["token"])
    assert answer.status_code == 200, answer.json
    return answer.json["reputation"]


def score_of(evidence: Evidence, now: datetime) -> float:
    return float(evidence.reputation(now).score)


def test_a_late_reply_counts_on_its_agents_reputation_once_and_a_reply_in_time_takes_it_back(
    client, deps, team
):
    lia, raj = team["agents"]
    deps.clock.now = at(23, 16)
    post(client, team["key"], body("created", "301", created="09:00"))  # high: due 13:00
    late = body("replied", "301", created="09:00", at="15:00", agent=lia["email"])
    assert post(client, team["key"], late) == "applied"
    # the same evidence a native breach adds (services/reputation.count_breach), at the due time
    assert evidence(lia) == Evidence().add(Kind.SLA_BREACH, at(23, 13))
    assert breaches(lia) == (1, 1)
    seen = shown(client, lia)
    assert (seen["breaches"], seen["ratings"], seen["reviews"]) == (1, 0, 0)
    assert seen["score"] == pytest.approx(score_of(evidence(lia), at(23, 16)), abs=1e-4)
    assert seen["score"] < 4.0  # below the prior: (40 + 0.5) / 10.5, a little decayed
    page = signed_in(client, lia["email"]).get("/agent/reputation")
    assert "1 missed first-response target" in page.text

    assert post(client, team["key"], late) == "duplicate"  # the webhook again: nothing more
    # another event on the ticket (Lia solves it) leaves the miss as it was counted
    post(client, team["key"], body("solved", "301", created="09:00", at="15:30", agent=lia["email"]))
    assert breaches(lia) == (1, 1)

    # 16:30: Raj's reply at 12:30 was held up at Zendesk: the target was met, by Raj; Lia's
    # breach is taken back, her reputation back to the prior, and Raj has none
    deps.clock.now = at(23, 16, 30)
    post(client, team["key"], body("replied", "301", created="09:00", at="12:30", agent=raj["email"]))
    assert breaches(lia) == (0, 0) and breaches(raj) == (0, 0)
    seen = shown(client, lia)
    assert (seen["breaches"], seen["score"]) == (0, 4.0)
    assert dashboard(client, team["owner"])["met"] == 1 and dashboard(client, team["owner"])["breached"] == 0
    assert run_job("sla-check", deps, at=at(23, 16, 35)).planned == 0
    assert breaches(lia) == (0, 0)


def test_a_miss_nobody_answered_is_nobodys_until_a_late_reply_names_whose_it_is(client, deps, team):
    lia, raj = team["agents"]
    deps.clock.now = at(23, 10, 5)
    post(client, team["key"], body("created", "302", created="10:00"))  # high: due 14:00
    judged = run_job("sla-check", deps, at=at(23, 14, 5))
    assert (judged.planned, judged.changed) == (1, 1)
    assert dashboard(client, team["owner"])["breached"] == 1
    assert reputation.standing(AgentId(lia["id"])).record is None  # nobody's: no evidence at all
    assert reputation.standing(AgentId(raj["id"])).record is None

    # 16:00: Lia's reply at 15:00 arrives: late, hers
    deps.clock.now = at(23, 16)
    post(client, team["key"], body("replied", "302", created="10:00", at="15:00", agent=lia["email"]))
    assert evidence(lia) == Evidence().add(Kind.SLA_BREACH, at(23, 14))
    assert breaches(lia) == (1, 1) and breaches(raj) == (0, 0)
    # then Raj's reply at 14:30, late too but first: the miss is Raj's, no longer Lia's
    post(client, team["key"], body("replied", "302", created="10:00", at="14:30", agent=raj["email"]))
    assert breaches(lia) == (0, 0) and breaches(raj) == (1, 1)
    assert evidence(raj) == Evidence().add(Kind.SLA_BREACH, at(23, 14))
    assert shown(client, lia)["score"] == 4.0
    assert dashboard(client, team["owner"])["breached"] == 1  # still one miss, counted once
    assert run_job("sla-check", deps, at=at(23, 16, 5)).planned == 0
    assert breaches(raj) == (1, 1)


def test_a_reply_that_moves_a_rating_and_a_miss_to_one_agent_writes_their_reputation_once(client, deps, team):
    """The customer's 5 came before any reply (for whoever answered); Lia's late reply makes both
    hers in one event: her rating and her breach, in one write of her items (DynamoDB refuses a
    transaction that names an item twice)."""
    lia, _raj = team["agents"]
    deps.clock.now = at(23, 16)
    post(client, team["key"], body("created", "303", created="09:00"))  # due 13:00, late by now
    post(client, team["key"], {**body("rated", "303", created="09:00", at="15:30"), "rating": 5})
    assert reputation.standing(AgentId(lia["id"])).record is None
    post(client, team["key"], body("replied", "303", created="09:00", at="15:00", agent=lia["email"]))
    found = evidence(lia)
    assert (found.ratings, found.good_ratings, found.breaches) == (1, 1, 1)
    expected = Evidence().add(Kind.SLA_BREACH, at(23, 13)).add(Kind.CUSTOMER, at(23, 15, 30), 5)
    assert score_of(found, at(23, 16)) == pytest.approx(score_of(expected, at(23, 16)), abs=1e-4)
    assert breaches(lia) == (1, 1)
