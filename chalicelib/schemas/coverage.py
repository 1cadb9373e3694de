"""Models of the calendar routes: the business's coverage and the agent's week."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from pydantic import Field

from chalicelib.schemas.base import Query, View

if TYPE_CHECKING:
    from chalicelib.domain import calendar
    from chalicelib.domain.time import BillingWeek
    from chalicelib.store.contracts import ContractRecord


class WeekQuery(Query):
    week: str | None = Field(default=None, description="2026-W48; this week when left out")


class CellView(View):
    state: str
    labels: list[str]
    logged: bool


class RowView(View):
    time: str
    cells: list[CellView]


class CalendarView(View):
    week: str
    time_zone: str
    days: list[date]
    rows: list[RowView]
    totals_minutes: dict[str, int]
    commitments: list[dict]


def calendar_view(
    grid: calendar.WeekGrid, week: BillingWeek, commitments: Sequence[ContractRecord]
) -> CalendarView:
    return CalendarView(
        week=str(week),
        time_zone=grid.zone,
        days=list(grid.days),
        rows=[
            RowView(
                time=row.label,
                cells=[CellView(state=c.state, labels=list(c.labels), logged=c.logged) for c in row.cells],
            )
            for row in grid.rows
        ],
        totals_minutes=dict(grid.totals),
        commitments=[
            {
                "contract_id": c.contract_id,
                "title": c.title,
                "business": c.business_name,
                "agent": c.agent_name,
            }
            for c in commitments
        ],
    )
