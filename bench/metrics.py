"""Metrics benchmark: the business's dashboard over a year, for a business with 1,000 inquiries in
that year and one with 1,000,000 (issue 16's goal: the DynamoDB requests do not grow with the
number of inquiries).

Each business has five agents under contract and a year of aggregates (store/metrics.py), as the
events' transactions would have left them: a business day per day (contacts, first replies and
their histogram, SLA, resolutions, ratings, NPS answers, orders, labour, minutes), the reason tags'
days, each agent's days for the business and the knowledge base's deflection days. The events are
drawn from one seeded stream (inquiries spread over the year, a first response time drawn for
each, a rating for most) and added up here, day by day, into the items' counters, and week by week
into the week sums the same events add beside the days (store/metric_weeks.py); the items are
written by BatchWriteItem, 25 to a request. Writing a million inquiries through the services would
take hours and measure the writes, not the dashboard; the items are bounded by days and weeks (a
day item per day, one per reason tag that day, one per agent that day, and the same per ISO week)
whatever the number of inquiries: only the numbers in them grow.

Measured, against DynamoDB Local, in-process, every DynamoDB call counted by operation:
- **the business's dashboard** (`dashboards.business`, a range of 365 days: what
  `/app/metrics` and `GET /api/v1/metrics/business` do), MEASURED times;
- **an agent's scorecard as the business sees it** (`dashboards.agent_for_business`), MEASURED times."""

from __future__ import annotations

import os
import random
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.support import Clock, OperationCounter, Silent, _measure, _write

SIZES = (1_000, int(os.environ.get("BENCH_METRICS_INQUIRIES", "1000000")))
MEASURED = 10
AGENTS = 5
NOW = datetime(2026, 11, 25, 15, 10, tzinfo=UTC)
LAST = NOW.date()
FIRST = LAST - timedelta(days=364)
REASONS = ("refund", "shipping", "login", "billing", "damaged", "other")


