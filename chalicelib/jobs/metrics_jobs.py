"""Metrics' scheduled job: `metrics-rollup` (hourly) plans one task per business with figures on a
day of the span (the days' GSI2 index, sharded: no Scan), and each task rolls that business's days
into ISO weeks and months (services/metrics/rollups.py) and looks for spikes on the span's whole
days (services/metrics/spikes.py). Both write only what changed, so a task run twice, or again
after a crash half-way, changes nothing more.

The span: by default yesterday and today (UTC); by hand any range,
`make job JOB=metrics-rollup FROM=2026-03-01 TO=2026-03-31` (the weeks and months it touches are
recomputed whole from their days)."""

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
    for tenant in rollups.tenants(first, last):
        yield {"tenant": tenant, "first": first.isoformat(), "last": last.isoformat()}


def _work(run: JobRun, task: Task) -> bool:
    from chalicelib.services.metrics import rollups, spikes

    tenant = TenantId(task["tenant"])
    first, last = date.fromisoformat(task["first"]), date.fromisoformat(task["last"])
    changed = rollups.roll_up(tenant, first, last, now=run.at) > 0
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
