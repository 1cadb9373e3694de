"""First-response targets and escalation (issue 15, slice 4): the `sla-check` job re-routes a
breach to another agent on shift who fits, else escalates it to tier 2, and mails the business
once; a run twice, or again after a crash at any step, changes nothing more (PROMISES O1, O2).
Agents escalate tier 1 to tier 2 with a note; a tier-2 agent or the business's team takes it."""

from __future__ import annotations

import pytest

from chalicelib.jobs import registry
from tests.integration.contract_helpers import at, run_job
from tests.integration.helpers import call
from tests.integration.support_helpers import ask, clock_in, hire_team

pytestmark = pytest.mark.integration

BREACH_SUBJECT = "missed its first-response target"


@pytest.fixture
def team(fresh_table, client, deps):
    """Lia (tier 1) and Raj (tier 2) at Northwind, on a table of their own (the job reads
    platform indexes)."""
    return hire_team(client, deps, agents=2, tiers=(1, 2))


def _breach_mails(deps) -> list[str]:
    return [m.subject for m in deps.mailer.sent if BREACH_SUBJECT in m.subject]


def _state(client, team, ids) -> list:
    owner = team["owner"]["token"]
    out = []
    for inquiry_id in ids:
        seen = call(client, "GET", f"/api/v1/inquiries/{inquiry_id}", token=owner).json
        out.append(
            (
                seen["status"],
                (seen["agent"] or {}).get("id"),
                seen["tier_needed"],
                seen["breached_at"] is not None,
                [r["trigger"] for r in seen["routing"]].count("sla_breach"),
            )
        )
    return out


def test_a_breach_with_nobody_on_shift_is_escalated_and_mailed_once(client, deps, team):
    deps.clock.now = at(23, 9)
    made = ask(client, team["key"], priority="urgent")  # due in an hour
    deps.clock.now = at(23, 10, 1)
    report = run_job("sla-check", deps)
    assert report.planned == 1 and report.changed == 1
    seen = call(client, "GET", f"/api/v1/inquiries/{made['id']}", token=team["owner"]["token"]).json
    assert seen["status"] == "escalated" and seen["tier_needed"] == 2 and seen["breached_at"]
    assert _breach_mails(deps) == ["Request #1 missed its first-response target"]
    assert deps.mailer.sent[-1].to == team["owner"]["email"]
    # O2: again, nothing more; and the business's queue shows it waiting for its team
    again = run_job("sla-check", deps)
    assert again.planned == 0 and again.changed == 0
    assert len(_breach_mails(deps)) == 1
    waiting = call(client, "GET", "/api/v1/inquiries?status=escalated", token=team["owner"]["token"]).json
    assert [i["id"] for i in waiting["inquiries"]] == [made["id"]] and waiting["inquiries"][0]["breached"]


def test_a_breach_goes_to_another_agent_on_shift_who_fits_not_the_one_who_missed_it(client, deps, team):
    lia, raj = team["agents"]
    deps.clock.now = at(23, 14)
    clock_in(client, lia)
    made = ask(client, team["key"], priority="urgent")
    assert made["agent"]["id"] == lia["id"]
    clock_in(client, raj)  # Raj fits too, but Lia has it
    deps.clock.now = at(23, 15, 1)
    run_job("sla-check", deps)
    seen = call(client, "GET", f"/api/v1/inquiries/{made['id']}", token=team["owner"]["token"]).json
    assert seen["agent"]["id"] == raj["id"] and seen["status"] == "assigned" and seen["breached_at"]
    decision = seen["routing"][-1]
    assert decision["trigger"] == "sla_breach"
    lias = next(v for v in decision["verdicts"] if v["agent_id"] == lia["id"])
    assert not lias["eligible"] and "missed this inquiry's first-response target" in lias["reason"]
    assert len(_breach_mails(deps)) == 1
    # Raj's load went up, Lia's down: her next new inquiry is hers again
    assert [
        i["id"] for i in call(client, "GET", "/api/v1/agent/inquiries", token=lia["token"]).json["inquiries"]
    ] == []


def test_an_inquiry_answered_in_time_leaves_the_index_and_is_never_breached(client, deps, team):
    from chalicelib.services.support import sla

    lia, _ = team["agents"]
    deps.clock.now = at(23, 14)
    clock_in(client, lia)
    made = ask(client, team["key"], priority="urgent")
    call(client, "POST", f"/api/v1/inquiries/{made['id']}/replies", {"body": "On it"}, token=lia["token"])
    assert list(sla.due_tenants(at(24, 0))) == []
    deps.clock.now = at(24, 0)
    assert run_job("sla-check", deps).planned == 0
    seen = call(client, "GET", f"/api/v1/inquiries/{made['id']}", token=team["owner"]["token"]).json
    assert seen["breached_at"] is None and seen["status"] == "answered"


STEPS = [
    ("chalicelib.services.support.sla", "_deal_with"),  # after the mark
    ("chalicelib.services.support.routing", "_commit"),  # inside dealing with it
    ("chalicelib.services.support.notices", "mail_team"),  # before the mail
    ("chalicelib.services.support.sla", "_leave_index"),  # after the mail, before the index
]


