"""Week sums (issue 16, docs/metrics.md "Week sums"): beside every business day, reason day and agent
day for a business (store/metrics.py), the same counts are added to the ISO week that holds the
day, in the same transaction, so that a dashboard reads a year as its whole weeks and the days at
its two ends (domain/metric_weeks.py splits the range) instead of every day of every kind.

| item                         | pk            | sk                          |
|------------------------------|---------------|-----------------------------|
| business week                | `T#<t>#MWSUM` | `<yyyy-Www>#B`              |
| reason week                  | `T#<t>#MWSUM` | `<yyyy-Www>#R#<reason tag>` |
| agent week, for the business | `T#<t>#MWSUM` | `<yyyy-Www>#A#<agent>`      |

One partition, so that the week sums of a range are one Query (pages aside). A business week
holds the counters of its days (the FRT histogram's buckets included) and, beside them, each
agent's earnings from the business that week, `earn_<currency>_<agent>`: an invoice counts every
agent of the business at once, and keeping their earnings on the one business week adds one item
to its transaction, not one per agent. The agents' own days across businesses (their scorecard)
have no week sums.

**Exact by construction.** A week's counts move in the transaction that moves its day's, by the
same ADD (store/metric_writes.py adds both, merged per item; a sign of -1 takes back both), so in
every committed state a week's sums are the sum of its seven days, a late count included (an
invoice on the Monday of the week it bills, minutes approved after the review, a dispute's
release, an order count posted for a past day). Nothing computes them afterwards, so nothing can
be behind. Order counts are SET on their day (a later post replaces the count): `set_orders` in
store/metric_writes.py moves the week by the difference, under a condition on the day's count.

Each week item also counts the transactions that moved it (`changes`): the one-off backfill of the
weeks counted before week sums were kept (services/metrics/week_backfill.py) rebuilds an item from
its days on condition that it has not moved since it was read (`from_days`, `replace_week`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError

from chalicelib.domain.metric_weeks import Split, week_key
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.store import keys, plain_items
from chalicelib.store.attributes import OptionalIntegerAttribute, OptionalUnicodeAttribute
from chalicelib.store.base import Entity, raise_conflict_if_condition_failed
from chalicelib.store.metrics import (
    AGENT_COUNTS,
    BUCKETS,
    DAY_COUNTS,
    HIST,
    AgentDay,
    AgentDayRecord,
    BusinessDay,
    BusinessDayRecord,
    ReasonDayRecord,
    _business_day,  # the day items' own decoding, shared
    _count,
    _histogram,
    _months,
    agent_day_pk,
    day_pk,
    reason_pk,
)

if TYPE_CHECKING:
    from chalicelib.store.metric_writes import MetricWrites

EARN = "earn_"  # an agent's earnings on a business week: earn_<currency>_<agent>
# On every week item, 1 more each time a transaction moves it: what the backfill conditions its
# rebuild on (services/metrics/week_backfill.py), never a figure.
CHANGES = "changes"


def _integers(names: Iterable[str]) -> dict[str, Any]:
    return {name: OptionalIntegerAttribute() for name in names}


class BusinessWeekRecord(Entity, discriminator="metrics_week_business"):
    # counters named at write time rather than declared (store/metric_writes.py MetricWrites)
    COUNTER_PREFIXES = (EARN,)
    currency = OptionalUnicodeAttribute()
    changes = OptionalIntegerAttribute()
    locals().update(_integers(DAY_COUNTS))
    locals().update(_integers(f"{HIST}{i}" for i in BUCKETS))


class ReasonWeekRecord(Entity, discriminator="metrics_week_reason"):
    reason = UnicodeAttribute()
    contacts = OptionalIntegerAttribute()
    resolved = OptionalIntegerAttribute()
    changes = OptionalIntegerAttribute()


class AgentWeekRecord(Entity, discriminator="metrics_week_agent"):
    changes = OptionalIntegerAttribute()
    locals().update(_integers(AGENT_COUNTS))
    locals().update(_integers(f"{HIST}{i}" for i in BUCKETS))


WEEK_MODELS = (BusinessWeekRecord, ReasonWeekRecord, AgentWeekRecord)

# -- keys ------------------------------------------------------------------------------------------


def week_pk(tenant: TenantId) -> str:
    return keys.tenant_pk(tenant, "MWSUM")


def business_sk(day: date) -> str:
    return keys.sort_key(week_key(day), "B")


def reason_sk(day: date, reason: str) -> str:
    if not reason or keys.SEP in reason:
        raise ValueError(f"reason tag {reason!r} is empty or contains {keys.SEP!r}")
    return keys.sort_key(week_key(day), "R", reason)


def agent_sk(day: date, agent: AgentId) -> str:
    return keys.sort_key(week_key(day), "A", agent.value)


# -- writes (store/metric_writes.py calls these beside the days') ------------------------------------


def add_business(
    writes: MetricWrites, tenant: TenantId, day: date, counts: Mapping[str, int], *, currency: str | None
) -> None:
    writes.add(
        BusinessWeekRecord, week_pk(tenant), business_sk(day), {**counts, CHANGES: 1}, currency=currency
    )


def add_reason(
    writes: MetricWrites, tenant: TenantId, day: date, reason: str, counts: Mapping[str, int]
) -> None:
    writes.add(
        ReasonWeekRecord, week_pk(tenant), reason_sk(day, reason), {**counts, CHANGES: 1}, reason=reason
    )


def add_agent(
    writes: MetricWrites, tenant: TenantId, agent: AgentId, day: date, counts: Mapping[str, int]
) -> None:
    """The agent's counts to their week for the business; their earnings (`earn_<currency>`) to
    the business's week, as `earn_<currency>_<agent>`."""
    earned = {f"{name}_{agent.value}": n for name, n in counts.items() if name.startswith(EARN)}
    rest = {name: n for name, n in counts.items() if not name.startswith(EARN)}
    if rest:
        writes.add(AgentWeekRecord, week_pk(tenant), agent_sk(day, agent), {**rest, CHANGES: 1})
    if earned:
        writes.add(BusinessWeekRecord, week_pk(tenant), business_sk(day), {**earned, CHANGES: 1})


