"""Metrics' scheduled job: `metrics-rollup` (hourly) plans one task per business with figures on a
day of the span (the days' GSI2 index, sharded: no Scan), and each task rolls that business's days
into ISO weeks and months (services/metrics/rollups.py) and looks for spikes (services/metrics/
spikes.py): in the last whole hour, then on the span's whole days (the hours first, so that a
day's mail can name its hours). Both write only what changed, so a task run twice, or again after
a crash half-way, changes nothing more.

The span: by default yesterday and today (UTC); by hand any range,
`make job JOB=metrics-rollup FROM=2026-03-01 TO=2026-03-31` (the weeks and months it touches are
recomputed whole from their days, and every whole hour of the range is looked at for spikes)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from chalicelib.domain.tenancy import TenantId
from chalicelib.jobs.registry import Job, JobRun, Task, register
from chalicelib.jobs.schedules import SCHEDULES


def span(run: JobRun) -> tuple[date, date]:
    today = run.at.date()
    first = run.first or today - timedelta(days=1)
    last = run.last or today
    if last < first:
        raise ValueError("the span's last day is before its first")
    return first, min(last, today)


def _plan(run: JobRun) -> Iterator[Task]:
    from chalicelib.services.metrics import rollups

    first, last = span(run)
    by_hand = run.first is not None or run.last is not None
    for tenant in rollups.tenants(first, last):
        yield {"tenant": tenant, "first": first.isoformat(), "last": last.isoformat(), "every_hour": by_hand}


def _work(run: JobRun, task: Task) -> bool:
    from chalicelib.domain import metrics as figures
    from chalicelib.services.metrics import rollups, spikes

    tenant = TenantId(task["tenant"])
    first, last = date.fromisoformat(task["first"]), date.fromisoformat(task["last"])
    changed = rollups.roll_up(tenant, first, last, now=run.at) > 0
    if task.get("every_hour"):
        hours = figures.complete_hours(run.at, first, last)
    else:
        hours = [figures.last_complete_hour(run.at)]
    changed = spikes.detect_hours(tenant, hours, deps=run.deps) or changed
    for day in rollups.days_between(first, last):
        if day < run.at.date():  # whole days only
            changed = spikes.detect(tenant, day, deps=run.deps) or changed
    return changed


register(
    Job(
        name="metrics-rollup",
        cron=SCHEDULES["metrics-rollup"],
        summary="Roll businesses' daily figures into weeks and months, and mail contact spikes",
        plan=_plan,
        work=_work,
    )
)
