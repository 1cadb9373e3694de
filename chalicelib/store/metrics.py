"""Metrics aggregates (issue 16, /work/notes/metrics-design.md): small items that every counted
event adds to, inside the transaction that records the event, and the rollup job's results. A
dashboard reads these, never the raw events. Keys are built here with store.keys only (keys.py's
table lists them):

| item                          | pk                              | sk                        |
|-------------------------------|---------------------------------|---------------------------|
| business day                  | `T#<t>#MDAY`                    | `<yyyy-mm-dd>`            |
| business hour (TTL 60 days)   | `T#<t>#MHOUR#<yyyy-mm>`         | `<dd>T<hh>`               |
| reason day                    | `T#<t>#MREASON#<yyyy-mm>`       | `<dd>#<reason tag>`       |
| agent day, for one business   | `T#<t>#MAGENT#<agent>`          | `<yyyy-mm-dd>`            |
| agent day, all businesses     | `A#<agent>#MDAY`                | `<yyyy-mm-dd>`            |
| rollup: ISO week / month      | `T#<t>#MWEEK` / `T#<t>#MMONTH`  | `<yyyy-Www>` / `<yyyy-mm>`|
| a spike (the dashboard banner)| `T#<t>#MSPIKE`                  | `<yyyy-mm-dd>` or `...T<hh>`|

**Writing** (store/metric_writes.py): counters only grow by DynamoDB `ADD` inside the transaction
that records the event, merged into one update per item; a week is the sum of its days. Spikes
are store/metric_spikes.py's.

**Time.** Days and hours are UTC (DESIGN.md: time is UTC to the minute). Money is integer minor
units; a business day carries its business's currency, an agent's day counts earnings per currency
(`earn_<currency>`), since an agent may work for businesses paid in different currencies.

**Hours contracted** are not kept here either: `business_days` computes each day's
`minutes_contracted` from the business's contract items when the caller passes them (their terms
over time and periods of activity; domain/contracted.py says the rule and why).

**Help-centre visits and deflection** are not copied here: the knowledge base already keeps them per
day (store/knowledge.py `DeflectionRecord`, moved in each visit's own transaction), and
`business_days` reads them beside the day items (a second Query) and fills `help_visits`,
`help_searched` and `deflected` (= engaged - engaged_contacted, domain/knowledge.py).

Why one module of this length: it is the metrics aggregates' one schema: every item's keys, its
model and its reader, which change together whenever a figure is added."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any

from pynamodb.attributes import MapAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.domain import metrics as figures
from chalicelib.domain.currencies import CURRENCY_EXPONENTS
from chalicelib.domain.inquiries import Source
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.vocabulary import CHANNELS
from chalicelib.store import keys, plain_items
from chalicelib.store.attributes import (
    OptionalDateTimeAttribute,
    OptionalIntegerAttribute,
    OptionalUnicodeAttribute,
)
from chalicelib.store.base import Entity

HOUR_TTL = timedelta(days=60)
HIST = "frt_b"  # the first-response histogram's bucket attributes: frt_b0 ... frt_b200
BUCKETS = range(figures.MAX_BUCKET + 1)
CHANNEL_NAMES = tuple(CHANNELS)
SOURCE_NAMES = tuple(source.value for source in Source)
CURRENCIES = tuple(CURRENCY_EXPONENTS)

# The integer fields of a business day (DESIGN "Fields of a business day"). by channel: ch_<name>,
# by source: src_<name>; the histogram is read as `frt`.
DAY_COUNTS = (
    "contacts",
    *(f"ch_{name}" for name in CHANNEL_NAMES),
    *(f"src_{name}" for name in SOURCE_NAMES),
    "first_replies",
    "frt_sum_s",
    "resolved",
    "sla_met",
    "sla_breached",
    "csat_ratings",
    "csat_good",
    "nps_promoters",
    "nps_passives",
    "nps_detractors",
    "orders",
    "orders_posted",  # 1 when the business posted a count for the day (0 orders is a count)
    "labour_minor",
    "minutes_used",
    "minutes_contracted",
)
# read from the knowledge base's deflection days (see the module's docstring)
HELP_COUNTS = ("help_visits", "help_searched", "deflected")
AGENT_COUNTS = (
    "first_replies",
    "frt_sum_s",
    "resolved",
    "sla_met",
    "sla_breached",
    "csat_ratings",
    "csat_good",
    "peer_reviews",
    "peer_score_sum",
    "minutes_approved",
)


def _integers(names: Iterable[str]) -> dict[str, Any]:
    return {name: OptionalIntegerAttribute() for name in names}


# -- keys ------------------------------------------------------------------------------------------


def day_pk(tenant: TenantId) -> str:
    return keys.tenant_pk(tenant, "MDAY")


INDEX_SHARDS = 8


def days_index(day: date, tenant: TenantId) -> str:
    """GSI2 partition of the businesses with figures on `day` (sharded by business; gsi2sk is
    the business's id): what the rollup job fans out from, without a Scan."""
    return f"MDAYS#{day.isoformat()}#{_shard(tenant.value)}"


def _shard(value: str) -> int:
    return int(hashlib.sha256(value.encode()).hexdigest()[:8], 16) % INDEX_SHARDS


def tenants_with_days(day: date) -> Iterator[str]:
    """The businesses whose day item exists for `day` (one GSI2 Query per shard)."""
    for shard in range(INDEX_SHARDS):
        for item in BusinessDayRecord.gsi2.query(f"MDAYS#{day.isoformat()}#{shard}"):
            if item.gsi2sk:
                yield item.gsi2sk


def hour_pk(tenant: TenantId, at: datetime) -> str:
    return keys.tenant_pk(tenant, "MHOUR", at.strftime("%Y-%m"))


def hour_sk(at: datetime) -> str:
    return at.strftime("%dT%H")


def reason_pk(tenant: TenantId, day: date) -> str:
    return keys.tenant_pk(tenant, "MREASON", day.strftime("%Y-%m"))


def reason_sk(day: date, reason: str) -> str:
    if not reason or keys.SEP in reason:
        raise ValueError(f"reason tag {reason!r} is empty or contains {keys.SEP!r}")
    return keys.sort_key(day.strftime("%d"), reason)


def agent_day_pk(tenant: TenantId, agent: AgentId) -> str:
    return keys.tenant_pk(tenant, "MAGENT", agent.value)


def agent_own_pk(agent: AgentId) -> str:
    return keys.agent_pk(agent, "MDAY")


def rollup_pk(tenant: TenantId, period: str) -> str:
    if period not in ("week", "month"):
        raise ValueError(f"a rollup period is week or month, not {period!r}")
    return keys.tenant_pk(tenant, "MWEEK" if period == "week" else "MMONTH")


# -- items -----------------------------------------------------------------------------------------


class BusinessDayRecord(Entity, discriminator="metrics_day"):
    currency = OptionalUnicodeAttribute()
    orders_at = OptionalDateTimeAttribute()  # when the business last posted the day's orders
    # every counter and histogram bucket, declared so that a read keeps them (PynamoDB drops
    # attributes a model does not declare); all optional: a missing one is 0
    locals().update(_integers(DAY_COUNTS))
    locals().update(_integers(f"{HIST}{i}" for i in BUCKETS))


class HourRecord(Entity, discriminator="metrics_hour"):
    contacts = OptionalIntegerAttribute()


class ReasonDayRecord(Entity, discriminator="metrics_reason_day"):
    reason = UnicodeAttribute()
    contacts = OptionalIntegerAttribute()
    resolved = OptionalIntegerAttribute()


class AgentDayRecord(Entity, discriminator="metrics_agent_day"):
    locals().update(_integers(AGENT_COUNTS))
    locals().update(_integers(f"{HIST}{i}" for i in BUCKETS))
    locals().update(_integers(f"earn_{c}" for c in CURRENCIES))


class RollupRecord(Entity, discriminator="metrics_rollup"):
    """A period's sums (the same fields as a day, histogram included, so that periods merge) and
    its derived figures, as the rollup job last computed them."""

    first_day = UnicodeAttribute()
    last_day = UnicodeAttribute()
    days = OptionalIntegerAttribute()  # how many days had any figure
    currency = OptionalUnicodeAttribute()
    computed_at = UTCDateTimeAttribute()
    # derived figures, exact: "n/d" strings (a Fraction's str), absent when undefined
    figures = MapAttribute(default=dict)  # pyright: ignore[reportUnknownVariableType]
    locals().update(_integers((*DAY_COUNTS, *HELP_COUNTS)))
    locals().update(_integers(f"{HIST}{i}" for i in BUCKETS))


# -- what readers get ------------------------------------------------------------------------------


# Readers take the items as plain dicts (store/plain_items.py): a model instance per item, with its
# ~250 declared attributes, cost most of a year's dashboard. Only the present attributes are read.


def _count(item: Mapping[str, Any], name: str) -> int:
    value = item.get(name)
    return int(value) if value is not None else 0


def _histogram(item: Mapping[str, Any]) -> figures.Histogram:
    """The FRT histogram from a plain item's `frt_b<i>` attributes (the absent ones, and zeros, are
    empty buckets)."""
    start = len(HIST)
    return figures.Histogram(
        {int(name[start:]): int(value) for name, value in item.items() if name.startswith(HIST) and value}
    )


@dataclass(frozen=True)
class BusinessDay:
    """One UTC day of a business: every counter (0 when nothing was counted) and the FRT
    histogram. `by_channel` / `by_source` give the contacts split the two ways."""

    day: date
    currency: str | None = None
    contacts: int = 0
    first_replies: int = 0
    frt_sum_s: int = 0
    resolved: int = 0
    sla_met: int = 0
    sla_breached: int = 0
    csat_ratings: int = 0
    csat_good: int = 0
    nps_promoters: int = 0
    nps_passives: int = 0
    nps_detractors: int = 0
    orders: int = 0
    orders_posted: int = 0
    labour_minor: int = 0
    minutes_used: int = 0
    minutes_contracted: int = 0
    help_visits: int = 0
    help_searched: int = 0
    deflected: int = 0
    by_channel: Mapping[str, int] = field(default_factory=lambda: {})
    by_source: Mapping[str, int] = field(default_factory=lambda: {})
    frt: figures.Histogram = field(default_factory=figures.Histogram)


_DAY_FIELDS = tuple(spec.name for spec in fields(BusinessDay) if spec.name in DAY_COUNTS)


def _business_day(
    day: date, record: Mapping[str, Any] | None, help: Mapping[str, Any] | None, contracted: int = 0
) -> BusinessDay:
    counts: dict[str, Any] = {}
    if record is not None:
        for name in _DAY_FIELDS:
            counts[name] = _count(record, name)
        counts["by_channel"] = {n: _count(record, f"ch_{n}") for n in CHANNEL_NAMES}
        counts["by_source"] = {n: _count(record, f"src_{n}") for n in SOURCE_NAMES}
        counts["frt"] = _histogram(record)
        counts["currency"] = record.get("currency")
    if help is not None:
        counts["help_visits"] = _count(help, "visits")
        counts["help_searched"] = _count(help, "searched")
        counts["deflected"] = _count(help, "engaged") - _count(help, "engaged_contacted")
    if contracted:
        counts["minutes_contracted"] = counts.get("minutes_contracted", 0) + contracted
    return BusinessDay(day=day, **counts)


def business_days(
    tenant: TenantId, first: date, last: date, *, contracts: Iterable[Any] | None = None
) -> list[BusinessDay]:
    """The business's days from `first` to `last` inclusive, in order; days with nothing absent.
    Two Queries (the day items, the knowledge base's deflection days), whatever the traffic.
    `minutes_contracted` is filled from `contracts`, the business's contract items
    (store/contracted.py `contract_items`, one Query the caller may share); without them it is
    left at what the day items hold (nothing writes it: hours contracted are read, not kept)."""
    from chalicelib.store.contracted import contracted_days
    from chalicelib.store.knowledge import DeflectionRecord, deflection_pk

    between = Entity.sk.between(first.isoformat(), last.isoformat())
    records = {
        date.fromisoformat(item["sk"]): item
        for item in plain_items.query(BusinessDayRecord, day_pk(tenant), between)
    }
    helps = {
        date.fromisoformat(item["sk"]): item
        for item in plain_items.query(DeflectionRecord, deflection_pk(tenant), between)
    }
    contracted = contracted_days(contracts, first, last) if contracts is not None else {}
    return [
        _business_day(day, records.get(day), helps.get(day), contracted.get(day, 0))
        for day in sorted(records.keys() | helps.keys() | contracted.keys())
    ]


def posted_orders(tenant: TenantId, first: date, last: date) -> dict[date, tuple[int, datetime | None]]:
    """The order counts the business posted from `first` to `last`: day -> (count, when it was
    last posted). One Query."""
    found: dict[date, tuple[int, datetime | None]] = {}
    between = Entity.sk.between(first.isoformat(), last.isoformat())
    for item in plain_items.query(BusinessDayRecord, day_pk(tenant), between):
        if _count(item, "orders_posted"):
            at = item.get("orders_at")
            posted = BusinessDayRecord.orders_at.deserialize(at) if at else None
            found[date.fromisoformat(item["sk"])] = (_count(item, "orders"), posted)
    return found


def _months(first: date, last: date) -> list[date]:
    months: list[date] = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def reason_days(tenant: TenantId, first: date, last: date) -> dict[date, dict[str, int]]:
    """Contacts by reason tag, per day (days and tags with none absent). One Query a month."""
    out: dict[date, dict[str, int]] = {}
    for month in _months(first, last):
        low = max(first, month)
        high = min(last, (month + timedelta(days=32)).replace(day=1) - timedelta(days=1))
        between = Entity.sk.between(low.strftime("%d"), high.strftime("%d") + "$")
        for item in plain_items.query(ReasonDayRecord, reason_pk(tenant, month), between):
            if not _count(item, "contacts"):
                continue
            day = month.replace(day=int(item["sk"][:2]))
            out.setdefault(day, {})[item["reason"]] = _count(item, "contacts")
    return out


def business_hours(tenant: TenantId, first: datetime, last: datetime) -> dict[datetime, int]:
    """Contacts per UTC hour from `first` to `last` inclusive (hours with none absent). One Query a
    month. Hour items live 60 days."""
    first = first.replace(minute=0, second=0, microsecond=0)
    last = last.replace(minute=0, second=0, microsecond=0)
    out: dict[datetime, int] = {}
    for month in _months(first.date(), last.date()):
        at = datetime(month.year, month.month, 1, tzinfo=first.tzinfo)
        for item in plain_items.query(HourRecord, hour_pk(tenant, at)):
            hour = at.replace(day=int(item["sk"][:2]), hour=int(item["sk"][3:5]))
            if first <= hour <= last and _count(item, "contacts"):
                out[hour] = _count(item, "contacts")
    return out


@dataclass(frozen=True)
class AgentDay:
    day: date
    first_replies: int = 0
    frt_sum_s: int = 0
    resolved: int = 0
    sla_met: int = 0
    sla_breached: int = 0
    csat_ratings: int = 0
    csat_good: int = 0
    peer_reviews: int = 0
    peer_score_sum: int = 0
    minutes_approved: int = 0
    frt: figures.Histogram = field(default_factory=figures.Histogram)
    # earnings by currency (an agent may work for businesses paid in different currencies)
    earnings: Mapping[str, int] = field(default_factory=lambda: {})

    @property
    def currency(self) -> str | None:
        """The currency of the day's earnings (the largest, if several)."""
        return max(self.earnings, key=lambda c: self.earnings[c]) if self.earnings else None

    @property
    def earnings_minor(self) -> int:
        currency = self.currency
        return self.earnings[currency] if currency else 0


def _agent_day(record: Mapping[str, Any]) -> AgentDay:
    earned = {name[5:]: int(value) for name, value in record.items() if name.startswith("earn_") and value}
    return AgentDay(
        day=date.fromisoformat(record["sk"]),
        frt=_histogram(record),
        earnings={c: n for c, n in earned.items() if n},
        **{name: _count(record, name) for name in AGENT_COUNTS},
    )


def _agent_days(pk: str, first: date, last: date) -> list[AgentDay]:
    between = Entity.sk.between(first.isoformat(), last.isoformat())
    return [_agent_day(item) for item in plain_items.query(AgentDayRecord, pk, between)]


def agent_days(tenant: TenantId, agent: AgentId, first: date, last: date) -> list[AgentDay]:
    """The agent's days for this business (one Query)."""
    return _agent_days(agent_day_pk(tenant, agent), first, last)


def agent_own_days(agent: AgentId, first: date, last: date) -> list[AgentDay]:
    """The agent's days across every business (their scorecard; one Query)."""
    return _agent_days(agent_own_pk(agent), first, last)


@dataclass(frozen=True)
class Rollup:
    """A period's totals (a BusinessDay-shaped sum whose `day` is the first day) and figures:
    frt_median_s, frt_p90_s, csat, nps, contact_intensity, sla_attainment, cost_per_contact,
    deflection_rate, hours_used_share (minutes used / contracted); None when undefined."""

    period: str
    key: str  # 2026-W05 or 2026-05
    first: date
    last: date
    days: int
    totals: BusinessDay
    figures: Mapping[str, Fraction | None]
    computed_at: datetime


FIGURE_NAMES = (
    "frt_median_s",
    "frt_p90_s",
    "csat",
    "nps",
    "contact_intensity",
    "sla_attainment",
    "cost_per_contact",
    "deflection_rate",
    "hours_used_share",
)


def _rollup(period: str, record: Mapping[str, Any]) -> Rollup:
    totals = _business_day(date.fromisoformat(record["first_day"]), record, None)
    totals = BusinessDay(
        **{
            **{spec.name: getattr(totals, spec.name) for spec in fields(BusinessDay)},
            **{name: _count(record, name) for name in HELP_COUNTS},
        }
    )
    stored: Mapping[str, str] = record.get("figures") or {}
    return Rollup(
        period=period,
        key=record["sk"],
        first=date.fromisoformat(record["first_day"]),
        last=date.fromisoformat(record["last_day"]),
        days=_count(record, "days"),
        totals=totals,
        figures={name: Fraction(stored[name]) if stored.get(name) else None for name in FIGURE_NAMES},
        computed_at=RollupRecord.computed_at.deserialize(record["computed_at"]),
    )


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def month_key(day: date) -> str:
    return day.strftime("%Y-%m")


def rollups(tenant: TenantId, period: str, first: date, last: date) -> list[Rollup]:
    """The rollup job's results for the periods that contain days from `first` to `last` (one
    Query), oldest first."""
    low, high = (week_key(first), week_key(last)) if period == "week" else (month_key(first), month_key(last))
    between = Entity.sk.between(low, high)
    return [
        _rollup(period, item) for item in plain_items.query(RollupRecord, rollup_pk(tenant, period), between)
    ]


def put_rollup(
    tenant: TenantId,
    period: str,
    key: str,
    *,
    first: date,
    last: date,
    days: int,
    totals: BusinessDay,
    derived: Mapping[str, Fraction | None],
    at: datetime,
) -> None:
    """Write (replace) a period's rollup: the same inputs write the same item, so re-running the
    job changes nothing."""
    plain = [name for name in (*DAY_COUNTS, *HELP_COUNTS) if not name.startswith(("ch_", "src_"))]
    values: dict[str, Any] = {name: getattr(totals, name) for name in plain}
    values.update({f"ch_{n}": c for n, c in totals.by_channel.items()})
    values.update({f"src_{n}": c for n, c in totals.by_source.items()})
    values.update({f"{HIST}{i}": c for i, c in totals.frt.counts.items() if c})
    RollupRecord(
        rollup_pk(tenant, period),
        key,
        first_day=first.isoformat(),
        last_day=last.isoformat(),
        days=days,
        currency=totals.currency,
        computed_at=at,
        figures={name: str(value) for name, value in derived.items() if value is not None},
        **{name: value for name, value in values.items() if value},
    ).save()


def open_spikes(tenant: TenantId, *, since: date | None = None, limit: int = 10) -> list[Any]:
    """Spikes the business has not dismissed, newest first: the dashboard's banner
    (store/metric_spikes.py, `Spike`)."""
    from chalicelib.store import metric_spikes

    return list(metric_spikes.open_spikes(tenant, since=since, limit=limit))
