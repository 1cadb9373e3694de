"""The local stand-in for EventBridge: fires each job on its cron rule (chalicelib/jobs/schedules.py,
the same rules app.py registers), inline against the local stack. `make run` starts it.

It checks every 20 seconds which rules fired since the last check, so a laptop that slept runs a
missed firing once when it wakes (as the jobs are idempotent, that is always safe)."""

from __future__ import annotations

import signal
import sys
import time
from datetime import UTC, datetime

from local.cron import CronRule
from local.stage import apply_local_stage_environment

TICK_SECONDS = 20


def main() -> int:
    apply_local_stage_environment()
    from chalicelib import composition
    from chalicelib.jobs import runner
    from chalicelib.jobs.schedules import SCHEDULES

    composition.install()
    rules = {name: CronRule.parse(cron) for name, cron in SCHEDULES.items()}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"scheduler: {', '.join(f'{n} cron({c})' for n, c in SCHEDULES.items())}", flush=True)
    last = datetime.now(UTC)
    try:
        while True:
            time.sleep(TICK_SECONDS)
            now = datetime.now(UTC)
            for name, rule in rules.items():
                fired = rule.fired_between(last, now)
                if fired is None:
                    continue
                try:
                    report = runner.run(name, deps=composition.deps())
                    print(
                        f"scheduler: {name} at {fired:%Y-%m-%d %H:%M} UTC: {report.planned} task(s), {report.changed} changed",
                        flush=True,
                    )
                except Exception as error:  # one job's failure must not stop the others
                    print(f"scheduler: {name} failed: {error}", file=sys.stderr, flush=True)
            last = now
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
