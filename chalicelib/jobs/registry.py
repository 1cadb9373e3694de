"""The jobs deskhire runs, by name: those on a schedule with their cron rules (UTC, EventBridge's
six-field form: minute hour day-of-month month day-of-week year), and those run only by hand
(`cron=MANUAL`: the one-off backfills of jobs/backfill_jobs.py), which app.py never schedules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.time import BillingWeek

if TYPE_CHECKING:
    from chalicelib.composition import Deps

# The cron of a job that only runs by hand (`make job JOB=<name>`): never scheduled.
MANUAL = None

# A task: what one piece of a job's work needs, as JSON (it may travel through the jobs queue).
Task = dict[str, Any]


@dataclass(frozen=True)
class JobRun:
    """One run of a job: when it runs, for which week if it is a weekly job, with what deps."""

    job: str
    at: datetime
    deps: Deps
    week: BillingWeek | None = None
    # a range of days given by hand (`make job ... FROM= TO=`), for the jobs that take one
    first: date | None = None
    last: date | None = None

    @property
    def billing_week(self) -> BillingWeek:
        """The week a weekly job's run is for (the runner gives every weekly job's run one)."""
        if self.week is None:
            raise ValueError(f"{self.job} is not a weekly job: its run has no week")
        return self.week


@dataclass(frozen=True)
class Job:
    name: str
    cron: str | None  # MANUAL: by hand only
    summary: str
    plan: Callable[[JobRun], Iterator[Task]]
    work: Callable[[JobRun, Task], bool]
    # Weekly jobs act on one billing week: which one a run at `at` is for, and from when it may.
    week_for: Callable[[datetime], BillingWeek] | None = None
    ready_at: Callable[[BillingWeek], datetime] | None = None
    prepare: Callable[[JobRun], int] | None = None

    def __post_init__(self) -> None:
        if (self.week_for is None) != (self.ready_at is None):
            raise ValueError(f"job {self.name}: a weekly job names both week_for and ready_at")

    @property
    def scheduled(self) -> bool:
        return self.cron is not MANUAL


@dataclass
class Report:
    job: str
    week: str | None
    planned: int = 0
    changed: int = 0
    prepared: int = 0
    failures: list[str] = field(default_factory=list)


JOBS: dict[str, Job] = {}


def register(job: Job) -> Job:
    JOBS[job.name] = job
    return job


def load() -> dict[str, Job]:
    """Import the modules that define jobs (kept out of the cold start of API requests)."""
    from chalicelib.jobs import (  # noqa: F401
        backfill_jobs,
        billing_jobs,
        contract_jobs,
        metrics_jobs,
        review_jobs,
        support_jobs,
    )

    return JOBS
