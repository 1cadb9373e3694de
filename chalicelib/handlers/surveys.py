"""What customers answer, on the JSON API (issue 15, slice 7): NPS surveys (sent by the business's
integration key or a member, with their recipients and responses), the business's CSAT ratings,
and a rating sent through its signed link (`POST /api/v1/ratings/{token}`, for a business that
shows deskhire's rating links in its own pages: the same rules as the public page)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import composition
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import INTEGRATION, PUBLIC
from chalicelib.web.errors import HttpError

if TYPE_CHECKING:  # for the annotations; each route imports its models when it runs
    from chalicelib.schemas import surveys as schemas


api = JsonApi(__name__, tag="surveys", schemas="chalicelib.schemas.surveys")


@api.post(
    "/api/v1/nps/surveys",
    body="SurveyBody",
    response="SurveyView",
    status=201,
    errors=(400, 429),
    access=INTEGRATION,
)
def send_survey(body: schemas.SurveyBody, principal) -> schemas.SurveyView:
    """Send an NPS survey: each recipient gets a mail with a signed link of their own (at most 500
    a survey; the business's daily caps apply)."""
    from chalicelib.schemas import surveys as schemas
    from chalicelib.services import nps

    record = nps.send(principal, name=body.name, recipients=body.recipients, deps=composition.deps())
    return schemas.survey_view(record)


@api.get("/api/v1/nps/surveys", response="SurveyList", access=INTEGRATION)
def list_surveys(principal) -> schemas.SurveyList:
    """The business's surveys, newest first, each with its NPS, and the NPS over all of them."""
    from chalicelib.schemas import surveys as schemas
    from chalicelib.services import nps

    return schemas.SurveyList(
        surveys=[schemas.survey_view(s) for s in nps.surveys(principal)],
        overall=schemas.nps_view(nps.overall(principal)),
    )


@api.get("/api/v1/nps/surveys/{survey_id}", response="SurveyView", errors=(404,), access=INTEGRATION)
def get_survey(survey_id: str, principal) -> schemas.SurveyView:
    """One survey with its NPS so far."""
    from chalicelib.schemas import surveys as schemas
    from chalicelib.services import nps

    return schemas.survey_view(nps.survey(principal, survey_id))


@api.get(
    "/api/v1/nps/surveys/{survey_id}/recipients", response="RecipientList", errors=(404,), access=INTEGRATION
)
def list_recipients(survey_id: str, principal) -> schemas.RecipientList:
    """Who the survey went to, and who answered."""
    from chalicelib.schemas import surveys as schemas
    from chalicelib.services import nps

    return schemas.RecipientList(
        recipients=[schemas.recipient_view(r) for r in nps.recipients(principal, survey_id)]
    )


@api.get(
    "/api/v1/nps/surveys/{survey_id}/responses", response="AnswerList", errors=(404,), access=INTEGRATION
)
def list_responses(survey_id: str, principal) -> schemas.AnswerList:
    """The survey's answers, newest first."""
    from chalicelib.schemas import surveys as schemas
    from chalicelib.services import nps

    return schemas.AnswerList(answers=[schemas.answer_view(a) for a in nps.answers(principal, survey_id)])


@api.get("/api/v1/ratings", query="RatingQuery", response="RatingList", access=INTEGRATION)
def list_ratings(query: schemas.RatingQuery, principal) -> schemas.RatingList:
    """The business's CSAT ratings of a month (this one by default), newest first, with its CSAT."""
    from datetime import UTC, datetime

    from chalicelib.domain.reputation import csat
    from chalicelib.schemas import surveys as schemas
    from chalicelib.services import ratings

    now = composition.deps().now()
    month = datetime.strptime(query.month, "%Y-%m").replace(tzinfo=UTC) if query.month else now
    found = ratings.of_business(principal, month=month, limit=1000)
    share = csat(sum(1 for r in found if int(r.score) >= 4), len(found))
    return schemas.RatingList(
        month=month.strftime("%Y-%m"),
        csat=None if share is None else round(float(share) * 100, 1),
        ratings=[schemas.rating_view(r) for r in found],
    )


@api.post(
    "/api/v1/ratings/{token}",
    body="RatingBody",
    response="RatedView",
    status=201,
    errors=(400, 404, 409, 410),
    access=PUBLIC,
    limit="answers_per_address",
)
def send_rating(token: str, body: schemas.RatingBody) -> schemas.RatedView:
    """A customer's rating through the signed link of deskhire's mail, once: 404 for a link that
    is not signed or altered, 410 once it has expired, 409 when it was used already."""
    from chalicelib.schemas import surveys as schemas
    from chalicelib.services import ratings

    deps = composition.deps()
    tenant = ratings.tenant_in(token)
    try:
        if tenant is None:
            raise ratings.LinkRefused(ratings.Link("invalid"))
        recorded = ratings.record(tenant, token, body.score, body.comment, deps=deps)
    except ratings.LinkRefused as refused:
        status = {"invalid": 404, "expired": 410, "used": 409}[refused.link.state]
        raise HttpError(status, refused.code, refused.message) from None
    return schemas.RatedView(number=recorded.number, score=recorded.score)
