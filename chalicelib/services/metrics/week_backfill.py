"""`backfill-metric-weeks` (jobs/backfill_jobs.py): the week sums (store/metric_weeks.py) of the
weeks whose days were counted before week sums were kept, so that the dashboard, which reads
whole weeks from them, misses none of those days.

Run once by hand after the deployment that brings week sums, once no function of the version
before it can still be running (a task lives at most 15 minutes), so that every count added since
moves its week too. Per business (a job task per segment of the businesses, store/scans.py), every
ISO week with a day item of the business or of one of its agents, or a week item, is rebuilt:

1. its week items are read (strongly consistent), with their count of moves (`changes`, one up at
   every transaction that moves the item);
2. then its days (business, reason tags, each agent the business has a contract with or a week
   item or earnings for), strongly consistent, and added up (`metric_weeks.from_days`);
3. each week item whose figures differ from that sum is written as the sum, on condition that its
   count of moves is still the one read (`metric_weeks.replace_week`).

So a count added between 1 and 3 moves the item's count, the condition fails and the week is read
again: a rebuild never loses a count that came meanwhile nor adds one twice. A week that already
equals its days is not written, so a second run writes nothing. An agent's days with no contract,
week item or earnings of the business are not summed: the dashboard lists only the agents the
business contracted."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.domain.errors import Conflict, Contended
from chalicelib.domain.metric_weeks import monday_of, week_key
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.store import keys, plain_items
from chalicelib.store import metric_weeks as store
from chalicelib.store.base import Entity
from chalicelib.store.metrics import AgentDayRecord, BusinessDayRecord, agent_day_pk, day_pk

ATTEMPTS = 5


def work(task: dict[str, Any]) -> int:
    """Rebuild the weeks of every business in the task's segment of the table (the job plans one
    task per segment, store/scans.py); the week items written."""
    from chalicelib.store import scans
    from chalicelib.store.identity import TenantRecord

    return sum(
        rebuild(TenantId(record.pk.split(keys.SEP)[1]))
        for record in scans.segment(TenantRecord, task["segment"], of=task["of"])
    )


def _agents(tenant: TenantId) -> set[str]:
    from chalicelib.store.contracted import contract_items

    return {item.agent_id for item in contract_items(tenant)}


def weeks_of(tenant: TenantId, agents: set[str]) -> list[date]:
    """The Mondays of every week with a day of the business or of `agents` for it, or a week item."""
    found = {
        monday_of(date.fromisoformat(item["sk"]))
        for item in plain_items.query(BusinessDayRecord, day_pk(tenant))
    }
    for agent in agents:
        for item in plain_items.query(AgentDayRecord, agent_day_pk(tenant, AgentId(agent))):
            found.add(monday_of(date.fromisoformat(item["sk"])))
    for item in plain_items.query(store.WEEK_MODELS, store.week_pk(tenant)):
        year, week = item["sk"][:4], item["sk"][6:8]
        found.add(date.fromisocalendar(int(year), int(week), 1))
    return sorted(found)


def rebuild(tenant: TenantId) -> int:
    agents = _agents(tenant)
    return sum(rebuild_week(tenant, monday, agents) for monday in weeks_of(tenant, agents))


def rebuild_week(tenant: TenantId, monday: date, agents: set[str]) -> int:
    """Make the week's items the sum of its days (the module's steps); the items written."""
    key = week_key(monday)
    written = 0
    for _attempt in range(ATTEMPTS):
        between = Entity.sk.between(key, key + "$")
        read = {
            item["sk"]: item
            for item in plain_items.query(store.WEEK_MODELS, store.week_pk(tenant), between, consistent=True)
        }
        named = set(agents)
        for sk, item in read.items():
            if sk.startswith(f"{key}{keys.SEP}A{keys.SEP}"):
                named.add(sk.split(keys.SEP, 2)[2])
            named |= {n.split("_", 2)[2] for n in item if n.startswith(store.EARN)}
        summed = store.from_days(tenant, monday, named)
        try:
            for sk in sorted(summed.keys() | read.keys()):
                model, figures = summed[sk] if sk in summed else (_model_of(read[sk]), {})
                if figures == store.figures_of(read.get(sk)):
                    continue
                store.replace_week(tenant, sk, model, _kept(figures, read.get(sk)), read=read.get(sk))
                written += 1
        except Conflict:
            continue  # a count came meanwhile: read the week again
        return written
    raise Contended(f"the week {key} of {tenant.value} kept moving while it was rebuilt; run the job again")


def _model_of(item: dict[str, Any]) -> type[Entity]:
    return next(m for m in store.WEEK_MODELS if plain_items.kind_of(m) == item["kind"])


def _kept(figures: dict[str, Any], read: dict[str, Any] | None) -> dict[str, Any]:
    """A reason week with nothing left keeps its tag (every reason week names its tag)."""
    if read is not None and "reason" in read and "reason" not in figures:
        return {**figures, "reason": read["reason"]}
    return figures
