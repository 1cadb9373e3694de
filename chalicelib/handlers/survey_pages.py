"""The business's side of what its customers answer (issue 15): its NPS surveys (send one to a
pasted CSV or list of addresses; the answers and the score, per survey and over all) and its CSAT
ratings (the month's, with the agents rated and the share of 4s and 5s)."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.errors import DomainError
from chalicelib.web.auth import MEMBER
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)


def _surveys_page(ctx: PageContext, *, status: int = 200, errors=None):
    from chalicelib.domain.surveys import LINK_DAYS, MAX_RECIPIENTS
    from chalicelib.services import nps

    surveys = nps.surveys(ctx.principal)
    return ctx.render(
        "nps.html",
        status=status,
        title="NPS surveys",
        overall=nps.overall(ctx.principal),
        surveys=[(s, nps.tally_of(s)) for s in surveys],
        max_recipients=MAX_RECIPIENTS,
        link_days=LINK_DAYS,
        errors=errors or {},
    )


@pages.get("/app/nps", access=MEMBER)
def surveys_page(ctx: PageContext):
    return _surveys_page(ctx)


@pages.post("/app/nps/surveys", access=MEMBER)
def send_survey(ctx: PageContext):
    from chalicelib.domain import surveys as rules
    from chalicelib.services import nps

    try:
        emails = rules.parse_recipients(ctx.form_values.get("recipients", ""))
        survey = nps.send(ctx.principal, name=ctx.form_values.get("name"), recipients=emails, deps=ctx.deps)
    except DomainError as error:
        if error.code in ("rate_limited", "too_many_requests"):
            return _surveys_page(ctx, status=429, errors={"recipients": error.message})
        field = error.field if error.field in ("name", "recipients") else "form"
        return _surveys_page(ctx, status=400, errors={field: error.message})
    people = f"{int(survey.recipients)} {'person' if int(survey.recipients) == 1 else 'people'}"
    return ctx.redirect(f"/app/nps/surveys/{survey.survey_id}", flash=f"Survey sent to {people}.")


@pages.get("/app/nps/surveys/{survey_id}", access=MEMBER)
def survey_page(ctx: PageContext, survey_id: str):
    from chalicelib.services import nps

    survey = nps.survey(ctx.principal, survey_id)
    answers = nps.answers(ctx.principal, survey_id)
    return ctx.render(
        "nps_survey.html",
        title=survey.name or "NPS survey",
        survey=survey,
        tally=nps.tally_of(survey),
        answers=answers,
    )


@pages.get("/app/ratings", access=MEMBER)
def ratings_page(ctx: PageContext):
    """The month's CSAT ratings (`?month=yyyy-mm`, this month by default)."""
    from chalicelib.domain.reputation import csat
    from chalicelib.services import ratings

    now = ctx.deps.now()
    asked = (ctx.request.query_params or {}).get("month") or ""
    try:
        month = datetime.strptime(asked, "%Y-%m").replace(tzinfo=UTC) if asked else now
    except ValueError:
        month = now
    found = ratings.of_business(ctx.principal, month=month, limit=500)
    by_agent: dict[str, list[int]] = {}
    for rating in found:
        by_agent.setdefault(rating.agent_name or "Your team", []).append(int(rating.score))
    share = csat(sum(1 for r in found if int(r.score) >= 4), len(found))
    return ctx.render(
        "ratings.html",
        title="Customer ratings",
        month=month,
        ratings=found,
        csat=None if share is None else round(share * 100),
        agents=sorted(
            (
                (name, len(scores), round(100 * sum(1 for s in scores if s >= 4) / len(scores)))
                for name, scores in by_agent.items()
            ),
            key=lambda row: (-row[1], row[0]),
        ),
    )
