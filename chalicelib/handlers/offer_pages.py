"""The business's offer form: a contract offered from an application, or to an agent invited to an
opening, prefilled from the opening, with every field's problem listed at once. The agent's answer
to an offer is on the contract's page (contract_pages.py)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from chalicelib.domain.errors import DomainError, InvalidInput
from chalicelib.web import forms
from chalicelib.web.auth import MEMBER
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)


def _offer_source(ctx: PageContext):
    """Where an offer comes from: `?application=<id>`, or `?opening=<id>&agent=<id>` (invited)."""
    from chalicelib.services import applications, openings, profiles

    params = ctx.request.query_params or {}
    source = {k: (params.get(k) or ctx.form_values.get(k) or "") for k in ("application", "opening", "agent")}
    if source["application"]:
        application = applications.get(ctx.principal, source["application"])
        opening = openings.get(ctx.principal, application.opening_id)
        return opening, application.agent_name, source, application.agent_id
    if source["opening"] and source["agent"]:
        opening = openings.get(ctx.principal, source["opening"])
        agent = profiles.public_profile(source["agent"])
        return opening, agent.name, source, agent.agent_id
    raise InvalidInput("make an offer from an application or from an invited agent", field="application")


def _offer_form(ctx: PageContext, *, status=200, errors=None, values=None):
    from chalicelib.domain import money

    opening, agent_name, source, agent_id = _offer_source(ctx)
    if values is None:
        values = {
            "title": opening.title,
            "kind": "hourly" if opening.minutes_per_week else "block",
            "rate": money.format_amount(int(opening.rate_min_minor), opening.currency),
            "weekly_hours": f"{opening.minutes_per_week / 60:g}" if opening.minutes_per_week else "",
            "block_hours": f"{opening.block_minutes / 60:g}" if opening.block_minutes else "",
            "start_date": max(date.fromisoformat(opening.start_date), ctx.deps.now().date()).isoformat(),
            "end_date": "",
            "tier": "1",
            "bonus_percent": "",
            "note": "",
            **forms.window_fields(opening.coverage),
        }
    from chalicelib.domain.billing import plan_block
    from chalicelib.services import fees

    schedule = fees.current()
    rate = int(opening.rate_min_minor)
    example = plan_block(
        contract_id="example",
        agent_id="example",
        title="example",
        agent_name="example",
        minutes=40 * 60,
        rate_minor=rate,
        currency=opening.currency,
        fees=schedule,
    )
    return ctx.render(
        "offer_form.html",
        client_fee_percent=f"{schedule.client_fee_bps / 100:g}%",
        example_rate=money.format_amount(rate, opening.currency),
        example_total=money.format_amount(example.total, opening.currency),
        status=status,
        title=f"Offer {agent_name} a contract",
        opening=opening,
        agent_name=agent_name,
        agent_id=agent_id,
        source=source,
        values=values,
        errors=errors or {},
        window_rows=forms.window_rows(values),
    )


@pages.get("/app/offers/new", access=MEMBER)
def offer_form(ctx: PageContext):
    return _offer_form(ctx)


def _offer_draft(ctx: PageContext, currency: str, source: dict):
    from chalicelib.domain import contracts as terms
    from chalicelib.services.contracts import offers

    values = ctx.form_values
    found = forms.Collector()
    kind = values.get("kind", "hourly")
    if kind not in ("hourly", "block"):
        found.add("kind", "choose hourly or a block of hours")
    start = found.read(
        "start_date", lambda: date.fromisoformat(values.get("start_date", "")), "pick a start date"
    )
    end_text = values.get("end_date", "").strip()
    end = found.read(
        "end_date",
        lambda: date.fromisoformat(end_text) if end_text else None,
        "pick an end date or leave it empty",
    )
    bps = found.read(
        "bonus_percent", lambda: forms.basis_points(values.get("bonus_percent", ""), field="bonus_percent")
    )
    bonus = found.read("bonus_percent", lambda: terms.BonusRule(percent_bps=bps) if bps is not None else None)
    tier = values.get("tier", "1")
    if tier not in ("1", "2"):
        found.add("tier", "choose tier 1 or tier 2")
    windows = found.read("window_0_start", lambda: forms.weekly_windows(values))
    rate = found.read("rate", lambda: forms.money(values.get("rate", ""), currency, field="rate"))
    weekly = found.read(
        "weekly_hours", lambda: forms.minutes_from_hours(values.get("weekly_hours", ""), field="weekly_hours")
    )
    block = found.read(
        "block_hours", lambda: forms.minutes_from_hours(values.get("block_hours", ""), field="block_hours")
    )
    found.done()
    if start is None or rate is None:
        raise InvalidInput("pick a start date", field="start_date")  # done() has said so already
    return offers.OfferDraft(
        title=values.get("title", "")[:120],
        kind=terms.Kind(kind),
        rate=rate,
        weekly_cap_minutes=weekly if kind == "hourly" else None,
        block_minutes=block if kind == "block" else None,
        start_date=start,
        end_date=end,
        tier=int(tier),
        coverage=windows or None,
        bonus=bonus,
        note=values.get("note", "")[:2000],
        application_id=source["application"] or None,
        opening_id=source["opening"] or None,
        agent_id=source["agent"] or None,
    )


_FORM_FIELDS = {
    "weekly_cap_minutes": "weekly_hours",
    "block_minutes": "block_hours",
    "rate.amount": "rate",
    "rate.currency": "rate",
}


@pages.post("/app/offers", access=MEMBER)
def make_offer(ctx: PageContext):
    from chalicelib.services.contracts import offers

    opening, agent_name, source, _agent_id = _offer_source(ctx)
    try:
        draft = _offer_draft(ctx, opening.currency, source)
        # numbers that disagree (a cap above the opening's hours, a rate outside its range, below
        # the agent's lowest) pass only once the business has read them
        warnings = offers.offer_warnings(ctx.principal, draft, deps=ctx.deps)
        if warnings:
            query = urlencode({k: v for k, v in source.items() if v})
            page = ctx.confirm(
                title=f"Send this offer to {agent_name} anyway?",
                happens=[
                    *(warning.message for warning in warnings),
                    f"{agent_name} gets the offer as it is and has 7 days to answer.",
                ],
                button="Send the offer anyway",
                back=f"/app/offers/new?{query}",
                danger=False,
            )
            if page is not None:
                return page
        record = offers.make_offer(ctx.principal, draft, deps=ctx.deps)
    except DomainError as error:
        if error.code == "not_found" and error.field is None:
            raise
        status = 409 if error.code in ("not_invited", "application_not_live", "opening_not_open") else 400
        if isinstance(error, forms.FormProblems):
            return _offer_form(ctx, status=status, errors=forms.errors_of(error), values=ctx.form_values)
        field = _FORM_FIELDS.get(error.field or "", forms.field_of(error, collapse=("coverage",)))
        if field.startswith("bonus"):
            field = "bonus_percent"
        return _offer_form(ctx, status=status, errors={field: error.message}, values=ctx.form_values)
    return ctx.redirect(
        f"/app/contracts/{record.contract_id}",
        flash=f"Offer sent to {record.agent_name}: they have 7 days to answer.",
    )
