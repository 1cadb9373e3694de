"""The scheduled functions and the jobs worker: thin entry points into chalicelib.jobs.runner
(imported on first use, so that API requests do not pay for the jobs at cold start)."""

from __future__ import annotations

from chalicelib import composition


def scheduled(name: str) -> dict:
    from chalicelib.jobs import runner

    report = runner.scheduled(name, deps=composition.deps())
    return {"job": name, "week": report.week, "planned": report.planned, "changed": report.changed}


def work(event) -> None:
    """One batch of tasks from the jobs queue. A failure raises, so SQS retries the batch (every
    task is idempotent) and parks a message that keeps failing in the dead-letter queue."""
    from chalicelib.jobs import runner

    deps = composition.deps()
    for record in event:
        runner.work_message(record.body, deps=deps)
