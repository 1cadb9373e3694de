"""Rate-limit buckets in DynamoDB (the rules are in domain/limits.py): one item per (scope,
subject) holding the bucket's theoretical arrival time in epoch milliseconds, under a TTL.

Spending a token is one conditional UpdateItem, never a read-modify-write:
  1. a busy bucket (TAT between now and the latest allowed): `ADD tat interval`;
  2. an idle or new one (TAT in the past, or none): `SET tat = now + interval`. A TAT further
     ahead than a full bucket can reach (only a clock that went back can leave one: a test's, or
     a demo's) counts as idle too, beyond a minute's grace for the skew between servers.
If neither condition holds the bucket is empty (or another request moved it between the two: the
item is read and the steps are tried again). Subjects (addresses, emails, ids) are stored as keyed
digests, never in clear. This is the limiter the API, the portal, resets and invitations use, and
the help page and the inbound webhooks will:

    limits.spend(limits.in_force(deps).signup_per_address, "signup", address, deps=deps)
"""

from __future__ import annotations

import hashlib
import hmac

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import UpdateError

from chalicelib.domain.limits import Limits, Rate, RateLimited
from chalicelib.store import keys
from chalicelib.store.base import Entity, is_condition_failure

ATTEMPTS = 3


class LimitBucket(Entity, discriminator="limit"):
    tat = NumberAttribute()  # epoch milliseconds


def in_force(deps) -> Limits:
    """The limits the deployment runs with: production's unless the dependencies carry others."""
    return deps.limits or Limits()


CLOCK_SKEW_MS = 60_000


def _bucket_pk(rate: Rate, scope: str, subject: str, secret: bytes) -> str:
    # The rate is part of the key: new numbers for a limit start new buckets.
    hashed = hmac.new(secret, f"{scope}:{subject}".encode(), hashlib.sha256).hexdigest()[:40]
    return keys.platform_pk("LIMIT", f"{scope}-{rate.capacity}-{rate.interval_ms}-{hashed}")


def _try(bucket: LimitBucket, actions, condition) -> bool:
    try:
        bucket.update(actions=actions, condition=condition)
    except UpdateError as error:
        if is_condition_failure(error):
            return False
        raise
    return True


def take(rate: Rate, scope: str, subject: str, *, deps) -> int | None:
    """Spend one token; None when allowed, else the seconds to wait."""
    now_ms = int(deps.now().timestamp() * 1000)
    latest = rate.latest_allowed(now_ms)
    forget = LimitBucket.expires_at.set(rate.forgets_after_ms(now_ms) // 1000 + 60)
    bucket = LimitBucket(_bucket_pk(rate, scope, subject, deps.secret), "BUCKET")
    beyond_reach = rate.forgets_after_ms(now_ms) + CLOCK_SKEW_MS
    label = LimitBucket.kind.set(LimitBucket)
    for _ in range(ATTEMPTS):
        busy = (LimitBucket.tat >= now_ms) & (LimitBucket.tat <= latest)
        if _try(bucket, [LimitBucket.tat.add(rate.interval_ms), label, forget], busy):
            return None
        idle = (
            LimitBucket.tat.does_not_exist() | (LimitBucket.tat < now_ms) | (LimitBucket.tat > beyond_reach)
        )
        if _try(bucket, [LimitBucket.tat.set(now_ms + rate.interval_ms), label, forget], idle):
            return None
        current = LimitBucket.find(bucket.pk, bucket.sk, consistent=True)
        if current is not None and latest < current.tat <= beyond_reach:
            return rate.wait_seconds(int(current.tat), now_ms)
    # Contended past a few tries: refusing for a second is the safe answer.
    return 1


def spend(rate: Rate, scope: str, subject: str, *, deps, message: str | None = None) -> None:
    """Spend one token or raise RateLimited (a 429 with Retry-After at the edge)."""
    wait = take(rate, scope, subject, deps=deps)
    if wait is not None:
        raise RateLimited(wait, message)
