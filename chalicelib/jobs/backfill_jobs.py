"""One-off backfills: items that an index or an aggregate added after data already existed needs
for the data from before. Never scheduled (`cron=MANUAL`); run by hand once after the deployment
that brings the index, e.g. `make job JOB=backfill-business-names` (README, "Backfills").

They read the whole table with a Scan, which is allowed here only because no request waits on
them (store/scans.py): the table is split into parallel segments, one task each, so the jobs
queue's workers read them side by side. Every write goes through the function the request path
uses (the items come out identical) under a condition or after a check of what is there, so a
run twice, or again after a crash half-way, writes nothing more than one clean run:

| job | what it writes |
|---|---|
| `backfill-business-names` | the operators' name search items of every business (store/directory.py) |
| `backfill-interviews` | the index keys and names that list an interview on both sides' action lists |
"""

from __future__ import annotations

from collections.abc import Iterator

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
