"""The metrics dashboards (issue 16): a known set of events goes into the aggregates the way
events record themselves (store/metric_writes.py, one transaction per event), and every figure the
API, the portal and the CSV show equals a recomputation from the raw events; a business reads
only the agents it contracted, an agent only their own scorecard; a range the rules refuse says
which field; the dashboard's DynamoDB requests do not grow with the number of inquiries."""

from __future__ import annotations

import csv
import io
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest

from chalicelib.domain import metrics as rules
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.store import metric_writes
from chalicelib.store.transactions import transaction
from tests.integration.contract_helpers import hire
from tests.integration.helpers import business, call
from tests.integration.portal_helpers import signed_in

pytestmark = pytest.mark.integration

FIRST = date(2026, 11, 2)
DAYS = 14
LAST = FIRST + timedelta(days=DAYS - 1)
RANGE = f"from={FIRST.isoformat()}&to={LAST.isoformat()}"
REASONS = ("refund", "shipping", "login", None)


@dataclass
class Events:
    """The raw events, as a recomputation reads them."""

    created: list[tuple[datetime, str | None]] = field(default_factory=list)  # (at, reason)
    replies: list[tuple[datetime, int, str | None, bool | None]] = field(default_factory=list)
    resolved: list[tuple[datetime, str | None]] = field(default_factory=list)  # (at, agent)
    ratings: list[tuple[datetime, int, str | None]] = field(default_factory=list)  # (at, 1..5, agent)
    nps: list[tuple[datetime, int]] = field(default_factory=list)  # (at, 0..10)
    orders: dict[date, int] = field(default_factory=dict)
    labour: list[tuple[date, int]] = field(default_factory=list)
    minutes: list[tuple[date, int, int, str]] = field(default_factory=list)  # used, contracted, agent
    reviews: list[tuple[datetime, int, str]] = field(default_factory=list)  # (at, mean x 100, agent)
    earnings: list[tuple[date, int, str]] = field(default_factory=list)
    help: dict[date, tuple[int, int, int]] = field(default_factory=dict)  # visits, searched, deflected


