"""CSAT (issue 15, slice 7): after an inquiry is resolved the customer gets a mail with one link per
score, 1 to 5; the link lands on the business's public page `/help/<slug>/rate/<token>`, which
confirms the score and takes an optional comment; sending it records the rating once.

- **The links** (PROMISES R1) are signed with deskhire's secret (security/tokens.py `sign_link`,
  purpose `csat`), naming the business, the inquiry and the score, and expire LINK_DAYS after the
  mail. A link that is not signed, altered, for another business's page, or late records nothing;
  neither does a second use: the head's `rating` is set under `attribute_not_exists`.
- **Recording** is one transaction: the head's `rating`, the rating item (the business's list,
  the agent's), the agent's CSAT counter for the week (what the billing run's performance bonus
  reads) and the agent's reputation (services/reputation.py: the evidence, the history row, the
  agent's record and matching cards). The agent rated is the one who owned the inquiry when it
  was resolved; an inquiry the business's own team handled is rated for the business only.
- An inquiry from a helpdesk integration is rated in that helpdesk (its own CSAT): no mail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chalicelib.adapters.markdown import plain_text
from chalicelib.composition import Deps
from chalicelib.domain import surveys as rules
from chalicelib.domain.errors import Conflict, DomainError, Forbidden, NotFound
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.reputation import Kind
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek, when
from chalicelib.security import tokens
from chalicelib.store import keys
from chalicelib.store.support import InquiryRecord
from chalicelib.store.surveys import (
    CsatWeekRecord,
    RatingRecord,
    agent_ratings_index,
    agent_ratings_sk,
    csat_week_key,
    csat_week_pk,
    rating_key,
    rating_pk,
)
from chalicelib.web.observability import logger

PURPOSE = "csat"
SCORES = (5, 4, 3, 2, 1)
LABELS = {5: "Excellent", 4: "Good", 3: "Okay", 2: "Poor", 1: "Very poor"}


def register_hooks() -> None:
    """Listen to resolutions (services/support/listeners.py calls this on first use)."""
    from chalicelib.services.support import conversations

    conversations.on_resolved(ask)


# -- the mail --------------------------------------------------------------------------------------


def link_token(tenant: TenantId, inquiry_id: str, score: int, *, until: datetime, secret: bytes) -> str:
    return tokens.sign_link(
        PURPOSE,
        [tenant.value, inquiry_id, str(score)],
        expires_at_epoch=int(until.timestamp()),
        secret=secret,
    )


def ask(tenant: TenantId, head: InquiryRecord, deps: Deps) -> None:
    """`conversations.on_resolved`: ask the customer to rate the resolved inquiry, by mail."""
    from chalicelib.mail import Mail, Subject, their_words
    from chalicelib.store.identity import TenantRecord

    if head.rating is not None or head.source == "helpdesk":
        return
    business = TenantRecord.find(keys.tenant_pk(tenant), "TENANT")
    if business is None or business.status != "active":
        return
    now = deps.now()
    until = now + timedelta(days=rules.LINK_DAYS)
    lines = [
        f"Your request #{head.number} is resolved. How did we do?",
        "",
        their_words("the business's", {"Business": business.name}, note=""),
        "",
        "Rate it with one click (you may add a comment on the next page):",
    ]
    for score in SCORES:
        token = link_token(tenant, head.inquiry_id, score, until=until, secret=deps.secret)
        lines.append(f"  {score} - {LABELS[score]}: {deps.link(f'/help/{business.slug}/rate/{token}')}")
    lines += [
        "",
        # the business's clock, named: the customer's own zone is not known (issue 14, item 8)
        f"Each link counts once, until {when(until, business.time_zone)}.",
        "Sent by deskhire on behalf of the business named above.",
    ]
    deps.mailer.send(
        Mail(
            to=head.customer_email,
            subject=Subject.RATE_YOUR_REQUEST.line(number=int(head.number)),
            text="\n".join(lines) + "\n",
        ),
        now=now,
    )


# -- the link --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """What a rating link is now: `valid` (with the inquiry's number and the score it carries),
    `invalid` (not signed, altered, another business's, no such inquiry), `expired`, or `used`
    (with the score recorded)."""

    state: str
    inquiry_id: str | None = None
    number: int | None = None
    score: int | None = None
    rated: dict | None = field(default=None)


class LinkRefused(DomainError):
    """A rating or survey link that records nothing (the page says why)."""

    def __init__(self, link):
        codes = {"invalid": "invalid_link", "expired": "link_expired", "used": "already_answered"}
        super().__init__(
            {
                "invalid": "this link is not valid",
                "expired": "this link has expired",
                "used": "this link was used already",
            }[link.state],
            code=codes[link.state],
        )
        self.link = link


def open_link(tenant: TenantId, token: str, *, deps: Deps) -> Link:
    """The link as the page at `/help/<slug>/rate/<token>` sees it (`tenant`: the slug's)."""
    from chalicelib.services.support import inquiries

    try:
        owner, inquiry_id, score = tokens.read_link(
            PURPOSE, token, count=3, now_epoch=int(deps.now().timestamp()), secret=deps.secret
        )
    except tokens.ExpiredToken:
        return Link("expired")
    except tokens.BadToken:
        return Link("invalid")
    if owner != tenant.value or score not in {str(s) for s in SCORES}:
        return Link("invalid")
    head = inquiries.find_for_system(tenant, inquiry_id)
    if head is None:
        return Link("invalid")
    if head.rating is not None:
        return Link("used", inquiry_id, int(head.number), int(score), rated=dict(head.rating))
    return Link("valid", inquiry_id, int(head.number), int(score))


def tenant_in(token: str) -> TenantId | None:
    """The business a rating link names, unchecked (`open_link` checks the signature): what the
    API's rating route, which has no business in its address, looks the link up under."""
    parts = token.split(".")
    if len(parts) != 5 or not parts[0].isalnum():
        return None
    return TenantId(parts[0])


@dataclass(frozen=True)
class Recorded:
    number: int
    score: int
    agent_id: str | None


def record(tenant: TenantId, token: str, score: int, comment: str | None, *, deps: Deps) -> Recorded:
    """Record the customer's rating through a valid link, once (LinkRefused otherwise)."""
    from chalicelib.services import reputation
    from chalicelib.services.metrics import recording
    from chalicelib.services.support import inquiries
    from chalicelib.store.transactions import transaction

    link = open_link(tenant, token, deps=deps)
    if link.state != "valid" or link.inquiry_id is None:
        raise LinkRefused(link)
    rules.check_rating(score)
    text = rules.check_comment(comment, plain=plain_text)
    inquiry_id = link.inquiry_id

    def attempt() -> Recorded:
        head = inquiries.find_for_system(tenant, inquiry_id)
        if head is None:
            raise LinkRefused(Link("invalid"))
        if head.rating is not None:
            raise LinkRefused(Link("used", inquiry_id, int(head.number), rated=dict(head.rating)))
        now = deps.now()
        agent = AgentId(head.agent_id) if head.agent_id else None
        current = reputation.standing(agent) if agent is not None else None
        rating = {"score": score, "comment": text, "at": now.isoformat(), "agent_id": head.agent_id}
        try:
            # 30 actions at most: the inquiry, rating and CSAT week, the agent's reputation (22 at
            # most: services/reputation.py) and the day's metrics (5)
            with transaction() as tx:
                tx.update(
                    head,
                    actions=[InquiryRecord.rating.set(rating)],
                    condition=InquiryRecord.rating.does_not_exist(),
                    add_version_condition=False,
                    on_conflict=_ALREADY,
                )
                tx.save(
                    RatingRecord(
                        *rating_key(tenant, now, inquiry_id),
                        inquiry_id=inquiry_id,
                        tenant_id=tenant.value,
                        number=int(head.number),
                        score=score,
                        comment=text,
                        agent_id=head.agent_id,
                        agent_name=head.agent_name,
                        business_name=inquiries.business_name(tenant),
                        at=now,
                        gsi1pk=agent_ratings_index(agent) if agent else None,
                        gsi1sk=agent_ratings_sk(now, tenant, inquiry_id) if agent else None,
                    )
                )
                if agent is not None and current is not None:
                    tx.update(
                        CsatWeekRecord(*csat_week_key(tenant, BillingWeek.containing(now), agent)),
                        actions=[
                            CsatWeekRecord.kind.set(CsatWeekRecord),
                            CsatWeekRecord.agent_id.set(agent.value),
                            CsatWeekRecord.ratings.add(1),
                            CsatWeekRecord.good.add(1 if score >= 4 else 0),
                        ],
                    )
                    reputation.add(tx, current, Kind.CUSTOMER, at=now, value=score)
                recording.csat_rating(tx, tenant, at=now, agent=head.agent_id, score=score)
        except _AlreadyRated:
            fresh = inquiries.find_for_system(tenant, inquiry_id)
            rated = dict(fresh.rating) if fresh is not None and fresh.rating else None
            raise LinkRefused(Link("used", inquiry_id, int(head.number), rated=rated)) from None
        return Recorded(int(head.number), score, head.agent_id)

    recorded = reputation.retrying(attempt)
    logger.info("a customer rated an inquiry", extra={"inquiry": inquiry_id, "score": score})
    return recorded


class _AlreadyRated(Conflict):
    code = "already_answered"


_ALREADY = _AlreadyRated("this request was rated already")


# -- reading them ---------------------------------------------------------------------------------


def csat_week(tenant: TenantId, week: BillingWeek) -> dict[str, tuple[int, int]]:
    """Each agent's (good, all) ratings at the business in `week` (one Query): the performance
    bonus's input."""
    return {
        item.agent_id: (int(item.good), int(item.ratings))
        for item in CsatWeekRecord.query(csat_week_pk(tenant, week))
        if isinstance(item, CsatWeekRecord)
    }


def of_business(actor: Principal, *, month: datetime, limit: int = 100) -> list[RatingRecord]:
    """The business's ratings in a month, newest first."""
    if actor.kind not in (PrincipalKind.MEMBER, PrincipalKind.API_KEY):
        raise Forbidden("a business reads its ratings")
    tenant = actor.require_tenant()
    return [
        r
        for r in RatingRecord.query(rating_pk(tenant, month), scan_index_forward=False, limit=limit)
        if isinstance(r, RatingRecord)
    ]


def of_agent(agent: AgentId, *, limit: int = 20) -> list[RatingRecord]:
    """The agent's ratings across businesses, newest first."""
    return [
        r
        for r in RatingRecord.gsi1.query(agent_ratings_index(agent), scan_index_forward=False, limit=limit)
        if isinstance(r, RatingRecord)
    ]


def business_by_slug(slug: str):
    """The active business at `/help/<slug>` for a rating or survey page: found whether or not
    its help centre is on (the customer got the link by mail); NotFound otherwise."""
    from chalicelib.domain.errors import InvalidInput
    from chalicelib.domain.identity import check_slug
    from chalicelib.services.knowledge.help_centre import HelpBusiness
    from chalicelib.store.identity import Claim, TenantRecord

    try:
        check_slug(slug)
    except InvalidInput:
        raise NotFound("no such page") from None
    claim_pk = keys.platform_pk("SLUG", slug)
    claim = Claim.find(claim_pk, claim_pk)
    if claim is None or claim.owner_kind != "tenant":
        raise NotFound("no such page")
    tenant = TenantId(claim.owner_id)
    business = TenantRecord.find(keys.tenant_pk(tenant), "TENANT")
    if business is None or business.status != "active":
        raise NotFound("no such page")
    return HelpBusiness(tenant=tenant, slug=slug, name=business.name)
