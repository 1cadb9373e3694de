"""Support's scheduled job: `sla-check` (every 5 minutes) plans one task per business with an
inquiry past its first-response target (the SLA index, sharded), and each task deals with that
business's breaches (services/support/sla.py). Each step checks the state it acts on, so a task
run twice, or again after a crash half-way, changes nothing more."""

from __future__ import annotations

from collections.abc import Iterator

from chalicelib.domain.tenancy import TenantId
from chalicelib.jobs.registry import Job, JobRun, Task, register
from chalicelib.jobs.schedules import SCHEDULES


def _due(run: JobRun) -> Iterator[Task]:
    from chalicelib.services.support import sla

    for tenant in sla.due_tenants(run.at):
        yield {"tenant": tenant}


def _check(run: JobRun, task: Task) -> bool:
    from chalicelib.services.support import sla

    return sla.check(TenantId(task["tenant"]), deps=run.deps) > 0


register(
    Job(
        name="sla-check",
        cron=SCHEDULES["sla-check"],
        summary="Re-route or escalate inquiries past their first-response target, and tell the business",
        plan=_due,
        work=_check,
    )
)