def _record(tenant: TenantId, events: Events, agents: list[str], seed: int = 16) -> None:
    """Each event in its own transaction, through the writes the services use."""
    from chalicelib.store.knowledge import DeflectionRecord, deflection_pk

    rng = random.Random(seed)
    for n in range(DAYS):
        day = FIRST + timedelta(days=n)
        for _ in range(rng.randint(3, 12)):
            at = datetime(day.year, day.month, day.day, rng.randint(0, 23), rng.randint(0, 59), tzinfo=UTC)
            reason = rng.choice(REASONS)
            events.created.append((at, reason))
            with transaction() as tx:
                writes = metric_writes.pending(tx)
                metric_writes.day_update(writes, tenant, at, {"contacts": 1, "ch_email": 1}, currency="usd")
                metric_writes.hour_update(writes, tenant, at, 1)
                if reason:
                    metric_writes.reason_update(writes, tenant, at, reason, {"contacts": 1})
            if rng.random() < 0.8:
                seconds = int(rng.lognormvariate(7, 1.2))
                agent = rng.choice([*agents, None])
                met = rng.choice([True, True, False, None])
                reply_at = at + timedelta(seconds=seconds)
                events.replies.append((reply_at, seconds, agent, met))
                with transaction() as tx:
                    writes = metric_writes.pending(tx)
                    counts = metric_writes.frt_counts(seconds)
                    if met is not None:
                        counts["sla_met" if met else "sla_breached"] = 1
                    metric_writes.day_update(writes, tenant, reply_at, counts)
                    if agent:
                        metric_writes.agent_update(writes, tenant, AgentId(agent), reply_at, counts)
                if rng.random() < 0.7:
                    done = reply_at + timedelta(minutes=rng.randint(1, 300))
                    events.resolved.append((done, agent))
                    score = rng.choice((1, 2, 3, 4, 5, 5, 4))
                    events.ratings.append((done, score, agent))
                    with transaction() as tx:
                        writes = metric_writes.pending(tx)
                        good = {"csat_ratings": 1, "csat_good": int(score >= 4)}
                        metric_writes.day_update(writes, tenant, done, {"resolved": 1, **good})
                        if agent:
                            metric_writes.agent_update(
                                writes, tenant, AgentId(agent), done, {"resolved": 1, **good}
                            )
        for _ in range(rng.randint(0, 3)):
            at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
            answer = rng.randint(0, 10)
            events.nps.append((at, answer))
            kind = "nps_promoters" if answer >= 9 else "nps_passives" if answer >= 7 else "nps_detractors"
            with transaction() as tx:
                metric_writes.day_update(metric_writes.pending(tx), tenant, at, {kind: 1})
        if n % 5 != 4:  # some days without orders posted
            events.orders[day] = rng.randint(50, 400)
            metric_writes.set_orders(tenant, day, events.orders[day], at=datetime(2026, 11, 20, tzinfo=UTC))
        for agent in agents:
            used, contracted = rng.randint(0, 240), 240
            events.minutes.append((day, used, contracted, agent))
            events.labour.append((day, used * 25 * 100 // 60))
            events.earnings.append((day, used * 22 * 100 // 60, agent))
            score_sum = round(Fraction(rng.randint(3, 15), 3) * 100)  # a review's mean, in hundredths
            events.reviews.append((datetime(day.year, day.month, day.day, 9, tzinfo=UTC), score_sum, agent))
            with transaction() as tx:
                writes = metric_writes.pending(tx)
                metric_writes.day_update(
                    writes,
                    tenant,
                    day,
                    {
                        "minutes_used": used,
                        "minutes_contracted": contracted,
                        "labour_minor": used * 25 * 100 // 60,
                    },
                )
                metric_writes.agent_update(
                    writes,
                    tenant,
                    AgentId(agent),
                    day,
                    {
                        "minutes_approved": used,
                        "earn_usd": used * 22 * 100 // 60,
                        "peer_reviews": 1,
                        "peer_score_sum": score_sum,
                    },
                )
        visits = rng.randint(10, 60)
        searched = rng.randint(0, visits)
        deflected = rng.randint(0, searched)
        events.help[day] = (visits, searched, deflected)
        DeflectionRecord(
            deflection_pk(tenant),
            day.isoformat(),
            visits=visits,
            searched=searched,
            engaged=deflected + 2,
            engaged_contacted=2,
        ).save()


# -- the recomputation: exact, from the raw events --------------------------------------------------


def nearest_rank(values: list[int], q: Fraction) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


def _pct(n: int, d: int) -> float | None:
    return round(100 * n / d, 1) if d else None


def recompute(events: Events, first: date, last: date, agent: str | None = None) -> dict:
    def inside(at) -> bool:
        return first <= (at.date() if isinstance(at, datetime) else at) <= last

    replies = [r for r in events.replies if inside(r[0]) and (agent is None or r[2] == agent)]
    ratings = [r for r in events.ratings if inside(r[0]) and (agent is None or r[2] == agent)]
    contacts = sum(1 for at, _ in events.created if inside(at))
    orders = sum(n for d, n in events.orders.items() if inside(d))
    met = sum(1 for r in replies if r[3] is True)
    breached = sum(1 for r in replies if r[3] is False)
    nps = [a for at, a in events.nps if inside(at)]
    promoters, detractors = sum(a >= 9 for a in nps), sum(a <= 6 for a in nps)
    labour = sum(n for d, n in events.labour if inside(d))
    help_days = [v for d, v in events.help.items() if inside(d)]
    searched, deflected = sum(v[1] for v in help_days), sum(v[2] for v in help_days)
    reasons = Counter(r for at, r in events.created if inside(at) and r)
    return {
        "contacts": contacts,
        "orders": orders,
        "first_replies": len(replies),
        "frt": [r[1] for r in replies],
        "csat_percent": _pct(sum(r[1] >= 4 for r in ratings), len(ratings)),
        "csat_ratings": len(ratings),
        "nps": round(100 * (promoters - detractors) / len(nps), 1) if nps else None,
        "nps_answers": len(nps),
        "contact_intensity": round(100 * contacts / orders, 2) if orders else None,
        "sla_percent": _pct(met, met + breached),
        "sla_met": met,
        "sla_breached": breached,
        "labour": labour,
        "cost_per_contact": round(Fraction(labour, contacts)) if contacts else None,
        "minutes_used": sum(u for d, u, _, a in events.minutes if inside(d) and agent in (None, a)),
        "minutes_contracted": sum(c for d, _, c, _ in events.minutes if inside(d)),
        "deflection_percent": _pct(deflected, searched),
        "help_searched": searched,
        "deflected": deflected,
        "reasons": reasons,
        "resolved": sum(1 for at, a in events.resolved if inside(at) and (agent is None or a == agent)),
        "peer": [s for at, s, a in events.reviews if inside(at) and a == agent],
        "earnings": sum(n for d, n, a in events.earnings if inside(d) and a == agent),
    }


def assert_frt(shown: dict, durations: list[int]) -> None:
    """The median and p90 read from the histogram: the bucket middle of the exact quantile, so
    within QUANTILE_ERROR of it."""
    for name, q in (("frt_median_seconds", Fraction(1, 2)), ("frt_p90_seconds", Fraction(9, 10))):
        exact = nearest_rank(durations, q)
        if exact is None:
            assert shown[name] is None
            continue
        assert shown[name] == round(rules.bucket_middle(rules.bucket_of(exact)))
        assert abs(shown[name] - exact) <= rules.QUANTILE_ERROR * exact + 1


def assert_business(shown: dict, expected: dict) -> None:
    for name in (
        "contacts",
        "orders",
        "first_replies",
        "csat_percent",
        "csat_ratings",
        "nps",
        "nps_answers",
        "contact_intensity",
        "sla_percent",
        "sla_met",
        "sla_breached",
        "minutes_used",
        "minutes_contracted",
        "deflection_percent",
        "help_searched",
        "deflected",
    ):
        assert shown[name] == expected[name], name
    assert shown["labour_cost"] == {"amount": expected["labour"], "currency": "usd"}
    cost = expected["cost_per_contact"]
    assert shown["cost_per_contact"] == (None if cost is None else {"amount": cost, "currency": "usd"})
    assert_frt(shown, expected["frt"])


@pytest.fixture
def world(client, deps):
    hired = hire(client, deps)
    owner, ana = hired["owner"], hired["agent"]
    tenant = TenantId(owner["tenant_id"])
    events = Events()
    _record(tenant, events, [ana["id"]])
    return {"owner": owner, "ana": ana, "tenant": tenant, "events": events, "hired": hired}


def test_every_figure_equals_a_recomputation_from_the_events(client, world):
    owner, ana, events = world["owner"], world["ana"], world["events"]
    response = call(client, "GET", f"/api/v1/metrics/business?{RANGE}", token=owner["token"])
    assert response.status_code == 200, response.json
    board = response.json
    assert board["range"] == {"from": FIRST.isoformat(), "to": LAST.isoformat(), "days": DAYS, "by": "day"}
    assert board["currency"] == "usd"
    assert_business(board["figures"], recompute(events, FIRST, LAST))
    # every day's row too
    assert [p["from"] for p in board["periods"]] == [
        (FIRST + timedelta(days=n)).isoformat() for n in range(DAYS)
    ]
    for period in board["periods"]:
        day = date.fromisoformat(period["from"])
        assert_business(period["figures"], recompute(events, day, day))
    # contact intensity by reason tag
    expected = recompute(events, FIRST, LAST)
    reasons = {r["reason"]: r for r in board["reasons"]}
    assert {tag: r["contacts"] for tag, r in reasons.items()} == dict(expected["reasons"])
    for tag, count in expected["reasons"].items():
        assert reasons[tag]["contact_intensity"] == round(100 * count / expected["orders"], 2)
        assert reasons[tag]["share_percent"] == round(100 * count / expected["contacts"], 1)
    # per agent: the same plus peer score and earnings
    (row,) = board["agents"]
    assert row["agent_id"] == ana["id"]
    mine = recompute(events, FIRST, LAST, agent=ana["id"])
    assert_agent(row["figures"], mine)


def assert_agent(shown: dict, expected: dict) -> None:
    assert shown["first_replies"] == len(expected["frt"])
    assert shown["resolved"] == expected["resolved"]
    assert shown["csat_percent"] == expected["csat_percent"]
    assert shown["csat_ratings"] == expected["csat_ratings"]
    assert shown["sla_percent"] == expected["sla_percent"]
    assert shown["peer_reviews"] == len(expected["peer"])
    assert shown["peer_score"] == round(sum(expected["peer"]) / 100 / len(expected["peer"]), 2)
    assert shown["minutes_approved"] == expected["minutes_used"]
    assert shown["earnings"] == [{"amount": expected["earnings"], "currency": "usd"}]
    assert_frt(shown, expected["frt"])


def test_the_scorecard_is_the_agents_figures_for_the_business_and_their_own(client, world):
    owner, ana, events = world["owner"], world["ana"], world["events"]
    expected = recompute(events, FIRST, LAST, agent=ana["id"])
    for token in (owner["token"], ana["token"]):
        response = call(client, "GET", f"/api/v1/metrics/agents/{ana['id']}?{RANGE}", token=token)
        assert response.status_code == 200, response.json
        assert_agent(response.json["figures"], expected)
        assert len(response.json["periods"]) == DAYS
    # a week of the range: its own recomputation
    week = f"from={FIRST.isoformat()}&to={(FIRST + timedelta(days=6)).isoformat()}"
    response = call(client, "GET", f"/api/v1/metrics/agents/{ana['id']}?{week}", token=ana["token"])
    assert_agent(
        response.json["figures"], recompute(events, FIRST, FIRST + timedelta(days=6), agent=ana["id"])
    )


def test_the_portal_and_its_csv_show_the_same_figures(client, world):
    owner, events = world["owner"], world["events"]
    expected = recompute(events, FIRST, LAST)
    portal = signed_in(client, owner["email"])
    page = portal.get(f"/app/metrics?{RANGE}")
    assert page.status_code == 200
    text = page.body.decode()
    assert "<svg" in text and 'role="img"' in text and "<desc" in text
    assert f"{expected['contacts']:,}" in text
    exported = portal.get(f"/app/metrics.csv?table=periods&{RANGE}")
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.body.decode().lstrip("\ufeff"))))
    assert len(rows) == DAYS
    assert sum(int(r["contacts"]) for r in rows) == expected["contacts"]
    for row in rows:
        day = date.fromisoformat(row["from"])
        one = recompute(events, day, day)
        assert int(row["contacts"]) == one["contacts"]
        assert row["csat_ratings"] == str(one["csat_ratings"])
        assert row["labour_cost"] == f"{one['labour'] / 100:.2f}"
    reasons = list(
        csv.DictReader(
            io.StringIO(portal.get(f"/app/metrics.csv?table=reasons&{RANGE}").body.decode().lstrip("\ufeff"))
        )
    )
    assert {r["reason"]: int(r["contacts"]) for r in reasons} == dict(expected["reasons"])
    agents = portal.get(f"/app/metrics.csv?table=agents&{RANGE}").body.decode()
    assert world["ana"]["id"] in agents
    card = portal.get(f"/app/metrics/agents/{world['ana']['id']}?{RANGE}")
    assert card.status_code == 200
    exported = portal.get(f"/app/metrics/agents/{world['ana']['id']}/scorecard.csv?{RANGE}")
    assert exported.status_code == 200 and len(exported.body.decode().strip().splitlines()) == DAYS + 1


def test_a_long_range_goes_by_week_and_keeps_the_totals(client, world):
    owner, events = world["owner"], world["events"]
    first, last = date(2026, 6, 1), date(2026, 11, 30)
    response = call(client, "GET", f"/api/v1/metrics/business?from={first}&to={last}", token=owner["token"])
    board = response.json
    assert board["range"]["by"] == "week"
    assert board["periods"][0]["from"] == "2026-06-01" and board["periods"][-1]["to"] == "2026-11-30"
    assert sum(p["figures"]["contacts"] for p in board["periods"]) == board["figures"]["contacts"]
    assert board["figures"]["contacts"] == recompute(events, first, last)["contacts"]


def test_another_business_and_another_agent_get_404(client, deps, world):
    ana = world["ana"]
    other = business(client, company_name="Bravo Metrics")
    stranger = hire(client, deps, now=None)  # an agent of another business
    for token, agent_id in (
        (other["token"], ana["id"]),  # not its agent
        (other["token"], "NOSUCHAGENT"),
        (world["owner"]["token"], stranger["agent"]["id"]),  # an agent, but not of this business
        (stranger["agent"]["token"], ana["id"]),  # another agent's scorecard
    ):
        response = call(client, "GET", f"/api/v1/metrics/agents/{agent_id}?{RANGE}", token=token)
        assert response.status_code == 404, (agent_id, response.json)
    # B's own dashboard counts nothing of A's
    board = call(client, "GET", f"/api/v1/metrics/business?{RANGE}", token=other["token"]).json
    assert board["figures"]["contacts"] == 0 and board["agents"] == [] and board["reasons"] == []
    portal = signed_in(client, other["email"])
    assert portal.get(f"/app/metrics/agents/{ana['id']}").status_code == 404
    assert portal.get(f"/app/metrics/agents/{ana['id']}/scorecard.csv").status_code == 404
    # an offer never accepted gives no right to the agent's figures
    from chalicelib.store.contracts import ContractRecord, contract_key

    record = ContractRecord.load(*contract_key(world["tenant"], world["hired"]["contract"]["id"]))
    assert record.status == "active"


def test_a_range_the_rules_refuse_names_its_field(client, world):
    token = world["owner"]["token"]
    for query, field_name in (
        ("from=2026-11-10&to=2026-11-01", "to"),
        ("from=2025-01-01&to=2026-11-30", "from"),
    ):
        response = call(client, "GET", f"/api/v1/metrics/business?{query}", token=token)
        assert response.status_code == 400, response.json
        assert response.json["error"]["field"] == field_name
    assert call(client, "GET", "/api/v1/metrics/business?from=soon", token=token).status_code == 400
    portal = signed_in(client, world["owner"]["email"])
    page = portal.get("/app/metrics?from=2026-11-10&to=2026-11-01")
    assert page.status_code == 400
    assert "error-summary" in page.body.decode() and 'href="#to"' in page.body.decode()
    assert portal.get("/app/metrics?from=not-a-day").status_code == 400


def test_the_dashboard_reads_the_same_requests_whatever_the_number_of_inquiries(client, deps):
    from bench.support import OperationCounter
    from chalicelib.services.metrics import dashboards

    counts = []
    for busy in (False, True):
        hired = hire(client, deps)
        tenant = TenantId(hired["owner"]["tenant_id"])
        events = Events()
        _record(tenant, events, [hired["agent"]["id"]], seed=3 if busy else 4)
        if busy:  # three times the contacts, same days
            for _ in range(2):
                _record(tenant, Events(), [hired["agent"]["id"]], seed=5)
        from chalicelib.domain.identity import Principal, PrincipalKind

        member = Principal(kind=PrincipalKind.MEMBER, id=hired["owner"]["member_id"], tenant=tenant, name="O")
        window = dashboards.Range(FIRST, LAST)
        with OperationCounter() as counter:
            board = dashboards.business(member, window, deps=deps)
        assert board.figures.totals.contacts > 0
        counts.append(dict(counter.calls))
    assert counts[0] == counts[1]
    assert sum(counts[0].values()) <= 6


def test_the_home_pages_open_on_this_weeks_figures_and_the_next_thing_to_do(client, deps):
    from tests.integration.contract_helpers import at, log, sign_in

    hired = hire(client, deps)  # Monday 23 Nov, 08:00 UTC; a cap of 12 h 30 a week
    owner, ana = hired["owner"], hired["agent"]
    tenant = TenantId(owner["tenant_id"])
    deps.clock.now = at(24, 18)
    sign_in(client, ana), sign_in(client, owner)
    assert log(client, ana, hired["contract"]["id"], at(24, 9), at(24, 10, 30)).status_code == 201
    with transaction() as tx:  # this week: a first reply after 10 minutes, rated 5
        writes = metric_writes.pending(tx)
        counts = {**metric_writes.frt_counts(600), "csat_ratings": 1, "csat_good": 1}
        metric_writes.day_update(writes, tenant, at(24, 12), counts, currency="usd")
        metric_writes.agent_update(writes, tenant, AgentId(ana["id"]), at(24, 12), counts)
    with transaction() as tx:  # last week's: not this week's figures
        writes = metric_writes.pending(tx)
        metric_writes.day_update(writes, tenant, at(20, 12), {"csat_ratings": 1}, currency="usd")

    home = signed_in(client, owner["email"]).get("/app").body.decode()
    assert "This week at a glance" in home
    assert "1 h 30 min<small>of 12 h 30 min contracted" in home  # hours logged against the cap
    assert "10 min" in home and "100 %" in home and "1 rating<" in home
    assert "39.38 USD" in home  # 1 h 30 at 25.00 and the 5 % client fee: this week's invoice so far
    assert 'id="next-step"' in home and "/app/metrics" in home
    assert "Getting started" in home  # the existing content stays

    mine = signed_in(client, ana["email"]).get("/agent").body.decode()
    assert "This week at a glance" in mine and "1 h 30 min" in mine and "Earned so far" in mine
    assert "10 min" in mine and "100 %" in mine and "37.50 USD" in mine  # before the agent fee
    assert "/agent/scorecard" in mine
