"""Run a job by hand against the local stack (or any stage the environment points at):

    make job JOB=lock-week                    # the week its schedule is for (last week, after Monday noon)
    make job JOB=lock-week WEEK=2026-W48      # a given week; refused before its time has come
    make job JOB=expire-offers AT=2026-12-01T10:00:00Z   # as of another moment (demos)
    make job JOB=backfill-business-names      # a one-off backfill (never scheduled; README, "Backfills")
    python -m local.jobs --list

Each job is idempotent: running it again changes nothing more."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime

from local.stage import apply_local_stage_environment


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // total if total else width
    print(
        f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
        end="" if done < total else "\n",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("job", nargs="?", help="the job's name (see --list)")
    parser.add_argument("--week", help="a billing week such as 2026-W48 (weekly jobs)")
    parser.add_argument("--at", help="run as of this moment, RFC 3339 (default: now)")
    parser.add_argument("--from", dest="first", help="the first day of a range, 2026-03-01 (metrics-rollup)")
    parser.add_argument("--to", dest="last", help="the last day of a range, 2026-03-31 (metrics-rollup)")
    parser.add_argument("--list", action="store_true", help="list the jobs and their schedules")
    args = parser.parse_args(argv)

    apply_local_stage_environment()
    from chalicelib import composition
    from chalicelib.domain.errors import DomainError
    from chalicelib.domain.time import BillingWeek
    from chalicelib.jobs import registry, runner

    jobs = registry.load()
    if args.list or not args.job:
        for name, job in sorted(jobs.items()):
            when = f"cron({job.cron})" if job.scheduled else "by hand only"
            print(f"{name:<28} {when:<22} {job.summary}")
        return 0 if args.list else 2
    composition.install()
    try:
        at = datetime.fromisoformat(args.at.replace("Z", "+00:00")) if args.at else None
        week = BillingWeek.parse(args.week) if args.week else None
        print(f"{args.job}{' for ' + str(week) if week else ''}...", flush=True)
        first = date.fromisoformat(args.first) if args.first else None
        last = date.fromisoformat(args.last) if args.last else None
        report = runner.run(
            args.job, deps=composition.deps(), at=at, week=week, progress=_progress, first=first, last=last
        )
    except (DomainError, KeyError, ValueError) as error:
        print(f"not run: {getattr(error, 'message', error)}", file=sys.stderr)
        return 1
    print(
        f"{report.job}{' ' + report.week if report.week else ''}: {report.planned} task(s), "
        f"{report.changed} changed{f', {report.prepared} prepared' if report.prepared else ''}, "
        f"{len(report.failures)} failed"
    )
    for failure in report.failures:
        print(f"  failed: {failure}", file=sys.stderr)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
