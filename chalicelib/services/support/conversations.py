"""Working an inquiry: a reply to the customer, an internal note, an escalation to tier 2, a
resolution; and the customer's answer by mail. Each is one transaction: the message, the head
(under the version read), the queue item, the history item, the agent's on-shift load where it
moves, and, for an agent's reply, escalation or resolution, the proof-of-work item under the
contract they work on (the running clock's, else their running contract with the business: a
manual entry logged later for that time holds it at review).

Who may act (PROMISES T1): the business's members; the agent who owns the inquiry; an agent
working at tier 2 for the business, on an escalated inquiry nobody owns (they take it by acting on
it). An agent with no running contract with the business gets 404 (services/support/inquiries.py
`open_for`); one with a contract who may not act on this inquiry, 403.

A first reply that comes after the due time, before the sla-check job marked a breach (its mark
needs no reply yet, so it never will), counts the missed target on the replying agent's reputation
in the reply's transaction, as the job's breach would, under the same event item (`_late_breach`).

A reply goes to the customer by mail after its transaction commits, from deskhire's sender, with a
signed Reply-To address that threads the customer's answer back (services/support/inbound_mail.py),
the subject from deskhire's catalogue ("Your request #1042") and the business's name and the reply
quoted as the business's words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from chalicelib.composition import Deps
from chalicelib.domain import inquiries as rules
from chalicelib.domain.errors import Conflict, Contended, Forbidden, NotFound
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.ids import new_id
from chalicelib.services.metrics import recording
from chalicelib.services.support import inquiries, notices, routing
from chalicelib.store import audit, keys
from chalicelib.store.contracts import ContractRecord, clock_key
from chalicelib.store.support import (
    HistoryItem,
    InquiryRecord,
    MessageRecord,
    OnShiftRecord,
    QueueItem,
    WorkRecord,
    agent_queue_index,
    agent_queue_sk,
    agent_work_index,
    agent_work_sk,
    head_key,
    history_key,
    message_key,
    on_shift_key,
    queue_pk,
    work_key,
)
from chalicelib.store.transactions import transaction
from chalicelib.web.observability import logger

if TYPE_CHECKING:
    from chalicelib.services.reputation import Standing

ATTEMPTS = 4

# Called after an inquiry is resolved, outside its transaction: (tenant, head, deps). The CSAT
# slice registers the mail that asks the customer for a rating here.
_RESOLVED_HOOKS: list[Callable[[TenantId, InquiryRecord, Deps], None]] = []


def on_resolved(
    hook: Callable[[TenantId, InquiryRecord, Deps], None],
) -> Callable[[TenantId, InquiryRecord, Deps], None]:
    """Register `hook(tenant, head, deps)`, called once after each resolution (a failing hook is
    logged and does not undo the resolution)."""
    if hook not in _RESOLVED_HOOKS:
        _RESOLVED_HOOKS.append(hook)
    return hook


@dataclass(frozen=True)
class Actor:
    """Who acts on an inquiry, as its messages and work items record them."""

    author: rules.Author
    id: str
    name: str
    contract: ContractRecord | None  # an agent's contract with the business


def _actor(principal: Principal, access: inquiries.Access, *, taking: bool) -> Actor:
    """Check that `principal` may act on the inquiry now. `taking`: the action would make an
    agent its owner (a tier-2 agent taking an escalation)."""
    head = access.head
    if principal.kind is PrincipalKind.MEMBER:
        return Actor(rules.Author.MEMBER, principal.id, principal.name, None)
    if principal.kind is not PrincipalKind.AGENT or access.contract is None:
        raise Forbidden("replies come from the business's team or its agents")
    if head.agent_id == principal.id:
        return Actor(rules.Author.AGENT, principal.id, principal.name, access.contract)
    unowned_escalation = head.agent_id is None and head.status == rules.Status.ESCALATED.value
    if taking and unowned_escalation and int(access.contract.tier or 1) >= 2:
        return Actor(rules.Author.AGENT, principal.id, principal.name, access.contract)
    raise Forbidden("this inquiry is another agent's, or waits for tier 2")


def _work_contract(actor: Actor, tenant: TenantId) -> str | None:
    """Where an agent's work counts: the contract their clock runs on, if it is with this
    business; else their running contract with it."""
    if actor.author is not rules.Author.AGENT:
        return None
    from chalicelib.store.contracts import ClockRecord

    clock = ClockRecord.find(*clock_key(AgentId(actor.id)), consistent=True)
    if clock is not None and clock.tenant_id == tenant.value:
        return clock.contract_id
    return actor.contract.contract_id if actor.contract else None


def _work(
    tenant: TenantId,
    head: InquiryRecord,
    actor: Actor,
    action: rules.WorkAction,
    *,
    now: datetime,
    message_sk: str | None,
) -> WorkRecord | None:
    contract_id = _work_contract(actor, tenant)
    if contract_id is None:
        return None
    work_id = new_id()
    return WorkRecord(
        *work_key(tenant, contract_id, now, work_id),
        tenant_id=tenant.value,
        contract_id=contract_id,
        agent_id=actor.id,
        inquiry_id=head.inquiry_id,
        number=int(head.number),
        action=action.value,
        at=now,
        message_sk=message_sk,
        gsi1pk=agent_work_index(AgentId(actor.id)),
        gsi1sk=agent_work_sk(now, tenant, work_id),
    )


def message_of(
    tenant: TenantId,
    head: InquiryRecord,
    actor: Actor,
    body: str,
    *,
    now: datetime,
    internal: bool,
    article: dict[str, str] | None = None,
) -> MessageRecord:
    message_id = new_id()
    return MessageRecord(
        *message_key(tenant, head.inquiry_id, now, message_id),
        message_id=message_id,
        author=actor.author.value,
        author_id=actor.id,
        author_name=actor.name,
        body=body,
        internal=internal,
        at=now,
        article=article,
        contract_id=actor.contract.contract_id if actor.contract else None,
        mail_status=None if internal or actor.author is rules.Author.CUSTOMER else "pending",
    )


_T = TypeVar("_T")


def retrying(attempt: Callable[[], _T]) -> _T:
    """Read, check, commit; again when the commit finds that something read has changed."""
    for _ in range(ATTEMPTS):
        try:
            return attempt()
        except (_Stale, Contended):
            continue
    raise Conflict("the inquiry changed while you worked on it; reload it", code="contended")


class _Stale(Conflict):
    code = "contended"


STALE = _Stale("the inquiry changed meanwhile")


def _taking(head: InquiryRecord, actor: Actor, tenant: TenantId) -> list:
    """Queue-item actions when an agent who does not own the inquiry acts on it (a tier-2 agent
    taking an escalation nobody owns): from now on it is theirs, in their workspace."""
    if actor.author is not rules.Author.AGENT or head.agent_id == actor.id:
        return []
    agent = AgentId(actor.id)
    return [
        QueueItem.agent_id.set(actor.id),
        QueueItem.agent_name.set(actor.name),
        QueueItem.gsi1pk.set(agent_queue_index(agent)),
        QueueItem.gsi1sk.set(agent_queue_sk(head.sla_due_at, tenant, head.inquiry_id)),
    ]


def _worked_here(head: InquiryRecord) -> None:
    """A helpdesk integration's inquiry is answered, escalated and solved in that helpdesk, whose
    events move it here (services/support/helpdesk.py): doing it in deskhire would mail its customer
    from a second place, and the next event would overwrite it. Internal notes stay allowed."""
    if head.source == rules.Source.HELPDESK.value:
        raise Conflict(
            "this request is answered in its helpdesk: reply, escalate or solve it there",
            code="helpdesk_inquiry",
        )


def _late_breach(head: InquiryRecord, actor: Actor, now: datetime) -> Standing | None:
    """A first reply by an agent after the due time that the sla-check job has not marked a breach
    for yet: the target is missed, and the replying agent missed it. The job will never mark it
    (its mark needs no reply yet), so the reply counts it on that agent's reputation, as the job's
    breach would (`reputation.count_breach`). The agent's standing, read before the transaction;
    None when the reply counts nothing (in time, not the first, a member's, or marked already:
    that breach was counted with its mark)."""
    if (
        head.first_response_at is not None
        or head.breached_at is not None
        or actor.author is not rules.Author.AGENT
        or head.sla_due_at is None
        or not rules.is_breached(head.sla_due_at, now, now)
    ):
        return None
    from chalicelib.services import reputation

    return reputation.standing(AgentId(actor.id))


def _count_late_breach(tx, head: InquiryRecord, standing: Standing) -> None:
    """The breach on the replying agent's reputation in the reply's transaction: the evidence a
    breach the job marks adds, at the due time, under the same event item (agent, breach, inquiry),
    so it counts once."""
    from chalicelib.domain.reputation import Kind
    from chalicelib.services import reputation

    reputation.add(tx, standing, Kind.SLA_BREACH, at=head.sla_due_at, event=head.inquiry_id)


# -- reply and note -------------------------------------------------------------------------------


def reply(
    principal: Principal,
    inquiry_id: str,
    body: str,
    *,
    internal: bool = False,
    article_slug: str | None = None,
    deps: Deps,
) -> MessageRecord:
    """A reply to the customer (mailed), or an internal note (never leaves the business's side)."""
    text = rules.check_body(body)
    counted: list[str] = []  # a late first reply's breach found counted already

    def attempt() -> MessageRecord:
        access = inquiries.open_for(principal, inquiry_id, deps=deps)
        tenant, head = access.tenant, access.head
        if not internal:
            _worked_here(head)
        actor = _actor(principal, access, taking=not internal)
        now = deps.now()
        article = _article(tenant, article_slug) if article_slug and not internal else None
        message = message_of(tenant, head, actor, text, now=now, internal=internal, article=article)
        if internal:
            with transaction() as tx:
                tx.update(
                    head,
                    actions=[InquiryRecord.messages.add(1), InquiryRecord.updated_at.set(now)],
                    on_conflict=STALE,
                )
                tx.save(message)
            return message
        status = rules.next_status(rules.Status(head.status), rules.Action.REPLY)
        first = head.first_response_at is None
        head_actions = [
            InquiryRecord.status.set(status.value),
            InquiryRecord.messages.add(1),
            InquiryRecord.updated_at.set(now),
        ]
        queue_actions = [QueueItem.status.set(status.value)]
        history_actions = [HistoryItem.status.set(status.value)]
        if first:
            head_actions.append(InquiryRecord.first_response_at.set(now))
            queue_actions.append(QueueItem.first_response_at.set(now))
            history_actions.append(HistoryItem.first_response_at.set(now))
            if head.breached_at is None:
                # answered in time or late, the SLA index no longer needs it; a breached one
                # leaves the index once the sla-check job has dealt with the breach
                queue_actions += [QueueItem.gsi2pk.remove(), QueueItem.gsi2sk.remove()]
        if actor.author is rules.Author.AGENT and head.agent_id != actor.id:
            head_actions += [InquiryRecord.agent_id.set(actor.id), InquiryRecord.agent_name.set(actor.name)]
            history_actions += [HistoryItem.agent_id.set(actor.id), HistoryItem.agent_name.set(actor.name)]
        work = _work(tenant, head, actor, rules.WorkAction.REPLY, now=now, message_sk=message.sk)
        late = None if counted else _late_breach(head, actor, now)
        try:
            with transaction() as tx:
                tx.update(head, actions=head_actions, on_conflict=STALE)
                tx.update(
                    QueueItem(queue_pk(tenant), head.queue_sk()),
                    actions=queue_actions + _taking(head, actor, tenant),
                    condition=QueueItem.pk.exists(),
                    on_conflict=STALE,
                )
                tx.update(
                    HistoryItem(*history_key(tenant, head.created_at, head.inquiry_id)),
                    actions=history_actions,
                )
                tx.save(message)
                if work is not None:
                    tx.save(work)
                if first:
                    recording.first_reply(
                        tx,
                        tenant,
                        created_at=head.created_at,
                        at=now,
                        agent=actor.id if actor.author is rules.Author.AGENT else None,
                        due_at=head.sla_due_at,
                        breached_at=head.breached_at,
                    )
                if late is not None:
                    _count_late_breach(tx, head, late)
        except Conflict as error:
            if late is None:
                raise
            if error.code == "already_counted":  # counted before (not by a mark): not again
                counted.append(head.inquiry_id)
            raise STALE from error  # the agent's reputation changed meanwhile: read it again
        return message

    message = retrying(attempt)
    if not internal:
        notices.mail_reply(inquiries.tenant_of(inquiry_id), inquiry_id, message, deps=deps)
    return message


def _article(tenant: TenantId, slug: str) -> dict[str, str]:
    """A published article of the business, to send with a reply: its title and public path."""
    from chalicelib.domain.errors import InvalidInput
    from chalicelib.store import knowledge
    from chalicelib.store.identity import TenantRecord

    record = knowledge.article_by_slug(tenant, slug) if slug.replace("-", "").isalnum() else None
    if record is None or record.status != "published":
        raise InvalidInput("that article is not published in your help centre", field="article_slug")
    business = TenantRecord.find(keys.tenant_pk(tenant), "TENANT")
    if business is None:
        raise NotFound("no such business")
    return {"title": record.title, "path": f"/help/{business.slug}/articles/{record.slug}"}


# -- escalate -------------------------------------------------------------------------------------


def escalate(principal: Principal, inquiry_id: str, note: str, *, deps: Deps) -> InquiryRecord:
    """Tier 1 asks tier 2: the inquiry leaves its agent with a note, waits for a tier-2 agent on
    shift (routed at once if one fits) or the business's team, who get a mail when no one does."""
    text = rules.check_message(note, field="note")

    def attempt() -> InquiryRecord:
        access = inquiries.open_for(principal, inquiry_id, deps=deps)
        tenant, head = access.tenant, access.head
        _worked_here(head)
        actor = _actor(principal, access, taking=False)
        status = rules.next_status(rules.Status(head.status), rules.Action.ESCALATE)
        now = deps.now()
        message = message_of(tenant, head, actor, f"Escalated to tier 2: {text}", now=now, internal=True)
        work = _work(tenant, head, actor, rules.WorkAction.ESCALATE, now=now, message_sk=message.sk)
        with transaction() as tx:
            tx.update(
                head,
                actions=[
                    InquiryRecord.status.set(status.value),
                    InquiryRecord.tier_needed.set(max(2, int(head.tier_needed or 1))),
                    InquiryRecord.agent_id.remove(),
                    InquiryRecord.agent_name.remove(),
                    InquiryRecord.escalated_at.set(now),
                    InquiryRecord.escalated_by.set(actor.id),
                    InquiryRecord.messages.add(1),
                    InquiryRecord.updated_at.set(now),
                ],
                on_conflict=STALE,
            )
            tx.update(
                QueueItem(queue_pk(tenant), head.queue_sk()),
                actions=[
                    QueueItem.status.set(status.value),
                    QueueItem.tier_needed.set(max(2, int(head.tier_needed or 1))),
                    QueueItem.agent_id.remove(),
                    QueueItem.agent_name.remove(),
                    QueueItem.gsi1pk.remove(),
                    QueueItem.gsi1sk.remove(),
                ],
                condition=QueueItem.pk.exists(),
                on_conflict=STALE,
            )
            tx.update(
                HistoryItem(*history_key(tenant, head.created_at, head.inquiry_id)),
                actions=[
                    HistoryItem.status.set(status.value),
                    HistoryItem.agent_id.remove(),
                    HistoryItem.agent_name.remove(),
                ],
            )
            _release_load(tx, tenant, head)
            tx.save(message)
            if work is not None:
                tx.save(work)
            tx.save(
                audit.entry(
                    tenant,
                    principal,
                    "inquiry.escalated",
                    f"inquiry:{head.inquiry_id}",
                    {"after": {"number": int(head.number)}},
                    at=now,
                )
            )
        return head

    head = retrying(attempt)
    tenant = TenantId(head.tenant_id)
    decision = routing.route(tenant, inquiry_id, trigger=routing.Trigger.ESCALATION, deps=deps)
    if decision is None or decision.chosen is None:
        notices.mail_team(tenant, int(head.number), escalated=True, deps=deps)
    return InquiryRecord.load(*head_key(tenant, inquiry_id))


def _release_load(tx, tenant: TenantId, head: InquiryRecord) -> None:
    """The inquiry's agent owns one fewer (if they are still on shift: their item may be gone)."""
    if head.agent_id is None:
        return
    shift = OnShiftRecord.find(*on_shift_key(tenant, AgentId(head.agent_id)), consistent=True)
    if shift is not None and int(shift.open_inquiries or 0) > 0:
        tx.update(
            OnShiftRecord(shift.pk, shift.sk),
            actions=[OnShiftRecord.open_inquiries.add(-1)],
            condition=OnShiftRecord.pk.exists() & (OnShiftRecord.open_inquiries > 0),
            on_conflict=STALE,
        )


# -- resolve --------------------------------------------------------------------------------------


def resolve(principal: Principal, inquiry_id: str, *, note: str | None = None, deps: Deps) -> InquiryRecord:
    """The question is answered: the inquiry leaves the queue (its history stays)."""
    text = rules.check_message(note, field="note") if note and note.strip() else None

    def attempt() -> InquiryRecord:
        access = inquiries.open_for(principal, inquiry_id, deps=deps)
        tenant, head = access.tenant, access.head
        _worked_here(head)
        actor = _actor(principal, access, taking=True)
        rules.next_status(rules.Status(head.status), rules.Action.RESOLVE)
        now = deps.now()
        message = message_of(
            tenant, head, actor, f"Resolved{': ' + text if text else '.'}", now=now, internal=True
        )
        work = _work(tenant, head, actor, rules.WorkAction.RESOLVE, now=now, message_sk=None)
        with transaction() as tx:
            tx.update(
                head,
                actions=[
                    InquiryRecord.status.set(rules.Status.RESOLVED.value),
                    InquiryRecord.resolved_at.set(now),
                    InquiryRecord.resolved_by.set(actor.id),
                    InquiryRecord.messages.add(1),
                    InquiryRecord.updated_at.set(now),
                ],
                on_conflict=STALE,
            )
            tx.delete(QueueItem(queue_pk(tenant), head.queue_sk()))
            tx.update(
                HistoryItem(*history_key(tenant, head.created_at, head.inquiry_id)),
                actions=[
                    HistoryItem.status.set(rules.Status.RESOLVED.value),
                    HistoryItem.resolved_at.set(now),
                ],
            )
            _release_load(tx, tenant, head)
            tx.save(message)
            if work is not None:
                tx.save(work)
            recording.resolved(
                tx,
                tenant,
                at=now,
                agent=actor.id if actor.author is rules.Author.AGENT else None,
                reason=head.reason,
            )
        return head

    head = retrying(attempt)
    tenant = TenantId(head.tenant_id)
    resolved = InquiryRecord.load(*head_key(tenant, inquiry_id))
    from chalicelib.services.support import listeners

    listeners.load()  # the later slices' hooks (the CSAT mail), registered on first use
    for hook in list(_RESOLVED_HOOKS):
        try:
            hook(tenant, resolved, deps)
        except Exception:
            logger.exception("a hook after a resolution failed", extra={"inquiry": inquiry_id})
    return resolved
