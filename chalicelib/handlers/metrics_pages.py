"""The metrics dashboards in the portal (issue 16):

- the business's dashboard (`/app/metrics?from=&to=`): the figures for a date range at a glance,
  charts over the days (or weeks), the open spike's banner, and tables by period, by reason tag
  and per agent, each exported as CSV (`/app/metrics.csv?table=periods|reasons|agents`);
- an agent's scorecard as the business sees it (`/app/metrics/agents/<id>`, only an agent it
  contracted: anyone else's is 404) and as the agent sees their own (`/agent/scorecard`), with
  the reputation by week, each with its CSV.

The range picker is a GET form (two dates); a range the rules refuse re-renders with the error
summary and a 400, showing the last 28 days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import DomainError
from chalicelib.web.auth import AGENT, MEMBER
from chalicelib.web.portal import PageContext, Portal

if TYPE_CHECKING:
    from chalicelib.services.metrics import dashboards

pages = Portal(__name__)

TABLES = ("periods", "reasons", "agents")
PRESETS = ((7, "Last 7 days"), (28, "Last 28 days"), (91, "Last 13 weeks"), (365, "Last 12 months"))


class Show:
    """How the pages write the figures: '87 %', '12 min', '21.50 USD', '—' for no figure."""

    NONE = "—"

    @staticmethod
    def pct(value: Fraction | None) -> str:
        if value is None:
            return Show.NONE
        shown = f"{float(value * 100):.1f}".removesuffix(".0")
        return f"{shown} %"

    @staticmethod
    def dur(seconds: float | None) -> str:
        from chalicelib.web.charts import duration

        return Show.NONE if seconds is None else duration(seconds)

    @staticmethod
    def num(value: Fraction | float | None, places: int = 1) -> str:
        if value is None:
            return Show.NONE
        shown = f"{float(value):,.{places}f}"
        return shown.rstrip("0").rstrip(".") if "." in shown else shown

    @staticmethod
    def money(minor: Fraction | int | None, currency: str) -> str:
        from chalicelib.domain.money import format_amount

        if minor is None:
            return Show.NONE
        return f"{format_amount(round(minor), currency)} {currency.upper()}"

    @staticmethod
    def hours(minutes: int) -> str:
        from chalicelib.domain.diary import hours_and_minutes

        return hours_and_minutes(int(minutes))


def _query(ctx: PageContext) -> dict[str, str]:
    return {k: v for k, v in (ctx.request.query_params or {}).items() if isinstance(v, str)}


def _window(ctx: PageContext) -> tuple[dashboards.Range, dict[str, str]]:
    """The range asked for, or the default one with the refusal to show."""
    from chalicelib.services.metrics import dashboards
    from chalicelib.web import forms

    params = _query(ctx)
    today = ctx.deps.now().date()
    try:
        return dashboards.date_range(params.get("from") or None, params.get("to") or None, today=today), {}
    except DomainError as error:
        return dashboards.date_range(None, None, today=today), forms.errors_of(error)


def _presets(today: date) -> list[dict[str, str]]:
    from datetime import timedelta

    return [
        {
            "label": label,
            "query": f"from={(today - timedelta(days=days - 1)).isoformat()}&to={today.isoformat()}",
        }
        for days, label in PRESETS
    ]


def _series(rows: list[Any], value: Callable[[Any], float | None], shown: Callable[[Any], str]) -> list[Any]:
    from chalicelib.web.charts import Point

    return [Point(row.period.label, value(row.figures), shown(row.figures)) for row in rows]


def _business_charts(board: dashboards.BusinessDashboard) -> list[Any]:
    from chalicelib.web import charts

    rows = board.rows
    unit = "week" if board.window.by_week else "day"
    label = "Week" if board.window.by_week else "Day"
    return [
        charts.bars(
            "chart-contacts",
            f"Contacts per {unit}",
            _series(rows, lambda f: f.totals.contacts, lambda f: f"{f.totals.contacts:,}"),
            x_name=label,
            y_name="Contacts",
            total=f"{board.figures.totals.contacts:,}",
        ),
        charts.line(
            "chart-frt",
            "First response time, median",
            _series(rows, lambda f: f.frt_median_s, lambda f: Show.dur(f.frt_median_s)),
            axis=charts.DURATION,
            x_name=label,
            y_name="Median",
        ),
        charts.line(
            "chart-csat",
            "CSAT",
            _series(
                rows, lambda f: None if f.csat is None else float(f.csat * 100), lambda f: Show.pct(f.csat)
            ),
            axis=charts.PERCENT,
            x_name=label,
            y_name="CSAT",
        ),
        charts.line(
            "chart-intensity",
            "Contacts per 100 orders",
            _series(
                rows,
                lambda f: None if f.intensity is None else float(f.intensity),
                lambda f: Show.num(f.intensity, 2),
            ),
            x_name=label,
            y_name="Contacts per 100 orders",
        ),
    ]


@pages.get("/app/metrics", access=MEMBER)
def business_dashboard(ctx: PageContext):
    from chalicelib.services.metrics import dashboards

    window, errors = _window(ctx)
    board = dashboards.business(ctx.principal, window, deps=ctx.deps)
    return ctx.render(
        "metrics_business.html",
        status=400 if errors else 200,
        title="Metrics",
        board=board,
        window=window,
        charts=_business_charts(board),
        presets=_presets(ctx.deps.now().date()),
        values={"from": window.first.isoformat(), "to": window.last.isoformat()} if errors else _query(ctx),
        errors=errors,
        show=Show,
    )


@pages.post("/app/metrics/spikes/{spike_key}/dismiss", access=MEMBER)
def dismiss_spike(ctx: PageContext, spike_key: str):
    """The banner's "Dismiss": the spike stays in the figures; only its banner closes."""
    from chalicelib.services.metrics import spikes

    spikes.dismiss(ctx.principal, spike_key, deps=ctx.deps)
    return ctx.redirect("/app/metrics", flash="The alert is dismissed; the figures keep the spike.")


