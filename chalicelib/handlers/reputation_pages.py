"""Reputation and peer review in the portal (issue 15, slices 8 and 9):

- the agent's own reputation (`/agent/reputation`): the score with its counts, the weeks it moved,
  customers' ratings and what peers said about their replies, and the next tier's rule;
- their peer reviews to do (`/agent/reviews`) and one review (`/agent/reviews/<id>`): the reply
  in its inquiry's thread, scored correct / complete / tone with a comment;
- an approved agent's profile with their reputation as businesses see it (`/app/agents/<id>`),
  linked from matches, applications and offers;
- the operators' list of agents whose reputation qualifies them for a higher tier
  (`/admin/reputation`), each rule stated, with the promotion one click away."""

from __future__ import annotations

from chalicelib.domain.errors import DomainError
from chalicelib.web.auth import AGENT, MEMBER, OPERATOR
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)

SCORES = frozenset({"1", "2", "3", "4", "5"})


@pages.get("/agent/reputation", access=AGENT)
def my_reputation(ctx: PageContext):
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.services import peer_review, ratings, reputation

    shown = reputation.profile(ctx.principal.id, now=ctx.deps.now())
    return ctx.render(
        "agent_reputation.html",
        title="Your reputation",
        shown=shown,
        ratings=ratings.of_agent(AgentId(ctx.principal.id)),
        feedback=peer_review.feedback(ctx.principal),
        to_do=len(peer_review.to_do(ctx.principal)),
    )


@pages.get("/agent/reviews", access=AGENT)
def my_reviews(ctx: PageContext):
    from chalicelib.services import peer_review

    return ctx.render(
        "agent_reviews.html",
        title="Peer reviews",
        to_do=peer_review.to_do(ctx.principal),
        done=peer_review.done_by(ctx.principal),
    )


def _review_page(ctx: PageContext, review_id: str, *, status: int = 200, errors=None):
    from chalicelib.domain.peer_review import CRITERIA
    from chalicelib.services import peer_review

    page = peer_review.open_review(ctx.principal, review_id)
    return ctx.render(
        "agent_review.html",
        status=status,
        title=f"Review of a reply to #{page.review.number}",
        review=page.review,
        thread=page.thread,
        criteria=CRITERIA,
        errors=errors or {},
    )


@pages.get("/agent/reviews/{review_id}", access=AGENT)
def review_page(ctx: PageContext, review_id: str):
    return _review_page(ctx, review_id)


@pages.post("/agent/reviews/{review_id}", access=AGENT)
def score_review(ctx: PageContext, review_id: str):
    from chalicelib.domain.peer_review import CRITERIA
    from chalicelib.services import peer_review

    values = {name: ctx.form_values.get(name, "") for name in CRITERIA}
    missing = {name: "Score it from 1 to 5" for name, value in values.items() if value not in SCORES}
    if missing:
        return _review_page(ctx, review_id, status=400, errors=missing)
    try:
        scores = peer_review.check_scores(
            int(values["correct"]),
            int(values["complete"]),
            int(values["tone"]),
            ctx.form_values.get("comment"),
        )
        review = peer_review.score(ctx.principal, review_id, scores, deps=ctx.deps)
    except DomainError as error:
        if error.code == "not_found":
            raise
        status = 409 if error.code == "already_scored" else 400
        field = error.field if error.field in (*CRITERIA, "comment") else "form"
        return _review_page(ctx, review_id, status=status, errors={field: error.message})
    return ctx.redirect("/agent/reviews", flash=f"Your review of {review.agent_name}'s reply is sent.")


@pages.get("/app/agents/{agent_id}", access=MEMBER)
def agent_profile(ctx: PageContext, agent_id: str):
    """An approved agent as a business sees them before hiring: languages and skills by name,
    availability on the viewer's clock, hours worked, tier and reputation (services/agent_view.py
    says who may see whom; anyone else: 404)."""
    from chalicelib.services import agent_view, reputation
    from chalicelib.web.pages import viewer_zone

    now = ctx.deps.now()
    seen = agent_view.for_business(agent_id, zone=viewer_zone(), now=now)
    return ctx.render(
        "agent_public.html",
        title=seen.agent.name,
        agent=seen.agent,
        seen=seen,
        shown=reputation.profile(agent_id, now=now),
    )


@pages.get("/admin/reputation", access=OPERATOR)
def promotions(ctx: PageContext):
    from chalicelib.domain.reputation import PROMOTIONS
    from chalicelib.services import reputation

    return ctx.render(
        "admin_reputation.html",
        title="Reputation and tiers",
        candidates=reputation.promotable(now=ctx.deps.now()),
        rules=[PROMOTIONS[tier] for tier in sorted(PROMOTIONS)],
    )
