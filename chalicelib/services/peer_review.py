"""Peer review (issue 15, slice 8): each week a sample of every agent's replies to a business's
customers goes to other agents of the same business, who score it on a short rubric (correct,
complete, tone: 1 to 5) with a comment, with the inquiry's thread in view; the reviewed agent sees
the feedback, and the review's mean counts on their reputation (a peer review, domain/reputation).

- **The weekly job** (`peer-review`, Monday 02:00 UTC, for the week that just ended) plans one task
  per business with time that week; a task reads the business's agents that week (the week's
  contracts), each one's replies (`work.replies_in_week`: one Query per agent), samples them
  (domain/peer_review.sample: stable, by a hash of week, agent and reply) and assigns reviewers in
  turn among the others (`assign`). Each review is keyed by the reply's work id and created under
  `attribute_not_exists`: a second run, or one after a crash half-way, creates nothing more and
  leaves what the first made. A business's only agent is not reviewed (no peer).
- **Scoring** is one transaction: the review (on condition that it is still to do: a review is
  scored once), moved from the reviewer's to-do index to their done one and into the reviewed
  agent's feedback index, and the reviewed agent's reputation."""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import PutError

from chalicelib.composition import Deps
from chalicelib.domain import peer_review as rules
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.reputation import Kind
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.store.base import is_condition_failure, read_batch
from chalicelib.store.reputation import (
    PeerReviewRecord,
    feedback_index,
    feedback_sk,
    review_key,
    reviews_done_index,
    reviews_to_do_index,
)
from chalicelib.store.support import MessageRecord, inquiry_partition
from chalicelib.web.observability import logger

EXCERPT = 280


def _work_id(sort_key: str) -> str:
    return sort_key.rsplit("#", 1)[-1]


def assign_week(tenant: TenantId, week: BillingWeek, *, deps: Deps) -> int:
    """Sample the business's agents' replies of `week` and create the reviews not made yet;
    returns how many this call created (0 on a second run)."""
    from chalicelib.services.support import work
    from chalicelib.services.support.inquiries import business_name
    from chalicelib.store.contracts import ContractRecord, WeekMarker, contract_key, marker_key

    marker = WeekMarker.find(*marker_key(tenant, week), consistent=True)
    contract_ids = sorted(marker.contract_ids) if marker and marker.contract_ids else []
    contracts = read_batch([contract_key(tenant, cid) for cid in contract_ids]).all(ContractRecord)
    names = {c.agent_id: c.agent_name for c in contracts}
    roster = sorted(names)
    if len(roster) < 2:
        return 0  # nobody to review them
    replies = {}
    samples: dict[str, list[str]] = {}
    for agent_id in roster:
        found = {_work_id(w.sk): w for w in work.replies_in_week(tenant, AgentId(agent_id), week)}
        replies.update(found)
        if found:
            samples[agent_id] = rules.sample(sorted(found), week=str(week), agent_id=agent_id)
    business = business_name(tenant)
    made = 0
    for agent_id, reply_id, reviewer_id in rules.assign(samples, roster):
        reply = replies[reply_id]
        review = PeerReviewRecord(
            *review_key(tenant, week, reply_id),
            review_id=reply_id,
            tenant_id=tenant.value,
            business_name=business,
            week=str(week),
            agent_id=agent_id,
            agent_name=names.get(agent_id, ""),
            reviewer_id=reviewer_id,
            reviewer_name=names.get(reviewer_id, ""),
            inquiry_id=reply.inquiry_id,
            number=int(reply.number),
            message_sk=reply.message_sk,
            replied_at=reply.at,
            excerpt=_excerpt(tenant, reply.inquiry_id, reply.message_sk),
            assigned_at=deps.now(),
            status="to_do",
            gsi1pk=reviews_to_do_index(AgentId(reviewer_id)),
            gsi1sk=reply_id,
        )
        try:
            review.save(condition=PeerReviewRecord.pk.does_not_exist())
        except PutError as error:
            if is_condition_failure(error):
                continue  # made by an earlier run
            raise
        made += 1
    if made:
        logger.info("peer reviews assigned", extra={"week": str(week), "reviews": made})
    return made


