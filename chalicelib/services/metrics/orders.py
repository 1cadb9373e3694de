"""A business posts its daily order counts (domain/orders.py states the rules): the denominator
of contact intensity. The count is kept on the business's day item (store/metric_writes.py
`set_orders`: a SET, so a later post for the same day replaces the earlier count, and posting the
same count twice changes nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.domain import orders as rules
from chalicelib.domain.identity import Principal

if TYPE_CHECKING:
    from chalicelib.composition import Deps

RECENT_DAYS = 14


@dataclass(frozen=True)
class PostedOrders:
    day: date
    count: int
    posted_at: datetime


def post_daily(actor: Principal, day: date, count: int, *, deps: Deps) -> PostedOrders:
    """Keep `count` as the business's orders on UTC day `day`, replacing any earlier count."""
    from chalicelib.store import metric_writes

    tenant = actor.require_tenant()
    now = deps.now().replace(second=0, microsecond=0)
    checked = rules.check(day, count, today=now.date())
    metric_writes.set_orders(tenant, checked.day, checked.count, at=now)
    return PostedOrders(checked.day, checked.count, now)


@dataclass(frozen=True)
class RecentDay:
    day: date
    count: int | None  # None: no count posted for the day
    posted_at: datetime | None


def recent(actor: Principal, *, deps: Deps, days: int = RECENT_DAYS) -> list[RecentDay]:
    """The last `days` UTC days, newest first, with the count posted for each (one Query)."""
    from chalicelib.store import metrics as store

    today = deps.now().date()
    posted = store.posted_orders(actor.require_tenant(), today - timedelta(days=days - 1), today)
    out: list[RecentDay] = []
    for n in range(days):
        day = today - timedelta(days=n)
        count, at = posted.get(day, (None, None))
        out.append(RecentDay(day, count, at))
    return out
