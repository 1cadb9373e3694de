"""Peer review and reputation (issue 15, slices 8 and 9): the weekly job samples every agent's
replies (7.5 %, at least 2) and assigns each to another agent of the same business, once however
often it runs (PROMISES O1: twice, or again after a crash half-way, changes nothing more); the
reviewer scores correct / complete / tone with a comment; the reviewed agent sees the feedback and
their reputation moves; another business's agent, or the reviewed agent, gets 404 for the review.
The operators' list shows who qualifies for a higher tier."""

from __future__ import annotations

import pytest

from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from tests.integration.contract_helpers import at, run_job, sign_in
from tests.integration.helpers import agent, call
from tests.integration.portal_helpers import signed_in
from tests.integration.support_helpers import ask, clock_in, clock_out, hire_team

pytestmark = pytest.mark.integration

WEEK = BillingWeek(2026, 48)


@pytest.fixture
def week_of_replies(fresh_table, client, deps):
    """Lia and Raj at Northwind in 2026-W48: each answered three inquiries on Monday 23 Nov (the
    job reads platform indexes: a table of its own)."""
    team = hire_team(client, deps, agents=2, profiles=[{"name": "Lia Lopes"}, {"name": "Raj Rao"}])
    lia, raj = team["agents"]
    deps.clock.now = at(23, 9)
    clock_in(client, lia)
    clock_in(client, raj)
    replied = {lia["id"]: [], raj["id"]: []}
    for index in range(6):
        deps.clock.now = at(23, 10, index)
        made = ask(client, team["key"], customer_email=f"customer{index}@example.com")
        owner_of = next(p for p in (lia, raj) if p["id"] == made["agent"]["id"])
        response = call(
            client,
            "POST",
            f"/api/v1/inquiries/{made['id']}/replies",
            {"body": f"Reply number {index}: it ships today."},
            token=owner_of["token"],
        )
        assert response.status_code == 201, response.json
        replied[owner_of["id"]].append(made["id"])
    assert sorted(len(v) for v in replied.values()) == [3, 3]  # the fewest open first: they alternate
    deps.clock.now = at(23, 12)
    clock_out(client, lia)
    clock_out(client, raj)
    deps.clock.now = at(30, 3)  # Monday of W49, after the job's 02:00 UTC
    for person in (lia, raj, team["owner"]):
        sign_in(client, person)
    return {**team, "lia": lia, "raj": raj, "tenant": TenantId(team["owner"]["tenant_id"])}


def reviews(tenant: TenantId) -> list[tuple[str, str, str]]:
    from chalicelib.store.reputation import PeerReviewRecord, review_pk

    return sorted(
        (r.agent_id, r.review_id, r.reviewer_id)
        for r in PeerReviewRecord.query(review_pk(tenant, WEEK), consistent_read=True)
        if isinstance(r, PeerReviewRecord)
    )


def test_the_weekly_job_samples_each_agents_replies_for_another_agent_once(client, deps, week_of_replies):
    team = week_of_replies
    lia, raj = team["lia"], team["raj"]
    first = run_job("peer-review", deps)
    assert first.week == str(WEEK) and first.failures == []
    made = reviews(team["tenant"])
    # three replies each: 7.5 % is under 2, so 2 each, and each goes to the other agent
    assert len(made) == 4
    assert {(agent_id, reviewer) for agent_id, _, reviewer in made} == {
        (lia["id"], raj["id"]),
        (raj["id"], lia["id"]),
    }
    again = run_job("peer-review", deps)
    assert again.changed == 0 and reviews(team["tenant"]) == made

    listed = call(client, "GET", "/api/v1/agent/reviews", token=raj["token"]).json["reviews"]
    assert len(listed) == 2 and {r["agent_name"] for r in listed} == {"Lia Lopes"}
    assert all(r["excerpt"].startswith("Reply number") for r in listed)


