"""A business's daily order counts on the JSON API (issue 16): the denominator of contact
intensity, posted by the business's integration (its API key) or a member."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import composition
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import INTEGRATION

if TYPE_CHECKING:  # for the annotations; the route imports its models when it runs
    from chalicelib.schemas import orders as schemas

api = JsonApi(__name__, tag="metrics", schemas="chalicelib.schemas.orders")


@api.post(
    "/api/v1/orders/daily",
    body="DailyOrdersBody",
    response="DailyOrdersView",
    errors=(400,),
    access=INTEGRATION,
)
def post_daily_orders(body: schemas.DailyOrdersBody, principal) -> schemas.DailyOrdersView:
    """The business's orders on one UTC day (a later post for the same day replaces the count).
    The day is today or up to 91 days back; the count is 0 to 10,000,000."""
    from chalicelib.schemas import orders as schemas
    from chalicelib.services.metrics import orders

    return schemas.orders_view(orders.post_daily(principal, body.day, body.count, deps=composition.deps()))