def business_csv(board: dashboards.BusinessDashboard, table: str) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of one of the dashboard's tables, as its CSV has them."""
    from chalicelib.web import csv_export

    currency = board.currency
    if table == "reasons":
        header = ["reason", "contacts", "share_percent", "contacts_per_100_orders"]
        return header, [
            [r.reason, r.contacts, _exact_pct(r.share), _exact(r.intensity)] for r in board.reasons
        ]
    if table == "agents":
        header = [
            "agent_id",
            "agent",
            "first_replies",
            "resolved",
            "frt_median_seconds",
            "frt_p90_seconds",
            "csat_percent",
            "csat_ratings",
            "sla_percent",
            "peer_score",
            "peer_reviews",
            "hours_approved",
            "earnings",
            "currency",
        ]
        rows = []
        for a in board.agents:
            f, t = a.figures, a.figures.totals
            rows.append(
                [
                    a.agent_id,
                    a.name,
                    t.first_replies,
                    t.resolved,
                    _secs(f.frt_median_s),
                    _secs(f.frt_p90_s),
                    _exact_pct(f.csat),
                    t.csat_ratings,
                    _exact_pct(f.sla),
                    _exact(f.peer_score),
                    t.peer_reviews,
                    csv_export.hours(t.minutes_approved),
                    csv_export.money(a.earnings_minor, currency),
                    currency,
                ]
            )
        return header, rows
    header = [
        "from",
        "to",
        "contacts",
        "orders",
        "contacts_per_100_orders",
        "first_replies",
        "frt_median_seconds",
        "frt_p90_seconds",
        "csat_percent",
        "csat_ratings",
        "nps",
        "nps_answers",
        "sla_percent",
        "labour_cost",
        "cost_per_contact",
        "currency",
        "hours_used",
        "hours_contracted",
        "deflection_percent",
    ]
    rows = []
    for row in board.rows:
        f, t = row.figures, row.figures.totals
        rows.append(
            [
                row.period.first.isoformat(),
                row.period.last.isoformat(),
                t.contacts,
                t.orders,
                _exact(f.intensity),
                t.first_replies,
                _secs(f.frt_median_s),
                _secs(f.frt_p90_s),
                _exact_pct(f.csat),
                t.csat_ratings,
                _exact(f.nps),
                f.nps_answers,
                _exact_pct(f.sla),
                csv_export.money(t.labour_minor, currency),
                "" if f.cost_per_contact is None else csv_export.money(round(f.cost_per_contact), currency),
                currency,
                csv_export.hours(t.minutes_used),
                csv_export.hours(t.minutes_contracted),
                _exact_pct(f.deflection),
            ]
        )
    return header, rows


def _exact(value: Fraction | None) -> str:
    return "" if value is None else f"{float(value):.2f}"


def _exact_pct(value: Fraction | None) -> str:
    return "" if value is None else f"{float(value * 100):.2f}"


def _secs(value: float | None) -> str:
    return "" if value is None else str(round(value))


@pages.get("/app/metrics.csv", access=MEMBER)
def business_export(ctx: PageContext):
    from chalicelib.services.metrics import dashboards
    from chalicelib.web import csv_export

    table = _query(ctx).get("table") or "periods"
    if table not in TABLES:
        table = "periods"
    window, _ = _window(ctx)
    board = dashboards.business(ctx.principal, window, deps=ctx.deps)
    header, rows = business_csv(board, table)
    return csv_export.response(f"metrics-{table}-{window.first}-to-{window.last}.csv", header, rows)


# -- scorecards --------------------------------------------------------------------------------------


