"""Helpdesk integrations (issue 15, slice 10): a business's Zendesk or Freshdesk sends its ticket
events here, with the business's API key, and each ticket becomes one of its inquiries
(source `helpdesk`), so that proof of work, the support metrics and reputation work for it too.
The rules are domain/helpdesk.py; what arrives is read by domain/helpdesk_events.py.

**One transaction per event**, whatever came before: the event's record (under
attribute_not_exists: a second delivery changes nothing and answers `duplicate`), the ticket's
state (under its version) and the inquiry's head, history and customer index derived from it, a
note in the thread, the proof-of-work item of an agent's reply or solve, what the ticket counts
for (services/support/helpdesk_counts.py: metrics, CSAT and reputation; helpdesk_sla.py: its
first-response target in SLA attainment), the log line the
integrations page shows and the address that needs the business's attention
(services/support/helpdesk_attention.py reads both). The first event of a ticket, whichever it is, makes the inquiry: the number counter,
the number, the head, the claims (the inquiry's, and the ticket's under attribute_not_exists, so
that two first events racing make one inquiry: the loser reads again and joins it).

**Who.** An address is an agent's when it is their deskhire address and they are under contract
with this business (active or paused), never another business's; a member's when it is one of its
own team's. An agent's reply or solve is proof of work at the moment the helpdesk says it happened,
under the contract their clock ran on then for this business, else their contract with it (as
services/support/conversations.py places an agent's work); the review places it under the diary
entry whose span holds that moment. Any other address is recorded without anyone and listed as needing attention.

**Not deskhire's to do** for a helpdesk's inquiry: routing (the helpdesk assigns), the sla-check
job's re-routing, escalation and mail (the helpdesk chases its own targets; the job only counts a
target missed, services/support/helpdesk_sla.py), mail to the customer, or the CSAT mail (the helpdesk asks): it has no queue item, so the
queue, routing, the SLA index and the workspace never see it. Its history item and its head are
what the business's lists, its inquiry page and the metrics read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.composition import Deps
from chalicelib.domain import helpdesk as rules
from chalicelib.domain import inquiries as inquiry_rules
from chalicelib.domain.errors import Conflict, Contended
from chalicelib.domain.identity import PrincipalKind
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.ids import new_id
from chalicelib.services.support import helpdesk_counts, helpdesk_sla
from chalicelib.services.support import settings as support_settings
from chalicelib.store import keys
from chalicelib.store.helpdesk import (
    AttentionItem,
    EventLogItem,
    EventTaken,
    TicketClaim,
    TicketStateRecord,
    attention_id,
    attention_key,
    event_key,
    log_key,
    state_key,
    ticket_key,
)
from chalicelib.store.support import (
    CounterRecord,
    CustomerIndexItem,
    HistoryItem,
    InquiryClaim,
    InquiryRecord,
    MessageRecord,
    NumberRecord,
    WorkRecord,
    agent_work_index,
    agent_work_sk,
    claim_key,
    counter_key,
    customer_key,
    head_key,
    history_key,
    message_key,
    number_key,
    work_key,
)
from chalicelib.store.transactions import transaction
from chalicelib.web.observability import logger

ATTEMPTS = 6
EVENT_DAYS = 90  # a helpdesk retries for hours, never for months
LOG_DAYS = 30


@dataclass(frozen=True)
class Taken:
    status: str  # applied, duplicate, ignored
    inquiry_id: str | None = None
    number: int | None = None
    needs_attention: bool = False


class _Duplicate(Conflict):
    code = "duplicate"


_DUPLICATE = _Duplicate("this event was taken already")
_RETRY = Conflict("the ticket changed meanwhile", code="contended")


def admit(tenant: TenantId, *, deps: Deps) -> None:
    """The business's own bucket for helpdesk events (PROMISES T5), on top of its key's."""
    from chalicelib.store import limits

    limits.spend(limits.in_force(deps).helpdesk_tenant, "helpdesk_tenant", tenant.value, deps=deps)


def ignored(
    tenant: TenantId, *, product: str, what: str, ticket_id: str | None, key_id: str, deps: Deps
) -> Taken:
    """An event deskhire does not use (another Zendesk event type, a private comment, a rating
    only offered): logged, so that the business sees its helpdesk reach deskhire, and answered 202."""
    now = deps.now()
    _log_item(tenant, now, product=product, kind=what[:60], ticket_id=ticket_id, key_id=key_id).save()
    return Taken("ignored")


def take(tenant: TenantId, event: rules.Event, *, key_id: str, deps: Deps) -> Taken:
    """Take one event of the business's helpdesk in: see the module's docstring."""
    if event.kind is rules.Kind.RATED and event.rating is None:
        return ignored(
            tenant, product=event.product, what="rated", ticket_id=event.ticket_id, key_id=key_id, deps=deps
        )
    who = (
        rules.Who()
        if event.native or event.agent_email is None
        else match(tenant, event.agent_email, at=event.at, deps=deps)
    )
    settings = support_settings.of(tenant)
    for _attempt in range(ATTEMPTS):
        taken = EventTaken.find(*event_key(tenant, event.key), consistent=True)
        if taken is not None:
            return Taken("duplicate", taken.inquiry_id, int(taken.number))
        claim = TicketClaim.find(*ticket_key(tenant, event.product, event.ticket_id), consistent=True)
        try:
            if claim is None:
                head = _create(tenant, event, who, settings, key_id=key_id, deps=deps)
            else:
                head = _apply(tenant, claim, event, who, settings, key_id=key_id, deps=deps)
        except _Duplicate:
            continue  # the next read of the event's record answers
        except (Conflict, Contended):
            continue  # a number, the ticket's claim or its state moved: read again
        break
    else:
        raise Conflict("the ticket is changing fast at this moment; send the event again", code="contended")
    logger.info(
        "a helpdesk event taken",
        extra={"product": event.product.value, "event": event.kind.value, "inquiry": head.inquiry_id},
    )
    return Taken("applied", head.inquiry_id, int(head.number), who.needs_attention)


def match(tenant: TenantId, email: str, *, at: datetime, deps: Deps) -> rules.Who:
    """Who an address is for this business: an agent under contract with it, one of its own team,
    or unknown (another business's agent or member, or nobody deskhire knows, told apart by nothing).
    An agent's work at `at` counts under the contract their clock ran on then, when it still runs
    (the diary entry open at that moment), else under their contract with the business (the work
    then sits under whatever entry they log for that time), as a reply in deskhire does."""
    from chalicelib.services.support import inquiries
    from chalicelib.store.contracts import ClockRecord, clock_key
    from chalicelib.store.identity import Claim, MemberRecord

    pk = keys.platform_pk("EMAIL", email)
    claim = Claim.find(pk, pk)
    if claim is not None and claim.owner_kind == PrincipalKind.MEMBER and claim.tenant_id == tenant.value:
        member = MemberRecord.find(keys.tenant_pk(tenant), keys.sort_key("MEMBER", claim.owner_id))
        if member is not None and member.status == "active":
            return rules.Who(rules.Author.MEMBER, email, member.member_id, member.name)
    if claim is not None and claim.owner_kind == PrincipalKind.AGENT:
        agent = AgentId(claim.owner_id)
        contract = inquiries.live_contract(agent, tenant, now=deps.now())
        if contract is not None:
            clock = ClockRecord.find(*clock_key(agent), consistent=True)
            running = clock is not None and clock.tenant_id == tenant.value and clock.started_at <= at
            counts_under = clock.contract_id if clock is not None and running else contract.contract_id
            return rules.Who(rules.Author.AGENT, email, agent.value, contract.agent_name, counts_under)
    return rules.Who(rules.Author.UNKNOWN, email)


# -- writing an event ------------------------------------------------------------------------------


def _create(
    tenant: TenantId,
    event: rules.Event,
    who: rules.Who,
    settings: inquiry_rules.SupportSettings,
    *,
    key_id: str,
    deps: Deps,
) -> InquiryRecord:
    state = rules.counted(rules.merge(None, event, who), event)
    view = rules.derive(state, settings.sla, deps.now())
    counter = CounterRecord.find(*counter_key(tenant), consistent=True)
    last = int(counter.last) if counter else 0
    now = deps.now()
    inquiry_id = new_id()
    head = InquiryRecord(
        *head_key(tenant, inquiry_id),
        inquiry_id=inquiry_id,
        tenant_id=tenant.value,
        number=last + 1,
        source=inquiry_rules.Source.HELPDESK.value,
        language="en",
        tier_needed=1,
        messages=0,
        external_ref=event.ref,
    )
    _fill(head, view, state, event, now=now)
    record = TicketStateRecord(*state_key(tenant, inquiry_id), state=state.to_json())
    sla = helpdesk_sla.settle(tenant, record, inquiry_id, None, view)
    standings = helpdesk_counts.standings(None, view.credit)
    with transaction() as tx:
        tx.update(
            CounterRecord(*counter_key(tenant)),
            actions=[CounterRecord.last.set(last + 1), CounterRecord.kind.set(CounterRecord)],
            condition=(CounterRecord.last == last) if last else CounterRecord.pk.does_not_exist(),
            on_conflict=_RETRY,
        )
        tx.save(
            NumberRecord(*number_key(tenant, last + 1), inquiry_id=inquiry_id),
            condition=NumberRecord.pk.does_not_exist(),
            on_conflict=_RETRY,
        )
        tx.save(
            TicketClaim(
                *ticket_key(tenant, event.product, event.ticket_id), inquiry_id=inquiry_id, number=last + 1
            ),
            condition=TicketClaim.pk.does_not_exist(),
            on_conflict=_RETRY,
        )
        tx.save(
            InquiryClaim(*claim_key(inquiry_id), tenant_id=tenant.value),
            condition=InquiryClaim.pk.does_not_exist(),
        )
        tx.save(record)
        tx.save(_history(tenant, head, view))
        if view.customer_email:
            tx.save(_customer_item(tenant, head, view))
        _event_writes(tx, tenant, head, event, who, key_id=key_id, now=now)
        helpdesk_counts.writes(tx, tenant, head, None, view.credit, standings)
        helpdesk_counts.figures(tx, tenant, None, view)
        helpdesk_sla.count(tx, tenant, sla)
        tx.save(head, condition=InquiryRecord.pk.does_not_exist(), on_conflict=_RETRY)
    return head


def _apply(
    tenant: TenantId,
    claim: TicketClaim,
    event: rules.Event,
    who: rules.Who,
    settings: inquiry_rules.SupportSettings,
    *,
    key_id: str,
    deps: Deps,
) -> InquiryRecord:
    head = InquiryRecord.load(*head_key(tenant, claim.inquiry_id))
    record = TicketStateRecord.load(*state_key(tenant, claim.inquiry_id))
    before = rules.TicketState.from_json(record.state)
    after = rules.counted(rules.merge(before, event, who), event)
    now = deps.now()
    old, new = rules.derive(before, settings.sla, now), rules.derive(after, settings.sla, now)
    _fill(head, new, after, event, now=now)
    record.state = after.to_json()
    sla = helpdesk_sla.settle(tenant, record, head.inquiry_id, old, new)
    old_history = history_key(tenant, old.created_at, head.inquiry_id)
    old_customer = customer_key(tenant, old.customer_email, old.created_at, head.inquiry_id)
    standings = helpdesk_counts.standings(old.credit, new.credit)
    # 91 actions at most, about 60 in practice: an event moves the first reply, the solve or the
    # rating (and perhaps the creation), so 2 agents' items at most (reputation, 21 each with all
    # 15 languages listed; 3 days and a week each), the business's days and weeks of the old and
    # new moments (7 each) and 2 hours, and 15 of the ticket's own (state, indexes, event, rating)
    with transaction() as tx:
        tx.save(record, on_conflict=_RETRY)
        if old_history != history_key(tenant, new.created_at, head.inquiry_id):
            tx.delete(HistoryItem(*old_history))
        tx.save(_history(tenant, head, new))
        if old.customer_email and (
            not new.customer_email or old_customer != _customer_key(tenant, head, new)
        ):
            tx.delete(CustomerIndexItem(*old_customer))
        if new.customer_email:
            tx.save(_customer_item(tenant, head, new))
        _event_writes(tx, tenant, head, event, who, key_id=key_id, now=now)
        helpdesk_counts.writes(tx, tenant, head, old.credit, new.credit, standings)
        helpdesk_counts.figures(tx, tenant, old, new)
        helpdesk_sla.count(tx, tenant, sla)
        tx.save(head, on_conflict=_RETRY)
    return head


def _fill(
    head: InquiryRecord, view: rules.Derived, state: rules.TicketState, event: rules.Event, *, now: datetime
) -> None:
    """The head as the ticket's state says it (every field derived, so that any order converges)."""
    head.status = view.status.value
    head.subject = view.subject
    head.customer_email = view.customer_email
    head.customer_name = view.customer_name
    head.priority = view.priority.value
    head.channel = view.channel
    head.created_at = view.created_at
    head.sla_due_at = view.sla_due_at
    head.first_response_at = view.first_response_at
    head.breached_at = view.breached_at
    head.resolved_at = view.resolved_at
    head.resolved_by = view.resolved_by
    head.agent_id = view.agent.id if view.agent else None
    head.agent_name = view.agent.name if view.agent else None
    head.updated_at = now
    credit = view.credit
    # The rating in the shape services/ratings.py gives a head (score, comment, at, agent_id).
    head.rating = (
        {
            "score": credit.score,
            "comment": credit.comment or "",
            "at": credit.at.isoformat(),
            "agent_id": credit.agent_id,
        }
        if credit is not None
        else None
    )
    if event.kind is rules.Kind.CREATED and event.ticket.description:
        # the ticket's own text says its language (one created event per ticket: it converges)
        from chalicelib.adapters import language as detector

        head.language = detector.detect(f"{view.subject}\n{event.ticket.description}")
        head.language_detected = True


def _history(tenant: TenantId, head: InquiryRecord, view: rules.Derived) -> HistoryItem:
    return HistoryItem(
        *history_key(tenant, view.created_at, head.inquiry_id),
        inquiry_id=head.inquiry_id,
        number=int(head.number),
        status=view.status.value,
        priority=view.priority.value,
        subject=view.subject,
        customer_email=view.customer_email,
        agent_id=head.agent_id,
        agent_name=head.agent_name,
        created_at=view.created_at,
        first_response_at=view.first_response_at,
        resolved_at=view.resolved_at,
        breached=view.breached_at is not None,
    )


def _customer_key(tenant: TenantId, head: InquiryRecord, view: rules.Derived) -> tuple[str, str]:
    return customer_key(tenant, view.customer_email, view.created_at, head.inquiry_id)


def _customer_item(tenant: TenantId, head: InquiryRecord, view: rules.Derived) -> CustomerIndexItem:
    return CustomerIndexItem(
        *_customer_key(tenant, head, view),
        inquiry_id=head.inquiry_id,
        number=int(head.number),
        subject=view.subject,
        created_at=view.created_at,
    )


def _event_writes(
    tx,
    tenant: TenantId,
    head: InquiryRecord,
    event: rules.Event,
    who: rules.Who,
    *,
    key_id: str,
    now: datetime,
) -> None:
    """What every event writes beside the state: its record, its note, an agent's work, the log
    line, and the address that needs attention."""
    tx.save(
        EventTaken(
            *event_key(tenant, event.key),
            inquiry_id=head.inquiry_id,
            number=int(head.number),
            kind_of_event=event.kind.value,
            received_at=now,
            expires_at=int((now + timedelta(days=EVENT_DAYS)).timestamp()),
        ),
        condition=EventTaken.pk.does_not_exist(),
        on_conflict=_DUPLICATE,
    )
    note = _note(tenant, head, event, who)
    tx.save(note)
    head.messages = int(head.messages or 0) + 1
    if who.author is rules.Author.AGENT and who.id and who.contract_id and event.kind in _WORK:
        work_id = new_id()
        tx.save(
            WorkRecord(
                *work_key(tenant, who.contract_id, event.at, work_id),
                tenant_id=tenant.value,
                contract_id=who.contract_id,
                agent_id=who.id,
                inquiry_id=head.inquiry_id,
                number=int(head.number),
                action=_WORK[event.kind].value,
                at=event.at,
                message_sk=None,  # the reply's words stay in the helpdesk: nothing to peer-review here
                gsi1pk=agent_work_index(AgentId(who.id)),
                gsi1sk=agent_work_sk(event.at, tenant, work_id),
            )
        )
    tx.save(
        _log_item(
            tenant,
            now,
            product=event.product.value,
            kind=event.kind.value,
            ticket_id=event.ticket_id,
            key_id=key_id,
            inquiry=head,
            who=who,
        )
    )
    if who.needs_attention and who.email:
        tx.update(
            AttentionItem(*attention_key(tenant, attention_id(who.email))),
            actions=[
                AttentionItem.kind.set(AttentionItem),
                AttentionItem.email.set(who.email),
                AttentionItem.events.add(1),
                AttentionItem.first_at.set(AttentionItem.first_at | now),
                AttentionItem.last_at.set(now),
                AttentionItem.product.set(event.product.value),
                AttentionItem.last_kind.set(event.kind.value),
                AttentionItem.last_ticket_id.set(event.ticket_id),
                AttentionItem.last_inquiry_id.set(head.inquiry_id),
                AttentionItem.last_number.set(int(head.number)),
            ],
        )


_WORK = {
    rules.Kind.REPLIED: inquiry_rules.WorkAction.REPLY,
    rules.Kind.SOLVED: inquiry_rules.WorkAction.RESOLVE,
}


def _note(tenant: TenantId, head: InquiryRecord, event: rules.Event, who: rules.Who) -> MessageRecord:
    """The event in the inquiry's thread, at the moment it happened (so the thread reads in order
    whatever order the events came in): the ticket's text as the customer's first message, else a
    note for the business's side."""
    label = event.product.label
    author, author_id, author_name = inquiry_rules.Author.SYSTEM, None, label
    if who.author is rules.Author.AGENT:
        author, author_id, author_name = inquiry_rules.Author.AGENT, who.id, who.name or who.email or ""
    elif who.author is rules.Author.MEMBER:
        author, author_id, author_name = inquiry_rules.Author.MEMBER, who.id, who.name or ""
    internal = True
    if event.kind is rules.Kind.CREATED and event.ticket.description:
        author, author_id, internal = inquiry_rules.Author.CUSTOMER, None, False
        author_name = head.customer_name or head.customer_email or "The customer"
        body = event.ticket.description
    elif event.kind is rules.Kind.CREATED:
        body = f"Opened in {label} as ticket {event.ticket_id}."
    elif event.kind is rules.Kind.REPLIED:
        body = f"Replied to the customer in {label}."
    elif event.kind is rules.Kind.SOLVED:
        body = f"Solved in {label}."
    else:
        rating = event.rating
        body = f"The customer rated it in {label}: {rating.given} ({rating.score} of 5)." if rating else ""
        if event.comment:
            body += f"\n\nTheir comment:\n{event.comment}"
    if who.needs_attention:
        body += f"\n\nFrom {who.email}: no agent under contract with you uses this address, so nobody is credited."
    elif event.native and event.kind is rules.Kind.REPLIED:
        body += f" ({label}'s own event names nobody by address: nobody is credited.)"
    message_id = new_id()
    return MessageRecord(
        *message_key(tenant, head.inquiry_id, event.at, message_id),
        message_id=message_id,
        author=author.value,
        author_id=author_id,
        author_name=author_name,
        body=body,
        internal=internal,
        at=event.at,
        contract_id=who.contract_id if who.author is rules.Author.AGENT else None,
    )


def _log_item(
    tenant: TenantId,
    now: datetime,
    *,
    product: str,
    kind: str,
    ticket_id: str | None,
    key_id: str,
    inquiry: InquiryRecord | None = None,
    who: rules.Who | None = None,
) -> EventLogItem:
    label = None
    if who is not None and who.author in (rules.Author.AGENT, rules.Author.MEMBER):
        label = who.name or who.email
    elif who is not None and who.author is rules.Author.UNKNOWN:
        label = who.email
    return EventLogItem(
        *log_key(tenant, now, new_id()),
        received_at=now,
        product=product,
        kind_of_event=kind,
        ticket_id=ticket_id,
        outcome="applied" if inquiry is not None else "ignored",
        inquiry_id=inquiry.inquiry_id if inquiry is not None else None,
        number=int(inquiry.number) if inquiry is not None else None,
        author=who.author.value if who is not None else None,
        who=label,
        key_id=key_id,
        expires_at=int((now + timedelta(days=LOG_DAYS)).timestamp()),
    )
