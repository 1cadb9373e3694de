"""The metrics dashboards on the JSON API (issue 16): the business's figures for a date range,
per period, reason tag and agent; an agent's scorecard (a business reads the agents it contracted,
their work for it; an agent reads their own, across businesses; anyone else's is 404)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import composition
from chalicelib.domain.identity import PrincipalKind
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import INTEGRATION, Access

if TYPE_CHECKING:  # for the annotations; each route imports its models when it runs
    from chalicelib.schemas import dashboards as schemas


api = JsonApi(__name__, tag="metrics", schemas="chalicelib.schemas.dashboards")

SCORECARD_READERS = Access(
    "scorecard_readers", frozenset({PrincipalKind.MEMBER, PrincipalKind.API_KEY, PrincipalKind.AGENT})
)


@api.get(
    "/api/v1/metrics/business",
    query="RangeQuery",
    response="BusinessDashboardView",
    errors=(400,),
    access=INTEGRATION,
)
def business_metrics(query: schemas.RangeQuery, principal) -> schemas.BusinessDashboardView:
    """The business's figures for `from`..`to` (UTC days, both included; the last 28 days by
    default, at most 366): contacts, first response time (median, p90), CSAT, NPS, contact
    intensity overall and by reason tag, SLA attainment, labour cost and cost per contact, hours
    used and contracted, deflection; by day (by ISO week over 92 days) and per agent; open spikes."""
    from chalicelib.schemas import dashboards as schemas
    from chalicelib.services.metrics import dashboards

    deps = composition.deps()
    window = dashboards.date_range(_text(query.first), _text(query.last), today=deps.now().date())
    return schemas.business_dashboard_view(dashboards.business(principal, window, deps=deps))


@api.get(
    "/api/v1/metrics/agents/{agent_id}",
    query="RangeQuery",
    response="ScorecardView",
    errors=(400, 404),
    access=SCORECARD_READERS,
)
def agent_metrics(agent_id: str, query: schemas.RangeQuery, principal) -> schemas.ScorecardView:
    """An agent's scorecard for `from`..`to`: CSAT, peer score, first response time, hours,
    earnings, reputation by week. A business reads an agent it contracted (their work for it);
    an agent reads their own (across businesses); anyone else's is 404."""
    from chalicelib.domain.errors import NotFound
    from chalicelib.schemas import dashboards as schemas
    from chalicelib.services.metrics import dashboards

    deps = composition.deps()
    window = dashboards.date_range(_text(query.first), _text(query.last), today=deps.now().date())
    if principal.kind is PrincipalKind.AGENT:
        if principal.id != agent_id:
            raise NotFound("no such agent")
        card = dashboards.own_scorecard(principal, window, deps=deps)
    else:
        card = dashboards.agent_for_business(principal, agent_id, window, deps=deps)
    return schemas.scorecard_view(card)


def _text(day) -> str | None:
    return day.isoformat() if day is not None else None
