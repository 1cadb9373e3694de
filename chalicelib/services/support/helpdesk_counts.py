"""What a helpdesk ticket counts for (issue 15, slice 10; services/support/helpdesk.py takes the
events): the support metrics (services/metrics/recording.py: the contact, the first reply, the
resolution and the rating, each on its day), and its rating as it counts: the rating item (the business's list, the agent's), the agent's CSAT counter for the
rating's week (what the weekly billing run's performance bonus reads) and the agent's reputation
(services/reputation.py), as services/ratings.py records a rating given through deskhire's own link.

The ticket's state says when it was created, answered and solved, and which rating counts and for
whom (domain.helpdesk `Derived.credit`: the
latest rating, for the agent it names, else the agent who answered or solved the ticket); an event
moves these items by the difference between what the state said before it and after it
(`recording`'s `sign=-1` takes back), in the event's own transaction. So events in any order end with the same rating counted once, and a customer who
changes their mind replaces their rating (its evidence withdrawn, the new one added) rather than
adding a second one."""

from __future__ import annotations

from chalicelib.domain import helpdesk as rules
from chalicelib.domain.reputation import Kind
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.services import reputation
from chalicelib.services.metrics import recording
from chalicelib.store.support import InquiryRecord
from chalicelib.store.surveys import (
    CsatWeekRecord,
    RatingRecord,
    agent_ratings_index,
    agent_ratings_sk,
    csat_week_key,
    rating_key,
)


def standings(old: rules.Credit | None, new: rules.Credit | None) -> dict[str, reputation.Standing]:
    """The reputation items of the agents whose credit the event moves (read before the
    transaction, which saves them under the versions read)."""
    if old == new:
        return {}
    agents = {c.agent_id for c in (old, new) if c is not None and c.agent_id}
    return {agent: reputation.standing(AgentId(agent)) for agent in sorted(agents)}


def writes(
    tx,
    tenant: TenantId,
    head: InquiryRecord,
    old: rules.Credit | None,
    new: rules.Credit | None,
    standings: dict[str, reputation.Standing],
) -> None:
    """The ticket's rating as it counts, moved from `old` to `new` (the state before and after the
    event): the rating item (the business's list, the agent's), the agent's CSAT counter for the
    rating's week (the performance bonus) and the agent's reputation, as services/ratings.py
    records a rating given through deskhire's own link. A changed rating replaces the earlier one."""
    if old == new:
        return
    inquiry_id = head.inquiry_id
    if old is not None and (
        new is None or rating_key(tenant, old.at, inquiry_id) != rating_key(tenant, new.at, inquiry_id)
    ):
        tx.delete(RatingRecord(*rating_key(tenant, old.at, inquiry_id)))
    if new is not None:
        agent = AgentId(new.agent_id) if new.agent_id else None
        tx.save(
            RatingRecord(
                *rating_key(tenant, new.at, inquiry_id),
                inquiry_id=inquiry_id,
                tenant_id=tenant.value,
                number=int(head.number),
                score=new.score,
                comment=new.comment or "",
                agent_id=new.agent_id,
                agent_name=new.agent_name,
                business_name=_business_name(tenant),
                at=new.at,
                gsi1pk=agent_ratings_index(agent) if agent else None,
                gsi1sk=agent_ratings_sk(new.at, tenant, inquiry_id) if agent else None,
            )
        )
    counts: dict[tuple[BillingWeek, str], tuple[int, int]] = {}  # (week, agent): ratings, good
    for sign, credit in ((-1, old), (1, new)):
        if credit is None or not credit.agent_id:
            continue
        key = (BillingWeek.containing(credit.at), credit.agent_id)
        ratings, good = counts.get(key, (0, 0))
        counts[key] = (ratings + sign, good + (sign if credit.score >= 4 else 0))
    for (week, agent_id), (ratings, good) in counts.items():
        if ratings or good:
            tx.update(
                CsatWeekRecord(*csat_week_key(tenant, week, AgentId(agent_id))),
                actions=[
                    CsatWeekRecord.kind.set(CsatWeekRecord),
                    CsatWeekRecord.agent_id.set(agent_id),
                    CsatWeekRecord.ratings.add(ratings),
                    CsatWeekRecord.good.add(good),
                ],
            )
    for agent_id, standing in standings.items():
        withdrawn = (old.at, old.score) if old is not None and old.agent_id == agent_id else None
        added = (new.at, new.score) if new is not None and new.agent_id == agent_id else None
        if withdrawn != added:  # the same score at the same moment: only its comment changed
            # with the ticket's missed target, if the event moves it for this agent too, in one
            # write of the agent's items (helpdesk_sla.py)
            reputation.revisions(tx).revise(standing, Kind.CUSTOMER, withdrawn=withdrawn, added=added)


def _business_name(tenant: TenantId) -> str:
    from chalicelib.services.support.inquiries import business_name

    return business_name(tenant)


def figures(tx, tenant: TenantId, old: rules.Derived | None, new: rules.Derived) -> None:
    """The metrics the ticket adds, moved from what `old` said to what `new` says. Its first reply
    counts here without its target: whether the target was met is counted apart, from what was
    counted before (services/support/helpdesk_sla.py), since the clock judges it too."""
    source = "helpdesk"
    for sign, view in ((-1, old), (1, new)):
        if view is None:
            continue
        other = new if sign < 0 else old
        if other is None or (view.created_at, view.channel) != (other.created_at, other.channel):
            recording.inquiry_created(
                tx, tenant, at=view.created_at, channel=view.channel, source=source, reason=None, sign=sign
            )
        if view.first_response_at is not None and (other is None or _first(view) != _first(other)):
            recording.first_reply(
                tx,
                tenant,
                created_at=view.created_at,
                at=view.first_response_at,
                agent=view.first_by,
                due_at=None,  # the target: helpdesk_sla.py
                breached_at=None,
                sign=sign,
            )
        if view.resolved_at is not None and (
            other is None or (view.resolved_at, view.resolved_by) != (other.resolved_at, other.resolved_by)
        ):
            recording.resolved(
                tx, tenant, at=view.resolved_at, agent=view.resolved_by, reason=None, sign=sign
            )
        credit = view.credit
        if credit is not None and (other is None or _csat(credit) != _csat(other.credit)):
            recording.csat_rating(
                tx, tenant, at=credit.at, agent=credit.agent_id, score=credit.score, sign=sign
            )


def _first(view: rules.Derived) -> tuple:
    return (view.created_at, view.first_response_at, view.first_by)


def _csat(credit: rules.Credit | None) -> tuple | None:
    return None if credit is None else (credit.at, credit.agent_id, credit.score >= 4)