def test_a_crash_half_way_then_a_run_ends_as_one_clean_run(client, deps, week_of_replies, monkeypatch):
    from chalicelib.store.reputation import PeerReviewRecord

    real = PeerReviewRecord.save
    calls = {"n": 0}

    def crashing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the container died")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(PeerReviewRecord, "save", crashing)
    crashed = run_job("peer-review", deps)
    assert crashed.failures and len(reviews(week_of_replies["tenant"])) == 2
    monkeypatch.setattr(PeerReviewRecord, "save", real)
    run_job("peer-review", deps)
    after_crash = reviews(week_of_replies["tenant"])
    run_job("peer-review", deps)
    assert reviews(week_of_replies["tenant"]) == after_crash and len(after_crash) == 4
    # the same as a clean run: the sample and the turns do not depend on what was made before
    from chalicelib.domain import peer_review as rules

    by_agent: dict[str, list[str]] = {}
    for agent_id, review_id, _ in after_crash:
        by_agent.setdefault(agent_id, []).append(review_id)
    roster = sorted(by_agent)
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.services.support import work

    samples = {
        a: rules.sample(
            [
                w.sk.rsplit("#", 1)[-1]
                for w in work.replies_in_week(week_of_replies["tenant"], AgentId(a), WEEK)
            ],
            week=str(WEEK),
            agent_id=a,
        )
        for a in roster
    }
    assert sorted(rules.assign(samples, roster)) == after_crash


def test_the_reviewer_scores_and_the_reviewed_agent_sees_it_and_their_reputation_moves(
    client, deps, week_of_replies
):
    team = week_of_replies
    lia, raj = team["lia"], team["raj"]
    run_job("peer-review", deps)
    reviewer = signed_in(client, raj["email"])
    listing = reviewer.get("/agent/reviews")
    assert listing.status_code == 200 and "Lia Lopes" in listing.text
    # the navigation counts what waits for the reviewer
    assert 'href="/agent/reviews" aria-current="page">Reviews <span class="count">2<' in listing.text
    review_id = call(client, "GET", "/api/v1/agent/reviews", token=raj["token"]).json["reviews"][0]["id"]
    page = reviewer.get(f"/agent/reviews/{review_id}")
    assert page.status_code == 200 and "the reply to review" in page.text and "Reply number" in page.text

    refused = reviewer.post(f"/agent/reviews/{review_id}", {"correct": "5", "tone": "9"})
    assert refused.status_code == 400 and 'class="error-summary"' in refused.text
    assert "Score it from 1 to 5" in refused.text

    sent = reviewer.post(
        f"/agent/reviews/{review_id}",
        {"correct": "5", "complete": "4", "tone": "5", "comment": "Clear and <i>kind</i>."},
    )
    assert sent.status_code == 303 and sent.headers["Location"] == "/agent/reviews"
    listed = reviewer.follow(sent)
    assert reviewer.flash(listed) == "Your review of Lia Lopes's reply is sent."
    assert 'Reviews <span class="count">1<' in listed.text
    again = reviewer.post(f"/agent/reviews/{review_id}", {"correct": "1", "complete": "1", "tone": "1"})
    assert again.status_code == 409 and 'class="error-summary"' in again.text
    twice = call(
        client,
        "POST",
        f"/api/v1/agent/reviews/{review_id}",
        {"correct": 1, "complete": 1, "tone": 1},
        token=raj["token"],
    )
    assert twice.status_code == 409

    feedback = call(client, "GET", "/api/v1/agent/feedback", token=lia["token"]).json["reviews"]
    assert [(f["correct"], f["complete"], f["tone"], f["comment"]) for f in feedback] == [
        (5, 4, 5, "Clear and kind.")
    ]
    shown = call(client, "GET", f"/api/v1/agents/{lia['id']}/reputation", token=lia["token"]).json
    assert shown["reputation"]["reviews"] == 1 and shown["reputation"]["ratings"] == 0
    # (10 x 4 + 0.5 x 14/3) / 10.5: a peer review weighs half a customer's rating
    assert shown["reputation"]["score"] == pytest.approx(4.0317, abs=1e-4)
    own = signed_in(client, lia["email"]).get("/agent/reputation")
    assert own.status_code == 200 and "Clear and kind." in own.text and "1 peer review" in own.text


def test_another_agent_or_the_reviewed_one_gets_404_for_a_review(client, deps, week_of_replies):
    team = week_of_replies
    lia, raj = team["lia"], team["raj"]
    run_job("peer-review", deps)
    review_id = call(client, "GET", "/api/v1/agent/reviews", token=raj["token"]).json["reviews"][0]["id"]
    stranger = agent(client, name="Sam Stranger")
    body = {"correct": 1, "complete": 1, "tone": 1}
    for someone in (stranger, lia):  # another business's agent; the agent whose reply it is
        assert (
            call(
                client, "POST", f"/api/v1/agent/reviews/{review_id}", body, token=someone["token"]
            ).status_code
            == 404
        )
        browser = signed_in(client, someone["email"])
        assert browser.get(f"/agent/reviews/{review_id}").status_code == 404
        browser.get("/agent")
        posted = browser.post(f"/agent/reviews/{review_id}", {"correct": "1", "complete": "1", "tone": "1"})
        assert posted.status_code == 404
    assert call(client, "GET", "/api/v1/agent/feedback", token=lia["token"]).json["reviews"] == []
    owner = team["owner"]
    assert call(client, "GET", "/api/v1/agent/reviews", token=owner["token"]).status_code == 403


