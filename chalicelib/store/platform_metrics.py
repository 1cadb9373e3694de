"""The operators' marketplace health, kept at write time (issue 16; rules in
domain/marketplace_health.py).

| item | pk | sk | holds |
|---|---|---|---|
| platform day | `SYS#MDAY#<shard>` | `<yyyy-mm-dd>` | counters (ADD) |
| cohort stage | `SYS#COHORT#<B or A>#<yyyy-mm>` | `<stage>` | `reached`: how many of that signup month's businesses or agents got there |
| activity | `SYS#ACTIVE#<B or A>#<yyyy-mm>` | `<tenant or agent id>` | `days`: the days of the month it was active (a string set, so a repeat adds nothing) |
| funnel marker | `T#<tenant>` or `A#<agent>` | `FUNNEL` | its signup month and the stages it reached |

Every function here adds actions to the caller's transaction: the event and what it counts are
written together or not at all, and a retried event that the transaction refuses counts nothing.
A stage is counted once per business or agent: the marker's update is conditioned on the stage not
being in it yet; a second event racing the first loses with Contended (try again) and, on its
retry, finds the stage reached. A business or agent that signed up before these items existed
has no marker, so it joins no cohort (the day counters still count its events) until the
`backfill-marketplace-health` job gives it one (`joined_late`, below; the job's rules are in
services/metrics/health_backfill.py), and that job sets the days from before the counting
(`set_day`) and adds the activity they hold (`mark_active`).

The platform day is sharded (DAY_SHARDS partitions, picked from the event's subject) so that
transactions all over the platform do not queue on one item; a period reads each shard's days
with one Query. Cohort and activity partitions hold one item per stage or per entity.

Platform day counters (all integers; money in minor units per currency, `<name>_<currency>`):
b_signups, b_cards, b_first_openings, b_first_hires, a_signups, a_approved, a_payouts,
a_first_contracts, openings, openings_filled, applications, hires, tth_n, tth_sum_s, tth_b<i>
(time to hire), ttf_n, ttf_sum_s, ttf_b<i> (time to fill), entries, entry_minutes, invoices,
gmv_<cur>, invoices_paid, paid_<cur>, revenue_<cur>."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute

from chalicelib.domain import marketplace_health as rules
from chalicelib.domain.errors import Conflict, Contended
from chalicelib.domain.ledger import Journal
from chalicelib.domain.metrics import Histogram
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.store import keys
from chalicelib.store.attributes import IntegerAttribute
from chalicelib.store.base import Entity
from chalicelib.store.transactions import Transaction

DAY_SHARDS = 8
FUNNEL = "FUNNEL"
TTH = "tth_b"  # time to hire, histogram buckets
TTF = "ttf_b"  # time to fill


class PlatformDay(Entity, discriminator="platform_day"):
    """Counters only, named per event (see the module's docstring); read raw (`days`)."""


class CohortStage(Entity, discriminator="cohort_stage"):
    reached = IntegerAttribute(default=0)


class Activity(Entity, discriminator="platform_activity"):
    days = UnicodeSetAttribute(default=set)


class FunnelMarker(Entity, discriminator="funnel_marker"):
    cohort = UnicodeAttribute()  # the signup month, yyyy-mm
    stages = UnicodeSetAttribute(default=set)


class CountedFrom(Entity, discriminator="platform_counted_from"):
    """`SYS#BACKFILL` / `marketplace-health`: the first day the platform's counters counted, as the
    backfill found it on its first run (before any write of its own moved it)."""

    day = UnicodeAttribute()


# the day counter of each funnel stage (the events below add it when the stage is first reached)
STAGE_COUNTERS: Mapping[tuple[str, str], str] = {
    (rules.BUSINESS, "signup"): "b_signups",
    (rules.BUSINESS, "card"): "b_cards",
    (rules.BUSINESS, "opening"): "b_first_openings",
    (rules.BUSINESS, "hire"): "b_first_hires",
    (rules.AGENT, "signup"): "a_signups",
    (rules.AGENT, "approved"): "a_approved",
    (rules.AGENT, "payouts"): "a_payouts",
    (rules.AGENT, "contract"): "a_first_contracts",
}


# -- keys -----------------------------------------------------------------------------------------


def shard_of(subject: str) -> int:
    return int.from_bytes(hashlib.sha256(subject.encode()).digest()[:4], "big") % DAY_SHARDS


def day_pk(shard: int) -> str:
    return keys.system_pk("MDAY", str(shard))


def cohort_pk(side: str, month: str) -> str:
    return keys.system_pk("COHORT", side, month)


def activity_pk(side: str, month: str) -> str:
    return keys.system_pk("ACTIVE", side, month)


def _owner_pk(side: str, entity: str) -> str:
    return keys.tenant_pk(TenantId(entity)) if side == rules.BUSINESS else keys.agent_pk(AgentId(entity))


# -- writes ---------------------------------------------------------------------------------------


def count(tx: Transaction, *, at: datetime, subject: str, counters: Mapping[str, int]) -> None:
    """ADD `counters` to the platform day of `at` (one update: a transaction may name an item once)."""
    _add_to_day(tx, shard_of(subject), at.date(), counters)


def _add_to_day(tx: Transaction, shard: int, day: date, counters: Mapping[str, int]) -> None:
    wanted = {name: value for name, value in counters.items() if value}
    if not wanted:
        return
    actions: list[Any] = [Entity.kind.set(PlatformDay)]  # pyright: ignore[reportArgumentType]
    actions += [NumberAttribute(attr_name=name).add(value) for name, value in sorted(wanted.items())]
    tx.update(PlatformDay(day_pk(shard), day.isoformat()), actions=actions, add_version_condition=False)


def durations(prefix: str, name: str, seconds: int) -> dict[str, int]:
    """A duration's counters: its histogram bucket, the sum and the count."""
    seconds = max(0, seconds)
    return {
        **Histogram.of([seconds]).to_attributes(prefix),
        f"{name}_n": 1,
        f"{name}_sum_s": seconds,
    }


def signed_up(tx: Transaction, side: str, entity: str, *, at: datetime) -> None:
    """A new business or agent: its marker (a cohort of its signup month) and the cohort's first stage."""
    month = rules.month_of(at.date())
    tx.save(
        FunnelMarker(_owner_pk(side, entity), FUNNEL, cohort=month, stages={"signup"}),
        condition=FunnelMarker.pk.does_not_exist(),
    )
    _cohort_add(tx, side, month, "signup")


def stage_reached(tx: Transaction, side: str, entity: str, stage: str) -> bool:
    """Count `stage` in the entity's cohort if this is the first time it gets there. True when
    counted (the caller then counts it in the day too)."""
    if stage not in rules.STAGES[side]:
        raise ValueError(f"{stage!r} is not a stage of side {side!r}")
    marker = FunnelMarker.find(_owner_pk(side, entity), FUNNEL, consistent=True)
    if marker is None or stage in (marker.stages or set()):
        return False  # signed up before deskhire kept cohorts, or counted already
    tx.update(
        marker,
        actions=[FunnelMarker.stages.add({stage})],
        condition=~FunnelMarker.stages.contains(stage),
        add_version_condition=False,
        on_conflict=Contended("this was counted at the same moment by another request; try again"),
    )
    _cohort_add(tx, side, marker.cohort, stage)
    return True


def _cohort_add(tx: Transaction, side: str, month: str, stage: str) -> None:
    tx.update(
        CohortStage(cohort_pk(side, month), stage),
        actions=[
            Entity.kind.set(CohortStage),  # pyright: ignore[reportArgumentType]
            CohortStage.reached.add(1),
        ],
        add_version_condition=False,
    )


def active(tx: Transaction, side: str, entity: str, day: date) -> None:
    """The business or agent was active on `day` (a set: any number of events that day add one)."""
    tx.update(
        Activity(activity_pk(side, rules.month_of(day)), entity),
        actions=[
            Entity.kind.set(Activity),  # pyright: ignore[reportArgumentType]
            Activity.days.add({f"{day.day:02d}"}),
        ],
        add_version_condition=False,
    )


# -- reads ----------------------------------------------------------------------------------------


def _number(value: Mapping[str, Any]) -> int | None:
    if "N" in value:
        return int(value["N"])
    return None


def _query(pk: str, first_sk: str | None = None, last_sk: str | None = None) -> list[dict[str, Any]]:
    """Every item of a partition (between two sort keys), raw: pages followed to the end."""
    connection = Entity._get_connection()  # pyright: ignore[reportPrivateUsage]
    condition = Entity.sk.between(first_sk, last_sk) if first_sk and last_sk else None
    items: list[dict[str, Any]] = []
    start = None
    while True:
        page = connection.query(pk, range_key_condition=condition, exclusive_start_key=start)
        items.extend(page.get("Items", []))
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def days(first: date, last: date) -> dict[date, rules.Counters]:
    """The platform's counters per day (days with no event are absent): DAY_SHARDS Queries."""
    found: dict[date, rules.Counters] = {}
    for shard in range(DAY_SHARDS):
        for item in _query(day_pk(shard), first.isoformat(), last.isoformat()):
            day = date.fromisoformat(item["sk"]["S"])
            values = {name: n for name, value in item.items() if (n := _number(value)) is not None}
            found[day] = found.get(day, rules.Counters()) + rules.Counters(values)
    return found


def cohorts(side: str, months: list[str]) -> dict[str, dict[str, int]]:
    """{month: {stage: reached}}: one Query per month."""
    found: dict[str, dict[str, int]] = {}
    for month in months:
        stages = {
            item["sk"]["S"]: _number(item.get("reached", {})) or 0 for item in _query(cohort_pk(side, month))
        }
        if stages:
            found[month] = stages
    return found


def activity(side: str, first: date, last: date) -> dict[str, set[date]]:
    """{entity: the days within [first, last] it was active}: one Query (or a few pages) per month."""
    found: dict[str, set[date]] = {}
    for month in rules.months(first, last):
        year, number = (int(part) for part in month.split("-"))
        for item in _query(activity_pk(side, month)):
            seen = {date(year, number, int(d)) for d in item.get("days", {}).get("SS", [])}
            seen = {d for d in seen if first <= d <= last}
            if seen:
                found.setdefault(item["sk"]["S"], set()).update(seen)
    return found


# -- the events (each service calls one of these in its transaction) ----------------------------------


def business_signed_up(tx: Transaction, tenant: TenantId, *, at: datetime) -> None:
    signed_up(tx, rules.BUSINESS, tenant.value, at=at)
    count(tx, at=at, subject=tenant.value, counters={"b_signups": 1})


def agent_signed_up(tx: Transaction, agent: AgentId, *, at: datetime) -> None:
    signed_up(tx, rules.AGENT, agent.value, at=at)
    count(tx, at=at, subject=agent.value, counters={"a_signups": 1})


def card_on_file(tx: Transaction, tenant: TenantId, *, at: datetime) -> None:
    """A card saved: counted for the business's first card only (a replaced card is no new step)."""
    if stage_reached(tx, rules.BUSINESS, tenant.value, "card"):
        count(tx, at=at, subject=tenant.value, counters={"b_cards": 1})


def opening_posted(tx: Transaction, tenant: TenantId, opening_id: str, *, at: datetime) -> None:
    first = stage_reached(tx, rules.BUSINESS, tenant.value, "opening")
    count(tx, at=at, subject=opening_id, counters={"openings": 1, "b_first_openings": int(first)})


def application_made(tx: Transaction, opening_id: str, *, at: datetime) -> None:
    count(tx, at=at, subject=opening_id, counters={"applications": 1})


def offer_accepted(
    tx: Transaction,
    tenant: TenantId,
    agent: AgentId,
    contract_id: str,
    *,
    at: datetime,
    opening_posted_at: datetime | None,
    first_seat: bool,
    fills: bool,
) -> None:
    """A hire. With an opening: its first seat taken is its time to hire, its last its time to fill."""
    first_hire = stage_reached(tx, rules.BUSINESS, tenant.value, "hire")
    first_contract = stage_reached(tx, rules.AGENT, agent.value, "contract")
    counters = {"hires": 1, "b_first_hires": int(first_hire), "a_first_contracts": int(first_contract)}
    if opening_posted_at is not None:
        waited = int((at - opening_posted_at).total_seconds())
        if first_seat:
            counters.update(durations(TTH, "tth", waited))
        if fills:
            counters.update(durations(TTF, "ttf", waited))
            counters["openings_filled"] = 1
    count(tx, at=at, subject=contract_id, counters=counters)


def agent_approved(tx: Transaction, agent: AgentId, *, at: datetime) -> None:
    if stage_reached(tx, rules.AGENT, agent.value, "approved"):
        count(tx, at=at, subject=agent.value, counters={"a_approved": 1})


def payouts_enabled(tx: Transaction, agent: AgentId, *, at: datetime) -> None:
    if stage_reached(tx, rules.AGENT, agent.value, "payouts"):
        count(tx, at=at, subject=agent.value, counters={"a_payouts": 1})


def invoice_finalised(
    tx: Transaction, tenant: TenantId, invoice_id: str, *, at: datetime, currency: str, total: int
) -> None:
    """GMV: what the business is invoiced (its client fee included); the business is active."""
    count(tx, at=at, subject=invoice_id, counters={"invoices": 1, f"gmv_{currency}": total})
    active(tx, rules.BUSINESS, tenant.value, at.date())


def invoice_paid(tx: Transaction, invoice_id: str, *, at: datetime, currency: str, amount: int) -> None:
    count(tx, at=at, subject=invoice_id, counters={"invoices_paid": 1, f"paid_{currency}": amount})


def revenue_booked(tx: Transaction, invoice_id: str, journals: Iterable[Journal], *, at: datetime) -> None:
    """The platform revenue that the journals written in this transaction recognise, or give
    back (rules.revenue_of: their postings to the revenue account), on the day they are written."""
    found = rules.revenue_of(posting for journal in journals for posting in journal.postings)
    count(tx, at=at, subject=invoice_id, counters={f"revenue_{c}": amount for c, amount in found.items()})


def entries_changed(
    tx: Transaction,
    tenant: TenantId,
    agent: AgentId,
    contract_id: str,
    *,
    at: datetime,
    added: list[tuple[datetime, int]],
    removed: list[int],
) -> None:
    """Diary entries written (start, minutes) and taken away (minutes): the net count and
    minutes, and both parties active on the days of the entries written."""
    count(
        tx,
        at=at,
        subject=contract_id,
        counters={
            "entries": len(added) - len(removed),
            "entry_minutes": sum(minutes for _, minutes in added) - sum(removed),
        },
    )
    by_month: dict[str, set[str]] = {}
    for started, _ in added:
        by_month.setdefault(rules.month_of(started.date()), set()).add(f"{started.day:02d}")
    for side, entity in ((rules.BUSINESS, tenant.value), (rules.AGENT, agent.value)):
        for month, seen in sorted(by_month.items()):
            tx.update(
                Activity(activity_pk(side, month), entity),
                actions=[
                    Entity.kind.set(Activity),  # pyright: ignore[reportArgumentType]
                    Activity.days.add(seen),
                ],
                add_version_condition=False,
            )


# -- the backfill (jobs/backfill_jobs.py: what was there before the counting) ------------------------


def counted_from(today: date) -> date:
    """The first day the counters counted: recorded on the backfill's first run as the earliest
    platform day then (one Query per shard), or `today` when there was none; later runs read the
    record, since the backfill's own writes add days before it."""
    pk = keys.system_pk("BACKFILL")
    found = CountedFrom.find(pk, "marketplace-health", consistent=True)
    if found is not None:
        return date.fromisoformat(found.day)
    earliest = today
    for shard in range(DAY_SHARDS):
        for item in PlatformDay.query(day_pk(shard), limit=1):
            earliest = min(earliest, date.fromisoformat(item.sk))
    try:
        CountedFrom(pk, "marketplace-health", day=earliest.isoformat()).save_new()
    except Conflict:  # another run recorded it first: theirs holds
        return counted_from(today)
    return earliest


def set_day(day: date, shard: int, values: Mapping[str, int], rebuilt: Callable[[str], bool]) -> bool:
    """Make the shard's day hold `values` for every counter `rebuilt` names (one set absent from
    `values` becomes 0), leaving the others as they are: one read, and one update if anything
    differs. True when it wrote."""
    connection = Entity._get_connection()  # pyright: ignore[reportPrivateUsage]
    held = connection.get_item(day_pk(shard), day.isoformat(), consistent_read=True).get("Item", {})
    current = {name: n for name, value in held.items() if (n := _number(value)) is not None}
    wanted = {name: value for name, value in values.items() if rebuilt(name)}
    wanted.update(
        {name: 0 for name, value in current.items() if rebuilt(name) and value and name not in wanted}
    )
    changed = {name: value for name, value in wanted.items() if current.get(name, 0) != value}
    if not changed:
        return False
    actions: list[Any] = [Entity.kind.set(PlatformDay)]  # pyright: ignore[reportArgumentType]
    actions += [NumberAttribute(attr_name=name).set(value) for name, value in sorted(changed.items())]
    PlatformDay(day_pk(shard), day.isoformat()).update(actions=actions, add_version_condition=False)
    return True


def joined_late(
    tx: Transaction,
    side: str,
    entity: str,
    *,
    signed_up: date,
    stages: Mapping[str, tuple[datetime | None, str]],
) -> None:
    """A business or agent from before the counting: its marker with every stage it reached, each
    stage in its signup month's cohort, and each stage's day counter on the day it was reached
    (`stages`: stage -> (when, the event's subject); no day when `when` is None). Refused
    (Conflict) once it has a marker, so it is counted once whatever runs the backfill makes."""
    month = rules.month_of(signed_up)
    tx.save(
        FunnelMarker(_owner_pk(side, entity), FUNNEL, cohort=month, stages=set(stages)),
        condition=FunnelMarker.pk.does_not_exist(),
    )
    by_item: dict[tuple[int, date], dict[str, int]] = {}
    for stage, (when, subject) in sorted(stages.items()):
        if stage not in rules.STAGES[side]:
            raise ValueError(f"{stage!r} is not a stage of side {side!r}")
        _cohort_add(tx, side, month, stage)
        if when is not None:
            counters = by_item.setdefault((shard_of(subject), when.date()), {})
            counters[STAGE_COUNTERS[(side, stage)]] = counters.get(STAGE_COUNTERS[(side, stage)], 0) + 1
    for (shard, day), counters in sorted(by_item.items()):
        _add_to_day(tx, shard, day, counters)


def mark_active(side: str, entity: str, month: str, seen: set[str]) -> bool:
    """Add the days `seen` (dd) of `month` to the entity's activity (a set: what is there stays).
    True when one was missing."""
    held = Activity.find(activity_pk(side, month), entity, consistent=True)
    missing = seen - set(held.days or set()) if held is not None else set(seen)
    if not missing:
        return False
    Activity(activity_pk(side, month), entity).update(
        actions=[
            Entity.kind.set(Activity),  # pyright: ignore[reportArgumentType]
            Activity.days.add(missing),
        ],
        add_version_condition=False,
    )
    return True
