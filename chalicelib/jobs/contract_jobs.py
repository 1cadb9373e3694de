"""The contract and work-diary jobs: the week lock (Monday 12:00 UTC), the review close
(Saturday 00:00 UTC), offer expiry, the inactivity pause, and the sweep of forgotten clocks.

Each task is idempotent: it checks state before it acts and writes under a condition, so a task
run twice, or again after a crash half-way, changes nothing more."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from chalicelib.domain import contracts as terms
from chalicelib.domain.errors import Conflict
from chalicelib.domain.identity import SYSTEM
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.jobs.registry import Job, JobRun, Task, register
from chalicelib.jobs.schedules import SCHEDULES
from chalicelib.store.contracts import (
    SHARDS,
    ClockRecord,
    ContractRecord,
    WeekMarker,
    clock_key,
    clocks_index,
    idle_index,
    marker_key,
    offers_index,
    stamp,
    weeks_index,
)


def previous_week(at: datetime) -> BillingWeek:
    """The week before the one `at` falls in: at Monday 12:00 the week that just locks; at
    Saturday 00:00 the week whose review just closed."""
    return BillingWeek.containing(at - timedelta(days=7))


def tenants_with_time(run: JobRun) -> Iterator[Task]:
    for shard in range(SHARDS):
        for marker in WeekMarker.gsi2.query(weeks_index(run.billing_week, shard)):
            if isinstance(marker, WeekMarker):
                yield {"tenant": marker.gsi2sk}


def _contracts_in_week(tenant: TenantId, week: BillingWeek) -> list[str]:
    marker = WeekMarker.find(*marker_key(tenant, week), consistent=True)
    return sorted(marker.contract_ids) if marker and marker.contract_ids else []


# -- the week lock --------------------------------------------------------------------------------


def _sweep_before_lock(run: JobRun) -> int:
    """Close every clock due by the lock first, so that no time of the week is still running
    when it locks (a clock is due within 12 hours of its start: by Monday 12:00 at the latest)."""
    from chalicelib.services.diary import clock

    return clock.close_due_clocks(as_of=run.billing_week.locks_at, deps=run.deps)


def _lock_tenant(run: JobRun, task: Task) -> bool:
    from chalicelib.services import timesheets

    tenant, week = TenantId(task["tenant"]), run.billing_week
    changed = False
    for contract_id in _contracts_in_week(tenant, week):
        changed |= timesheets.lock(tenant, contract_id, week, now=run.deps.now())
    return changed


register(
    Job(
        name="lock-week",
        cron=SCHEDULES["lock-week"],
        summary="Lock last week's timesheets at Monday 12:00 UTC: what they hold is billed",
        plan=tenants_with_time,
        work=_lock_tenant,
        week_for=previous_week,
        ready_at=lambda week: week.locks_at,
        prepare=_sweep_before_lock,
    )
)


# -- the review close -----------------------------------------------------------------------------


def _close_tenant(run: JobRun, task: Task) -> bool:
    from chalicelib.services import disputes, timesheets

    tenant, week = TenantId(task["tenant"]), run.billing_week
    changed = False
    for contract_id in _contracts_in_week(tenant, week):
        changed |= timesheets.close(tenant, contract_id, week, now=run.deps.now())
        changed |= disputes.escalate_unsettled(tenant, contract_id, week, deps=run.deps) > 0
    return changed


register(
    Job(
        name="close-review",
        cron=SCHEDULES["close-review"],
        summary="Close last week's review at Saturday 00:00 UTC: undisputed minutes are approved",
        plan=tenants_with_time,
        work=_close_tenant,
        week_for=previous_week,
        ready_at=lambda week: week.review_closes_at,
    )
)


# -- offers, idle contracts, forgotten clocks ----------------------------------------------------


def _due(index: Callable[[int], str], run: JobRun, until: datetime) -> Iterator[Task]:
    for shard in range(SHARDS):
        for item in ContractRecord.gsi2.query(index(shard), ContractRecord.gsi2sk <= f"{stamp(until)}~"):
            if isinstance(item, ContractRecord):
                yield {"tenant": item.tenant_id, "contract": item.contract_id}


def _expire_offer(run: JobRun, task: Task) -> bool:
    from chalicelib.services.contracts import offers, records

    record = records.find_for_system(TenantId(task["tenant"]), task["contract"])
    if record is None or record.status != terms.Status.OFFERED:
        return False
    try:
        return offers.expire(record, system=SYSTEM, deps=run.deps)
    except Conflict:
        return False  # answered meanwhile: the agent's answer stands


register(
    Job(
        name="expire-offers",
        cron=SCHEDULES["expire-offers"],
        summary="Expire offers unanswered for 7 days",
        plan=lambda run: _due(offers_index, run, run.at),
        work=_expire_offer,
    )
)


def _pause_idle(run: JobRun, task: Task) -> bool:
    from chalicelib.services.contracts import lifecycle, records

    record = records.find_for_system(TenantId(task["tenant"]), task["contract"])
    if record is None:
        return False
    try:
        return lifecycle.pause_for_inactivity(record, system=SYSTEM, deps=run.deps)
    except Conflict:
        return False  # changed meanwhile (resumed, paused, ended): nothing to do


register(
    Job(
        name="pause-idle",
        cron=SCHEDULES["pause-idle"],
        summary="Pause hourly contracts with no time logged for 30 days (with a mail)",
        plan=lambda run: _due(idle_index, run, run.at - terms.INACTIVITY_PAUSE),
        work=_pause_idle,
    )
)


def _due_clocks(run: JobRun) -> Iterator[Task]:
    for shard in range(SHARDS):
        for clock in ClockRecord.gsi2.query(clocks_index(shard), ClockRecord.gsi2sk <= f"{stamp(run.at)}~"):
            if isinstance(clock, ClockRecord):
                yield {"agent": clock.pk.removeprefix("A#")}


def _close_clock(run: JobRun, task: Task) -> bool:
    from chalicelib.services.diary import clock

    running = ClockRecord.find(*clock_key(AgentId(task["agent"])), consistent=True)
    if running is None:
        return False
    return clock.close_if_due(running, deps=run.deps)


register(
    Job(
        name="close-clocks",
        cron=SCHEDULES["close-clocks"],
        summary="Close clocks left running 12 hours or past the weekly cap (flagged)",
        plan=_due_clocks,
        work=_close_clock,
    )
)
