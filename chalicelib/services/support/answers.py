"""The customer writes again, by mail: the answer joins the thread, and an answered or resolved
inquiry (resolved up to 14 days ago) reopens, to its agent if they are on shift, else to whoever
fits. One transaction: the message, the head (under the version read), the queue item (made again
for a resolved one) and the history item."""

from __future__ import annotations

from chalicelib.composition import Deps
from chalicelib.domain import inquiries as rules
from chalicelib.domain.errors import NotFound
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.services.support import inquiries, routing
from chalicelib.services.support.conversations import STALE, Actor, message_of, retrying
from chalicelib.store.support import (
    HistoryItem,
    InquiryRecord,
    OnShiftRecord,
    QueueItem,
    agent_queue_index,
    agent_queue_sk,
    head_key,
    history_key,
    on_shift_key,
    queue_pk,
)
from chalicelib.store.transactions import transaction


def customer_reply(tenant: TenantId, inquiry_id: str, body: str, *, deps: Deps) -> InquiryRecord | None:
    """The customer's answer (by mail) joins the thread. An answered or resolved inquiry (resolved
    up to 14 days ago) reopens: to its agent if they are on shift, else to whoever fits. None when
    the inquiry is resolved for longer: the caller makes a new inquiry of it."""
    text = rules.check_body(body)
    reopened = False

    def attempt() -> InquiryRecord:
        nonlocal reopened
        head = inquiries.find_for_system(tenant, inquiry_id)
        if head is None:
            raise NotFound("no such inquiry")
        now = deps.now()
        current = rules.Status(head.status)
        if not rules.reopens(current, head.resolved_at, now):
            raise _TooOld()
        status = rules.next_status(current, rules.Action.CUSTOMER_REPLY)
        keeps_agent = (
            head.agent_id is not None
            and OnShiftRecord.find(*on_shift_key(tenant, AgentId(head.agent_id)), consistent=True) is not None
        )
        if status is rules.Status.ASSIGNED and not keeps_agent:
            status = rules.Status.QUEUED  # its agent is off shift: back to the queue, routed below
        actor = Actor(
            rules.Author.CUSTOMER, head.customer_email, head.customer_name or head.customer_email, None
        )
        message = message_of(tenant, head, actor, text, now=now, internal=False)
        head_actions = [
            InquiryRecord.status.set(status.value),
            InquiryRecord.messages.add(1),
            InquiryRecord.updated_at.set(now),
        ]
        queue_agent: list = []
        if not keeps_agent and head.agent_id is not None and current is not rules.Status.ESCALATED:
            head_actions += [InquiryRecord.agent_id.remove(), InquiryRecord.agent_name.remove()]
            queue_agent = [
                QueueItem.agent_id.remove(),
                QueueItem.agent_name.remove(),
                QueueItem.gsi1pk.remove(),
                QueueItem.gsi1sk.remove(),
            ]
        if current is rules.Status.RESOLVED:
            head_actions += [InquiryRecord.resolved_at.remove(), InquiryRecord.resolved_by.remove()]
        with transaction() as tx:
            tx.update(head, actions=head_actions, on_conflict=STALE)
            if current is rules.Status.RESOLVED:
                reopened = True
                tx.save(_queue_item_of(tenant, head, status, keeps_agent=keeps_agent))
                if keeps_agent and head.agent_id:
                    tx.update(
                        OnShiftRecord(*on_shift_key(tenant, AgentId(head.agent_id))),
                        actions=[OnShiftRecord.open_inquiries.add(1)],
                        condition=OnShiftRecord.pk.exists(),
                        on_conflict=STALE,
                    )
            else:
                tx.update(
                    QueueItem(queue_pk(tenant), head.queue_sk()),
                    actions=[QueueItem.status.set(status.value), *queue_agent],
                    condition=QueueItem.pk.exists(),
                    on_conflict=STALE,
                )
            history = [HistoryItem.status.set(status.value)]
            if current is rules.Status.RESOLVED:
                history.append(HistoryItem.resolved_at.remove())
            if queue_agent:
                history += [HistoryItem.agent_id.remove(), HistoryItem.agent_name.remove()]
            tx.update(HistoryItem(*history_key(tenant, head.created_at, head.inquiry_id)), actions=history)
            tx.save(message)
        return head

    try:
        retrying(attempt)
    except _TooOld:
        return None
    head = InquiryRecord.load(*head_key(tenant, inquiry_id))
    if head.agent_id is None:
        routing.route(
            tenant,
            inquiry_id,
            trigger=routing.Trigger.REOPENED if reopened else routing.Trigger.CREATED,
            deps=deps,
        )
        head = InquiryRecord.load(*head_key(tenant, inquiry_id))
    return head


class _TooOld(Exception):
    pass


def _queue_item_of(
    tenant: TenantId, head: InquiryRecord, status: rules.Status, *, keeps_agent: bool
) -> QueueItem:
    from chalicelib.services.support.inquiries import business_name

    item = QueueItem(
        queue_pk(tenant),
        head.queue_sk(),
        inquiry_id=head.inquiry_id,
        tenant_id=tenant.value,
        number=int(head.number),
        status=status.value,
        priority=head.priority,
        reason=head.reason,
        subject=head.subject,
        customer_email=head.customer_email,
        language=head.language,
        channel=head.channel,
        tier_needed=int(head.tier_needed or 1),
        business_name=business_name(tenant),
        created_at=head.created_at,
        sla_due_at=head.sla_due_at,
        first_response_at=head.first_response_at,
        breached_at=head.breached_at,
    )
    if keeps_agent and head.agent_id:
        item.agent_id, item.agent_name = head.agent_id, head.agent_name
        item.gsi1pk = agent_queue_index(AgentId(head.agent_id))
        item.gsi1sk = agent_queue_sk(head.sla_due_at, tenant, head.inquiry_id)
    return item
