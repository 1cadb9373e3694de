"""Models of the metrics dashboards' routes (issue 16): the business's figures for a date range
and an agent's scorecard. Shares and scores are numbers rounded for reading (a percentage to 0.1,
a peer score to 0.01) beside the counts they come from, so that a client can recompute them
exactly; durations are whole seconds; money is `{"amount": minor units, "currency"}`."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING

from pydantic import ConfigDict, Field

from chalicelib.schemas.base import Query, View
from chalicelib.schemas.marketplace import MoneyView

if TYPE_CHECKING:
    from chalicelib.services.metrics import dashboards


class RangeQuery(Query):
    first: date | None = Field(default=None, alias="from", description="first day (UTC), e.g. 2026-11-01")
    last: date | None = Field(default=None, alias="to", description="last day (UTC), included")


class _Dated(View):
    """A view whose first and last days are written `from` and `to`, as the query takes them."""

    model_config = ConfigDict(
        extra="forbid", defer_build=True, serialize_by_alias=True, populate_by_name=True
    )


class RangeView(_Dated):
    first: date = Field(serialization_alias="from")
    last: date = Field(serialization_alias="to")
    days: int
    by: str = Field(description="day or week: what one row of `periods` is")


class BusinessFiguresView(View):
    contacts: int
    orders: int
    first_replies: int
    frt_median_seconds: int | None
    frt_p90_seconds: int | None
    csat_percent: float | None = Field(description="ratings of 4 or 5 over all ratings x 100")
    csat_ratings: int
    nps: float | None = Field(description="% promoters - % detractors, -100 to 100")
    nps_answers: int
    contact_intensity: float | None = Field(description="contacts per 100 orders")
    sla_percent: float | None = Field(description="first replies within target over those judged x 100")
    sla_met: int
    sla_breached: int
    labour_cost: MoneyView
    cost_per_contact: MoneyView | None
    minutes_used: int
    minutes_contracted: int
    deflection_percent: float | None = Field(description="deflected visits over visits that searched x 100")
    help_searched: int
    deflected: int


class PeriodView(_Dated):
    first: date = Field(serialization_alias="from")
    last: date = Field(serialization_alias="to")
    figures: BusinessFiguresView


class ReasonView(View):
    reason: str
    contacts: int
    share_percent: float | None
    contact_intensity: float | None


class AgentFiguresView(View):
    first_replies: int
    resolved: int
    frt_median_seconds: int | None
    frt_p90_seconds: int | None
    csat_percent: float | None
    csat_ratings: int
    sla_percent: float | None
    peer_score: float | None = Field(description="mean peer-review score, 1 to 5")
    peer_reviews: int
    minutes_approved: int
    earnings: list[MoneyView]


class AgentRowView(View):
    agent_id: str
    name: str
    figures: AgentFiguresView


class SpikeView(View):
    at: str = Field(description="the day (yyyy-mm-dd) or hour (yyyy-mm-ddThh) that stood out")
    measure: str
    value: float
    baseline: float
    drivers: list[str]


class BusinessDashboardView(_Dated):
    range: RangeView
    currency: str
    figures: BusinessFiguresView
    periods: list[PeriodView]
    reasons: list[ReasonView]
    agents: list[AgentRowView]
    spikes: list[SpikeView]


class AgentPeriodView(_Dated):
    first: date = Field(serialization_alias="from")
    last: date = Field(serialization_alias="to")
    figures: AgentFiguresView


class ReputationWeekView(View):
    week: str
    score: float


class ScorecardView(_Dated):
    agent_id: str
    name: str
    range: RangeView
    figures: AgentFiguresView
    periods: list[AgentPeriodView]
    reputation: list[ReputationWeekView]


# -- from the service's results --------------------------------------------------------------------


def _percent(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value * 100), 1)


def _number(value: Fraction | None, places: int = 1) -> float | None:
    return None if value is None else round(float(value), places)


def _seconds(value: float | None) -> int | None:
    return None if value is None else round(value)


def range_view(window: dashboards.Range) -> RangeView:
    return RangeView(
        first=window.first, last=window.last, days=window.days, by="week" if window.by_week else "day"
    )


def business_figures_view(f: dashboards.Figures, currency: str) -> BusinessFiguresView:
    t = f.totals
    cost = f.cost_per_contact
    return BusinessFiguresView(
        contacts=t.contacts,
        orders=t.orders,
        first_replies=t.first_replies,
        frt_median_seconds=_seconds(f.frt_median_s),
        frt_p90_seconds=_seconds(f.frt_p90_s),
        csat_percent=_percent(f.csat),
        csat_ratings=t.csat_ratings,
        nps=_number(f.nps),
        nps_answers=f.nps_answers,
        contact_intensity=_number(f.intensity, 2),
        sla_percent=_percent(f.sla),
        sla_met=t.sla_met,
        sla_breached=t.sla_breached,
        labour_cost=MoneyView(amount=t.labour_minor, currency=currency),
        cost_per_contact=None if cost is None else MoneyView(amount=round(cost), currency=currency),
        minutes_used=t.minutes_used,
        minutes_contracted=t.minutes_contracted,
        deflection_percent=_percent(f.deflection),
        help_searched=t.help_searched,
        deflected=t.deflected,
    )


def agent_figures_view(f: dashboards.AgentFigures) -> AgentFiguresView:
    t = f.totals
    return AgentFiguresView(
        first_replies=t.first_replies,
        resolved=t.resolved,
        frt_median_seconds=_seconds(f.frt_median_s),
        frt_p90_seconds=_seconds(f.frt_p90_s),
        csat_percent=_percent(f.csat),
        csat_ratings=t.csat_ratings,
        sla_percent=_percent(f.sla),
        peer_score=_number(f.peer_score, 2),
        peer_reviews=t.peer_reviews,
        minutes_approved=t.minutes_approved,
        earnings=[MoneyView(amount=n, currency=c) for c, n in sorted(t.earnings.items())],
    )


def business_dashboard_view(board: dashboards.BusinessDashboard) -> BusinessDashboardView:
    return BusinessDashboardView(
        range=range_view(board.window),
        currency=board.currency,
        figures=business_figures_view(board.figures, board.currency),
        periods=[
            PeriodView(
                first=row.period.first,
                last=row.period.last,
                figures=business_figures_view(row.figures, board.currency),
            )
            for row in board.rows
        ],
        reasons=[
            ReasonView(
                reason=r.reason,
                contacts=r.contacts,
                share_percent=_percent(r.share),
                contact_intensity=_number(r.intensity, 2),
            )
            for r in board.reasons
        ],
        agents=[
            AgentRowView(agent_id=a.agent_id, name=a.name, figures=agent_figures_view(a.figures))
            for a in board.agents
        ],
        spikes=[
            SpikeView(
                at=s.key,
                measure=s.measure,
                value=float(s.value),
                baseline=float(s.baseline),
                drivers=list(s.drivers),
            )
            for s in board.spikes
        ],
    )


def scorecard_view(card: dashboards.Scorecard) -> ScorecardView:
    return ScorecardView(
        agent_id=card.agent_id,
        name=card.name,
        range=range_view(card.window),
        figures=agent_figures_view(card.figures),
        periods=[
            AgentPeriodView(
                first=row.period.first, last=row.period.last, figures=agent_figures_view(row.figures)
            )
            for row in card.rows
        ],
        reputation=[
            ReputationWeekView(week=str(w.week), score=round(float(w.score), 4)) for w in card.reputation
        ],
    )