def _scorecard_charts(card: dashboards.Scorecard) -> list[Any]:
    from chalicelib.web import charts
    from chalicelib.web.charts import Point

    rows = card.rows
    label = "Week" if card.window.by_week else "Day"
    return [
        charts.line(
            "chart-csat",
            "CSAT",
            _series(
                rows, lambda f: None if f.csat is None else float(f.csat * 100), lambda f: Show.pct(f.csat)
            ),
            axis=charts.PERCENT,
            x_name=label,
            y_name="CSAT",
        ),
        charts.line(
            "chart-frt",
            "First response time, median",
            _series(rows, lambda f: f.frt_median_s, lambda f: Show.dur(f.frt_median_s)),
            axis=charts.DURATION,
            x_name=label,
            y_name="Median",
        ),
        charts.bars(
            "chart-hours",
            "Hours approved",
            _series(
                rows,
                lambda f: f.totals.minutes_approved / 60,
                lambda f: Show.hours(f.totals.minutes_approved),
            ),
            x_name=label,
            y_name="Hours",
            total=Show.hours(card.figures.totals.minutes_approved),
        ),
        charts.line(
            "chart-reputation",
            "Reputation by week",
            [
                Point(str(w.week), float(w.score) * 100, f"{float(w.score) * 100:.1f}")
                for w in card.reputation
            ],
            x_name="Week",
            y_name="Reputation (0 to 100)",
        ),
    ]


def _scorecard_page(
    ctx: PageContext, load: Callable[[dashboards.Range], dashboards.Scorecard], csv_href: str
):
    window, errors = _window(ctx)
    card = load(window)
    return ctx.render(
        "metrics_scorecard.html",
        status=400 if errors else 200,
        title=f"{card.name}'s scorecard" if card.business else "Your scorecard",
        card=card,
        window=window,
        charts=_scorecard_charts(card),
        presets=_presets(ctx.deps.now().date()),
        csv_href=csv_href,
        values={"from": window.first.isoformat(), "to": window.last.isoformat()} if errors else _query(ctx),
        errors=errors,
        show=Show,
    )


def scorecard_csv(card: dashboards.Scorecard) -> tuple[list[str], list[list[Any]]]:
    from chalicelib.web import csv_export

    currencies = card.currencies or []
    header = [
        "from",
        "to",
        "first_replies",
        "resolved",
        "frt_median_seconds",
        "frt_p90_seconds",
        "csat_percent",
        "csat_ratings",
        "sla_percent",
        "peer_score",
        "peer_reviews",
        "hours_approved",
        *(f"earnings_{c}" for c in currencies),
    ]
    rows = []
    for row in card.rows:
        f, t = row.figures, row.figures.totals
        rows.append(
            [
                row.period.first.isoformat(),
                row.period.last.isoformat(),
                t.first_replies,
                t.resolved,
                _secs(f.frt_median_s),
                _secs(f.frt_p90_s),
                _exact_pct(f.csat),
                t.csat_ratings,
                _exact_pct(f.sla),
                _exact(f.peer_score),
                t.peer_reviews,
                csv_export.hours(t.minutes_approved),
                *(csv_export.money(t.earnings.get(c, 0), c) for c in currencies),
            ]
        )
    return header, rows


@pages.get("/app/metrics/agents/{agent_id}", access=MEMBER)
def agent_scorecard(ctx: PageContext, agent_id: str):
    from chalicelib.services.metrics import dashboards

    return _scorecard_page(
        ctx,
        lambda window: dashboards.agent_for_business(ctx.principal, agent_id, window, deps=ctx.deps),
        f"/app/metrics/agents/{agent_id}/scorecard.csv",
    )


@pages.get("/app/metrics/agents/{agent_id}/scorecard.csv", access=MEMBER)
def agent_scorecard_export(ctx: PageContext, agent_id: str):
    from chalicelib.services.metrics import dashboards
    from chalicelib.web import csv_export

    window, _ = _window(ctx)
    card = dashboards.agent_for_business(ctx.principal, agent_id, window, deps=ctx.deps)
    header, rows = scorecard_csv(card)
    return csv_export.response(f"scorecard-{card.name}-{window.first}-to-{window.last}.csv", header, rows)


@pages.get("/agent/scorecard", access=AGENT)
def own_scorecard(ctx: PageContext):
    from chalicelib.services.metrics import dashboards

    return _scorecard_page(
        ctx,
        lambda window: dashboards.own_scorecard(ctx.principal, window, deps=ctx.deps),
        "/agent/scorecard.csv",
    )


@pages.get("/agent/scorecard.csv", access=AGENT)
def own_scorecard_export(ctx: PageContext):
    from chalicelib.services.metrics import dashboards
    from chalicelib.web import csv_export

    window, _ = _window(ctx)
    card = dashboards.own_scorecard(ctx.principal, window, deps=ctx.deps)
    header, rows = scorecard_csv(card)
    return csv_export.response(f"scorecard-{window.first}-to-{window.last}.csv", header, rows)


# -- this week at a glance, on the home pages --------------------------------------------------------


def week_at_a_glance(ctx: PageContext, *, wanted: bool = True) -> dict[str, Any]:
    """What the home pages add to their context: `glance` (None when not `wanted`, or when it
    could not be read: the home page never fails for its figures) and `show`."""
    from chalicelib.domain.identity import PrincipalKind
    from chalicelib.services.metrics import glance

    if not wanted:
        return {"glance": None, "show": Show}
    try:
        if ctx.principal.kind is PrincipalKind.AGENT:
            found = glance.agent(ctx.principal, deps=ctx.deps)
        else:
            found = glance.business(ctx.principal, deps=ctx.deps)
    except Exception:
        from chalicelib.web.observability import logger

        logger.exception("this week's figures could not be read for the home page")
        found = None
    return {"glance": found, "show": Show}
