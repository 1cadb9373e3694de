"""A native inquiry's first reply that comes after its due time, before the `sla-check` job marked
a breach (the job's mark needs no reply yet, so it never will), counts the missed target on the
replying agent's reputation in the reply's own transaction: the evidence the job's breach adds
(Kind.SLA_BREACH, at the due time), under the same event item, so it counts once; the job running
later counts nothing more, and a breach the job counted is not counted again by a late reply."""

from __future__ import annotations

import pytest

from chalicelib.domain.reputation import Evidence, Kind
from chalicelib.domain.tenancy import AgentId
from chalicelib.services import reputation
from chalicelib.services.support import inquiries
from chalicelib.store.support import InquiryRecord, head_key
from tests.integration.contract_helpers import at, run_job
from tests.integration.helpers import call
from tests.integration.support_helpers import ask, clock_in, hire_team

pytestmark = pytest.mark.integration


@pytest.fixture
def team(fresh_table, client, deps):
    """Lia and Raj at Northwind, on a table of their own (the job reads platform indexes)."""
    return hire_team(client, deps, agents=2, profiles=[{"name": "Lia Lopes"}, {"name": "Raj Rao"}])


def evidence(someone) -> Evidence:
    return reputation.standing(AgentId(someone["id"])).evidence


def shown(client, someone) -> dict:
    answer = call(client, "GET", f"/api/v1/agents/{someone['id']}/reputation", token=someone["token"])
    assert answer.status_code == 200, answer.json
    return answer.json["reputation"]


def reply(client, someone, inquiry_id: str) -> None:
    path = f"/api/v1/inquiries/{inquiry_id}/replies"
    answer = call(client, "POST", path, {"body": "Sorry for the wait, on it"}, token=someone["token"])
    assert answer.status_code == 201, answer.json


def test_a_late_first_reply_before_the_job_counts_once_on_the_replying_agent(client, deps, team):
    lia, raj = team["agents"]
    deps.clock.now = at(23, 9)
    clock_in(client, lia)
    made = ask(client, team["key"], priority="urgent")  # due 10:00, Lia's
    assert made["agent"]["id"] == lia["id"]
    deps.clock.now = at(23, 10, 3)  # late, and the job has not run yet
    reply(client, lia, made["id"])
    # the evidence the job's breach adds (services/reputation.count_breach), at the due time
    assert evidence(lia) == Evidence().add(Kind.SLA_BREACH, at(23, 10))
    assert evidence(raj) == Evidence()
    seen = shown(client, lia)
    assert (seen["breaches"], seen["ratings"], seen["reviews"]) == (1, 0, 0)
    assert seen["score"] == pytest.approx(40.5 / 10.5, abs=1e-3)

    # the job, running later, counts nothing more; nor would its breach hook for this inquiry
    deps.clock.now = at(23, 10, 5)
    run_job("sla-check", deps)
    run_job("sla-check", deps)
    tenant = inquiries.tenant_of(made["id"])
    assert tenant is not None
    head = InquiryRecord.load(*head_key(tenant, made["id"]))
    reputation.count_breach(tenant, head, lia["id"], deps)
    assert evidence(lia).breaches == 1
    assert shown(client, lia)["breaches"] == 1
    seen = call(client, "GET", f"/api/v1/inquiries/{made['id']}", token=team["owner"]["token"]).json
    assert seen["status"] == "answered" and seen["breached_at"] is None

    # a second reply is not a first reply: nothing more
    reply(client, lia, made["id"])
    assert evidence(lia).breaches == 1


def test_a_breach_the_job_counted_is_not_counted_again_by_a_late_reply(client, deps, team):
    lia, raj = team["agents"]
    deps.clock.now = at(23, 14)
    clock_in(client, lia)
    made = ask(client, team["key"], priority="urgent")  # due 15:00, Lia's
    clock_in(client, raj)
    deps.clock.now = at(23, 15, 1)
    assert run_job("sla-check", deps).changed == 1  # Lia missed it: counted, and it goes to Raj
    assert evidence(lia).breaches == 1 and evidence(raj) == Evidence()
    deps.clock.now = at(23, 15, 20)
    reply(client, raj, made["id"])  # late, but the breach was marked and counted already
    run_job("sla-check", deps)
    assert evidence(lia).breaches == 1
    assert evidence(raj) == Evidence()
    assert shown(client, lia)["breaches"] == 1 and shown(client, raj)["breaches"] == 0


def test_a_late_reply_by_the_team_or_one_in_time_counts_on_nobody(client, deps, team):
    lia, _raj = team["agents"]
    deps.clock.now = at(23, 9)
    clock_in(client, lia)
    on_time = ask(client, team["key"], priority="urgent")  # due 10:00
    late = ask(client, team["key"], priority="urgent")
    deps.clock.now = at(23, 10)  # a reply at the due time is in time
    reply(client, lia, on_time["id"])
    deps.clock.now = at(23, 10, 2)
    reply(client, team["owner"], late["id"])  # a member's reply: the miss is nobody's
    run_job("sla-check", deps)
    assert evidence(lia) == Evidence()
