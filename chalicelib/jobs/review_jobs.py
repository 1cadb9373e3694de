"""The weekly peer-review job (`peer-review`, Monday 02:00 UTC, for the week that just ended):
one task per business with time that week; each samples its agents' replies of the week and
assigns them to other agents of the business (services/peer_review.py). Every review is keyed by
the reply it reviews and created under `attribute_not_exists`, so a run twice, or again after a
crash half-way, creates nothing more than one clean run."""

from __future__ import annotations

from chalicelib.domain.tenancy import TenantId
from chalicelib.jobs.contract_jobs import previous_week, tenants_with_time
from chalicelib.jobs.registry import Job, JobRun, Task, register
from chalicelib.jobs.schedules import SCHEDULES


def _assign(run: JobRun, task: Task) -> bool:
    from chalicelib.services import peer_review

    return peer_review.assign_week(TenantId(task["tenant"]), run.billing_week, deps=run.deps) > 0


register(
    Job(
        name="peer-review",
        cron=SCHEDULES["peer-review"],
        summary="Sample each agent's replies of last week and assign them to other agents of the business to review",
        plan=tenants_with_time,
        work=_assign,
        week_for=previous_week,
        ready_at=lambda week: week.ends_at,
    )
)
