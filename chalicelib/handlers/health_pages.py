"""The operators' marketplace health page (`/admin/health?from=&to=`): GMV and take rate per
currency, openings, hires, active parties and churn, the two funnels with their drop-off, signup
cohorts, bars per day drawn on the server (web/charts.py), and each table as CSV
(`/admin/health.csv?table=money|funnels|cohorts|days&from=&to=`). The range picker is a GET form;
a range the rules refuse re-renders with the error beside the field."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from chalicelib.domain import marketplace_health as rules
from chalicelib.domain.errors import InvalidInput
from chalicelib.web.auth import OPERATOR
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)

DEFAULT_DAYS = 30
TABLES = ("money", "funnels", "cohorts", "days")
DAILY = (("b_signups", "Business signups"), ("a_signups", "Agent signups"), ("hires", "Hires"))


def default_period(first: date | None, last: date | None, *, today: date) -> tuple[date, date]:
    """The period asked for; the last DEFAULT_DAYS days (to today) for what is left out."""
    last = last or today
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    return first, last


def _parse(ctx: PageContext) -> tuple[date, date, dict[str, str]]:
    params = dict(ctx.request.query_params or {})
    values = {name: params.get(name, "") for name in ("from", "to")}
    parsed: dict[str, date | None] = {}
    for name in ("from", "to"):
        try:
            parsed[name] = date.fromisoformat(values[name]) if values[name] else None
        except ValueError:
            raise InvalidInput("Enter a date such as 2026-11-01", field=name) from None
    first, last = default_period(parsed["from"], parsed["to"], today=ctx.deps.now().date())
    return first, last, values


def pct(value: Fraction | None) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f} %"


def money(minor: Fraction | int | None, currency: str) -> str:
    from chalicelib.domain.money import format_amount

    return "—" if minor is None else f"{format_amount(round(minor), currency)} {currency.upper()}"


def duration(seconds: Fraction | float | None) -> str:
    from chalicelib.web.charts import duration as shown

    return "—" if seconds is None else shown(float(seconds))


def _charts(found) -> list[Any]:
    from chalicelib.web import charts

    drawn = []
    for name, title in DAILY:
        points = [
            charts.Point(day.strftime("%d %b"), float(c.get(name)), str(c.get(name)))
            for day, c in found.daily
        ]
        drawn.append(
            charts.bars(
                f"chart-{name.replace('_', '-')}",
                f"{title} per day",
                points,
                y_name=title,
                total=str(sum(c.get(name) for _, c in found.daily)),
            )
        )
    return drawn


@pages.get("/admin/health", access=OPERATOR)
def health_page(ctx: PageContext):
    from chalicelib.services.metrics import health

    try:
        first, last, values = _parse(ctx)
        found = health.marketplace_health(ctx.principal, first, last)
    except InvalidInput as error:
        first, last = default_period(None, None, today=ctx.deps.now().date())
        found = health.marketplace_health(ctx.principal, first, last)
        field = error.field if error.field in ("from", "to") else "to"
        return _render(
            ctx, found, status=400, errors={field: error.message}, values=dict(ctx.request.query_params or {})
        )
    return _render(ctx, found, values=values)


def _render(ctx: PageContext, found, *, status: int = 200, errors=None, values=None):
    query = f"from={found.first.isoformat()}&to={found.last.isoformat()}"
    return ctx.render(
        "admin_health.html",
        status=status,
        title="Marketplace health",
        found=found,
        charts=_charts(found),
        labels=rules.STAGE_LABELS,
        pct=pct,
        money=money,
        duration=duration,
        query=query,
        tables=TABLES,
        errors=errors or {},
        values=values or {},
    )


def rows(found, table: str) -> tuple[list[str], list[list[Any]]]:
    """A table of the page as CSV rows (money in major units with a currency column, shares as
    decimals)."""
    from chalicelib.web import csv_export

    def share(value: Fraction | None) -> str:
        return "" if value is None else f"{float(value):.4f}"

    def amount(minor: Fraction | int | None, currency: str) -> str:
        return "" if minor is None else csv_export.money(round(minor), currency)

    if table == "money":
        header = [
            "currency",
            "gmv",
            "paid",
            "revenue",
            "take_rate",
            "business_lifetime_value",
            "agent_lifetime_value",
        ]
        return header, [
            [
                m.currency,
                amount(m.gmv, m.currency),
                amount(m.paid, m.currency),
                amount(m.revenue, m.currency),
                share(m.take_rate),
                amount(m.business_ltv, m.currency),
                amount(m.agent_ltv, m.currency),
            ]
            for m in found.money
        ]
    if table == "funnels":
        header = ["side", "stage", "count", "share_of_first", "drop_off"]
        return header, [
            [side, rules.STAGE_LABELS[s.stage], s.count, share(s.of_first), share(s.drop_off)]
            for side, figures in (("businesses", found.businesses), ("agents", found.agents))
            for s in figures.funnel
        ]
    if table == "cohorts":
        header = ["side", "signup_month", "stage", "count", "share_of_signups"]
        return header, [
            [side, row.month, rules.STAGE_LABELS[s.stage], s.count, share(s.of_first)]
            for side, figures in (("businesses", found.businesses), ("agents", found.agents))
            for row in figures.cohorts
            for s in row.steps
        ]
    names = sorted({name for _, c in found.daily for name in c.values})
    return ["day", *names], [[day.isoformat(), *(c.get(n) for n in names)] for day, c in found.daily]


@pages.get("/admin/health.csv", access=OPERATOR)
def health_csv(ctx: PageContext):
    from chalicelib.services.metrics import health
    from chalicelib.web import csv_export

    table = (ctx.request.query_params or {}).get("table", "money")
    if table not in TABLES:
        raise InvalidInput(f"table is one of {', '.join(TABLES)}", field="table")
    first, last, _values = _parse(ctx)
    found = health.marketplace_health(ctx.principal, first, last)
    header, body = rows(found, table)
    return csv_export.response(f"marketplace-{table}-{found.first}-{found.last}.csv", header, body)