@pytest.mark.parametrize(("module", "step"), STEPS)
def test_o1_a_crash_at_any_step_then_a_run_ends_as_one_clean_run(
    client, deps, team, monkeypatch, module, step
):
    import importlib

    lia, raj = team["agents"]
    deps.clock.now = at(23, 14)
    clock_in(client, lia)
    made = [ask(client, team["key"], priority="urgent") for _ in range(2)]  # both Lia's
    clock_in(client, raj)
    waiting = ask(client, team["key"], priority="urgent", language="de")  # nobody speaks German
    ids = [m["id"] for m in made] + [waiting["id"]]
    deps.clock.now = at(23, 15, 1)
    target = importlib.import_module(module)
    real = getattr(target, step)
    calls = {"n": 0}

    def crashing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the second inquiry's step: the first got through
            raise RuntimeError("the function was killed here")
        return real(*args, **kwargs)

    monkeypatch.setattr(target, step, crashing)
    crashed = run_job("sla-check", deps)
    assert crashed.failures, step
    monkeypatch.setattr(target, step, real)
    run_job("sla-check", deps)
    final, mails = _state(client, team, ids), _breach_mails(deps)
    assert run_job("sla-check", deps).changed == 0  # O2 after the recovery
    # what one clean run gives: the two re-routed to Raj, the German one escalated; one mail each
    assert [s[0] for s in final] == ["assigned", "assigned", "escalated"]
    assert [s[1] for s in final] == [raj["id"], raj["id"], None]
    assert all(s[3] for s in final) and [s[4] for s in final] == [1, 1, 1]
    expected = sorted(f"Request #{n} missed its first-response target" for n in (1, 2, 3))
    if step == "_leave_index":
        # the crash came after the second inquiry's mail and its mark: nothing sent twice
        assert sorted(mails) == expected
    else:
        assert sorted(mails) == expected


def test_the_job_is_registered_with_its_schedule():
    jobs = registry.load()
    assert jobs["sla-check"].cron == "0/5 * * * ? *"


def test_an_agent_escalates_with_a_note_to_a_tier_two_agent_or_the_business_team(client, deps, team):
    lia, raj = team["agents"]
    owner = team["owner"]
    deps.clock.now = at(23, 14)
    clock_in(client, lia)
    made = ask(client, team["key"])
    escalated = call(
        client,
        "POST",
        f"/api/v1/inquiries/{made['id']}/escalate",
        {"note": "Refund over 100 USD"},
        token=lia["token"],
    )
    assert escalated.status_code == 200, escalated.json
    assert escalated.json["status"] == "escalated" and escalated.json["agent"] is None
    assert any(m.subject == "Request #1 needs your team" for m in deps.mailer.sent)  # no tier 2 on shift
    # a tier-1 agent cannot take it; Raj (tier 2, not even on shift) can, by answering it
    again = call(
        client, "POST", f"/api/v1/inquiries/{made['id']}/replies", {"body": "hi"}, token=lia["token"]
    )
    assert again.status_code == 403
    listed = call(client, "GET", "/api/v1/agent/inquiries", token=raj["token"]).json["inquiries"]
    assert [i["id"] for i in listed] == [made["id"]]
    taken = call(
        client,
        "POST",
        f"/api/v1/inquiries/{made['id']}/replies",
        {"body": "Refund approved."},
        token=raj["token"],
    )
    assert taken.status_code == 201
    seen = call(client, "GET", f"/api/v1/inquiries/{made['id']}", token=owner["token"]).json
    assert seen["agent"]["id"] == raj["id"] and seen["status"] == "answered"
    note = next(m for m in seen["messages"] if m["internal"])
    assert "Refund over 100 USD" in note["body"] and note["author_name"] == "Agent 1"
    # the business's team resolves it from the queue
    resolved = call(client, "POST", f"/api/v1/inquiries/{made['id']}/resolve", {}, token=owner["token"])
    assert resolved.status_code == 200 and resolved.json["status"] == "resolved"
    assert call(client, "GET", "/api/v1/inquiries", token=owner["token"]).json["inquiries"] == []


def test_an_escalation_goes_at_once_to_a_tier_two_agent_on_shift(client, deps, team):
    lia, raj = team["agents"]
    deps.clock.now = at(23, 14)
    clock_in(client, lia)
    made = ask(client, team["key"])
    clock_in(client, raj)
    call(
        client,
        "POST",
        f"/api/v1/inquiries/{made['id']}/escalate",
        {"note": "Legal question"},
        token=lia["token"],
    )
    seen = call(client, "GET", f"/api/v1/inquiries/{made['id']}", token=team["owner"]["token"]).json
    assert seen["status"] == "escalated" and seen["agent"]["id"] == raj["id"]
    assert seen["routing"][-1]["trigger"] == "escalation"
    assert not any("needs your team" in m.subject for m in deps.mailer.sent)
