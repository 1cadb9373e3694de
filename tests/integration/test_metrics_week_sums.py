"""Week sums (issue 16, docs/metrics.md "Week sums"): the business's dashboard reads whole ISO weeks
from the week items written beside the days and only the days at the range's ends one by one; for
any range, every figure (the totals, each row, each reason tag, each agent with their earnings by
currency, the FRT histograms bucket by bucket) is exactly what adding up every day of the range
gives. The events go through the services' own writes, one transaction each: late counts on past
days (an invoice on the Monday of the week it bills, minutes approved days later, an order count
posted again), counts taken back (-1) and moved to another day, two currencies of earnings."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from chalicelib.domain import metric_weeks
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.services.metrics import recording
from chalicelib.store import metric_writes
from chalicelib.store.transactions import transaction
from tests.integration.helpers import business

pytestmark = pytest.mark.integration

FIRST = date(2026, 7, 8)  # a Wednesday: the span's first week is not whole
SPAN = 131  # to Sunday 15 November
LAST = FIRST + timedelta(days=SPAN - 1)
AGENTS = ("WEEKSUMSAGENTANA", "WEEKSUMSAGENTBEN")
REASONS = ("refund", "shipping", "login", None)


def _at(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randint(0, 23), rng.randint(0, 59), tzinfo=UTC)


def _contract(tenant: TenantId, index: int, agent_id: str, start: date):
    from chalicelib.store.contracts import ContractRecord, contract_key

    contract_id = f"WEEKSUMSCONTRACT{index}"
    return ContractRecord(
        *contract_key(tenant, contract_id),
        contract_id=contract_id,
        tenant_id=tenant.value,
        business_name="Week Sums",
        business_time_zone="UTC",
        title=f"Support {index}",
        agent_id=agent_id,
        agent_name=f"Agent {index}",
        agent_email=f"week-sums-{index}@example.com",
        agent_time_zone="UTC",
        contract_kind="hourly",
        currency="usd",
        rate_minor=2500,
        weekly_cap_minutes=600 + 150 * index,
        start_date=start.isoformat(),
        coverage={},
        status="active",
        offered_by="test",
        offered_by_name="Test",
        offered_at=datetime.combine(start, datetime.min.time(), tzinfo=UTC),
    )


def _record(tenant: TenantId, rng: random.Random) -> None:
    """A span of events, each in its own transaction through the services' writes."""
    from chalicelib.store.knowledge import DeflectionRecord, deflection_pk

    for n in range(SPAN):
        day = FIRST + timedelta(days=n)
        for _ in range(rng.choice((0, 1, 2, 3, 5))):
            at = _at(day, rng)
            reason = rng.choice(REASONS)
            with transaction() as tx:
                recording.inquiry_created(tx, tenant, at=at, channel="email", source="api", reason=reason)
            if rng.random() < 0.15:  # a helpdesk ticket's creation moved to the next day
                with transaction() as tx:
                    recording.inquiry_created(
                        tx, tenant, at=at, channel="email", source="api", reason=reason, sign=-1
                    )
                    recording.inquiry_created(
                        tx, tenant, at=at + timedelta(days=1), channel="email", source="api", reason=reason
                    )
            if rng.random() < 0.8:
                agent = rng.choice([*AGENTS, None])
                reply = at + timedelta(seconds=int(rng.lognormvariate(7, 1.3)))
                with transaction() as tx:
                    recording.first_reply(
                        tx,
                        tenant,
                        created_at=at,
                        at=reply,
                        agent=agent,
                        due_at=at + timedelta(hours=rng.choice((1, 8))),
                        breached_at=None,
                    )
                if rng.random() < 0.7:
                    done = reply + timedelta(hours=rng.randint(0, 40))
                    with transaction() as tx:
                        recording.resolved(tx, tenant, at=done, agent=agent, reason=reason)
                        recording.csat_rating(tx, tenant, at=done, agent=agent, score=rng.randint(1, 5))
        if rng.random() < 0.3:
            with transaction() as tx:
                recording.nps_answer(tx, tenant, at=_at(day, rng), score=rng.randint(0, 10))
        if rng.random() < 0.6:
            posted = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
            metric_writes.set_orders(tenant, day, rng.randint(0, 300), at=posted)
        if day.weekday() < 5:
            for agent in AGENTS:
                if rng.random() < 0.5:  # approved later, on the entry's day
                    with transaction() as tx:
                        recording.minutes_approved(
                            tx, tenant, agent=agent, by_day=[(day, rng.randint(30, 480))]
                        )
                if rng.random() < 0.2:
                    with transaction() as tx:
                        recording.peer_review(
                            tx, tenant, at=_at(day, rng), agent=agent, mean=Fraction(rng.randint(3, 15), 3)
                        )
        if day.weekday() == 0 and n >= 7:  # last week's invoice, on its Monday
            for currency in ("usd", "eur") if rng.random() < 0.2 else ("usd",):
                lines = [("hours", agent, rng.randint(1000, 90000)) for agent in AGENTS]
                with transaction() as tx:
                    recording.invoice_finalised(
                        tx,
                        tenant,
                        week_starts=day - timedelta(days=7),
                        currency=currency,
                        lines=[*lines, ("fee", None, 5)],
                    )
        if rng.random() < 0.7:
            visits = rng.randint(1, 40)
            searched = rng.randint(0, visits)
            engaged = rng.randint(0, searched)
            DeflectionRecord(
                deflection_pk(tenant),
                day.isoformat(),
                visits=visits,
                searched=searched,
                engaged=engaged,
                engaged_contacted=rng.randint(0, engaged),
            ).save()
    # orders posted again for some days (the week moves by the difference)
    for n in range(0, SPAN, 9):
        day = FIRST + timedelta(days=n)
        metric_writes.set_orders(tenant, day, rng.randint(0, 300), at=datetime(2026, 11, 20, tzinfo=UTC))