# -- reads -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekSums:
    """The week sums of whole weeks, by Monday: the business's (its plain item), contacts by
    reason tag, each agent's (plain items) and each agent's earnings by currency."""

    business: Mapping[date, Mapping[str, Any]] = field(default_factory=lambda: {})
    reasons: Mapping[date, Mapping[str, int]] = field(default_factory=lambda: {})
    agents: Mapping[str, Mapping[date, Mapping[str, Any]]] = field(default_factory=lambda: {})
    earnings: Mapping[str, Mapping[date, Mapping[str, int]]] = field(default_factory=lambda: {})


def _monday(sk: str) -> date:
    return date.fromisocalendar(int(sk[:4]), int(sk[6:8]), 1)


def week_sums(tenant: TenantId, weeks: Sequence[date]) -> WeekSums:
    """The sums of the weeks whose Mondays are `weeks` (consecutive, oldest first): one Query of
    the business's week sums, whatever the traffic (pages: a year of a business with ten agents
    and ten reason tags is about a thousand small items)."""
    if not weeks:
        return WeekSums()
    between = Entity.sk.between(week_key(weeks[0]), week_key(weeks[-1]) + "$")
    business: dict[date, Mapping[str, Any]] = {}
    reasons: dict[date, dict[str, int]] = {}
    agents: dict[str, dict[date, Mapping[str, Any]]] = {}
    earnings: dict[str, dict[date, dict[str, int]]] = {}
    for item in plain_items.query(WEEK_MODELS, week_pk(tenant), between):
        key, kind, *rest = item["sk"].split(keys.SEP, 2)
        week = _monday(key)
        if kind == "B":
            business[week] = item
            for name, value in item.items():
                if name.startswith(EARN) and value:
                    currency, agent = name[len(EARN) :].split("_", 1)
                    earned = earnings.setdefault(agent, {}).setdefault(week, {})
                    earned[currency] = earned.get(currency, 0) + int(value)
        elif kind == "R" and _count(item, "contacts"):
            reasons.setdefault(week, {})[item["reason"]] = _count(item, "contacts")
        elif kind == "A":
            agents.setdefault(rest[0], {})[week] = item
    return WeekSums(business, reasons, agents, earnings)


