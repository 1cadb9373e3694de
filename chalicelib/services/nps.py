"""NPS surveys (issue 15, slice 7): a business asks its customers "How likely are you to recommend
us?", 0 to 10, by a CSV of addresses in the portal or a list through the API; each recipient gets a
mail with a signed link of their own to the business's public page `/help/<slug>/nps/<token>`,
which takes the answer and an optional comment, once. The business sees the answers and its NPS
(per survey and over all its surveys).

- **Caps** (PROMISES T5, domain/limits.py): MAX_RECIPIENTS people per survey (domain/surveys.py),
  `nps_surveys_tenant` surveys and `nps_recipients_tenant` people a day per business (a survey
  spends a token per recipient, all or none, before anything is written or mailed).
- **Addresses** are parsed strictly (one plain address a line or in the `email` column; a line
  that is not one refuses the list, with its number).
- **The links** (PROMISES R1) are signed (purpose `nps`: a rating link is worthless here) with the
  business, the survey and the recipient's address digest, and expire LINK_DAYS after sending.
- **One answer per recipient**: the recipient's `answered_at` is set under `attribute_not_exists`,
  in the transaction that writes the answer and adds it to the survey's and the business's tallies.
- Mail goes out in the request that sends the survey (hence the per-survey cap); one that could not
  be handed to the mailer is logged and counted out of `mailed`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.adapters.markdown import plain_text
from chalicelib.composition import Deps
from chalicelib.domain import surveys as rules
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.surveys import NpsTally
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import when
from chalicelib.ids import new_id
from chalicelib.security import tokens
from chalicelib.store import audit, keys
from chalicelib.store.surveys import (
    NpsAnswerRecord,
    NpsRecipientRecord,
    NpsSurveyRecord,
    NpsTallyRecord,
    answer_key,
    email_digest,
    recipient_key,
    survey_key,
    survey_pk,
    surveys_pk,
    tally_key,
)
from chalicelib.store.transactions import transaction
from chalicelib.web.observability import logger

PURPOSE = "nps"


def _tenant(actor: Principal) -> TenantId:
    if actor.kind not in (PrincipalKind.MEMBER, PrincipalKind.API_KEY):
        raise Forbidden("surveys are the business's")
    return actor.require_tenant()


def link_token(tenant: TenantId, survey_id: str, digest: str, *, until: datetime, secret: bytes) -> str:
    return tokens.sign_link(
        PURPOSE, [tenant.value, survey_id, digest], expires_at_epoch=int(until.timestamp()), secret=secret
    )


def send(actor: Principal, *, name: str | None, recipients: list[str], deps: Deps) -> NpsSurveyRecord:
    """A survey to `recipients` (addresses, checked strictly), mailed now."""
    from chalicelib.store import limits
    from chalicelib.store.identity import TenantRecord

    tenant = _tenant(actor)
    title = rules.check_survey_name(name)
    emails = rules.addresses(recipients)
    rates = limits.in_force(deps)
    limits.spend(
        rates.nps_surveys_tenant,
        "nps_surveys_tenant",
        tenant.value,
        deps=deps,
        message="your business sent as many surveys as it may today; try again tomorrow",
    )
    limits.spend(
        rates.nps_recipients_tenant,
        "nps_recipients_tenant",
        tenant.value,
        deps=deps,
        cost=len(emails),
        message=f"your surveys today may go to {rates.nps_recipients_tenant.count:,} people in all; "
        "this one would pass that, try again tomorrow or with fewer people",
    )
    business = TenantRecord.load(keys.tenant_pk(tenant), "TENANT")
    now = deps.now()
    until = now + timedelta(days=rules.LINK_DAYS)
    survey_id = new_id()
    survey = NpsSurveyRecord(
        *survey_key(tenant, survey_id),
        survey_id=survey_id,
        name=title,
        created_at=now,
        created_by=actor.name,
        links_until=until,
        recipients=len(emails),
        mailed=0,
    )
    with transaction() as tx:
        tx.save(survey, condition=NpsSurveyRecord.pk.does_not_exist())
        tx.save(
            audit.entry(
                tenant,
                actor,
                "nps_survey.sent",
                f"nps_survey:{survey_id}",
                {"after": {"recipients": len(emails)}},
                at=now,
            )
        )
    with NpsRecipientRecord.batch_write() as batch:
        for email in emails:
            batch.save(
                NpsRecipientRecord(*recipient_key(tenant, survey_id, email_digest(email)), email=email)
            )
    mailed = 0
    for email in emails:
        try:
            _mail(tenant, business, survey_id, email, until=until, deps=deps)
            mailed += 1
        except Exception:
            logger.exception("a survey mail could not be sent", extra={"survey": survey_id})
    survey.update(actions=[NpsSurveyRecord.mailed.set(mailed)])
    return survey


def _mail(tenant: TenantId, business, survey_id: str, email: str, *, until: datetime, deps: Deps) -> None:
    from chalicelib.mail import Mail, Subject, their_words

    token = link_token(tenant, survey_id, email_digest(email), until=until, secret=deps.secret)
    link = deps.link(f"/help/{business.slug}/nps/{token}")
    text = "\n".join(
        [
            "How likely are you to recommend this business to a friend or colleague?",
            "",
            their_words("the business's", {"Business": business.name}, note=""),
            "",
            f"Answer from 0 (not at all likely) to 10 (extremely likely), with a comment if you like: {link}",
            "",
            # the business's clock, named: the customer's own zone is not known (issue 14, item 8)
            f"The link is yours alone and counts once, until {when(until, business.time_zone)}.",
            "Sent by deskhire on behalf of the business named above.",
        ]
    )
    deps.mailer.send(Mail(to=email, subject=Subject.NPS_SURVEY, text=text + "\n"), now=deps.now())


# -- the link --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """`valid`, `invalid` (not signed, altered, another business's, no such recipient), `expired`
    or `used` (with the answer given)."""

    state: str
    survey_id: str | None = None
    digest: str | None = None
    survey_name: str = ""
    score: int | None = None


def open_link(tenant: TenantId, token: str, *, deps: Deps) -> Link:
    try:
        owner, survey_id, digest = tokens.read_link(
            PURPOSE, token, count=3, now_epoch=int(deps.now().timestamp()), secret=deps.secret
        )
    except tokens.ExpiredToken:
        return Link("expired")
    except tokens.BadToken:
        return Link("invalid")
    if owner != tenant.value:
        return Link("invalid")
    recipient = NpsRecipientRecord.find(*recipient_key(tenant, survey_id, digest), consistent=True)
    survey = NpsSurveyRecord.find(*survey_key(tenant, survey_id))
    if recipient is None or survey is None:
        return Link("invalid")
    if recipient.answered_at is not None:
        return Link("used", survey_id, digest, survey.name, recipient.score)
    return Link("valid", survey_id, digest, survey.name)


class _AlreadyAnswered(Conflict):
    code = "already_answered"


_ALREADY = _AlreadyAnswered("this survey was answered already")


def answer(tenant: TenantId, token: str, score: int, comment: str | None, *, deps: Deps) -> Link:
    """Record a recipient's answer through their valid link, once (LinkRefused otherwise)."""
    from chalicelib.services.metrics import recording
    from chalicelib.services.ratings import LinkRefused

    link = open_link(tenant, token, deps=deps)
    if link.state != "valid" or link.survey_id is None or link.digest is None:
        raise LinkRefused(link)
    rules.check_nps_answer(score)
    text = rules.check_comment(comment, plain=plain_text)
    now = deps.now()
    recipient = NpsRecipientRecord.load(*recipient_key(tenant, link.survey_id, link.digest))
    group = NpsTally().add(score)
    counted = [
        ("promoters", group.promoters),
        ("passives", group.passives),
        ("detractors", group.detractors),
    ]
    survey_actions = [getattr(NpsSurveyRecord, name).add(n) for name, n in counted if n]
    tally_actions = [getattr(NpsTallyRecord, name).add(n) for name, n in counted if n]
    try:
        with transaction() as tx:
            tx.update(
                NpsRecipientRecord(recipient.pk, recipient.sk),
                actions=[NpsRecipientRecord.answered_at.set(now), NpsRecipientRecord.score.set(score)],
                condition=NpsRecipientRecord.pk.exists() & NpsRecipientRecord.answered_at.does_not_exist(),
                on_conflict=_ALREADY,
            )
            tx.save(
                NpsAnswerRecord(
                    *answer_key(tenant, link.survey_id, now, link.digest),
                    email=recipient.email,
                    score=score,
                    comment=text,
                    at=now,
                ),
                condition=NpsAnswerRecord.pk.does_not_exist(),
            )
            tx.update(
                NpsSurveyRecord(*survey_key(tenant, link.survey_id)),
                actions=survey_actions,
                condition=NpsSurveyRecord.pk.exists(),
            )
            tx.update(
                NpsTallyRecord(*tally_key(tenant)),
                actions=[NpsTallyRecord.kind.set(NpsTallyRecord), *tally_actions],
            )
            recording.nps_answer(tx, tenant, at=now, score=score)
    except _AlreadyAnswered:
        raise LinkRefused(open_link(tenant, token, deps=deps)) from None
    return Link("used", link.survey_id, link.digest, link.survey_name, score)


# -- what the business sees -----------------------------------------------------------------------


def tally_of(record: NpsSurveyRecord | NpsTallyRecord | None) -> NpsTally:
    if record is None:
        return NpsTally()
    return NpsTally(int(record.promoters or 0), int(record.passives or 0), int(record.detractors or 0))


def overall(actor: Principal) -> NpsTally:
    """Every answer to every survey of the business."""
    return tally_of(NpsTallyRecord.find(*tally_key(_tenant(actor)), consistent=True))


def surveys(actor: Principal, *, limit: int = 100) -> list[NpsSurveyRecord]:
    """The business's surveys, newest first."""
    tenant = _tenant(actor)
    return [
        s
        for s in NpsSurveyRecord.query(
            surveys_pk(tenant),
            NpsSurveyRecord.sk.startswith("SURVEY#"),
            scan_index_forward=False,
            limit=limit,
        )
        if isinstance(s, NpsSurveyRecord)
    ]


def survey(actor: Principal, survey_id: str) -> NpsSurveyRecord:
    tenant = _tenant(actor)
    found = (
        NpsSurveyRecord.find(*survey_key(tenant, survey_id), consistent=True)
        if _plausible(survey_id)
        else None
    )
    if found is None:
        raise NotFound("no such survey")
    return found


def answers(actor: Principal, survey_id: str, *, limit: int = 500) -> list[NpsAnswerRecord]:
    """A survey's answers, newest first."""
    found = survey(actor, survey_id)
    return [
        a
        for a in NpsAnswerRecord.query(
            survey_pk(actor.require_tenant(), found.survey_id),
            NpsAnswerRecord.sk.startswith("ANS#"),
            scan_index_forward=False,
            limit=limit,
        )
        if isinstance(a, NpsAnswerRecord)
    ]


def recipients(actor: Principal, survey_id: str) -> list[NpsRecipientRecord]:
    found = survey(actor, survey_id)
    return [
        r
        for r in NpsRecipientRecord.query(
            survey_pk(actor.require_tenant(), found.survey_id), NpsRecipientRecord.sk.startswith("TO#")
        )
        if isinstance(r, NpsRecipientRecord)
    ]


def _plausible(survey_id: str) -> bool:
    return survey_id.isalnum() and len(survey_id) <= 64