@pytest.fixture
def world(client, deps):
    owner = business(client, company_name="Week Sums")
    tenant = TenantId(owner["tenant_id"])
    for index, agent in enumerate(AGENTS):
        _contract(tenant, index, agent, FIRST + timedelta(days=40 * index)).save()
    _record(tenant, random.Random(16))
    return {"owner": owner, "tenant": tenant}


def _all_days(tenant: TenantId, window, member, deps):
    """The dashboard as adding up every day of the range gives it (store/metrics.py's day readers)."""
    from chalicelib.services.metrics import dashboards as d
    from chalicelib.store import metrics as store
    from chalicelib.store.contracted import contract_items

    contracts = contract_items(tenant)
    days = store.business_days(tenant, window.first, window.last, contracts=contracts)
    totals = d.Totals.of(days)
    currency = d._currency(tenant, days)  # pyright: ignore[reportPrivateUsage]
    agents = []
    for agent_id, name in sorted(
        d.contracted_agents(tenant, contracts).items(), key=lambda kv: kv[1].lower()
    ):
        agent_totals = d.AgentTotals.of(
            store.agent_days(tenant, AgentId(agent_id), window.first, window.last)
        )
        agents.append(
            d.AgentRow(agent_id, name, d.agent_figures(agent_totals), agent_totals.earnings.get(currency, 0))
        )
    return {
        "figures": d.figures(totals),
        "rows": [
            d.Row(period, d.figures(d.Totals.of(group)))
            for period, group in d._grouped(days, window)  # pyright: ignore[reportPrivateUsage]
        ],
        "reasons": d.reasons_of(store.reason_days(tenant, window.first, window.last), totals),
        "agents": agents,
        "currency": currency,
    }


