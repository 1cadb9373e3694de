"""Writes to the metrics aggregates inside an event's transaction (store/metrics.py's items).

Events do not write the aggregate items themselves: they call `pending(tx)` and add counts to it,
and the counts are merged per item and added to the transaction as ONE update per item just before
it commits (DynamoDB refuses two actions on one item in a transaction, and one transaction may
record several events: a helpdesk ticket created, answered and solved at once). Counters only grow
by `ADD` (a missing attribute counts from 0), so concurrent events never lose one another's counts.
The event's own conditional write is in the same transaction, so a retried event that is refused
adds nothing, and one that is applied adds exactly once. Every count added to a day of a business
is added to its ISO week too (store/metric_weeks.py), merged the same way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from pynamodb.attributes import NumberAttribute

from chalicelib.domain import metrics as figures
from chalicelib.domain.errors import Conflict, Contended
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.store import metric_weeks
from chalicelib.store.base import Entity
from chalicelib.store.metric_hours import HourReasonRecord, hour_reason_pk, hour_reason_sk
from chalicelib.store.metrics import (
    HIST,
    HOUR_TTL,
    AgentDayRecord,
    BusinessDayRecord,
    HourRecord,
    ReasonDayRecord,
    agent_day_pk,
    agent_own_pk,
    day_pk,
    days_index,
    hour_pk,
    hour_sk,
    reason_pk,
    reason_sk,
)
from chalicelib.store.transactions import transaction

# -- writes inside an event's transaction ----------------------------------------------------------


@dataclass
class _Pending:
    model: type[Entity]
    counts: dict[str, int] = field(default_factory=lambda: {})
    sets: dict[str, Any] = field(default_factory=lambda: {})


class MetricWrites:
    """Counts to ADD to aggregate items, merged per item: `apply(tx)` adds one update per item.
    Services get the one for their transaction from `pending(tx)`."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], _Pending] = {}
        self.applied = False

    def _item(self, model: type[Entity], pk: str, sk: str) -> _Pending:
        pending = self._items.setdefault((pk, sk), _Pending(model))
        if pending.model is not model:
            raise TypeError(f"{pk} / {sk} is a {pending.model.__name__}")
        return pending

    def add(self, model: type[Entity], pk: str, sk: str, counts: Mapping[str, int], **sets: Any) -> None:
        if self.applied:
            raise RuntimeError("these metric writes were added to their transaction already")
        pending = self._item(model, pk, sk)
        named = tuple(getattr(model, "COUNTER_PREFIXES", ()))  # counters not declared one by one
        for name, amount in counts.items():
            if name not in model.get_attributes() and not (named and name.startswith(named)):
                raise ValueError(f"{model.__name__} has no counter {name!r}")
            if amount:
                pending.counts[name] = pending.counts.get(name, 0) + int(amount)
        pending.sets.update({name: value for name, value in sets.items() if value is not None})

    @property
    def items(self) -> dict[tuple[str, str], dict[str, int]]:
        """What would be added, per item key (tests and logs)."""
        return {key: dict(p.counts) for key, p in self._items.items()}

    def apply(self, tx: Any) -> None:
        self.applied = True
        for (pk, sk), pending in self._items.items():
            counts = {name: n for name, n in pending.counts.items() if n}
            if not counts and not pending.sets:
                continue
            model = pending.model
            attributes = model.get_attributes()
            actions: list[Any] = [attributes["kind"].set(model)]
            actions += [attributes[name].set(value) for name, value in pending.sets.items()]
            actions += [_counter(attributes, name).add(n) for name, n in sorted(counts.items())]
            tx.update(model(pk, sk), actions=actions)


def _counter(attributes: Mapping[str, Any], name: str) -> Any:
    """The model's attribute `name`, or a number attribute of that name (COUNTER_PREFIXES)."""
    return attributes[name] if name in attributes else NumberAttribute(attr_name=name)


def pending(tx: Any) -> MetricWrites:
    """The metric writes of transaction `tx` (store/transactions.py Transaction): made on first
    use, added to the transaction just before it commits."""
    writes = getattr(tx, "_metric_writes", None)
    if writes is None:
        writes = MetricWrites()
        tx._metric_writes = writes
        tx.before_commit(writes.apply)
    return cast(MetricWrites, writes)


def _day(at: datetime | date) -> date:
    return at.date() if isinstance(at, datetime) else at