def test_an_agent_alone_at_a_business_is_not_reviewed(fresh_table, client, deps):
    team = hire_team(client, deps, agents=1)
    (lia,) = team["agents"]
    deps.clock.now = at(23, 9)
    clock_in(client, lia)
    for index in range(3):
        made = ask(client, team["key"], customer_email=f"solo{index}@example.com")
        call(client, "POST", f"/api/v1/inquiries/{made['id']}/replies", {"body": "Done."}, token=lia["token"])
    deps.clock.now = at(23, 12)
    clock_out(client, lia)
    deps.clock.now = at(30, 3)
    run_job("peer-review", deps)
    assert reviews(TenantId(team["owner"]["tenant_id"])) == []


def test_the_operators_tier_list_shows_who_qualifies_and_why(fresh_table, client, deps):
    """Tier 2 asks at least 20 customer ratings, a score of at least 4.50, 2 peer reviews and no
    dispute upheld in 90 days. Lia has them; Raj, as good but with 5 ratings, does not. One click
    promotes Lia, and she leaves the list (tier 3 asks more)."""
    from chalicelib.domain.reputation import Kind
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.services import reputation
    from chalicelib.store.transactions import transaction

    team = hire_team(
        client, deps, agents=2, profiles=[{"name": "Lia Lopes", "tier": 1}, {"name": "Raj Rao", "tier": 1}]
    )
    lia, raj = team["agents"]
    ops = team["ops"]

    def add(someone: str, kind: Kind, value: int) -> None:  # as a rating's or a review's transaction does
        current = reputation.standing(AgentId(someone))
        with transaction() as tx:
            reputation.add(tx, current, kind, at=deps.now(), value=value)

    for _ in range(40):
        add(lia["id"], Kind.CUSTOMER, 5)
    for _ in range(2):
        add(lia["id"], Kind.PEER, 5)
    for _ in range(5):
        add(raj["id"], Kind.CUSTOMER, 5)
    listed = call(client, "GET", "/api/v1/admin/reputation/promotions", token=ops["token"]).json
    assert [(c["agent_id"], c["tier"], c["to_tier"]) for c in listed["candidates"]] == [(lia["id"], 1, 2)]
    assert listed["candidates"][0]["reputation"]["ratings"] == 40
    assert any("at least 20 customer ratings" in rule for rule in listed["rules"])
    owner = team["owner"]["token"]
    assert call(client, "GET", "/api/v1/admin/reputation/promotions", token=owner).status_code == 403

    browser = signed_in(client, ops["email"])
    page = browser.get("/admin/reputation")
    assert page.status_code == 200 and "Lia Lopes" in page.text and "Raj Rao" not in page.text
    promoted = browser.post(f"/admin/agents/{lia['id']}/approve", {"tier": "2"})
    assert promoted.status_code == 303
    after = browser.follow(promoted)
    assert browser.flash(after) == "Lia Lopes is approved at tier 2."
    assert "Nobody qualifies for a higher tier yet." in browser.get("/admin/reputation").text
    assert call(client, "GET", f"/api/v1/agents/{lia['id']}/reputation", token=owner).json["tier"] == 2