def test_whole_weeks_and_the_days_at_the_ends_give_exactly_the_all_days_figures(world, deps):
    from chalicelib.domain.identity import Principal, PrincipalKind
    from chalicelib.services.metrics import dashboards
    from chalicelib.store import metric_weeks as week_sums
    from chalicelib.store import metrics as store

    tenant = world["tenant"]
    member = Principal(kind=PrincipalKind.MEMBER, id=world["owner"]["member_id"], tenant=tenant, name="O")
    everything = store.business_days(tenant, FIRST, LAST)
    assert sum(d.contacts for d in everything) > 200 and any(d.frt.counts for d in everything)
    assert {
        c for a in AGENTS for d in store.agent_days(tenant, AgentId(a), FIRST, LAST) for c in d.earnings
    } == {
        "usd",
        "eur",
    }

    @settings(max_examples=40, deadline=None, database=None)
    @given(st.integers(0, SPAN - 1), st.integers(0, SPAN - 1))
    @example(0, SPAN - 1)  # by week, whole weeks and a stretch at each end
    @example(5, SPAN - 1)  # from a Monday to a Sunday: no stretch at all
    @example(12, 12)  # one day
    @example(5, 11)  # one whole week
    @example(30, 36)  # seven days, no whole week
    def check(a: int, b: int) -> None:
        first, last = FIRST + timedelta(days=min(a, b)), FIRST + timedelta(days=max(a, b))
        window = dashboards.Range(first, last)
        board = dashboards.business(member, window, deps=deps)
        expected = _all_days(tenant, window, member, deps)
        assert board.currency == expected["currency"]
        assert board.figures == expected["figures"]
        assert board.rows == expected["rows"]
        assert board.reasons == expected["reasons"]
        assert board.agents == expected["agents"]
        # the business's own days read as weeks too (the dashboard does so only when it goes by week)
        split = metric_weeks.split(first, last)
        by_weeks = week_sums.business_range(tenant, split, week_sums.week_sums(tenant, split.weeks))
        assert dashboards.Totals.of(by_weeks) == dashboards.Totals.of(
            store.business_days(tenant, first, last)
        )

    check()


def test_a_week_sum_is_the_sum_of_its_days_item_by_item(world):
    from chalicelib.domain.metrics import Histogram
    from chalicelib.store import metric_weeks as week_sums
    from chalicelib.store import metrics as store

    tenant = world["tenant"]
    split = metric_weeks.split(FIRST, LAST)
    sums = week_sums.week_sums(tenant, split.weeks)
    assert len(split.weeks) == 18 and set(sums.business) == set(split.weeks)
    for monday in split.weeks:
        sunday = monday + timedelta(days=6)
        days = store.business_days(tenant, monday, sunday)
        (week,) = week_sums.business_range(tenant, metric_weeks.split(monday, sunday), sums)
        for name in ("contacts", "first_replies", "frt_sum_s", "orders", "orders_posted", "labour_minor"):
            assert getattr(week, name) == sum(getattr(d, name) for d in days), (monday, name)
        assert week.frt == sum((d.frt for d in days), Histogram())
        assert week.by_channel == {n: sum(d.by_channel.get(n, 0) for d in days) for n in week.by_channel}


def test_the_dashboard_reads_whole_weeks_from_their_sums(client, world, deps):
    """Not their days: a count put on a week item alone shows on a range that holds the whole
    week, and not on one that holds only some of its days (nor on rows by day, read by day)."""
    from chalicelib.store import metric_weeks as week_sums
    from tests.integration.helpers import call

    tenant, token = world["tenant"], world["owner"]["token"]
    monday = date(2026, 8, 3)

    def board(first: date, last: date) -> dict:
        response = call(client, "GET", f"/api/v1/metrics/business?from={first}&to={last}", token=token)
        assert response.status_code == 200, response.json
        return response.json

    def refunds(first: date, last: date) -> int:
        return sum(r["contacts"] for r in board(first, last)["reasons"] if r["reason"] == "refund")

    def add(sk: str, model) -> None:
        model(week_sums.week_pk(tenant), sk).update(actions=[model.get_attributes()["contacts"].add(1000)])

    year = board(FIRST, LAST)  # by week
    assert year["range"]["by"] == "week"
    week, part = refunds(monday, monday + timedelta(days=6)), refunds(monday, monday + timedelta(days=5))
    add(week_sums.business_sk(monday), week_sums.BusinessWeekRecord)
    add(week_sums.reason_sk(monday, "refund"), week_sums.ReasonWeekRecord)
    after = board(FIRST, LAST)
    assert after["figures"]["contacts"] == year["figures"]["contacts"] + 1000
    changed = [
        (p["from"], q["figures"]["contacts"] - p["figures"]["contacts"])
        for p, q in zip(year["periods"], after["periods"], strict=True)
        if p != q
    ]
    assert changed == [(monday.isoformat(), 1000)]
    assert refunds(monday, monday + timedelta(days=6)) == week + 1000
    assert refunds(monday, monday + timedelta(days=5)) == part
    assert board(monday, monday + timedelta(days=6))["figures"]["contacts"] == sum(
        p["figures"]["contacts"] for p in year["periods"] if p["from"] == monday.isoformat()
    )  # rows by day: the days are read
