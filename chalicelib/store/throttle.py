"""Throttle counters in DynamoDB under a TTL: one counter item per (scope, subject, window),
incremented atomically, and a lock item once the count reaches the policy's limit. Subjects
(emails, addresses) are stored as keyed digests, not in clear."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from chalicelib.domain.throttle import ThrottlePolicy, remaining_lock
from chalicelib.store import keys
from chalicelib.store.identity import ThrottleRecord


def _subject_pk(policy: ThrottlePolicy, subject: str, secret: bytes) -> str:
    hashed = hmac.new(secret, f"{policy.scope}:{subject}".encode(), hashlib.sha256).hexdigest()[:40]
    return keys.platform_pk("THROTTLE", f"{policy.scope}-{hashed}")


def locked_for(policy: ThrottlePolicy, subject: str, *, now: datetime, secret: bytes):
    lock = ThrottleRecord.find(_subject_pk(policy, subject, secret), "LOCK")
    return remaining_lock(lock.locked_until if lock else None, now)


def register_failure(policy: ThrottlePolicy, subject: str, *, now: datetime, secret: bytes) -> bool:
    """Count one failure; True when this failure locked the subject."""
    pk = _subject_pk(policy, subject, secret)
    counter = ThrottleRecord(pk, f"W#{policy.window_of(now)}")
    counter.update(
        actions=[
            ThrottleRecord.failures.add(1),
            ThrottleRecord.kind.set(ThrottleRecord),
            ThrottleRecord.expires_at.set(int(policy.window_ends(now).timestamp()) + 60),
        ]
    )
    if policy.should_lock(counter.failures):
        until = policy.lock_until(now)
        ThrottleRecord(pk, "LOCK", locked_until=until, expires_at=int(until.timestamp()) + 60).save()
        return True
    return False


def clear(policy: ThrottlePolicy, subject: str, *, now: datetime, secret: bytes) -> None:
    """A successful login forgets the account's failures in the current window."""
    ThrottleRecord(_subject_pk(policy, subject, secret), f"W#{policy.window_of(now)}").delete()
