"""Support's scheduled job: `sla-check` (every 5 minutes) plans one task per business with an
inquiry past its first-response target (the SLA index, sharded), and each task deals with that
business's breaches (services/support/sla.py). It also plans one task per helpdesk ticket past its
target without a reply (their own index), which only counts the target missed
(services/support/helpdesk_sla.py: the helpdesk routes and chases its tickets). Each step checks
the state it acts on, so a task run twice, or again after a crash half-way, changes nothing more."""

from __future__ import annotations

from collections.abc import Iterator

from chalicelib.domain.tenancy import TenantId
from chalicelib.jobs.registry import Job, JobRun, Task, register
from chalicelib.jobs.schedules import SCHEDULES


def _due(run: JobRun) -> Iterator[Task]:
    from chalicelib.services.support import helpdesk_sla, sla

    for tenant in sla.due_tenants(run.at):
        yield {"tenant": tenant}
    for tenant, inquiry_id in helpdesk_sla.due(run.at):
        yield {"tenant": tenant, "helpdesk_inquiry": inquiry_id}


def _check(run: JobRun, task: Task) -> bool:
    from chalicelib.services.support import helpdesk_sla, sla

    if task.get("helpdesk_inquiry"):
        return helpdesk_sla.judge(TenantId(task["tenant"]), task["helpdesk_inquiry"], deps=run.deps)
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
