"""Models of the routes for what customers answer and what it makes of agents (issue 15, slices
7-9): NPS surveys, CSAT ratings, peer reviews and reputation."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import Field

from chalicelib.schemas.base import Command, Line, Query, View

if TYPE_CHECKING:
    from chalicelib.domain.reputation import Reputation
    from chalicelib.domain.surveys import NpsTally
    from chalicelib.services.reputation import Candidate, Profile
    from chalicelib.store.reputation import PeerReviewRecord
    from chalicelib.store.surveys import NpsAnswerRecord, NpsRecipientRecord, NpsSurveyRecord, RatingRecord


# -- NPS ------------------------------------------------------------------------------------------


class SurveyBody(Command):
    name: Line | None = Field(default=None, max_length=120, description="for the business's own list")
    recipients: list[str] = Field(
        min_length=1, max_length=500, description="customers' addresses, one plain address each"
    )


class NpsView(View):
    score: float | None = Field(description="NPS from -100 to 100; null before any answer")
    responses: int
    promoters: int
    passives: int
    detractors: int


class SurveyView(View):
    id: str
    name: str
    created_at: datetime
    created_by: str
    links_until: datetime
    recipients: int
    mailed: int
    nps: NpsView


class SurveyList(View):
    surveys: list[SurveyView]
    overall: NpsView = Field(description="every answer to every survey of the business")


class RecipientView(View):
    email: str
    answered_at: datetime | None
    score: int | None


class RecipientList(View):
    recipients: list[RecipientView]


class AnswerView(View):
    email: str
    score: int
    comment: str
    at: datetime


class AnswerList(View):
    answers: list[AnswerView]


def nps_view(tally: NpsTally) -> NpsView:
    score = tally.score
    return NpsView(
        score=None if score is None else round(float(score), 1),
        responses=tally.responses,
        promoters=tally.promoters,
        passives=tally.passives,
        detractors=tally.detractors,
    )


def survey_view(record: NpsSurveyRecord) -> SurveyView:
    from chalicelib.services.nps import tally_of

    return SurveyView(
        id=record.survey_id,
        name=record.name,
        created_at=record.created_at,
        created_by=record.created_by,
        links_until=record.links_until,
        recipients=int(record.recipients),
        mailed=int(record.mailed),
        nps=nps_view(tally_of(record)),
    )


def recipient_view(record: NpsRecipientRecord) -> RecipientView:
    return RecipientView(
        email=record.email,
        answered_at=record.answered_at,
        score=int(record.score) if record.score is not None else None,
    )


def answer_view(record: NpsAnswerRecord) -> AnswerView:
    return AnswerView(email=record.email, score=int(record.score), comment=record.comment, at=record.at)


# -- CSAT -----------------------------------------------------------------------------------------


class RatingBody(Command):
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


class RatedView(View):
    number: int = Field(description="the inquiry's number at its business")
    score: int


class RatingQuery(Query):
    month: str | None = Field(
        default=None, pattern=r"^\d{4}-\d{2}$", description="yyyy-mm; this month by default"
    )


class RatingView(View):
    inquiry_id: str
    number: int
    score: int
    comment: str
    agent_id: str | None
    agent_name: str | None
    at: datetime


class RatingList(View):
    month: str
    csat: float | None = Field(description="share of 4s and 5s, in percent; null before any rating")
    ratings: list[RatingView]


def rating_view(record: RatingRecord) -> RatingView:
    return RatingView(
        inquiry_id=record.inquiry_id,
        number=int(record.number),
        score=int(record.score),
        comment=record.comment,
        agent_id=record.agent_id,
        agent_name=record.agent_name,
        at=record.at,
    )


# -- peer review ----------------------------------------------------------------------------------


class ReviewBody(Command):
    correct: int = Field(ge=1, le=5)
    complete: int = Field(ge=1, le=5)
    tone: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


class ReviewView(View):
    id: str
    business_name: str
    week: str
    agent_id: str = Field(description="whose reply")
    agent_name: str
    reviewer_name: str
    inquiry_id: str
    number: int
    excerpt: str
    status: str = Field(description="to_do or done")
    correct: int | None
    complete: int | None
    tone: int | None
    comment: str | None
    scored_at: datetime | None


class ReviewList(View):
    reviews: list[ReviewView]


def review_view(record: PeerReviewRecord, *, reviewer: bool = True) -> ReviewView:
    return ReviewView(
        id=record.review_id,
        business_name=record.business_name,
        week=record.week,
        agent_id=record.agent_id,
        agent_name=record.agent_name,
        # the reviewed agent reads what was said, not who said it
        reviewer_name=record.reviewer_name if reviewer else "",
        inquiry_id=record.inquiry_id,
        number=int(record.number),
        excerpt=record.excerpt,
        status=record.status,
        correct=record.correct,
        complete=record.complete,
        tone=record.tone,
        comment=record.comment,
        scored_at=record.scored_at,
    )


# -- reputation -----------------------------------------------------------------------------------


class ReputationView(View):
    score: float = Field(description="the Bayesian score on the 1..5 scale, as of now")
    label: str
    ratings: int
    reviews: int
    breaches: int = Field(description="first-response targets missed")
    upheld: int = Field(description="disputes upheld against the agent")
    csat: float | None = Field(description="share of 4s and 5s over all customer ratings, in percent")


class WeekView(View):
    week: str
    score: float
    ratings: int
    week_ratings: int
    week_good: int
    week_reviews: int
    week_breaches: int
    week_upheld: int


class AgentReputationView(View):
    agent_id: str
    name: str
    tier: int
    reputation: ReputationView
    history: list[WeekView]
    next_tier: str | None = Field(description="the rule for the next tier, in words")
    qualifies: bool


def reputation_view(reputation: Reputation, *, good: int) -> ReputationView:
    from chalicelib.domain.reputation import csat

    share = csat(good, reputation.ratings)
    return ReputationView(
        score=round(float(reputation.score), 4),
        label=reputation.label(),
        ratings=reputation.ratings,
        reviews=reputation.reviews,
        breaches=reputation.breaches,
        upheld=reputation.upheld,
        csat=None if share is None else round(float(share) * 100, 1),
    )


def agent_reputation_view(shown: Profile) -> AgentReputationView:
    return AgentReputationView(
        agent_id=shown.agent_id,
        name=shown.name,
        tier=shown.tier,
        reputation=reputation_view(shown.reputation, good=shown.good_ratings),
        history=[WeekView(**row.__dict__) for row in shown.history],
        next_tier=shown.next_tier.describe() if shown.next_tier else None,
        qualifies=shown.qualifies,
    )


class CandidateView(View):
    agent_id: str
    name: str
    tier: int
    to_tier: int
    rule: str
    reputation: ReputationView


class CandidateList(View):
    candidates: list[CandidateView]
    rules: list[str]


def candidate_view(candidate: Candidate) -> CandidateView:
    return CandidateView(
        agent_id=candidate.agent_id,
        name=candidate.name,
        tier=candidate.tier,
        to_tier=candidate.rule.to_tier,
        rule=candidate.rule.describe(),
        reputation=reputation_view(candidate.reputation, good=candidate.good_ratings),
    )