def business_range(
    tenant: TenantId, split: Split, sums: WeekSums, *, contracts: Iterable[Any] | None = None
) -> list[BusinessDay]:
    """The business's range as `business_days` gives it, except that each whole week of `split`
    is ONE BusinessDay dated its Monday: its week sums, with its days' help-centre counts and
    hours contracted added up. Queries: one per stretch of days, one of the knowledge base's
    deflection days over the range (small items). `contracts`: as for `business_days`."""
    from chalicelib.store.contracted import contracted_days
    from chalicelib.store.knowledge import DeflectionRecord, deflection_pk

    records: dict[date, Mapping[str, Any]] = {}
    for first, last in split.stretches:
        between = Entity.sk.between(first.isoformat(), last.isoformat())
        for item in plain_items.query(BusinessDayRecord, day_pk(tenant), between):
            records[date.fromisoformat(item["sk"])] = item
    between = Entity.sk.between(split.first.isoformat(), split.last.isoformat())
    helps = {
        date.fromisoformat(item["sk"]): item
        for item in plain_items.query(DeflectionRecord, deflection_pk(tenant), between)
    }
    contracted = contracted_days(contracts, split.first, split.last) if contracts is not None else {}
    out = [
        _business_day(day, records.get(day), helps.get(day), contracted.get(day, 0))
        for day in sorted(records.keys() | helps.keys() | contracted.keys())
        if not split.in_weeks(day)
    ]
    for monday in split.weeks:
        days = [monday + timedelta(days=n) for n in range(7)]
        help_days = [helps[day] for day in days if day in helps]
        help = {
            n: sum(_count(h, n) for h in help_days)
            for n in ("visits", "searched", "engaged", "engaged_contacted")
        }
        minutes = sum(contracted.get(day, 0) for day in days)
        if monday in sums.business or help_days or minutes:
            out.append(_business_day(monday, sums.business.get(monday), help if help_days else None, minutes))
    return sorted(out, key=lambda d: d.day)


def reason_range(tenant: TenantId, split: Split, sums: WeekSums) -> dict[date, dict[str, int]]:
    """Contacts by reason tag: each day of the stretches (one Query per month of each stretch)
    and each whole week under its Monday."""
    out: dict[date, dict[str, int]] = {
        monday: dict(sums.reasons[monday]) for monday in split.weeks if monday in sums.reasons
    }
    for first, last in split.stretches:
        for month in _months(first, last):
            low = max(first, month)
            high = min(last, (month + timedelta(days=32)).replace(day=1) - timedelta(days=1))
            between = Entity.sk.between(low.strftime("%d"), high.strftime("%d") + "$")
            for item in plain_items.query(ReasonDayRecord, reason_pk(tenant, month), between):
                if _count(item, "contacts"):
                    day = month.replace(day=int(item["sk"][:2]))
                    out.setdefault(day, {})[item["reason"]] = _count(item, "contacts")
    return out


def _agent_day(day: date, record: Mapping[str, Any] | None, earned: Mapping[str, int]) -> AgentDay:
    record = record or {}
    return AgentDay(
        day=day,
        frt=_histogram(record),
        earnings={c: n for c, n in earned.items() if n},
        **{name: _count(record, name) for name in AGENT_COUNTS},
    )


def agent_ranges(
    tenant: TenantId, agents: Iterable[str], split: Split, sums: WeekSums
) -> dict[str, list[AgentDay]]:
    """Each agent's days for the business in the stretches (one BatchGetItem for every agent's,
    per 100 days) and each whole week as ONE AgentDay dated its Monday, earnings included."""
    wanted = list(agents)
    out: dict[str, list[AgentDay]] = {agent: [] for agent in wanted}
    keys_wanted = [
        (agent_day_pk(tenant, AgentId(a)), day.isoformat()) for a in wanted for day in split.stretch_days
    ]
    by_pk = {agent_day_pk(tenant, AgentId(a)): a for a in wanted}
    for item in plain_items.batch_get((AgentDayRecord,), keys_wanted):
        earned = {n[len(EARN) :]: int(v) for n, v in item.items() if n.startswith(EARN) and v}
        out[by_pk[item["pk"]]].append(_agent_day(date.fromisoformat(item["sk"]), item, earned))
    for agent in wanted:
        weeks = sums.agents.get(agent, {})
        earned = sums.earnings.get(agent, {})
        for monday in split.weeks:
            if monday in weeks or monday in earned:
                out[agent].append(_agent_day(monday, weeks.get(monday), earned.get(monday, {})))
        out[agent].sort(key=lambda d: d.day)
    return out


