"""Rate-limit buckets in DynamoDB (the rules are in domain/limits.py): one item per (scope,
subject) holding the bucket's theoretical arrival time (TAT) in epoch milliseconds, under a TTL.

Spending a token is a conditional UpdateItem, never a read-modify-write, and most spends are one
request:
  1. an idle or new bucket (no TAT yet, or a TAT in the past: the caller is slower than the rate,
     which is how people and most integrations use deskhire): `SET tat = now + interval`. A TAT
     further ahead than a full bucket can reach (only a clock that went back can leave one: a
     test's, or a demo's) counts as idle too, beyond a minute's grace for the skew between servers;
  2. a busy bucket (TAT between now and the latest allowed, a caller bursting): `ADD tat interval`.
Each update asks DynamoDB for the item as it was when its condition failed
(ReturnValuesOnConditionCheckFailure), so a failed step says which case holds without a read: a
new or idle bucket costs one request, a busy one two, an empty one (refused) one. Only when
another request moved the bucket between the two steps are they tried again. Subjects (addresses,
emails, ids) are stored as keyed digests, never in clear. This is the limiter the API, the
portal, resets and invitations use, and the help page and the inbound webhooks will:

    limits.spend(limits.in_force(deps).signup_per_address, "signup", address, deps=deps)
"""

from __future__ import annotations

import hashlib
import hmac

from botocore.exceptions import ClientError

from chalicelib.domain.limits import Limits, Rate, RateLimited
from chalicelib.store import keys
from chalicelib.store.attributes import IntegerAttribute
from chalicelib.store.base import Entity

ATTEMPTS = 3


class LimitBucket(Entity, discriminator="limit"):
    tat = IntegerAttribute()  # epoch milliseconds


def in_force(deps) -> Limits:
    """The limits the deployment runs with: production's unless the dependencies carry others."""
    return deps.limits or Limits()


CLOCK_SKEW_MS = 60_000


def _bucket_pk(rate: Rate, scope: str, subject: str, secret: bytes) -> str:
    # The rate is part of the key: new numbers for a limit start new buckets.
    hashed = hmac.new(secret, f"{scope}:{subject}".encode(), hashlib.sha256).hexdigest()[:40]
    return keys.platform_pk("LIMIT", f"{scope}-{rate.capacity}-{rate.interval_ms}-{hashed}")


class _Applied:
    """The update was made (the token is spent)."""


APPLIED = _Applied()


def _try(pk: str, actions, condition) -> _Applied | int | None:
    """Make the update if `condition` holds: APPLIED. Otherwise the bucket's TAT as DynamoDB held
    it when the condition failed (None: no bucket yet)."""
    table = LimitBucket._get_connection()
    connection = table.connection
    request = connection.get_operation_kwargs(
        table.table_name,
        pk,
        range_key="BUCKET",
        actions=actions,
        condition=condition,
        return_values_on_condition_failure="ALL_OLD",
    )
    try:
        # PynamoDB's update_item cannot ask for the old item on a failed condition; its dispatch
        # sends the same UpdateItem with that one parameter more.
        connection.dispatch("UpdateItem", request)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        # PynamoDB restates botocore's error without the item; the original carries it.
        original = error.__cause__ if isinstance(error.__cause__, ClientError) else error
        tat = (original.response.get("Item") or {}).get("tat")
        return int(tat["N"]) if tat else None
    return APPLIED


def take(rate: Rate, scope: str, subject: str, *, deps, cost: int = 1) -> int | None:
    """Spend `cost` tokens at once (one unless a request stands for several: a survey to 200
    people spends 200 of a daily recipients bucket); None when allowed, else the seconds to wait.
    All or nothing: a bucket holding fewer than `cost` spends none."""
    if not 1 <= cost <= rate.capacity:
        return int(rate.per.total_seconds())  # more than a full bucket ever holds
    now_ms = int(deps.now().timestamp() * 1000)
    # GCRA for `cost` cells: allowed while the TAT leaves room for all of them
    latest = rate.latest_allowed(now_ms) - (cost - 1) * rate.interval_ms
    step = cost * rate.interval_ms
    forget = LimitBucket.expires_at.set(rate.forgets_after_ms(now_ms) // 1000 + 60)
    pk = _bucket_pk(rate, scope, subject, deps.secret)
    beyond_reach = rate.forgets_after_ms(now_ms) + CLOCK_SKEW_MS
    label = LimitBucket.kind.set(LimitBucket)
    idle = LimitBucket.tat.does_not_exist() | (LimitBucket.tat < now_ms) | (LimitBucket.tat > beyond_reach)
    busy = (LimitBucket.tat >= now_ms) & (LimitBucket.tat <= latest)
    for _ in range(ATTEMPTS):
        found = _try(pk, [LimitBucket.tat.set(now_ms + step), label, forget], idle)
        if isinstance(found, _Applied):
            return None
        if found is not None and latest < found <= beyond_reach:
            return _wait(found, latest)  # empty: refused without another request
        found = _try(pk, [LimitBucket.tat.add(step), label, forget], busy)
        if isinstance(found, _Applied):
            return None
        if found is not None and latest < found <= beyond_reach:
            return _wait(found, latest)
        # The bucket moved between the two steps (idle again, or gone): try again.
    # Contended past a few tries: refusing for a second is the safe answer.
    return 1


def _wait(tat_ms: int, latest_ms: int) -> int:
    """Seconds until the bucket has room again (Retry-After), at least one."""
    return max(1, -(-(tat_ms - latest_ms) // 1000))


def spend(rate: Rate, scope: str, subject: str, *, deps, message: str | None = None, cost: int = 1) -> None:
    """Spend one token (or `cost`) or raise RateLimited (a 429 with Retry-After at the edge)."""
    wait = take(rate, scope, subject, deps=deps, cost=cost)
    if wait is not None:
        raise RateLimited(wait, message)
