"""Inquiries: one arrives (the help centre's contact form, the API with the business's key or a
member's token, inbound mail) and is routed; who may read and work one, and its thread (the lists
are services/support/lists.py).

**Creating** is one transaction of eight writes, whatever the business's history: the number
counter (on condition that it still holds the number read), the number's item, the head, the first
message, the queue item, the history item, the customer's index item and the claim that says whose
the inquiry is. A lost race on the counter reads it again. Routing follows, in its own
transaction (services/support/routing.py).

The business is always the one the key, the page's address or the webhook's secret belongs to:
`create` takes a TenantId its caller got from the principal or the path, never from a body
(PROMISES R2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.composition import Deps
from chalicelib.domain import contracts as terms
from chalicelib.domain import inquiries as rules
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import to_minute
from chalicelib.domain.vocabulary import check_language
from chalicelib.ids import new_id
from chalicelib.services.metrics import recording
from chalicelib.services.support import routing
from chalicelib.services.support import settings as support_settings
from chalicelib.store import keys
from chalicelib.store.base import query_kinds
from chalicelib.store.contracts import ContractRecord, agent_contracts_index
from chalicelib.store.support import (
    CounterRecord,
    CustomerIndexItem,
    HistoryItem,
    InquiryClaim,
    InquiryRecord,
    MessageRecord,
    NumberRecord,
    QueueItem,
    RouteRecord,
    claim_key,
    counter_key,
    customer_key,
    head_key,
    history_key,
    inquiry_partition,
    message_key,
    number_key,
    queue_pk,
    sla_index,
    sla_shard,
    sla_sk,
)
from chalicelib.store.transactions import transaction

ATTEMPTS = 5


@dataclass(frozen=True)
class NewInquiry:
    """A customer's question as it arrived, before the rules looked at it."""

    customer_email: str
    subject: str
    body: str
    channel: str = "email"
    priority: str = "normal"
    language: str | None = None
    reason: str | None = None
    customer_name: str | None = None
    external_ref: str | None = None


@dataclass(frozen=True)
class Checked:
    customer_email: str
    customer_name: str | None
    subject: str
    body: str
    channel: str
    priority: rules.Priority
    language: str
    detected: bool
    reason: str | None
    tier: int
    external_ref: str | None


def check(new: NewInquiry, settings: rules.SupportSettings) -> Checked:
    """Every rule an inquiry meets, before anything is read or written. The language is detected
    from the text when it was not given (a light detector, loaded on first use)."""
    from chalicelib.domain.text import check_line, check_text

    email = rules.check_customer_email(new.customer_email)
    name = (
        rules.check_customer_name(check_line(new.customer_name, field="customer_name"))
        if new.customer_name
        else None
    )
    subject = rules.check_subject(check_line(new.subject, field="subject"))
    body = rules.check_body(check_text(new.body, field="body"))
    channel = rules.check_channel(new.channel)
    priority = rules.check_priority(new.priority)
    reason = rules.check_reason(new.reason or None, list(settings.reason_tags))
    if new.language:
        language, detected = check_language(new.language.strip().lower()), False
    else:
        from chalicelib.adapters import language as detector

        language, detected = detector.detect(f"{subject}\n{body}"), True
    ref = check_line(new.external_ref, field="external_ref")[:100] if new.external_ref else None
    return Checked(
        customer_email=email,
        customer_name=name,
        subject=subject,
        body=body,
        channel=channel,
        priority=priority,
        language=language,
        detected=detected,
        reason=reason,
        tier=settings.tier_for(reason),
        external_ref=ref,
    )


def admit_contact(tenant: TenantId, customer_email: str, *, deps: Deps) -> None:
    """The contact form's limits beyond the client address's (the portal charges that one): per
    customer address typed, and everything sent to one business (PROMISES T5). RateLimited (429
    with Retry-After) when one is spent; an address that is not one is left to the form's check."""
    from chalicelib.store import limits

    rates = limits.in_force(deps)
    limits.spend(rates.contact_tenant, "contact_tenant", tenant.value, deps=deps)
    try:
        email = rules.check_customer_email(customer_email)
    except InvalidInput:
        return
    limits.spend(rates.contact_per_email, "contact_per_email", f"{tenant.value}:{email}", deps=deps)


def business_name(tenant: TenantId) -> str:
    from chalicelib.store.identity import TenantRecord

    record = TenantRecord.find(keys.tenant_pk(tenant), "TENANT")
    return record.name if record else ""


