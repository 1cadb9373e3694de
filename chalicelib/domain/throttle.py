"""Login throttling: after too many failures in a window, the account (or the client address) is
locked for a while. Windows are fixed (a failure counts in the window its time falls in), so the
store can count with one atomic increment per failure: concurrent guesses cannot slip past a
read-modify-write race."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    scope: str
    max_failures: int
    window: timedelta
    lockout: timedelta

    def window_of(self, now: datetime) -> int:
        return int(now.timestamp() // self.window.total_seconds())

    def window_ends(self, now: datetime) -> datetime:
        seconds = self.window.total_seconds()
        return datetime.fromtimestamp((self.window_of(now) + 1) * seconds, tz=now.tzinfo)

    def should_lock(self, failures: int) -> bool:
        return failures >= self.max_failures

    def lock_until(self, now: datetime) -> datetime:
        return now + self.lockout


# Per account: a person mistyping is not locked out; a guesser gets 5 tries per 15 minutes.
ACCOUNT = ThrottlePolicy(
    "account", max_failures=5, window=timedelta(minutes=15), lockout=timedelta(minutes=15)
)
# Per client address: room for an office behind one address, not for a spray across accounts.
ADDRESS = ThrottlePolicy(
    "address", max_failures=30, window=timedelta(minutes=15), lockout=timedelta(minutes=15)
)


def remaining_lock(locked_until: datetime | None, now: datetime) -> timedelta | None:
    if locked_until is not None and now < locked_until:
        return locked_until - now
    return None