def _excerpt(tenant: TenantId, inquiry_id: str, message_sk: str | None) -> str:
    if not message_sk:
        return ""
    message = MessageRecord.find(inquiry_partition(tenant, inquiry_id), message_sk)
    if message is None:
        return ""
    text = " ".join(message.body.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


# -- the reviewer ---------------------------------------------------------------------------------


def _agent(actor: Principal) -> AgentId:
    if actor.kind is not PrincipalKind.AGENT:
        raise Forbidden("peer reviews are for agents")
    return AgentId(actor.id)


def to_do(actor: Principal, *, limit: int = 100) -> list[PeerReviewRecord]:
    """The reviews waiting for this agent, oldest reply first (their to-do index holds only those)."""
    agent = _agent(actor)
    return [
        r
        for r in PeerReviewRecord.gsi1.query(reviews_to_do_index(agent), limit=limit)
        if isinstance(r, PeerReviewRecord)
    ]


def done_by(actor: Principal, *, limit: int = 20) -> list[PeerReviewRecord]:
    agent = _agent(actor)
    return [
        r
        for r in PeerReviewRecord.gsi1.query(reviews_done_index(agent), scan_index_forward=False, limit=limit)
        if isinstance(r, PeerReviewRecord)
    ]


def feedback(actor: Principal, *, limit: int = 50) -> list[PeerReviewRecord]:
    """What other agents said about this agent's replies, newest first."""
    return feedback_for(_agent(actor), limit=limit)


def feedback_for(agent: AgentId, *, limit: int = 50) -> list[PeerReviewRecord]:
    return [
        r
        for r in PeerReviewRecord.gsi2.query(feedback_index(agent), scan_index_forward=False, limit=limit)
        if isinstance(r, PeerReviewRecord)
    ]


def _find(actor: Principal, review_id: str) -> PeerReviewRecord:
    """The reviewer's own review (to do or done); NotFound for anyone else's (no leak)."""
    agent = _agent(actor)
    if not (review_id.isalnum() and len(review_id) <= 64):
        raise NotFound("no such review")
    for index in (reviews_to_do_index(agent), reviews_done_index(agent)):
        for item in PeerReviewRecord.gsi1.query(index, PeerReviewRecord.gsi1sk == review_id):
            if isinstance(item, PeerReviewRecord) and item.reviewer_id == agent.value:
                return item
    raise NotFound("no such review")


@dataclass(frozen=True)
class ReviewPage:
    review: PeerReviewRecord
    thread: list[MessageRecord]  # what the customer saw: the customer's messages and the replies


def open_review(actor: Principal, review_id: str) -> ReviewPage:
    review = _find(actor, review_id)
    tenant = TenantId(review.tenant_id)
    thread = [
        m
        for m in MessageRecord.query(
            inquiry_partition(tenant, review.inquiry_id), MessageRecord.sk.startswith("MSG#")
        )
        if isinstance(m, MessageRecord) and not m.internal
    ]
    return ReviewPage(review, thread)


class _AlreadyScored(Conflict):
    code = "already_scored"


_ALREADY = _AlreadyScored("this review was scored already")


def score(actor: Principal, review_id: str, scores: rules.Scores, *, deps: Deps) -> PeerReviewRecord:
    """Score a reply once; the mean counts on the reviewed agent's reputation."""
    from chalicelib.services import reputation
    from chalicelib.services.metrics import recording
    from chalicelib.store.transactions import transaction

    review = _find(actor, review_id)
    if review.status != "to_do":
        raise _ALREADY
    tenant = TenantId(review.tenant_id)
    reviewer = AgentId(review.reviewer_id)

    def attempt() -> None:
        now = deps.now()
        current = reputation.standing(AgentId(review.agent_id))
        mean = scores.mean
        # 26 actions at most: the review, the agent's reputation (22 at most: services/reputation.py)
        # and the agent's day in the metrics (3)
        with transaction() as tx:
            tx.update(
                PeerReviewRecord(review.pk, review.sk),
                actions=[
                    PeerReviewRecord.status.set("done"),
                    PeerReviewRecord.correct.set(scores.correct),
                    PeerReviewRecord.complete.set(scores.complete),
                    PeerReviewRecord.tone.set(scores.tone),
                    PeerReviewRecord.comment.set(scores.comment or None),
                    PeerReviewRecord.mean.set(round(mean * 10_000)),
                    PeerReviewRecord.scored_at.set(now),
                    PeerReviewRecord.gsi1pk.set(reviews_done_index(reviewer)),
                    PeerReviewRecord.gsi2pk.set(feedback_index(AgentId(review.agent_id))),
                    PeerReviewRecord.gsi2sk.set(feedback_sk(now, tenant, review.review_id)),
                ],
                condition=PeerReviewRecord.status == "to_do",
                on_conflict=_ALREADY,
            )
            reputation.add(tx, current, Kind.PEER, at=now, value=float(mean))
            recording.peer_review(tx, tenant, at=now, agent=review.agent_id, mean=mean)

    reputation.retrying(attempt)
    return PeerReviewRecord.load(review.pk, review.sk)


def for_week(actor: Principal, week: BillingWeek) -> list[PeerReviewRecord]:
    """A business's reviews of a week (its team may read how its agents review each other)."""
    if actor.kind is not PrincipalKind.MEMBER:
        raise Forbidden("a business reads its own reviews")
    from chalicelib.store.reputation import review_pk

    return [
        r
        for r in PeerReviewRecord.query(review_pk(actor.require_tenant(), week))
        if isinstance(r, PeerReviewRecord)
    ]


def check_scores(correct: int, complete: int, tone: int, comment: str | None) -> rules.Scores:
    """The rubric's scores and the comment, plain text as a customer's comment is (markup and
    hidden characters taken out: domain/surveys.check_comment)."""
    from chalicelib.adapters.markdown import plain_text
    from chalicelib.domain.surveys import check_comment

    return rules.Scores(
        correct=correct, complete=complete, tone=tone, comment=check_comment(comment, plain=plain_text)
    )