def test_the_weekly_run_brings_reputation_snapshots_to_now_and_a_second_run_writes_nothing(
    fresh_table, client, deps
):
    """Recency reaches matching and routing: the snapshot on the agent's record and matching cards
    is the score as of the last evidence; the weekly run decays it to the run's moment (a 5-star
    rating of 23 Nov 09:00 weighs w = 0.5^(6.75/90) on 30 Nov 03:00: (40 + 5w) / (10 + w) = 4.0867), and the next
    clock-in copies it for routing. Run again at the same moment, it writes nothing."""
    from chalicelib.domain.reputation import Kind
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.services import reputation
    from chalicelib.store.identity import AgentRecord
    from chalicelib.store.keys import agent_pk
    from chalicelib.store.marketplace import MatchIndexItem
    from chalicelib.store.support import OnShiftRecord, on_shift_key
    from chalicelib.store.transactions import transaction

    team = hire_team(client, deps, agents=1, profiles=[{"name": "Lia Lopes"}])
    (lia,) = team["agents"]
    lia_id = AgentId(lia["id"])
    deps.clock.now = at(23, 9)
    current = reputation.standing(lia_id)
    with transaction() as tx:
        reputation.add(tx, current, Kind.CUSTOMER, at=deps.now(), value=5)

    def snapshot() -> int:
        record = AgentRecord.find(agent_pk(lia_id), "AGENT", consistent=True)
        assert record is not None and record.index_keys
        for key in record.index_keys:
            card = MatchIndexItem.find(*key.split("|", 1), consistent=True)
            assert card is not None and card.card["reputation"] == record.reputation
        return int(record.reputation["score"])

    assert snapshot() == 40909  # (40 + 5) / 11
    deps.clock.now = at(30, 3)  # 6 days 18 hours later
    weight = 0.5 ** (6.75 / 90)
    decayed = round((40 + 5 * weight) / (10 + weight) * 10_000)
    assert decayed == 40867
    first = run_job("peer-review", deps)
    assert first.changed == 1 and snapshot() == decayed
    again = run_job("peer-review", deps)
    assert again.changed == 0 and snapshot() == decayed
    sign_in(client, lia)
    clock_in(client, lia)
    tenant = TenantId(team["owner"]["tenant_id"])
    shift = OnShiftRecord.find(*on_shift_key(tenant, lia_id), consistent=True)
    assert shift is not None and shift.reputation == round((decayed - 10_000) / 4)  # (score - 1) / 4


def _reputation(client, someone) -> dict:
    return call(client, "GET", f"/api/v1/agents/{someone['id']}/reputation", token=someone["token"]).json[
        "reputation"
    ]


def test_a_missed_first_response_target_counts_once_against_the_agent_who_missed_it(
    fresh_table, client, deps
):
    """Reliability: a breach counts as a 1-star rating weighing half, (40 + 0.5) / 10.5 = 3.857,
    once however often the SLA job runs; an inquiry that waited in the queue is nobody's breach."""
    team = hire_team(client, deps, agents=1, profiles=[{"name": "Lia Lopes"}])
    (lia,) = team["agents"]
    deps.clock.now = at(23, 9)
    clock_in(client, lia)
    made = ask(client, team["key"], priority="urgent")  # due in an hour, Lia's
    assert made["agent"]["id"] == lia["id"]
    deps.clock.now = at(23, 10, 1)
    assert run_job("sla-check", deps).changed == 1
    run_job("sla-check", deps)
    shown = _reputation(client, lia)
    assert (shown["breaches"], shown["ratings"], shown["reviews"]) == (1, 0, 0)
    assert shown["score"] == pytest.approx(40.5 / 10.5, abs=1e-4)
    page = signed_in(client, lia["email"]).get("/agent/reputation")
    assert "1 missed first-response target" in page.text


def test_minutes_upheld_against_the_agent_count_once_on_their_reputation(fresh_table, client, deps):
    """An operator upholding a dispute counts as a 1-star rating weighing two: (40 + 2) / 12 = 3.5."""
    from tests.integration.contract_helpers import hire, log

    hired = hire(client, deps)
    someone, owner, ops, cid = hired["agent"], hired["owner"], hired["ops"], hired["contract"]["id"]
    deps.clock.now = at(27, 20)
    sign_in(client, someone)
    entry = log(client, someone, cid, at(24, 9), at(24, 10)).json["entries"][0]["id"]
    deps.clock.now = at(30, 13)  # the week locked, in review
    for person in (someone, owner, ops):
        sign_in(client, person)
    path = f"/api/v1/contracts/{cid}/entries/{entry}/dispute"
    dispute = call(client, "POST", path, {"reason": "Duplicate"}, token=owner["token"]).json
    call(client, "POST", f"{path}/contest", token=someone["token"])
    resolve = f"/api/v1/admin/disputes/{dispute['id']}/resolve"
    upheld = call(
        client,
        "POST",
        resolve,
        {"outcome": "upheld", "upheld_minutes": 30, "note": "Same tickets twice"},
        token=ops["token"],
    )
    assert upheld.status_code == 200, upheld.json
    assert (
        call(
            client,
            "POST",
            resolve,
            {"outcome": "upheld", "upheld_minutes": 30, "note": "Same tickets twice"},
            token=ops["token"],
        ).status_code
        == 409
    )
    shown = _reputation(client, someone)
    assert shown["upheld"] == 1 and shown["score"] == pytest.approx(3.5, abs=1e-4)
    seen = call(client, "GET", f"/api/v1/agents/{someone['id']}/reputation", token=ops["token"]).json
    assert seen["qualifies"] is False
