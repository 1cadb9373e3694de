"""Models of the daily order counts route (POST /api/v1/orders/daily)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from pydantic import Field

from chalicelib.domain import orders as rules
from chalicelib.schemas.base import Command, View

if TYPE_CHECKING:
    from chalicelib.services.metrics.orders import PostedOrders


class DailyOrdersBody(Command):
    day: date = Field(
        description=f"the UTC day, YYYY-MM-DD: not in the future, at most {rules.WINDOW_DAYS} days back"
    )
    count: int = Field(ge=0, le=rules.MAX_COUNT, description="the orders placed that day")


class DailyOrdersView(View):
    day: date
    count: int
    posted_at: datetime = Field(description="when this count was kept; it replaced any earlier one")


def orders_view(posted: PostedOrders) -> DailyOrdersView:
    return DailyOrdersView(day=posted.day, count=posted.count, posted_at=posted.posted_at)
