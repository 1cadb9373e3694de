"""Running a job: plan its tasks, then work them inline (locally, from the command line, in
tests) or send them to the jobs queue for the worker function (deployed stages)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from chalicelib.domain.errors import Conflict
from chalicelib.domain.time import BillingWeek
from chalicelib.jobs import registry
from chalicelib.web.observability import logger

if TYPE_CHECKING:
    from chalicelib.composition import Deps

SQS_BATCH = 10


class NotReady(Conflict):
    code = "job_not_ready"


class Queue(Protocol):
    def send(self, bodies: list[str]) -> None: ...


def run(
    name: str,
    *,
    deps: Deps,
    at: datetime | None = None,
    week: BillingWeek | None = None,
    progress: Callable[[int, int], None] | None = None,
    queue: Queue | None = None,
    first: date | None = None,
    last: date | None = None,
) -> registry.Report:
    """Run job `name` as of `at` (default now). A weekly job runs for `week`, by default the one
    its schedule is for, and refuses a week whose time has not come (a lock before Monday noon
    would take the agent's grace half-day away)."""
    jobs = registry.load()
    if name not in jobs:
        raise KeyError(f"no job {name!r}; jobs: {', '.join(sorted(jobs))}")
    job = jobs[name]
    if at is not None:
        fixed = at
        deps = replace(deps, clock=lambda: fixed)
    now = deps.now()
    if job.week_for is not None and job.ready_at is not None:  # a weekly job has both (Job checks)
        week = week or job.week_for(now)
        ready = job.ready_at(week)
        if now < ready:
            raise NotReady(f"{name} for {week} may run from {ready:%a %d %b %H:%M} UTC, not before")
    elif week is not None:
        raise ValueError(f"{name} is not a weekly job")
    this_run = registry.JobRun(job=name, at=now, deps=deps, week=week, first=first, last=last)
    report = registry.Report(job=name, week=str(week) if week else None)
    if job.prepare is not None:
        report.prepared = job.prepare(this_run)
    tasks = list(job.plan(this_run))
    report.planned = len(tasks)
    if queue is not None:
        for start in range(0, len(tasks), SQS_BATCH):
            queue.send([message(this_run, task) for task in tasks[start : start + SQS_BATCH]])
        return report
    for done, task in enumerate(tasks, start=1):
        try:
            report.changed += 1 if job.work(this_run, task) else 0
        except Exception as error:  # one business's failure must not stop the others
            logger.exception("job task failed", extra={"job": name, "task": task})
            report.failures.append(f"{task}: {error}")
        if progress is not None:
            progress(done, len(tasks))
    return report


def message(this_run: registry.JobRun, task: registry.Task) -> str:
    return json.dumps(
        {
            "job": this_run.job,
            "at": this_run.at.isoformat(),
            "week": str(this_run.week) if this_run.week else None,
            "task": task,
        }
    )


def work_message(body: str, *, deps: Deps) -> bool:
    """The worker's side: one task from the queue. Raises on failure so that SQS delivers it
    again (the task is idempotent), and after a few tries parks it in the dead-letter queue."""
    data = json.loads(body)
    job = registry.load()[data["job"]]
    this_run = registry.JobRun(
        job=data["job"],
        at=datetime.fromisoformat(data["at"]),
        deps=deps,
        week=BillingWeek.parse(data["week"]) if data["week"] else None,
    )
    return job.work(this_run, data["task"])


class SqsQueue:
    """The jobs queue of deployed stages (boto3 on first use)."""

    def __init__(self, url: str, client: Any = None):
        self.url = url
        self._client = client  # boto3's SQS client (untyped: boto3-stubs are not installed)

    def send(self, bodies: list[str]) -> None:
        if self._client is None:
            import boto3

            self._client = boto3.client("sqs")
        entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies)]
        response = self._client.send_message_batch(QueueUrl=self.url, Entries=entries)
        if response.get("Failed"):
            raise RuntimeError(f"the jobs queue refused {len(response['Failed'])} messages")


def scheduled(name: str, *, deps: Deps) -> registry.Report:
    """What a scheduled function does: run the job now, through the queue where there is one."""
    url = deps.settings.jobs_queue_url
    report = run(name, deps=deps, queue=SqsQueue(url) if url else None)
    logger.info("job planned", extra={"job": name, "planned": report.planned, "changed": report.changed})
    return report