def create(
    tenant: TenantId,
    new: NewInquiry,
    *,
    source: rules.Source,
    deps: Deps,
    author_name: str | None = None,
) -> InquiryRecord:
    """Store a new inquiry of `tenant` and route it. `author_name`: how the first message is
    signed when not by the customer's own name (the integration's)."""
    settings = support_settings.of(tenant)
    checked = check(new, settings)
    name = business_name(tenant)
    head = None
    for _attempt in range(ATTEMPTS):
        counter = CounterRecord.find(*counter_key(tenant), consistent=True)
        last = int(counter.last) if counter else 0
        now = deps.now()
        head = _head(tenant, checked, number=last + 1, source=source, settings=settings, now=now)
        try:
            with transaction() as tx:
                _write_new(
                    tx, tenant, head, checked, last=last, business=name, now=now, author_name=author_name
                )
        except Conflict:
            continue  # another inquiry took that number: read the counter again
        break
    else:
        raise Conflict("the business is receiving many inquiries at this moment; try again", code="contended")
    routing.route(tenant, head.inquiry_id, trigger=routing.Trigger.CREATED, deps=deps)
    return InquiryRecord.load(*head_key(tenant, head.inquiry_id))


def _head(
    tenant: TenantId,
    checked: Checked,
    *,
    number: int,
    source: rules.Source,
    settings: rules.SupportSettings,
    now: datetime,
) -> InquiryRecord:
    inquiry_id = new_id()
    created = now
    return InquiryRecord(
        *head_key(tenant, inquiry_id),
        inquiry_id=inquiry_id,
        tenant_id=tenant.value,
        number=number,
        status=rules.Status.QUEUED.value,
        channel=checked.channel,
        source=source.value,
        language=checked.language,
        language_detected=checked.detected,
        reason=checked.reason,
        priority=checked.priority.value,
        tier_needed=checked.tier,
        customer_email=checked.customer_email,
        customer_name=checked.customer_name,
        subject=checked.subject,
        created_at=created,
        updated_at=created,
        sla_due_at=settings.sla.due(checked.priority, to_minute(created)),
        messages=1,
        external_ref=checked.external_ref,
    )


def _write_new(
    tx,
    tenant: TenantId,
    head: InquiryRecord,
    checked: Checked,
    *,
    last: int,
    business: str,
    now: datetime,
    author_name: str | None,
) -> None:
    inquiry_id, number = head.inquiry_id, int(head.number)
    taken = Conflict("that number was taken meanwhile", code="contended")
    tx.update(
        CounterRecord(*counter_key(tenant)),
        actions=[CounterRecord.last.set(number), CounterRecord.kind.set(CounterRecord.kind | CounterRecord)],
        condition=(CounterRecord.last == last) if last else CounterRecord.pk.does_not_exist(),
        on_conflict=taken,
    )
    tx.save(
        NumberRecord(*number_key(tenant, number), inquiry_id=inquiry_id),
        condition=NumberRecord.pk.does_not_exist(),
        on_conflict=taken,
    )
    tx.save(head, condition=InquiryRecord.pk.does_not_exist())
    message_id = new_id()
    tx.save(
        MessageRecord(
            *message_key(tenant, inquiry_id, now, message_id),
            message_id=message_id,
            author=rules.Author.CUSTOMER.value,
            author_name=checked.customer_name or author_name or checked.customer_email,
            body=checked.body,
            at=now,
        )
    )
    tx.save(
        QueueItem(
            queue_pk(tenant),
            head.queue_sk(),
            inquiry_id=inquiry_id,
            tenant_id=tenant.value,
            number=number,
            status=head.status,
            priority=head.priority,
            reason=head.reason,
            subject=head.subject,
            customer_email=head.customer_email,
            language=head.language,
            channel=head.channel,
            tier_needed=head.tier_needed,
            business_name=business,
            created_at=head.created_at,
            sla_due_at=head.sla_due_at,
            # the sla-check job finds it here until its first response
            gsi2pk=sla_index(sla_shard(tenant)),
            gsi2sk=sla_sk(head.sla_due_at, tenant, inquiry_id),
        )
    )
    tx.save(
        HistoryItem(
            *history_key(tenant, head.created_at, inquiry_id),
            inquiry_id=inquiry_id,
            number=number,
            status=head.status,
            priority=head.priority,
            reason=head.reason,
            subject=head.subject,
            customer_email=head.customer_email,
            created_at=head.created_at,
        )
    )
    tx.save(
        CustomerIndexItem(
            *customer_key(tenant, head.customer_email, head.created_at, inquiry_id),
            inquiry_id=inquiry_id,
            number=number,
            subject=head.subject,
            created_at=head.created_at,
        )
    )
    tx.save(
        InquiryClaim(*claim_key(inquiry_id), tenant_id=tenant.value),
        condition=InquiryClaim.pk.does_not_exist(),
    )
    recording.inquiry_created(
        tx, tenant, at=head.created_at, channel=head.channel, source=head.source, reason=head.reason
    )


