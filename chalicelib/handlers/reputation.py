"""Reputation and peer review on the JSON API (issue 15, slices 8 and 9): an agent's reputation
with its counts and history (the agent themself, a business for an approved agent, an operator),
an agent's peer reviews to do and the scoring of one, the feedback on their own replies, and the
operators' list of agents whose reputation qualifies them for a higher tier."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import composition
from chalicelib.domain.identity import PrincipalKind
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import AGENT, OPERATOR, Access

if TYPE_CHECKING:  # for the annotations; each route imports its models when it runs
    from chalicelib.schemas import surveys as schemas


api = JsonApi(__name__, tag="reputation", schemas="chalicelib.schemas.surveys")

READERS = Access(
    "reputation_readers", frozenset({PrincipalKind.MEMBER, PrincipalKind.AGENT, PrincipalKind.OPERATOR})
)


@api.get(
    "/api/v1/agents/{agent_id}/reputation", response="AgentReputationView", errors=(404,), access=READERS
)
def get_reputation(agent_id: str, principal) -> schemas.AgentReputationView:
    """An agent's reputation: the score as of now with the counts it rests on, by week. A business
    reads an approved agent's; an agent only their own (anyone else's is 404)."""
    from chalicelib.domain.errors import NotFound
    from chalicelib.schemas import surveys as schemas
    from chalicelib.services import profiles, reputation

    if principal.kind is PrincipalKind.AGENT and principal.id != agent_id:
        raise NotFound("no such agent")
    if principal.kind is PrincipalKind.MEMBER:
        profiles.public_profile(agent_id)
    elif not agent_id.isalnum():
        raise NotFound("no such agent")
    return schemas.agent_reputation_view(reputation.profile(agent_id, now=composition.deps().now()))


@api.get("/api/v1/agent/reviews", response="ReviewList", access=AGENT)
def list_reviews(principal) -> schemas.ReviewList:
    """The replies waiting for this agent's review."""
    from chalicelib.schemas import surveys as schemas
    from chalicelib.services import peer_review

    return schemas.ReviewList(reviews=[schemas.review_view(r) for r in peer_review.to_do(principal)])


@api.post(
    "/api/v1/agent/reviews/{review_id}",
    body="ReviewBody",
    response="ReviewView",
    errors=(400, 404, 409),
    access=AGENT,
)
def score_review(review_id: str, body: schemas.ReviewBody, principal) -> schemas.ReviewView:
    """Score a reply (correct, complete, tone: 1 to 5) with a comment, once; the mean counts on
    the reviewed agent's reputation."""
    from chalicelib.schemas import surveys as schemas
    from chalicelib.services import peer_review

    scores = peer_review.check_scores(body.correct, body.complete, body.tone, body.comment)
    return schemas.review_view(peer_review.score(principal, review_id, scores, deps=composition.deps()))


@api.get("/api/v1/agent/feedback", response="ReviewList", access=AGENT)
def list_feedback(principal) -> schemas.ReviewList:
    """What other agents said about this agent's replies, newest first."""
    from chalicelib.schemas import surveys as schemas
    from chalicelib.services import peer_review

    return schemas.ReviewList(
        reviews=[schemas.review_view(r, reviewer=False) for r in peer_review.feedback(principal)]
    )


@api.get("/api/v1/admin/reputation/promotions", response="CandidateList", access=OPERATOR)
def list_promotions(principal) -> schemas.CandidateList:
    """Approved agents whose reputation meets the next tier's rule, best first, with the rules."""
    from chalicelib.domain.reputation import PROMOTIONS
    from chalicelib.schemas import surveys as schemas
    from chalicelib.services import reputation

    return schemas.CandidateList(
        candidates=[schemas.candidate_view(c) for c in reputation.promotable(now=composition.deps().now())],
        rules=[PROMOTIONS[tier].describe() for tier in sorted(PROMOTIONS)],
    )
