"""The business's staffing plan in the portal: the week's heatmap of agents needed against agents
contracted, the opening that fills the gap every week (the opening form, prefilled), and a surge
request for the rest of this week (with its confirmation, money shown)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import DomainError
from chalicelib.domain.money import format_amount
from chalicelib.web import forms
from chalicelib.web.auth import MEMBER
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)


def _handle_minutes(ctx: PageContext) -> tuple[int | None, dict[str, str]]:
    """The handling time the business typed to try the plan with (a query parameter)."""
    text = ((ctx.request.query_params or {}).get("handle_minutes") or "").strip()
    if not text:
        return None, {}
    if not text.isdigit():
        return None, {"handle_minutes": "enter whole minutes, such as 8"}
    return int(text), {}


@pages.get("/app/staffing", access=MEMBER)
def plan_page(ctx: PageContext):
    from chalicelib.services.metrics import staffing, surge

    minutes, errors = _handle_minutes(ctx)
    plan = None
    if minutes is not None:
        try:
            plan = staffing.plan_for(ctx.principal, deps=ctx.deps, handle_minutes=minutes)
        except DomainError as error:
            if error.field != "handle_minutes":
                raise
            minutes, errors = None, {"handle_minutes": error.message}
    if plan is None:
        plan = staffing.plan_for(ctx.principal, deps=ctx.deps)
    try:
        scope = surge.surge_scope(plan)
        why_no_surge = None
    except DomainError as error:
        scope, why_no_surge = None, error.message
    return ctx.render(
        "staffing.html",
        status=400 if errors else 200,
        title="Staffing plan",
        plan=plan,
        grid=plan.grid(),
        days=[plan.monday + timedelta(days=d) for d in range(7)],
        missing_by_day=plan.missing_by_day(),
        suggestion=staffing.opening_for(plan),
        scope=scope,
        why_no_surge=why_no_surge,
        errors=errors,
        values={"handle_minutes": (ctx.request.query_params or {}).get("handle_minutes", "")},
        handle_minutes=minutes,
    )


@pages.get("/app/staffing/opening", access=MEMBER)
def opening_form(ctx: PageContext):
    """The ordinary opening form, filled with the missing hours: it posts to /app/openings."""
    from chalicelib.domain import schedule
    from chalicelib.handlers import opening_pages
    from chalicelib.services.metrics import staffing

    plan = staffing.plan_for(ctx.principal, deps=ctx.deps)
    suggestion = staffing.opening_for(plan)
    if suggestion is None:
        return ctx.redirect("/app/staffing", flash="No agent-hours are missing in this week's plan.")
    coverage = schedule.WeeklySchedule.build(
        plan.time_zone,
        [schedule.Window.parse(d, s, e, field="coverage") for d, s, e in suggestion.windows],
    )
    today = plan.now.astimezone(ZoneInfo(plan.time_zone)).date()
    values = {
        "title": "Support for the missing hours",
        "description": (
            f"Cover the hours our staffing plan shows short (week {plan.week}): "
            f"{plan.missing_hours} agent-hours a week are missing."
        ),
        "hours_per_week": f"{suggestion.hours_per_week:g}",
        "seats": str(suggestion.seats),
        "tier": "1",
        "start_date": (today + timedelta(days=7 - today.weekday())).isoformat(),
        "language_0": "en",
        "level_0": "b2",
        **forms.window_fields(coverage.to_json()),
    }
    return opening_pages._form(ctx, action="/app/openings", values=values)


def _surge_values(ctx: PageContext, currency: str):
    """The surge form as typed, or FormProblems naming every field that cannot be read."""
    from chalicelib.services.metrics import surge

    values = ctx.form_values
    found = forms.Collector()
    hours = found.read("hours", lambda: forms.hours(values.get("hours", ""), field="hours"))
    if hours is None and "hours" not in found.problems:
        found.add("hours", "enter the hours each agent may work this week, such as 6")
    rate = found.read("rate", lambda: forms.money(values.get("rate", ""), currency, field="rate"))
    agents = ctx.form_lists.get("agent_ids", [])
    if not agents:
        found.add("agent_ids", "pick at least one agent")
    found.done()
    assert hours is not None and rate is not None  # done() said so
    return surge.SurgeRequest(agent_ids=agents, hours=hours, rate=rate)


def _surge_errors(error: DomainError) -> dict[str, str]:
    """A refusal beside its field: `agent_ids.1` by the agents, `rate.currency` by the rate."""
    if isinstance(error, forms.FormProblems):
        return forms.errors_of(error)
    name = (error.field or "form").split(".")[0]
    return {name if name in ("hours", "rate", "agent_ids") else "form": error.message}


def _surge_form(ctx: PageContext, *, status: int = 200, errors=None, values=None):
    from chalicelib.services.metrics import staffing, surge

    plan = staffing.plan_for(ctx.principal, deps=ctx.deps)
    try:
        scope = surge.surge_scope(plan)
    except DomainError as error:
        return ctx.render(
            "staffing_surge.html",
            status=status,
            title="Send a surge request",
            plan=plan,
            scope=None,
            why_no_surge=error.message,
            candidates=[],
            chosen=set(),
            errors=errors or {},
        )
    candidates = surge.surge_candidates(ctx.principal, plan, scope)
    if values is None:
        rates = [c.min_rate.minor for c in candidates if c.min_rate and c.min_rate.currency == plan.currency]
        values = {
            "hours": f"{staffing.quarter_hours(min(scope.missing_hours, 20)):g}",
            "rate": format_amount(max(rates), plan.currency) if rates else "",
        }
    return ctx.render(
        "staffing_surge.html",
        status=status,
        title="Send a surge request",
        plan=plan,
        scope=scope,
        why_no_surge=None,
        candidates=candidates,
        chosen=set(ctx.form_lists.get("agent_ids", [])),
        max_agents=surge.MAX_SURGE_AGENTS,
        errors=errors or {},
        values=values,
    )


@pages.get("/app/staffing/surge", access=MEMBER)
def surge_form(ctx: PageContext):
    return _surge_form(ctx)


@pages.post("/app/staffing/surge", access=MEMBER)
def surge(ctx: PageContext):
    from chalicelib.services.metrics import staffing, surge

    plan = staffing.plan_for(ctx.principal, deps=ctx.deps)
    try:
        request = _surge_values(ctx, plan.currency)
        checked = surge.check_surge(ctx.principal, request, plan=plan)
    except DomainError as error:
        status = 409 if error.code in ("no_gap", "week_ending") else 400
        return _surge_form(ctx, status=status, errors=_surge_errors(error), values=ctx.form_values)
    quote = checked.quote
    names = [checked.candidates[a].name for a in checked.new]
    again = [checked.candidates[a].name for a in request.agent_ids if a not in checked.new]
    hours = f"{request.hours:g}"
    rate = f"{format_amount(request.rate.minor, request.rate.currency)} {request.rate.currency.upper()}"
    happens = [
        f"{', '.join(names) if names else 'Nobody new'} "
        f"{'gets' if len(names) == 1 else 'get'} an offer of up to {hours} hours from today to "
        f"Sunday ({checked.scope.end_date:%a %d %b}), at {rate} an hour, in the hours still short "
        "this week. Each accepts or declines it like any offer; the contract ends on Sunday.",
    ]
    if again:
        happens.append(
            f"{', '.join(again)} {'was' if len(again) == 1 else 'were'} asked earlier this week: no second offer."
        )

    def amount(m) -> str:
        return f"{format_amount(m.minor, m.currency)} {m.currency.upper()}"

    money = [
        f"At most {quote.agents} × {hours} h × {rate} = {amount(quote.hours_amount)} for the hours, "
        f"if every agent accepts and works every hour (you pay for the minutes they log).",
        f"Client fee {quote.client_fee_bps / 100:g}%: {amount(quote.client_fee)}. "
        f"At most {amount(quote.total)} in all, on next week's invoice.",
    ]
    page = ctx.confirm(
        title=f"Offer {hours} extra hours to {len(names)} agent{'s' if len(names) != 1 else ''}?",
        happens=happens,
        money=money if names else [],
        button="Send the offers",
        back="/app/staffing/surge",
        danger=False,
    )
    if page is not None:
        return page
    try:
        result = surge.send_surge(ctx.principal, request, deps=ctx.deps, plan=plan)
    except DomainError as error:
        return _surge_form(ctx, status=409, errors=forms.errors_of(error), values=ctx.form_values)
    sent = [o.agent_name for o in result.offers if o.sent]
    flash = (
        f"Surge request sent to {', '.join(sent)}: each has 7 days to accept, and the week ends on Sunday."
        if sent
        else "Those agents were asked already this week: no offer was sent twice."
    )
    return ctx.redirect("/app/contracts", flash=flash)
