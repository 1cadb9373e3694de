"""An in-memory stand-in for the DynamoDB rate-limit buckets (chalicelib/store/limits.py), for the
tests that are not about limits.

Why: every authenticated request spends from two buckets (its session's or key's, and its
tenant's), and with a test's hand-moved clock each spend after the first takes the store's second
step: three or four UpdateItems of DynamoDB Local per API call, about a quarter of the suite's
requests, proving the limiter again in tests about something else. The fake keeps the same GCRA
state per (rate, scope, subject) and answers exactly as the store does (same idle, busy, empty and
"beyond reach" cases, same wait), so a test that runs into a limit (an invitation cap, a message
burst) sees the same answer; `tests/integration/test_abuse_limits.py` keeps the real buckets
(marker `dynamodb_limiter`), and a test there checks this fake against them step by step."""

from __future__ import annotations

from chalicelib.domain.limits import Rate
from chalicelib.store.limits import CLOCK_SKEW_MS, _wait


class InMemoryBuckets:
    """Each bucket's theoretical arrival time (TAT), in epoch milliseconds, per test."""

    def __init__(self) -> None:
        self.tat: dict[tuple[Rate, str, str], int] = {}

    def take(self, rate: Rate, scope: str, subject: str, *, deps, cost: int = 1) -> int | None:
        if not 1 <= cost <= rate.capacity:
            return int(rate.per.total_seconds())
        now_ms = int(deps.now().timestamp() * 1000)
        latest = rate.latest_allowed(now_ms) - (cost - 1) * rate.interval_ms
        step = cost * rate.interval_ms
        beyond_reach = rate.forgets_after_ms(now_ms) + CLOCK_SKEW_MS
        key = (rate, scope, subject)
        tat = self.tat.get(key)
        if tat is None or tat < now_ms or tat > beyond_reach:  # idle or new
            self.tat[key] = now_ms + step
            return None
        if tat <= latest:  # busy, with room
            self.tat[key] = tat + step
            return None
        return _wait(tat, latest)  # empty
