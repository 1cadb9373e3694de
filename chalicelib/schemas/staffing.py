"""Models of the staffing routes: the plan of this week and a surge request."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import Field

from chalicelib.schemas.base import Command, Query, View
from chalicelib.schemas.marketplace import MoneyIn, MoneyView

if TYPE_CHECKING:
    from chalicelib.services.metrics.staffing import Plan
    from chalicelib.services.metrics.surge import Quote, SurgeResult


class PlanQuery(Query):
    handle_minutes: int | None = Field(
        default=None,
        ge=1,
        le=240,
        description="your own average handling time in minutes, instead of the measured one",
    )


class AssumptionsView(View):
    first_response_target_seconds: int
    service_level: float = Field(description="share of contacts to answer within the target")
    max_occupancy: float
    handle_seconds: int
    handle_source: str = Field(description="measured, default or yours")
    resolved_measured: int
    minutes_measured: int


class HourView(View):
    hour: int = Field(description="0..167 from Monday 00:00 on the business's clock")
    day: date
    time: str
    expected_contacts: float
    needed: int
    contracted: int
    gap: int = Field(description="agents missing (positive) or spare (negative)")


class CommitmentView(View):
    contract_id: str
    agent_id: str
    agent_name: str
    weekly_cap_minutes: int | None
    coverage_minutes: int


class PlanView(View):
    week: str
    time_zone: str
    assumptions: AssumptionsView
    history_weekly_contacts: list[int]
    expected_contacts: float
    needed_agent_hours: int
    contracted_agent_hours: int
    missing_agent_hours: int
    hours: list[HourView]
    commitments: list[CommitmentView]


def plan_view(plan: Plan) -> PlanView:
    a = plan.assumptions
    return PlanView(
        week=plan.week,
        time_zone=plan.time_zone,
        assumptions=AssumptionsView(
            first_response_target_seconds=a.target_seconds,
            service_level=a.target_level,
            max_occupancy=a.max_occupancy,
            handle_seconds=a.handle_seconds,
            handle_source=a.handle_source,
            resolved_measured=a.resolved,
            minutes_measured=a.minutes_worked,
        ),
        history_weekly_contacts=plan.weekly_totals,
        expected_contacts=round(plan.expected_contacts, 2),
        needed_agent_hours=plan.needed_hours,
        contracted_agent_hours=plan.contracted_hours,
        missing_agent_hours=plan.missing_hours,
        hours=[
            HourView(
                hour=h.hour,
                day=plan.day(h.hour),
                time=f"{h.hour % 24:02d}:00",
                expected_contacts=round(h.expected, 3),
                needed=h.needed,
                contracted=h.contracted,
                gap=h.gap,
            )
            for h in plan.hours
        ],
        commitments=[
            CommitmentView(
                contract_id=c.contract_id,
                agent_id=c.agent_id,
                agent_name=c.agent_name,
                weekly_cap_minutes=c.weekly_cap_minutes,
                coverage_minutes=c.coverage_minutes,
            )
            for c in plan.commitments
        ],
    )


class SurgeBody(Command):
    agent_ids: list[str] = Field(min_length=1, max_length=10, description="agents to ask, each once")
    hours: float = Field(gt=0, le=168, description="per agent, this week, in quarter hours")
    rate: MoneyIn


class SurgeOfferView(View):
    agent_id: str
    agent_name: str
    contract_id: str
    sent: bool = Field(description="false: this agent was asked earlier this week; the offer is that one")


class QuoteView(View):
    agents: int
    minutes_each: int
    rate: MoneyView
    hours_amount: MoneyView
    client_fee: MoneyView
    total: MoneyView


class SurgeView(View):
    week: str
    opening_id: str
    offers: list[SurgeOfferView]
    quote: QuoteView | None = Field(description="the most the new offers can cost: every hour worked")


def _money(m) -> MoneyView:
    return MoneyView(amount=m.minor, currency=m.currency)


def quote_view(q: Quote) -> QuoteView:
    return QuoteView(
        agents=q.agents,
        minutes_each=q.minutes_each,
        rate=_money(q.rate),
        hours_amount=_money(q.hours_amount),
        client_fee=_money(q.client_fee),
        total=_money(q.total),
    )


def surge_view(result: SurgeResult) -> SurgeView:
    return SurgeView(
        week=result.week,
        opening_id=result.opening_id,
        offers=[
            SurgeOfferView(
                agent_id=o.agent_id, agent_name=o.agent_name, contract_id=o.contract_id, sent=o.sent
            )
            for o in result.offers
        ],
        quote=quote_view(result.quote) if result.quote else None,
    )