# -- who may read and work an inquiry -------------------------------------------------------------


def find_for_system(tenant: TenantId, inquiry_id: str) -> InquiryRecord | None:
    """The head, for deskhire's own work (jobs, mail threading, the ratings slice)."""
    if not _plausible(inquiry_id):
        return None
    return InquiryRecord.find(*head_key(tenant, inquiry_id), consistent=True)


def tenant_of(inquiry_id: str) -> TenantId | None:
    """Whose inquiry this is (its claim), or None."""
    if not _plausible(inquiry_id):
        return None
    claim = InquiryClaim.find(*claim_key(inquiry_id))
    return TenantId(claim.tenant_id) if claim else None


def _plausible(inquiry_id: str) -> bool:
    return inquiry_id.isalnum() and len(inquiry_id) <= 64


def live_contract(agent: AgentId, tenant: TenantId, *, now: datetime) -> ContractRecord | None:
    """The agent's running contract with the business (active, else paused), if any."""
    from chalicelib.services.contracts import records

    found = [
        c
        for c in ContractRecord.gsi1.query(agent_contracts_index(agent))
        if isinstance(c, ContractRecord) and c.tenant_id == tenant.value
    ]
    by_status = {records.status_of(c, now): c for c in found}
    return by_status.get(terms.Status.ACTIVE) or by_status.get(terms.Status.PAUSED)


@dataclass(frozen=True)
class Access:
    """An inquiry as one principal may work it."""

    tenant: TenantId
    head: InquiryRecord
    contract: ContractRecord | None  # an agent's contract with the business


def open_for(actor: Principal, inquiry_id: str, *, deps: Deps) -> Access:
    """The inquiry if `actor` may see it: a member of its business or its integration's key; an
    agent with a running contract with that business. NotFound for anyone else (no leak)."""
    missing = NotFound("no such inquiry")
    if actor.kind in (PrincipalKind.MEMBER, PrincipalKind.API_KEY):
        tenant = actor.require_tenant()
        head = find_for_system(tenant, inquiry_id)
        if head is None:
            raise missing
        return Access(tenant, head, None)
    if actor.kind is PrincipalKind.AGENT:
        tenant = tenant_of(inquiry_id)
        if tenant is None:
            raise missing
        contract = live_contract(AgentId(actor.id), tenant, now=deps.now())
        head = find_for_system(tenant, inquiry_id) if contract is not None else None
        if head is None or contract is None:
            raise missing
        return Access(tenant, head, contract)
    raise Forbidden("inquiries are the business's and its agents'")


@dataclass(frozen=True)
class Thread:
    head: InquiryRecord
    messages: list[MessageRecord]
    routes: list[RouteRecord]
    contract: ContractRecord | None = None


def thread(actor: Principal, inquiry_id: str, *, deps: Deps) -> Thread:
    """The inquiry with its messages and routing decisions, oldest first (one Query)."""
    access = open_for(actor, inquiry_id, deps=deps)
    return read_thread(access.tenant, inquiry_id, contract=access.contract)


def read_thread(tenant: TenantId, inquiry_id: str, *, contract: ContractRecord | None = None) -> Thread:
    kinds = (InquiryRecord, MessageRecord, RouteRecord)
    items = list(query_kinds(kinds, inquiry_partition(tenant, inquiry_id), consistent=True))
    head = next((i for i in items if isinstance(i, InquiryRecord)), None)
    if head is None:
        raise NotFound("no such inquiry")
    return Thread(
        head=head,
        messages=[i for i in items if isinstance(i, MessageRecord)],
        routes=[i for i in items if isinstance(i, RouteRecord)],
        contract=contract,
    )


def uses_support(tenant: TenantId) -> bool:
    """Has the business ever received an inquiry through deskhire (one GetItem)?"""
    counter = CounterRecord.find(*counter_key(tenant))
    return counter is not None and int(counter.last or 0) > 0
