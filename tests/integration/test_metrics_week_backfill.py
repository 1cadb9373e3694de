"""backfill-metric-weeks (services/metrics/week_backfill.py): weeks counted before week sums were
kept (their week items deleted after the services wrote them, then late counts added to some of
them, as after the deployment) are rebuilt from their days, exactly, even when a count arrives
while a week is being rebuilt; the dashboard then equals the sum of the days again; a second run
writes nothing."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain import metric_weeks
from chalicelib.domain.tenancy import TenantId
from chalicelib.jobs import registry, runner
from chalicelib.services.metrics import recording
from chalicelib.store import metric_weeks as week_sums
from chalicelib.store import metric_writes, plain_items
from chalicelib.store.base import Entity
from chalicelib.store.transactions import transaction
from tests.integration.helpers import business
from tests.integration.test_metrics_week_sums import AGENTS, _all_days, _at, _contract

pytestmark = pytest.mark.integration

FIRST = date(2026, 9, 30)  # a Wednesday
LAST = date(2026, 11, 12)  # a Thursday


def _events(tenant: TenantId, rng: random.Random, first: date, last: date) -> None:
    day = first
    while day <= last:
        for _ in range(rng.randint(0, 3)):
            at = _at(day, rng)
            agent = rng.choice([*AGENTS, None])
            with transaction() as tx:
                recording.inquiry_created(
                    tx, tenant, at=at, channel="chat", source="help_page", reason="refund"
                )
                recording.first_reply(
                    tx, tenant, created_at=at, at=at + timedelta(minutes=rng.randint(1, 600)), agent=agent,
                    due_at=at + timedelta(hours=1), breached_at=None,
                )  # fmt: skip
        if rng.random() < 0.5:
            metric_writes.set_orders(tenant, day, rng.randint(0, 90), at=datetime(2026, 11, 13, tzinfo=UTC))
        if day.weekday() == 0:
            with transaction() as tx:
                recording.invoice_finalised(
                    tx,
                    tenant,
                    week_starts=day,
                    currency="usd",
                    lines=[("hours", AGENTS[0], rng.randint(1, 9999))],
                )
        day += timedelta(days=1)


def _week_items(tenant: TenantId) -> dict[str, dict]:
    return {
        item["sk"]: item
        for item in plain_items.query(week_sums.WEEK_MODELS, week_sums.week_pk(tenant), consistent=True)
    }


def test_weeks_from_before_week_sums_are_rebuilt_from_their_days(fresh_table, client, deps, monkeypatch):
    from chalicelib.domain.identity import Principal, PrincipalKind
    from chalicelib.services.metrics import dashboards

    owner = business(client, company_name="Week Backfill")
    tenant = TenantId(owner["tenant_id"])
    for index, agent in enumerate(AGENTS):
        _contract(tenant, index, agent, FIRST).save()
    rng = random.Random(7)
    _events(tenant, rng, FIRST, LAST)
    live = _week_items(tenant)
    assert len(live) > 10
    # before week sums: none of those weeks had them ...
    for sk in live:
        Entity(week_sums.week_pk(tenant), sk).delete()
    # ... and since the deployment, late counts moved a few of them (and no other)
    _events(tenant, rng, date(2026, 10, 19), date(2026, 10, 20))
    with transaction() as tx:
        recording.inquiry_created(
            tx, tenant, at=_at(FIRST, rng), channel="chat", source="help_page", reason="refund", sign=-1
        )
    member = Principal(kind=PrincipalKind.MEMBER, id=owner["member_id"], tenant=tenant, name="O")
    window = dashboards.Range(FIRST, LAST)
    year = dashboards.Range(LAST - timedelta(days=120), LAST)
    assert (
        dashboards.business(member, window, deps=deps).reasons
        != _all_days(tenant, window, member, deps)["reasons"]
    )

    # a count arrives while the week of 12 October is being rebuilt, after its days were read
    real, raced = week_sums.from_days, []

    def racing(tenant_: TenantId, monday: date, agents):
        summed = real(tenant_, monday, agents)
        if monday == date(2026, 10, 12) and not raced:
            raced.append(monday)
            with transaction() as tx:
                at = datetime(2026, 10, 14, 9, tzinfo=UTC)
                recording.inquiry_created(
                    tx, tenant_, at=at, channel="chat", source="help_page", reason="refund"
                )
                recording.resolved(tx, tenant_, at=at, agent=AGENTS[1], reason="refund")
        return summed

    monkeypatch.setattr(week_sums, "from_days", racing)
    assert not registry.load()["backfill-metric-weeks"].scheduled
    once = runner.run("backfill-metric-weeks", deps=deps)
    assert once.failures == [] and once.changed >= 1 and raced

    rebuilt = _week_items(tenant)
    mondays = sorted({date.fromisocalendar(int(sk[:4]), int(sk[6:8]), 1) for sk in rebuilt})
    assert mondays == [metric_weeks.monday_of(FIRST) + timedelta(weeks=n) for n in range(len(mondays))]
    for monday in mondays:
        expected = real(tenant, monday, AGENTS)
        here = {sk: item for sk, item in rebuilt.items() if sk.startswith(metric_weeks.week_key(monday))}
        assert {sk: week_sums.figures_of(item) for sk, item in here.items()} == {
            sk: figures for sk, (_, figures) in expected.items()
        }, monday
    for window_ in (window, year, dashboards.Range(date(2026, 10, 12), date(2026, 10, 18))):
        board = dashboards.business(member, window_, deps=deps)
        expected = _all_days(tenant, window_, member, deps)
        assert (board.figures, board.rows, board.reasons, board.agents) == (
            expected["figures"],
            expected["rows"],
            expected["reasons"],
            expected["agents"],
        )

    twice = runner.run("backfill-metric-weeks", deps=deps)
    assert (twice.changed, twice.failures) == (0, [])
    assert _week_items(tenant) == rebuilt
