"""The operators' marketplace health for a period (issue 16): figures from the platform day,
cohort and activity items (store/platform_metrics.py), by the rules of
domain/marketplace_health.py. Bounded Queries, never a Scan: DAY_SHARDS for the days, one per
signup month and side for the cohorts, one (or a few pages) per month and side for activity,
whatever the number of events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from chalicelib.domain import marketplace_health as rules
from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.metrics import Histogram
from chalicelib.store import platform_metrics as store


@dataclass(frozen=True)
class Durations:
    count: int
    mean_s: Fraction | None
    median_s: float | None
    p90_s: float | None


@dataclass(frozen=True)
class MoneyFigures:
    """One currency's figures (never added across currencies)."""

    currency: str
    gmv: int
    paid: int
    revenue: int
    take_rate: Fraction | None
    business_ltv: Fraction | None
    agent_ltv: Fraction | None


@dataclass(frozen=True)
class Side:
    signups: int
    active: int
    churn: rules.Churn
    funnel: list[rules.FunnelStep]
    cohorts: list[rules.CohortRow]


@dataclass(frozen=True)
class Health:
    first: date
    last: date
    totals: rules.Counters
    daily: list[tuple[date, rules.Counters]]  # every day of the period, in order
    money: list[MoneyFigures]
    openings: int
    openings_filled: int
    fill_rate: Fraction | None
    applications: int
    applications_per_opening: Fraction | None
    hires: int
    time_to_hire: Durations
    time_to_fill: Durations
    businesses: Side
    agents: Side


def _durations(totals: rules.Counters, name: str, prefix: str) -> Durations:
    histogram = Histogram.from_attributes(totals.values, prefix)
    return Durations(
        count=totals.get(f"{name}_n"),
        mean_s=rules.mean(totals.get(f"{name}_sum_s"), totals.get(f"{name}_n")),
        median_s=histogram.quantile(Fraction(1, 2)),
        p90_s=histogram.quantile(Fraction(9, 10)),
    )


def _side(side: str, first: date, last: date, signups: int) -> Side:
    seen = store.activity(side, first - timedelta(days=rules.CHURN_DAYS), last)
    months = rules.months(first, last)
    rows = rules.cohorts(side, store.cohorts(side, months), months)
    return Side(
        signups=signups,
        active=rules.active(seen, first, last),
        churn=rules.churn(seen, first, last),
        funnel=rules.side_funnel(side, rows),
        cohorts=rows,
    )


def period(first: date, last: date) -> tuple[date, date]:
    try:
        rules.check_period(first, last)
    except ValueError as error:
        raise InvalidInput(str(error), field="to") from None
    return first, last


def marketplace_health(actor: Principal, first: date, last: date) -> Health:
    if actor.kind is not PrincipalKind.OPERATOR:
        raise Forbidden("marketplace health is for platform operators")
    first, last = period(first, last)
    by_day = store.days(first, last)
    daily = [(day, by_day.get(day, rules.Counters())) for day in rules.days(first, last)]
    totals = rules.total(counters for _, counters in daily)
    businesses = _side(rules.BUSINESS, first, last, totals.get("b_signups"))
    agents = _side(rules.AGENT, first, last, totals.get("a_signups"))
    gmv, paid, revenue = totals.money("gmv"), totals.money("paid"), totals.money("revenue")
    money = [
        MoneyFigures(
            currency=currency,
            gmv=gmv.get(currency, 0),
            paid=paid.get(currency, 0),
            revenue=revenue.get(currency, 0),
            take_rate=rules.take_rate(revenue.get(currency, 0), gmv.get(currency, 0)),
            business_ltv=rules.lifetime_value(
                revenue.get(currency, 0), businesses.active, businesses.churn.rate
            ),
            agent_ltv=rules.lifetime_value(revenue.get(currency, 0), agents.active, agents.churn.rate),
        )
        for currency in sorted(set(gmv) | set(paid) | set(revenue))
    ]
    openings = totals.get("openings")
    return Health(
        first=first,
        last=last,
        totals=totals,
        daily=daily,
        money=money,
        openings=openings,
        openings_filled=totals.get("openings_filled"),
        fill_rate=rules.fill_rate(totals.get("openings_filled"), openings),
        applications=totals.get("applications"),
        applications_per_opening=rules.per_opening(totals.get("applications"), openings),
        hires=totals.get("hires"),
        time_to_hire=_durations(totals, "tth", store.TTH),
        time_to_fill=_durations(totals, "ttf", store.TTF),
        businesses=businesses,
        agents=agents,
    )