def day_update(
    writes: MetricWrites,
    tenant: TenantId,
    at: datetime | date,
    counts: Mapping[str, int],
    *,
    currency: str | None = None,
) -> None:
    """ADD `counts` (DAY_COUNTS names, `ch_<channel>`, `src_<source>`, `frt_b<i>`) to the
    business's day."""
    day = _day(at)
    # the rollup job finds the businesses with figures on a day in GSI2 (store/metrics.py)
    writes.add(
        BusinessDayRecord,
        day_pk(tenant),
        day.isoformat(),
        counts,
        currency=currency,
        gsi2pk=days_index(day, tenant),
        gsi2sk=tenant.value,
    )
    metric_weeks.add_business(writes, tenant, day, counts, currency=currency)  # and to its week


def hour_update(writes: MetricWrites, tenant: TenantId, at: datetime, contacts: int) -> None:
    hour = at.replace(minute=0, second=0, microsecond=0)
    writes.add(
        HourRecord,
        hour_pk(tenant, hour),
        hour_sk(hour),
        {"contacts": contacts},
        expires_at=int((hour + HOUR_TTL).timestamp()),
    )


def hour_reason_update(
    writes: MetricWrites, tenant: TenantId, at: datetime, reason: str, contacts: int
) -> None:
    """ADD to the reason's contacts in the UTC hour of `at` (store/metric_hours.py; TTL as the hour's)."""
    hour = at.replace(minute=0, second=0, microsecond=0)
    writes.add(
        HourReasonRecord,
        hour_reason_pk(tenant, hour),
        hour_reason_sk(hour, reason),
        {"contacts": contacts},
        reason=reason,
        expires_at=int((hour + HOUR_TTL).timestamp()),
    )


def reason_update(
    writes: MetricWrites, tenant: TenantId, at: datetime | date, reason: str, counts: Mapping[str, int]
) -> None:
    day = _day(at)
    writes.add(ReasonDayRecord, reason_pk(tenant, day), reason_sk(day, reason), counts, reason=reason)
    metric_weeks.add_reason(writes, tenant, day, reason, counts)


def agent_update(
    writes: MetricWrites, tenant: TenantId, agent: AgentId, at: datetime | date, counts: Mapping[str, int]
) -> None:
    """ADD to the agent's day for this business AND to their own day across businesses, and to
    their week for this business (store/metric_weeks.py)."""
    day = _day(at).isoformat()
    writes.add(AgentDayRecord, agent_day_pk(tenant, agent), day, counts)
    writes.add(AgentDayRecord, agent_own_pk(agent), day, counts)
    metric_weeks.add_agent(writes, tenant, agent, _day(at), counts)


def frt_counts(seconds: int) -> dict[str, int]:
    """The counters one first reply `seconds` after creation adds (business or agent day)."""
    return {"first_replies": 1, "frt_sum_s": seconds, f"{HIST}{figures.bucket_of(seconds)}": 1}


def _attribute(model: type[Entity], name: str) -> Any:
    return model.get_attributes()[name]


ORDER_ATTEMPTS = 5


def set_orders(tenant: TenantId, day: date, count: int, *, at: datetime) -> None:
    """The business's order count for a day, replacing any earlier one (SET, not ADD: the latest
    post wins). The day's week (store/metric_weeks.py) moves by the difference in the same
    transaction, under the condition that the day still holds what was read: a post in between
    makes this one read the day again."""
    key = BusinessDayRecord(day_pk(tenant), day.isoformat())
    orders = _attribute(BusinessDayRecord, "orders")
    posted = _attribute(BusinessDayRecord, "orders_posted")
    for _attempt in range(ORDER_ATTEMPTS):
        found = BusinessDayRecord.find(key.pk, key.sk, consistent=True)
        before = getattr(found, "orders", None) if found else None
        was_posted = getattr(found, "orders_posted", None) if found else None
        unchanged = (orders == before) if before is not None else orders.does_not_exist()
        unchanged &= (posted == was_posted) if was_posted is not None else posted.does_not_exist()
        week = MetricWrites()
        difference = {"orders": count - (before or 0), "orders_posted": 1 - (was_posted or 0)}
        metric_weeks.add_business(week, tenant, day, difference, currency=None)
        try:
            with transaction() as tx:
                tx.update(
                    key,
                    actions=[
                        BusinessDayRecord.kind.set(BusinessDayRecord),
                        orders.set(count),
                        posted.set(1),
                        BusinessDayRecord.orders_at.set(at),
                        BusinessDayRecord.gsi2pk.set(days_index(day, tenant)),
                        BusinessDayRecord.gsi2sk.set(tenant.value),
                    ],
                    condition=unchanged,
                )
                week.apply(tx)
        except Conflict:  # Contended too: another post, or an event on the day, meanwhile
            continue
        return
    raise Contended("the day's order count kept changing while it was posted; post it again")
