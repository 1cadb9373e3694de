"""The weekly calendars on the JSON API: the business's coverage and the agent's week."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import AGENT, MEMBER

api = JsonApi(__name__, tag="coverage", schemas="chalicelib.schemas.coverage")


def _this_or(query):
    from chalicelib.domain import time

    return (
        time.BillingWeek.parse(query.week)
        if query.week
        else time.BillingWeek.containing(composition.deps().now())
    )


@api.get("/api/v1/coverage", query="WeekQuery", response="CalendarView", access=MEMBER)
def business_coverage(query, principal):
    """The hours your openings want covered against your agents' committed hours, in your zone."""
    from chalicelib.schemas import coverage as schemas
    from chalicelib.services import coverage

    week = _this_or(query)
    grid, committed = coverage.business_coverage(principal, week, deps=composition.deps())
    return schemas.calendar_view(grid, week, committed)


@api.get("/api/v1/agent/calendar", query="WeekQuery", response="CalendarView", access=AGENT)
def agent_calendar(query, principal):
    """Your commitments with every business and the time you logged, in your zone, clashes marked."""
    from chalicelib.schemas import coverage as schemas
    from chalicelib.services import coverage

    week = _this_or(query)
    grid, committed = coverage.agent_calendar(principal, week, deps=composition.deps())
    return schemas.calendar_view(grid, week, committed)