# -- a week rebuilt from its days (the one-off backfill, services/metrics/week_backfill.py) ---------


def figures_of(item: Mapping[str, Any] | None) -> dict[str, Any]:
    """What a week item says (its counters that are not 0, its currency or reason tag), without
    its keys, kind and count of moves: what a rebuild compares."""
    skip = ("pk", "sk", "kind", CHANGES)
    return {n: v for n, v in (item or {}).items() if n not in skip and v not in (0, None, "")}


def _summed(items: Iterable[Mapping[str, Any]], names: Callable[[str], bool]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        for name, value in item.items():
            if names(name) and isinstance(value, int) and value:
                out[name] = out.get(name, 0) + value
    return out


def from_days(
    tenant: TenantId, monday: date, agents: Iterable[str]
) -> dict[str, tuple[type[Entity], dict[str, Any]]]:
    """The week items of the ISO week from `monday` as the sum of its days (strongly consistent
    reads of the business's days, its reason days and each of `agents`' days for it): sort key ->
    (model, figures as `figures_of` gives them)."""
    sunday = monday + timedelta(days=6)
    between = Entity.sk.between(monday.isoformat(), sunday.isoformat())
    days = list(plain_items.query(BusinessDayRecord, day_pk(tenant), between, consistent=True))
    counters = {*DAY_COUNTS, *(f"{HIST}{i}" for i in BUCKETS)}
    business: dict[str, Any] = _summed(days, counters.__contains__)
    currency = next((d["currency"] for d in days if d.get("currency")), None)
    out: dict[str, tuple[type[Entity], dict[str, Any]]] = {}
    reasons: dict[str, list[Mapping[str, Any]]] = {}
    for month in _months(monday, sunday):
        low, high = (
            max(monday, month),
            min(sunday, (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)),
        )
        within = Entity.sk.between(low.strftime("%d"), high.strftime("%d") + "$")
        for item in plain_items.query(ReasonDayRecord, reason_pk(tenant, month), within, consistent=True):
            reasons.setdefault(item["reason"], []).append(item)
    for tag, items in reasons.items():
        out[reason_sk(monday, tag)] = (
            ReasonWeekRecord,
            {"reason": tag, **_summed(items, ("contacts", "resolved").__contains__)},
        )
    agent_counters = {*AGENT_COUNTS, *(f"{HIST}{i}" for i in BUCKETS)}
    for agent in sorted(set(agents)):
        mine = list(
            plain_items.query(AgentDayRecord, agent_day_pk(tenant, AgentId(agent)), between, consistent=True)
        )
        if summed := _summed(mine, agent_counters.__contains__):
            out[agent_sk(monday, AgentId(agent))] = (AgentWeekRecord, summed)
        for name, amount in _summed(mine, lambda n: n.startswith(EARN)).items():
            business[f"{name}_{agent}"] = amount
    if business or currency:
        out[business_sk(monday)] = (
            BusinessWeekRecord,
            {**business, **({"currency": currency} if currency else {})},
        )
    return out


def replace_week(
    tenant: TenantId,
    sk: str,
    model: type[Entity],
    figures: Mapping[str, Any],
    *,
    read: Mapping[str, Any] | None,
) -> None:
    """Write week item `sk` as `figures` in place of `read` (what it held when read; None: it
    was not there), on condition that it has not moved since (its count of moves): Conflict if it
    has. Its count of moves goes one up, so that a rebuild that read before this one fails too."""
    changes = read.get(CHANGES) if read is not None else None
    attributes: dict[str, Any] = {
        "kind": {"S": plain_items.kind_of(model)},
        CHANGES: {"N": str((changes or 0) + 1)},
    }
    for name, value in figures.items():
        attributes[name] = {"S": value} if isinstance(value, str) else {"N": str(int(value))}
    moved = NumberAttribute(attr_name=CHANGES)
    if read is None:
        condition = Entity.pk.does_not_exist()
    elif changes is None:
        condition = Entity.pk.exists() & moved.does_not_exist()
    else:
        condition = moved == changes
    connection = model._get_connection()  # pyright: ignore[reportPrivateUsage]
    try:
        connection.put_item(week_pk(tenant), sk, attributes=attributes, condition=condition)
    except PutError as error:
        raise_conflict_if_condition_failed(error, "the week moved while it was rebuilt")
        raise
