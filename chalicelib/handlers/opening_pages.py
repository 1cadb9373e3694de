"""The business's openings in the portal: list, post, revise, publish/pause/close, and the
opening's explained matches."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.errors import DomainError
from chalicelib.domain.money import format_amount
from chalicelib.web import forms
from chalicelib.web.auth import MEMBER
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)


@pages.get("/app/openings", access=MEMBER)
def list_page(ctx: PageContext):
    from chalicelib.services import openings

    return ctx.render("openings.html", title="Openings", openings=openings.listed(ctx.principal))


def _form(ctx: PageContext, *, action: str, status=200, errors=None, values=None, opening=None):
    from chalicelib.domain import schedule, vocabulary

    if values is None:
        values = {
            "hours_per_week": "12.5",
            "seats": "1",
            "tier": "1",
            "language_0": "en",
            "level_0": "b2",
            **forms.window_fields(
                {"windows": [{"day": d, "start": "09:00", "end": "17:00"} for d in schedule.DAYS[:5]]}
            ),
        }
        chosen = {"email"}
        if opening is not None:
            values = {
                "title": opening.title,
                "description": opening.description,
                "products": ", ".join(opening.products),
                "hours_per_week": f"{opening.minutes_per_week / 60:g}" if opening.minutes_per_week else "",
                "block_hours": f"{opening.block_minutes / 60:g}" if opening.block_minutes else "",
                "seats": str(opening.seats),
                "tier": str(opening.tier),
                "start_date": opening.start_date,
                "rate_min": format_amount(int(opening.rate_min_minor), opening.currency),
                "rate_max": format_amount(int(opening.rate_max_minor), opening.currency),
                **forms.window_fields(opening.coverage),
                **forms.language_fields(opening.languages),
            }
            chosen = set(opening.skills)
    else:
        chosen = set(ctx.form_lists.get("skills", []))
    return ctx.render(
        "opening_form.html",
        status=status,
        title="Revise the opening" if opening else "Post an opening",
        action=action,
        values=values,
        errors=errors or {},
        skills=vocabulary.SKILLS,
        chosen=chosen,
        levels=vocabulary.LEVEL_NAMES,
        languages=vocabulary.LANGUAGE_NAMES,
        window_rows=forms.window_rows(values),
        language_rows=range(forms.LANGUAGE_ROWS),
        opening=opening,
    )


def _draft(ctx: PageContext, currency: str):
    """The opening as typed, or FormProblems with every field that cannot be read."""
    from chalicelib.services import openings

    values = ctx.form_values
    found = forms.Collector()
    if not values.get("title", "").strip():
        found.add("title", "give the opening a title")
    start = found.read(
        "start_date", lambda: date.fromisoformat(values.get("start_date", "")), "pick a start date"
    )
    windows = found.read("window_0_start", lambda: forms.weekly_windows(values))
    if windows == []:
        found.add("window_0_start", "give the hours to cover on at least one day")
    seats, tier = values.get("seats", "1"), values.get("tier", "1")
    if not seats.isdigit():
        found.add("seats", "write the number of agents wanted, such as 1")
    if not tier.isdigit():
        found.add("tier", "write the tier, 1, 2 or 3")
    hours_per_week = found.read(
        "hours_per_week", lambda: forms.hours(values.get("hours_per_week", ""), field="hours_per_week")
    )
    block_hours = found.read(
        "block_hours", lambda: forms.hours(values.get("block_hours", ""), field="block_hours")
    )
    rate_min = found.read(
        "rate_min", lambda: forms.money(values.get("rate_min", ""), currency, field="rate_min")
    )
    rate_max = found.read(
        "rate_max", lambda: forms.money(values.get("rate_max", ""), currency, field="rate_max")
    )
    languages = found.read("language_0", lambda: forms.languages(values))
    if languages == []:
        found.add("language_0", "pick at least one language the agent must speak")
    found.done()
    assert start is not None and windows and rate_min is not None and rate_max is not None  # done() said so
    assert languages is not None
    return openings.OpeningDraft(
        title=values.get("title", "").strip()[:120],
        description=values.get("description", "")[:5000],
        skills=ctx.form_lists.get("skills", []),
        products=forms.tags(values.get("products", "")),
        languages=languages,
        coverage=windows,
        hours_per_week=hours_per_week,
        block_hours=block_hours,
        seats=int(seats),
        rate_min=rate_min,
        rate_max=rate_max,
        tier=int(tier),
        start_date=start,
    )


@pages.get("/app/openings/new", access=MEMBER)
def new_form(ctx: PageContext):
    return _form(ctx, action="/app/openings")


@pages.post("/app/openings", access=MEMBER)
def create(ctx: PageContext):
    from chalicelib.services import openings

    currency = openings._tenant(ctx.principal.require_tenant()).currency
    try:
        record = openings.post(ctx.principal, _draft(ctx, currency), deps=ctx.deps)
    except DomainError as error:
        return _form(
            ctx,
            action="/app/openings",
            status=400,
            errors=forms.errors_of(error, collapse=("coverage",)),
            values=ctx.form_values,
        )
    return ctx.redirect(
        f"/app/openings/{record.opening_id}",
        flash=f"“{record.title}” is saved as a draft: publish it when agents may apply.",
    )


@pages.get("/app/openings/{opening_id}", access=MEMBER)
def detail(ctx: PageContext, opening_id: str):
    return _detail(ctx, opening_id)


def _detail(ctx: PageContext, opening_id: str, *, status: int = 200, errors=None):
    from chalicelib.services import applications, matching, openings

    record = openings.get(ctx.principal, opening_id)
    ranked = matching.agents_for_opening(ctx.principal, opening_id)
    applicants = applications.for_opening(ctx.principal, opening_id)
    return ctx.render(
        "opening.html",
        status=status,
        errors=errors or {},
        title=record.title,
        opening=record,
        ranked=ranked,
        applicants=applicants,
        invitations=applications.invited_to(ctx.principal, opening_id),
        names={**ranked.names, **{a.agent_id: a.agent_name for a in applicants}},
    )


@pages.get("/app/openings/{opening_id}/edit", access=MEMBER)
def edit_form(ctx: PageContext, opening_id: str):
    from chalicelib.services import openings

    record = openings.get(ctx.principal, opening_id)
    return _form(ctx, action=f"/app/openings/{opening_id}/edit", opening=record)


@pages.post("/app/openings/{opening_id}/edit", access=MEMBER)
def revise(ctx: PageContext, opening_id: str):
    from chalicelib.services import openings

    record = openings.get(ctx.principal, opening_id)
    try:
        openings.revise(ctx.principal, opening_id, _draft(ctx, record.currency), deps=ctx.deps)
    except DomainError as error:
        return _form(
            ctx,
            action=f"/app/openings/{opening_id}/edit",
            status=400,
            errors=forms.errors_of(error, collapse=("coverage",)),
            values=ctx.form_values,
            opening=record,
        )
    return ctx.redirect(f"/app/openings/{opening_id}", flash="Your changes to the opening are saved.")


_DONE = {
    "publish": "is published: approved agents who fit can see it and apply.",
    "pause": "is paused: agents no longer see it; applications so far stay.",
    "close": "is closed: no more applications, and it can no longer change.",
}


def _transition(action: str):
    def handler(ctx: PageContext, opening_id: str):
        from chalicelib.services import openings

        record = openings.get(ctx.principal, opening_id)
        if action == "close" and record.status != "closed":
            page = ctx.confirm(
                title=f"Close “{record.title}”?",
                happens=[
                    "Agents can no longer see it or apply; the applications so far stay readable.",
                    "A closed opening cannot be opened again or changed: post a new one instead.",
                    "Offers already sent and contracts already running are not affected.",
                ],
                button="Close the opening",
                back=f"/app/openings/{opening_id}",
            )
            if page is not None:
                return page
        try:
            openings.act(ctx.principal, opening_id, action, deps=ctx.deps)
        except DomainError as error:
            if error.code == "not_found":
                raise
            return _detail(ctx, opening_id, status=409, errors={"form": error.message})
        return ctx.redirect(f"/app/openings/{opening_id}", flash=f"“{record.title}” {_DONE[action]}")

    handler.__name__ = f"{action}_opening"
    return handler


for _action in ("publish", "pause", "close"):
    pages.post(f"/app/openings/{{opening_id}}/{_action}", access=MEMBER)(_transition(_action))
