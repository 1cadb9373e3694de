"""One-off backfills: items that an index or an aggregate added after data already existed needs
for the data from before. Never scheduled (`cron=MANUAL`); run by hand once after the deployment
that brings the index, e.g. `make job JOB=backfill-business-names` (README, "Backfills").

They read the whole table with a Scan, which is allowed here only because no request waits on
them (store/scans.py): the name, interview and week-sum backfills split it into parallel segments,
one task each, so the jobs queue's workers read them side by side; the health backfill reads it
once while it plans (its figures add up over the whole table) and works a task per day, per 25
parties or per 25 activity items. Every write goes through the function the request path uses
(the items come out identical; a week sum, as the sum of its days) under a condition or after a
check of what is there, so a run twice, or again after a crash half-way, writes nothing more than
one clean run:

| job | what it writes |
|---|---|
| `backfill-business-names` | the operators' name search items of every business (store/directory.py) |
| `backfill-interviews` | the index keys and names that list an interview on both sides' action lists |
| `backfill-marketplace-health` | the marketplace health figures from before they were counted (services/metrics/health_backfill.py) |
| `backfill-metric-weeks` | the metrics' week sums of the weeks counted before they were kept (services/metrics/week_backfill.py) |
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from chalicelib.jobs.registry import MANUAL, Job, JobRun, Task, register
from chalicelib.web.observability import logger


def _segments(run: JobRun) -> Iterator[Task]:
    from chalicelib.store.scans import SEGMENTS

    del run
    for number in range(SEGMENTS):
        yield {"segment": number, "of": SEGMENTS}


def _business_names(run: JobRun, task: Task) -> bool:
    from chalicelib.services import business_directory
    from chalicelib.store import scans
    from chalicelib.store.identity import TenantRecord

    del run
    written = sum(
        business_directory.list_by_name(business)
        for business in scans.segment(TenantRecord, task["segment"], of=task["of"])
    )
    logger.info("backfill", extra={"job": "backfill-business-names", "task": task, "written": written})
    return written > 0


def _interviews(run: JobRun, task: Task) -> bool:
    from chalicelib.services import interviews
    from chalicelib.store import scans
    from chalicelib.store.marketplace import InterviewRecord

    del run
    written = sum(
        interviews.list_again(record)
        for record in scans.segment(InterviewRecord, task["segment"], of=task["of"])
    )
    logger.info("backfill", extra={"job": "backfill-interviews", "task": task, "written": written})
    return written > 0


register(
    Job(
        name="backfill-business-names",
        cron=MANUAL,
        summary="One-off: give businesses from before the operators' name search their name items",
        plan=_segments,
        work=_business_names,
    )
)

register(
    Job(
        name="backfill-interviews",
        cron=MANUAL,
        summary="One-off: list interviews proposed before the action lists on both sides' home pages",
        plan=_segments,
        work=_interviews,
    )
)


def _metric_weeks(run: JobRun, task: Task) -> bool:
    from chalicelib.services.metrics import week_backfill

    del run
    written = week_backfill.work(task)
    logger.info("backfill", extra={"job": "backfill-metric-weeks", "task": task, "written": written})
    return written > 0


register(
    Job(
        name="backfill-metric-weeks",
        cron=MANUAL,
        summary="One-off: the metrics' week sums of the weeks counted before they were kept",
        plan=_segments,
        work=_metric_weeks,
    )
)


def _first_counted_day_over(run: JobRun) -> int:
    """Record the first day the platform counted (on the first run), and refuse to run before it
    is over: until then its events may still be counting."""
    from chalicelib.jobs.runner import NotReady
    from chalicelib.services.metrics import health_backfill

    first = health_backfill.counted_from(run.at.date())
    if first >= run.at.date():
        raise NotReady(
            f"the marketplace figures count from {first:%d %b %Y} (UTC); "
            f"rebuild what came before once that day is over, from {first + timedelta(days=1):%d %b %Y}"
        )
    return 0


def _health_plan(run: JobRun) -> Iterator[Task]:
    from chalicelib.services.metrics import health_backfill

    return health_backfill.plan(health_backfill.counted_from(run.at.date()))


def _health_work(run: JobRun, task: Task) -> bool:
    from chalicelib.services.metrics import health_backfill

    del run
    return health_backfill.work(task)


register(
    Job(
        name="backfill-marketplace-health",
        cron=MANUAL,
        summary="One-off: rebuild the marketplace health figures from before they were counted",
        plan=_health_plan,
        work=_health_work,
        prepare=_first_counted_day_over,
    )
)
