"""The staffing plan on the JSON API: this week's agents needed, contracted and missing per hour,
and a surge request for the rest of the week."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import MEMBER

api = JsonApi(__name__, tag="staffing", schemas="chalicelib.schemas.staffing")


@api.get("/api/v1/staffing/plan", query="PlanQuery", response="PlanView", errors=(400,), access=MEMBER)
def staffing_plan(query, principal):
    """This week's plan: contacts expected, agents needed and contracted per hour of the week."""
    from chalicelib.schemas import staffing as schemas
    from chalicelib.services.metrics import staffing

    plan = staffing.plan_for(principal, deps=composition.deps(), handle_minutes=query.handle_minutes)
    return schemas.plan_view(plan)


@api.post(
    "/api/v1/staffing/surge", body="SurgeBody", response="SurgeView", errors=(400, 404, 409), access=MEMBER
)
def surge(body, principal):
    """Offer extra hours for the rest of this week to agents who worked for you or match best
    (each agent once a week: asking again returns the offer already made)."""
    from chalicelib.domain.money import Money
    from chalicelib.schemas import staffing as schemas
    from chalicelib.services.metrics import surge

    request = surge.SurgeRequest(
        agent_ids=list(body.agent_ids),
        hours=body.hours,
        rate=Money(body.rate.amount, body.rate.currency),
    )
    return schemas.surge_view(surge.send_surge(principal, request, deps=composition.deps()))
