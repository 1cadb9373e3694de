"""The weekly peer-review job (`peer-review`, Monday 02:00 UTC, for the week that just ended):
one task per business with time that week; each samples its agents' replies of the week and
assigns them to other agents of the business (services/peer_review.py). Every review is keyed by
the reply it reviews and created under `attribute_not_exists`, so a run twice, or again after a
crash half-way, creates nothing more than one clean run.

The same run brings every agent's reputation snapshot to the run's moment (services/reputation.py
`refresh`, a task per 25 agents): matching and the next clock-in read the score as of the last
evidence, and the weights of old evidence keep shrinking while none comes. A run twice at the same
moment writes nothing more."""

from __future__ import annotations

from collections.abc import Iterator

from chalicelib.domain.tenancy import TenantId
from chalicelib.jobs.contract_jobs import previous_week, tenants_with_time
from chalicelib.jobs.registry import Job, JobRun, Task, register
from chalicelib.jobs.schedules import SCHEDULES


def _plan(run: JobRun) -> Iterator[Task]:
    """A task per business with time that week, then the agents with evidence, by chunks."""
    from chalicelib.services import reputation

    yield from tenants_with_time(run)
    agents = reputation.with_evidence()
    for start in range(0, len(agents), reputation.REFRESH_CHUNK):
        yield {"agents": agents[start : start + reputation.REFRESH_CHUNK]}


def _work(run: JobRun, task: Task) -> bool:
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.services import peer_review, reputation

    if "agents" in task:
        changed = [reputation.refresh(AgentId(agent_id), now=run.at) for agent_id in task["agents"]]
        return any(changed)
    return peer_review.assign_week(TenantId(task["tenant"]), run.billing_week, deps=run.deps) > 0


register(
    Job(
        name="peer-review",
        cron=SCHEDULES["peer-review"],
        summary="Sample each agent's replies of last week and assign them to other agents of the business to "
        "review; bring every agent's reputation snapshot to now (recency)",
        plan=_plan,
        work=_work,
        week_for=previous_week,
        ready_at=lambda week: week.ends_at,
    )
)
