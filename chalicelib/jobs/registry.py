"""The jobs deskhire runs on a schedule, by name, with their cron rules (UTC, EventBridge's
six-field form: minute hour day-of-month month day-of-week year)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.domain.time import BillingWeek


@dataclass(frozen=True)
class JobRun:
    """One run of a job: when it runs, for which week if it is a weekly job, with what deps."""

    job: str
    at: datetime
    deps: object
    week: BillingWeek | None = None


@dataclass(frozen=True)
class Job:
    name: str
    cron: str
    summary: str
    plan: Callable[[JobRun], Iterator[dict]]
    work: Callable[[JobRun, dict], bool]
    # Weekly jobs act on one billing week: which one a run at `at` is for, and from when it may.
    week_for: Callable[[datetime], BillingWeek] | None = None
    ready_at: Callable[[BillingWeek], datetime] | None = None
    prepare: Callable[[JobRun], int] | None = None


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
    from chalicelib.jobs import billing_jobs, contract_jobs  # noqa: F401

    return JOBS