def _days_of(size: int, seed: int):
    """Per day: the business's counters, the reasons' contacts and each agent's counters, added up
    from `size` inquiries drawn over the year."""
    from chalicelib.domain import metrics as rules

    rng = random.Random(seed)
    per_day = [size // 365 + (1 if n < size % 365 else 0) for n in range(365)]
    for n, contacts in enumerate(per_day):
        day = FIRST + timedelta(days=n)
        business: Counter[str] = Counter(contacts=contacts, ch_email=contacts, src_api=contacts)
        reasons: Counter[str] = Counter()
        agents: dict[int, Counter[str]] = {a: Counter() for a in range(AGENTS)}
        # a million draws are slow in Python: at most 2,000 a day are drawn, each standing for
        # `weight` inquiries (the histogram's shape is what matters, the counts stay exact)
        drawn = min(contacts, 2000)
        weight, extra = divmod(contacts, drawn) if drawn else (0, 0)
        for i in range(drawn):
            w = weight + (1 if i < extra else 0)
            seconds = int(rng.lognormvariate(7, 1.1))
            agent = agents[rng.randrange(AGENTS)]
            counts = {"first_replies": w, "frt_sum_s": seconds * w, f"frt_b{rules.bucket_of(seconds)}": w}
            counts["sla_met" if seconds < 8 * 3600 else "sla_breached"] = w
            business.update(counts)
            agent.update(counts)
            reasons[rng.choice(REASONS)] += w
            if rng.random() < 0.6:
                good = w if rng.random() < 0.85 else 0
                rated = {"resolved": w, "csat_ratings": w, "csat_good": good}
                business.update(rated)
                agent.update(rated)
        business.update(
            nps_promoters=contacts // 20, nps_passives=contacts // 40, nps_detractors=contacts // 60
        )
        business.update(orders=contacts * 12, orders_posted=1)
        for agent in agents.values():
            minutes = rng.randint(180, 480) if day.weekday() < 5 else 0
            agent.update(minutes_approved=minutes, earn_usd=minutes * 25 * 100 // 60, peer_reviews=1)
            agent.update(peer_score_sum=rng.randint(300, 500))
            business.update(
                minutes_used=minutes, minutes_contracted=480, labour_minor=minutes * 25 * 100 // 60
            )
        yield day, business, reasons, agents


def _present(counts: Counter[str]) -> dict[str, Any]:
    """The counters that are not 0, as a model's attributes (an absent counter reads as 0)."""
    return {name: value for name, value in counts.items() if value}


class _Serialized:
    """An item already in DynamoDB's form (for `_write`): a business week with its agents'
    earnings, whose names no model declares (earn_<currency>_<agent>)."""

    def __init__(self, item: dict[str, Any]):
        self.item = item

    def serialize(self) -> dict[str, Any]:
        return self.item


def _weeks(tenant, agent_ids: list, weeks: dict) -> Any:
    """The week sums the events would have added beside the days (store/metric_weeks.py): each
    ISO week's business, reason and agent counters, and the agents' earnings on the business week."""
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.store import metric_weeks as sums

    for monday, (business, reasons, agents) in sorted(weeks.items()):
        earned = {f"earn_usd_{agent_ids[i]}": c.pop("earn_usd") for i, c in agents.items() if c["earn_usd"]}
        item = sums.BusinessWeekRecord(
            sums.week_pk(tenant), sums.business_sk(monday), currency="usd", **_present(business)
        ).serialize()
        yield _Serialized({**item, **{name: {"N": str(n)} for name, n in earned.items()}})
        for tag, count in reasons.items():
            yield sums.ReasonWeekRecord(
                sums.week_pk(tenant), sums.reason_sk(monday, tag), reason=tag, contacts=count
            )
        for index, counts in agents.items():
            yield sums.AgentWeekRecord(
                sums.week_pk(tenant), sums.agent_sk(monday, AgentId(agent_ids[index])), **_present(counts)
            )


def _items(tenant, agent_ids: list, size: int):
    from chalicelib.domain.metric_weeks import monday_of
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.store import knowledge
    from chalicelib.store import metrics as store

    weeks: dict = {}
    for day, business, reasons, agents in _days_of(size, seed=size):
        week = weeks.setdefault(monday_of(day), (Counter(), Counter(), {a: Counter() for a in agents}))
        week[0].update(business)
        week[1].update(reasons)
        for index, counts in agents.items():
            week[2][index].update(counts)
        yield store.BusinessDayRecord(
            store.day_pk(tenant), day.isoformat(), currency="usd", **_present(business)
        )
        for tag, count in reasons.items():
            yield store.ReasonDayRecord(
                store.reason_pk(tenant, day), store.reason_sk(day, tag), reason=tag, contacts=count
            )
        for index, counts in agents.items():
            yield store.AgentDayRecord(
                store.agent_day_pk(tenant, AgentId(agent_ids[index])),
                day.isoformat(),
                **_present(counts),
            )
        visits = max(1, business["contacts"] * 3)
        yield knowledge.DeflectionRecord(
            knowledge.deflection_pk(tenant),
            day.isoformat(),
            visits=visits,
            searched=visits // 2,
            engaged=visits // 4,
            engaged_contacted=visits // 20,
        )
    yield from _weeks(tenant, agent_ids, weeks)


def _contract(tenant, index: int, agent_id: str):
    from chalicelib.store.contracts import ContractRecord, contract_key

    contract_id = f"BENCHMETRICSCONTRACT{index}"
    return ContractRecord(
        *contract_key(tenant, contract_id),
        contract_id=contract_id,
        tenant_id=tenant.value,
        business_name="Bench Metrics",
        business_time_zone="UTC",
        title=f"Support {index}",
        agent_id=agent_id,
        agent_name=f"Agent {index}",
        agent_email=f"bench-metrics-agent-{index}@example.com",
        agent_time_zone="UTC",
        contract_kind="hourly",
        currency="usd",
        rate_minor=2500,
        weekly_cap_minutes=2400,
        start_date=FIRST.isoformat(),
        coverage={},
        status="active",
        offered_by="bench",
        offered_by_name="Bench",
        offered_at=datetime.combine(FIRST, datetime.min.time(), tzinfo=UTC),
        version=1,
    )


def run(client, table: str) -> dict:
    """`client`: a boto3 DynamoDB client of the table's endpoint (for the seeded items)."""
    from chalicelib import composition
    from chalicelib.domain.identity import Principal, PrincipalKind, Role
    from chalicelib.domain.limits import Limits
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.services import accounts
    from chalicelib.services.metrics import dashboards
    from chalicelib.settings import Settings

    deps = composition.Deps(
        settings=Settings.from_environ(), mailer=Silent(), clock=Clock(NOW), limits=Limits.relaxed()
    )
    composition.override_deps(deps)
    rows = []
    try:
        for size in SIZES:
            record, owner = accounts.sign_up_business(
                accounts.BusinessSignup(
                    company_name=f"Bench Metrics {size}",
                    slug=f"bench-metrics-{size}",
                    owner_name="B",
                    email=f"bench-metrics-{size}@example.com",
                    password="violet-harbor-92-lantern",
                    time_zone="UTC",
                    currency="usd",
                ),
                deps=deps,
            )
            tenant = TenantId(record.pk.split("#")[1])
            agent_ids = [f"BENCHMETRICS{size}AGENT{index}" for index in range(AGENTS)]
            started = time.perf_counter()
            contracts = [_contract(tenant, i, a) for i, a in enumerate(agent_ids)]
            written = _write(client, table, [*contracts, *_items(tenant, agent_ids, size)])
            seed_seconds = time.perf_counter() - started
            member = Principal(
                kind=PrincipalKind.MEMBER, id=owner.member_id, name="B", tenant=tenant, role=Role.OWNER
            )
            window = dashboards.Range(FIRST, LAST)
            board: Any = None
            board_runs, card_runs = [], []
            board_cpu, card_cpu = [], []
            for _ in range(MEASURED):
                with OperationCounter() as counter:
                    started, cpu = time.perf_counter(), time.process_time()
                    board = dashboards.business(member, window, deps=deps)
                    board_cpu.append((time.process_time() - cpu) * 1000)
                    board_runs.append((counter.calls, (time.perf_counter() - started) * 1000))
                with OperationCounter() as counter:
                    started, cpu = time.perf_counter(), time.process_time()
                    dashboards.agent_for_business(member, agent_ids[0], window, deps=deps)
                    card_cpu.append((time.process_time() - cpu) * 1000)
                    card_runs.append((counter.calls, (time.perf_counter() - started) * 1000))
            assert board.figures.totals.contacts == size, (board.figures.totals.contacts, size)
            rows.append(
                {
                    "inquiries": size,
                    "items_seeded": written,
                    "seed_seconds": round(seed_seconds, 1),
                    "dashboard": {
                        **_measure(board_runs),
                        "cpu_p50_ms": round(statistics.median(board_cpu), 1),
                    },
                    "scorecard": {**_measure(card_runs), "cpu_p50_ms": round(statistics.median(card_cpu), 1)},
                    "frt_median_s": board.figures.frt_median_s,
                    "csat": float(board.figures.csat or 0),
                }
            )
    finally:
        composition.override_deps(None)
    constant = all(
        rows[0][kind]["requests_by_operation"] == rows[-1][kind]["requests_by_operation"]
        for kind in ("dashboard", "scorecard")
    )
    return {"rows": rows, "constant": constant, "measured": MEASURED, "agents": AGENTS}


def section(result: dict) -> str:
    """The report's section (bench/run.py writes it)."""

    def counts(measured: dict) -> str:
        return ", ".join(f"{op} {n:g}" for op, n in measured["requests_by_operation"].items())

    lines = "\n".join(
        f"| {r['inquiries']:,} | {label} | {counts(r[kind])} | {r[kind]['requests']:g} "
        f"| {r[kind]['p50_ms']} ms | {r[kind]['p95_ms']} ms | {r[kind]['cpu_p50_ms']} ms |"
        for r in result["rows"]
        for kind, label in (("dashboard", "the business's dashboard"), ("scorecard", "an agent's scorecard"))
    )
    seeded = ", ".join(f"{r['items_seeded']:,} items in {r['seed_seconds']} s" for r in result["rows"])
    return f"""## Metrics: the business's dashboard over a year

bench/metrics.py: a business with {result["rows"][0]["inquiries"]:,} inquiries over the last 365 days and one with
{result["rows"][-1]["inquiries"]:,}, each with {result["agents"]} agents under contract and a year of aggregates as the events would have
left them (business days, reason days, the agents' days, the knowledge base's deflection days;
{seeded}: at most one item per day, reason tag and agent, whatever the traffic). `dashboards.business` over 365 days
(what `/app/metrics` and `GET /api/v1/metrics/business` do) and one agent's scorecard, {result["measured"]} times each;
every DynamoDB call counted. CPU is this process's (parsing the answers and computing the figures;
DynamoDB Local's own work is in the wall time only): the goal is well under 300 ms for a year.

| inquiries in the year | measured | requests by operation | requests | p50 | p95 | CPU p50 |
|---:|---|---|---:|---:|---:|---:|
{lines}

The same requests at both sizes: **{"yes" if result["constant"] else "no"}** (the dashboard: one Query of the week sums of
the range's whole ISO weeks, business, reason tags and agents; one Query per stretch of days at the
range's ends, at most two, and one of the deflection days; the reason days of those stretches, one
Query per month they touch; the contracts, one Query; every agent's days at the ends, one
BatchGetItem; the open spikes, one Query. The scorecard reads the agent's days.)
"""
