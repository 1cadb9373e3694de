"""The operators' marketplace health as JSON (issue 16): GET /api/v1/admin/marketplace-health."""

from __future__ import annotations

from chalicelib.web.api import JsonApi
from chalicelib.web.auth import OPERATOR

api = JsonApi(__name__, tag="metrics", schemas="chalicelib.schemas.marketplace_health")


@api.get(
    "/api/v1/admin/marketplace-health",
    query="HealthQuery",
    response="MarketplaceHealthView",
    errors=(400,),
    access=OPERATOR,
)
def marketplace_health(query, principal):
    """GMV and take rate per currency, fill rate, time to hire and to fill, active businesses and
    agents, churn, lifetime value, funnels and signup cohorts, for `from`..`to` (UTC days,
    included; the last 30 days when left out)."""
    from chalicelib.handlers.health_pages import default_period
    from chalicelib.schemas import marketplace_health as schemas
    from chalicelib.services.metrics import health

    first, last = default_period(query.first, query.last, today=_today())
    return schemas.health_view(health.marketplace_health(principal, first, last))


def _today():
    from chalicelib import composition

    return composition.deps().now().date()
