"""The metrics aggregates on DynamoDB Local (store/metrics.py): counts added inside a transaction
read back per day, hour, reason and agent; several events of one transaction merge into one update
per item; a refused transaction adds nothing; orders replace; rollups and spikes round-trip."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction

import pytest
from pynamodb.attributes import UnicodeAttribute

from chalicelib.domain import metrics as figures
from chalicelib.domain.errors import Conflict
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.ids import new_id
from chalicelib.store import keys, metric_spikes, metric_writes
from chalicelib.store import metrics as store
from chalicelib.store.base import Entity
from chalicelib.store.transactions import transaction

pytestmark = pytest.mark.integration

DAY = date(2026, 3, 10)
AT = datetime(2026, 3, 10, 14, 7, tzinfo=UTC)


class Event(Entity, discriminator="test_metric_event"):
    label = UnicodeAttribute()


def _tenant() -> TenantId:
    return TenantId(new_id())


def _created(
    tx, tenant: TenantId, at: datetime, *, channel: str = "email", reason: str | None = None
) -> None:
    writes = metric_writes.pending(tx)
    metric_writes.day_update(writes, tenant, at, {"contacts": 1, f"ch_{channel}": 1, "src_api": 1})
    metric_writes.hour_update(writes, tenant, at, 1)
    if reason:
        metric_writes.reason_update(writes, tenant, at, reason, {"contacts": 1})


def test_counts_added_in_a_transaction_read_back(ddb):
    tenant, agent = _tenant(), AgentId(new_id())
    with transaction() as tx:
        tx.save(Event(keys.tenant_pk(tenant), "E#1", label="one"))
        _created(tx, tenant, AT, channel="chat", reason="refund")
        _created(tx, tenant, AT.replace(hour=15), reason="refund")
        _created(tx, tenant, AT.replace(hour=15), reason="login")
        writes = metric_writes.pending(tx)
        for seconds in (30, 600):
            metric_writes.day_update(writes, tenant, AT, metric_writes.frt_counts(seconds))
            metric_writes.agent_update(writes, tenant, agent, AT, metric_writes.frt_counts(seconds))
        metric_writes.agent_update(writes, tenant, agent, AT, {"earn_usd": 1250})
        # three events, one day item: merged into one update (DynamoDB refuses two on one item)
        assert tx.action_count == 1
    assert tx.action_count > 1

    (day,) = store.business_days(tenant, DAY, DAY)
    assert day.day == DAY
    assert (day.contacts, day.by_channel["chat"], day.by_channel["email"], day.by_source["api"]) == (
        3,
        1,
        2,
        3,
    )
    assert (day.first_replies, day.frt_sum_s) == (2, 630)
    assert day.frt == figures.Histogram.of([30, 600])
    assert store.business_days(tenant, date(2026, 3, 11), date(2026, 3, 31)) == []

    assert store.business_hours(
        tenant, datetime(2026, 3, 10, tzinfo=UTC), datetime(2026, 3, 10, 23, tzinfo=UTC)
    ) == {AT.replace(minute=0): 1, AT.replace(hour=15, minute=0): 2}
    assert store.reason_days(tenant, date(2026, 2, 1), date(2026, 4, 30)) == {DAY: {"refund": 2, "login": 1}}
    assert store.reason_days(tenant, date(2026, 3, 11), date(2026, 3, 31)) == {}

    for days in (store.agent_days(tenant, agent, DAY, DAY), store.agent_own_days(agent, DAY, DAY)):
        (one,) = days
        assert (one.first_replies, one.frt_sum_s, one.frt.total) == (2, 630, 2)
        assert (one.earnings_minor, one.currency) == (1250, "usd")
    assert store.agent_days(TenantId(new_id()), agent, DAY, DAY) == []


def test_a_refused_transaction_counts_nothing(ddb):
    tenant = _tenant()
    Event(keys.tenant_pk(tenant), "E#1", label="one").save()
    for _ in range(2):  # the same event again: its own condition refuses it, and its counts
        with pytest.raises(Conflict), transaction() as tx:
            tx.save(Event(keys.tenant_pk(tenant), "E#1", label="one"), condition=Event.pk.does_not_exist())
            _created(tx, tenant, AT)
    assert store.business_days(tenant, DAY, DAY) == []


def test_the_agent_own_day_sums_businesses_and_keeps_currencies_apart(ddb):
    agent = AgentId(new_id())
    first, second = _tenant(), _tenant()
    for tenant, currency, amount in ((first, "usd", 500), (second, "eur", 700), (first, "usd", 100)):
        with transaction() as tx:
            metric_writes.agent_update(
                metric_writes.pending(tx), tenant, agent, DAY, {"earn_" + currency: amount, "resolved": 1}
            )
    (own,) = store.agent_own_days(agent, DAY, DAY)
    assert own.earnings == {"usd": 600, "eur": 700} and own.resolved == 3
    assert (own.currency, own.earnings_minor) == ("eur", 700)
    (mine,) = store.agent_days(first, agent, DAY, DAY)
    assert mine.earnings == {"usd": 600} and mine.resolved == 2


def test_an_unknown_counter_is_refused_before_anything_is_written(ddb):
    with pytest.raises(ValueError, match="no counter"):
        metric_writes.day_update(metric_writes.MetricWrites(), _tenant(), DAY, {"contacs": 1})


def test_orders_replace_the_days_count(ddb):
    tenant = _tenant()
    metric_writes.set_orders(tenant, DAY, 120, at=AT)
    with transaction() as tx:
        _created(tx, tenant, AT)
    metric_writes.set_orders(tenant, DAY, 80, at=AT)
    (day,) = store.business_days(tenant, DAY, DAY)
    assert (day.orders, day.orders_posted, day.contacts) == (80, 1, 1)
    metric_writes.set_orders(tenant, DAY, 0, at=AT)
    (day,) = store.business_days(tenant, DAY, DAY)
    assert (day.orders, day.orders_posted) == (0, 1)


def test_rollups_and_spikes_round_trip(ddb):
    tenant = _tenant()
    totals = store.BusinessDay(
        day=DAY, currency="usd", contacts=7, labour_minor=900, frt=figures.Histogram.of([5, 50])
    )
    derived = {"csat": Fraction(3, 4), "nps": None}
    at = datetime(2026, 3, 16, 2, tzinfo=UTC)
    for _ in range(2):
        store.put_rollup(
            tenant, "week", "2026-W11", first=DAY, last=DAY, days=1, totals=totals, derived=derived, at=at
        )
    (week,) = store.rollups(tenant, "week", date(2026, 3, 9), date(2026, 3, 15))
    assert (week.key, week.totals.contacts, week.totals.labour_minor, week.totals.currency) == (
        "2026-W11",
        7,
        900,
        "usd",
    )
    assert week.totals.frt == totals.frt
    assert week.figures["csat"] == Fraction(3, 4) and week.figures["nps"] is None
    assert store.rollups(tenant, "month", DAY, DAY) == []

    found = figures.Spike(value=Fraction(30), baseline=Fraction(10), threshold=Fraction(16))
    assert metric_spikes.add_spike(
        tenant, "2026-03-10", found, measure="contacts", contacts=30, orders=0, drivers=["refund"], at=at
    )
    assert not metric_spikes.add_spike(
        tenant, "2026-03-10", found, measure="contacts", contacts=30, orders=0, drivers=[], at=at
    )
    (open_,) = store.open_spikes(tenant)
    assert (open_.day, open_.drivers, open_.value, open_.mailed_at) == (DAY, ["refund"], Fraction(30), None)
    assert metric_spikes.mark_spike_mailed(tenant, "2026-03-10", at) and not metric_spikes.mark_spike_mailed(
        tenant, "2026-03-10", at
    )
    assert metric_spikes.dismiss_spike(tenant, "2026-03-10", at)
    assert store.open_spikes(tenant) == []
    assert not metric_spikes.dismiss_spike(tenant, "2026-03-11", at)
