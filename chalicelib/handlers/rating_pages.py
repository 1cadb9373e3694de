"""The customer's answer pages on a business's public address (no sign-in): the CSAT rating of a
resolved inquiry, `/help/<slug>/rate/<token>`, and an NPS survey's answer, `/help/<slug>/nps/<token>`
(route parameters under /help/ are named `slug`: API Gateway allows one name per path level).

The link in the mail opens a page that confirms the answer and takes an optional comment: the
GET records nothing (mail scanners open links), the form's POST records it once. A link that is
not signed, altered, another business's, expired or used already shows a page that says so and
records nothing (PROMISES R1). Rate-limited as the help centre's pages are, per client address and
per business, and answers on top per client address (`answers_per_address`)."""

from __future__ import annotations

from chalicelib.domain.errors import DomainError
from chalicelib.web.auth import PUBLIC, client_address
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)

# What each refused link answers: a page in plain words with its status.
STATUS = {"invalid": 404, "expired": 410, "used": 200}


def _open(ctx: PageContext, slug: str):
    from chalicelib.services import ratings
    from chalicelib.services.knowledge import help_centre

    help_centre.admit_address(client_address(ctx.request), searching=False, deps=ctx.deps)
    found = ratings.business_by_slug(slug)
    help_centre.admit_business(found, deps=ctx.deps)
    return found


def _rating_page(ctx: PageContext, found, token: str, link, *, status: int | None = None, errors=None):
    from chalicelib.services import ratings

    return ctx.render(
        "rate.html",
        status=status or STATUS.get(link.state, 200),
        title=f"Rate your request · {found.name}",
        business=found,
        link=link,
        token=token,
        labels=ratings.LABELS,
        scores=ratings.SCORES,
        errors=errors or {},
    )


@pages.get("/help/{slug}/rate/{token}", access=PUBLIC)
def rating_form(ctx: PageContext, slug: str, token: str):
    from chalicelib.services import ratings

    found = _open(ctx, slug)
    return _rating_page(ctx, found, token, ratings.open_link(found.tenant, token, deps=ctx.deps))


@pages.post("/help/{slug}/rate/{token}", access=PUBLIC, limit="answers_per_address")
def send_rating(ctx: PageContext, slug: str, token: str):
    from chalicelib.services import ratings

    found = _open(ctx, slug)
    score = ctx.form_values.get("score", "")
    try:
        ratings.record(
            found.tenant,
            token,
            int(score) if score.isdigit() else 0,
            ctx.form_values.get("comment"),
            deps=ctx.deps,
        )
    except ratings.LinkRefused as refused:
        status = {"invalid": 404, "expired": 410, "used": 409}[refused.link.state]
        return _rating_page(ctx, found, token, refused.link, status=status)
    except DomainError as error:
        field = error.field if error.field in ("score", "comment") else "form"
        link = ratings.open_link(found.tenant, token, deps=ctx.deps)
        return _rating_page(ctx, found, token, link, status=400, errors={field: error.message})
    return ctx.redirect(f"/help/{found.slug}/rate/{token}", flash="Thank you: your rating is recorded.")


def _nps_page(ctx: PageContext, found, token: str, link, *, status: int | None = None, errors=None):
    return ctx.render(
        "nps_answer.html",
        status=status or STATUS.get(link.state, 200),
        title=f"One question · {found.name}",
        business=found,
        link=link,
        token=token,
        errors=errors or {},
    )


@pages.get("/help/{slug}/nps/{token}", access=PUBLIC)
def nps_form(ctx: PageContext, slug: str, token: str):
    from chalicelib.services import nps

    found = _open(ctx, slug)
    return _nps_page(ctx, found, token, nps.open_link(found.tenant, token, deps=ctx.deps))


@pages.post("/help/{slug}/nps/{token}", access=PUBLIC, limit="answers_per_address")
def send_nps_answer(ctx: PageContext, slug: str, token: str):
    from chalicelib.services import nps, ratings

    found = _open(ctx, slug)
    score = ctx.form_values.get("score", "")
    try:
        nps.answer(
            found.tenant,
            token,
            int(score) if score.isdigit() else -1,
            ctx.form_values.get("comment"),
            deps=ctx.deps,
        )
    except ratings.LinkRefused as refused:
        status = {"invalid": 404, "expired": 410, "used": 409}[refused.link.state]
        return _nps_page(ctx, found, token, refused.link, status=status)
    except DomainError as error:
        field = error.field if error.field in ("score", "comment") else "form"
        link = nps.open_link(found.tenant, token, deps=ctx.deps)
        return _nps_page(ctx, found, token, link, status=400, errors={field: error.message})
    return ctx.redirect(f"/help/{found.slug}/nps/{token}", flash="Thank you: your answer is recorded.")
