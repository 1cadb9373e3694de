"""The operators' marketplace health as JSON (GET /api/v1/admin/marketplace-health). Rates are
shares between 0 and 1 (4 decimals); money stays in minor units with its currency, one row per
currency."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from pydantic import ConfigDict, Field

from chalicelib.domain import marketplace_health as rules
from chalicelib.schemas.base import Query, View
from chalicelib.schemas.marketplace import MoneyView


class HealthQuery(Query):
    first: date | None = Field(default=None, alias="from", description="first day (UTC), e.g. 2026-11-01")
    last: date | None = Field(default=None, alias="to", description="last day (UTC), included")


class DurationView(View):
    count: int
    mean_seconds: int | None
    median_seconds: int | None = Field(description="within 4.9 % (a log-scaled histogram)")
    p90_seconds: int | None


class CurrencyView(View):
    currency: str
    gmv: MoneyView = Field(description="invoiced to businesses (invoices finalised in the period)")
    paid: MoneyView
    revenue: MoneyView = Field(
        description="fees recognised in the period (client and agent fees), less the fees that refunds "
        "after payout in the period gave back: negative when those are more"
    )
    take_rate: float | None
    business_lifetime_value: MoneyView | None
    agent_lifetime_value: MoneyView | None


class StepView(View):
    stage: str
    label: str
    count: int
    share_of_first: float | None
    drop_off: float | None = Field(description="share of the stage before that did not get here")


class CohortView(View):
    month: str
    steps: list[StepView]


class SideView(View):
    signups: int
    active: int
    churn_base: int = Field(description="active in the 30 days before the period")
    churned: int = Field(description="of those, 30 days without activity by the period's last day")
    churn_rate: float | None
    funnel: list[StepView]
    cohorts: list[CohortView]


class DayView(View):
    day: date
    counters: dict[str, int]


class MarketplaceHealthView(View):
    model_config = ConfigDict(
        extra="forbid", defer_build=True, serialize_by_alias=True, populate_by_name=True
    )

    first: date = Field(serialization_alias="from")
    last: date = Field(serialization_alias="to")
    currencies: list[CurrencyView]
    openings: int
    openings_filled: int
    fill_rate: float | None
    applications: int
    applications_per_opening: float | None
    hires: int
    time_to_hire: DurationView
    time_to_fill: DurationView
    businesses: SideView
    agents: SideView
    days: list[DayView]


def share(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _seconds(value: Fraction | float | None) -> int | None:
    return None if value is None else round(value)


def _money(minor: Fraction | int | None, currency: str) -> MoneyView | None:
    return None if minor is None else MoneyView(amount=round(minor), currency=currency)


def _steps(steps: list[rules.FunnelStep]) -> list[StepView]:
    return [
        StepView(
            stage=s.stage,
            label=rules.STAGE_LABELS[s.stage],
            count=s.count,
            share_of_first=share(s.of_first),
            drop_off=share(s.drop_off),
        )
        for s in steps
    ]


def health_view(found) -> MarketplaceHealthView:
    """From services.metrics.health.Health."""

    def side(s) -> SideView:
        return SideView(
            signups=s.signups,
            active=s.active,
            churn_base=s.churn.base,
            churned=s.churn.churned,
            churn_rate=share(s.churn.rate),
            funnel=_steps(s.funnel),
            cohorts=[CohortView(month=row.month, steps=_steps(row.steps)) for row in s.cohorts],
        )

    def durations(d) -> DurationView:
        return DurationView(
            count=d.count,
            mean_seconds=_seconds(d.mean_s),
            median_seconds=_seconds(d.median_s),
            p90_seconds=_seconds(d.p90_s),
        )

    return MarketplaceHealthView(
        first=found.first,
        last=found.last,
        currencies=[
            CurrencyView(
                currency=m.currency,
                gmv=MoneyView(amount=m.gmv, currency=m.currency),
                paid=MoneyView(amount=m.paid, currency=m.currency),
                revenue=MoneyView(amount=m.revenue, currency=m.currency),
                take_rate=share(m.take_rate),
                business_lifetime_value=_money(m.business_ltv, m.currency),
                agent_lifetime_value=_money(m.agent_ltv, m.currency),
            )
            for m in found.money
        ],
        openings=found.openings,
        openings_filled=found.openings_filled,
        fill_rate=share(found.fill_rate),
        applications=found.applications,
        applications_per_opening=share(found.applications_per_opening),
        hires=found.hires,
        time_to_hire=durations(found.time_to_hire),
        time_to_fill=durations(found.time_to_fill),
        businesses=side(found.businesses),
        agents=side(found.agents),
        days=[DayView(day=day, counters=dict(c.values)) for day, c in found.daily if c.values],
    )
