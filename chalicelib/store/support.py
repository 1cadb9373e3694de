"""Support items (issue 15): a business's support settings, its inquiries with their threads and
routing decisions, the open queue, the history, the agents on shift, and the proof of work that
ties an agent's replies to their contract. Keys are built here with store.keys only (keys.py's
table lists them):

| item                         | pk                          | sk                        | indexes |
|------------------------------|-----------------------------|---------------------------|---------|
| support settings             | `T#<t>`                     | `SUPPORT`                 | |
| inquiry number counter       | `T#<t>#INQNO`               | `COUNTER`                 | |
| inquiry by number            | `T#<t>#INQNO`               | `<number:010>`            | |
| inquiry head                 | `T#<t>#INQ#<id>`            | `INQUIRY`                 | |
| a message of its thread      | `T#<t>#INQ#<id>`            | `MSG#<at>#<ulid>`         | |
| a routing decision           | `T#<t>#INQ#<id>`            | `ROUTE#<at>#<ulid>`       | |
| the open queue               | `T#<t>#QUEUE`               | `<rank>#<due>#<id>`       | GSI1 `A#<agent>#INQUIRIES` while an agent owns it; GSI2 `SLA#<shard>` until its first response (or its breach is dealt with) |
| the history, by month        | `T#<t>#INQS#<yyyy-mm>`      | `<created>#<id>`          | |
| a customer's inquiries       | `T#<t>#CUST#<sha256(email)>`| `<created>#<id>`          | |
| an agent on shift            | `T#<t>#ONSHIFT`             | `A#<agent>`               | |
| proof of work                | `T#<t>#CONTRACT#<cid>`      | `WORK#<at>#<ulid>`        | GSI1 `A#<agent>#WORK`, `<at>#<t>#<ulid>` |
| an inquiry's business        | `INQ#<id>`                  | `INQ#<id>`                | |
| inbound mail secret          | `INBOUND#<sha256(secret)>`  | same                      | |
| a mail taken in, by id (TTL) | `T#<t>#INMAIL`              | `<sha256(message id)>`    | |

An inquiry's head, messages and routing decisions share one partition, so its page is one Query.
The queue holds one small item per unresolved inquiry (a summary: a list needs no head), sorted
by priority then due time; the history keeps one per inquiry forever. Routing reads the on-shift
partition only (one Query, whatever the history), and a timesheet review reads a contract's
`WORK#` items of one week (one Query). The claim `INQ#<id>` says whose an inquiry is, for agents
(who work for several businesses) and for mail that threads back: the id alone finds it."""

from __future__ import annotations

import hashlib
from datetime import datetime
from fractions import Fraction

from pynamodb.attributes import BooleanAttribute, JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.store import keys
from chalicelib.store.attributes import (
    IntegerAttribute,
    OptionalDateTimeAttribute,
    OptionalUnicodeAttribute,
    StringListAttribute,
)
from chalicelib.store.base import Entity, Versioned
from chalicelib.store.contracts import SHARDS, contract_partition, shard_of

REPUTATION_SCALE = 10_000


class SupportSettingsRecord(Versioned, discriminator="support_settings"):
    sla = JSONAttribute()  # {"urgent": 60, ...} minutes
    reason_tags = JSONAttribute(default=list)  # [{"tag": "refund", "tier": 2}]
    language_level = IntegerAttribute(default=3)
    help_page = BooleanAttribute(default=True)
    # SHA-256 of the inbound-mail webhook secret (the secret is shown once); its lookup item
    # lives at INBOUND#<digest>, so that rotating deletes the old one.
    inbound_digest = OptionalUnicodeAttribute()
    inbound_prefix = OptionalUnicodeAttribute()
    updated_at = OptionalDateTimeAttribute()
    updated_by = OptionalUnicodeAttribute()


class CounterRecord(Entity, discriminator="inquiry_counter"):
    last = IntegerAttribute(default=0)


class NumberRecord(Entity, discriminator="inquiry_number"):
    inquiry_id = UnicodeAttribute()


class InquiryRecord(Versioned, discriminator="inquiry"):
    inquiry_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    number = IntegerAttribute()
    status = UnicodeAttribute()
    channel = UnicodeAttribute()
    source = UnicodeAttribute()
    language = UnicodeAttribute()
    language_detected = BooleanAttribute(default=False)
    reason = OptionalUnicodeAttribute()
    priority = UnicodeAttribute()
    tier_needed = IntegerAttribute(default=1)
    customer_email = UnicodeAttribute()
    customer_name = OptionalUnicodeAttribute()
    subject = UnicodeAttribute()
    agent_id = OptionalUnicodeAttribute()  # who owns it now (an agent), if anyone
    agent_name = OptionalUnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    sla_due_at = UTCDateTimeAttribute()
    first_response_at = OptionalDateTimeAttribute()
    breached_at = OptionalDateTimeAttribute()
    breached_agent_id = OptionalUnicodeAttribute()
    breach_handled_at = OptionalDateTimeAttribute()
    breach_mailed_at = OptionalDateTimeAttribute()
    escalated_at = OptionalDateTimeAttribute()
    escalated_by = OptionalUnicodeAttribute()
    resolved_at = OptionalDateTimeAttribute()
    resolved_by = OptionalUnicodeAttribute()
    last_assigned_at = OptionalDateTimeAttribute()
    messages = IntegerAttribute(default=0)
    external_ref = OptionalUnicodeAttribute()  # a helpdesk's ticket id (issue 15, slice 10)
    # The CSAT rating, set once under attribute_not_exists by the ratings slice.
    rating = JSONAttribute(null=True)

    def queue_sk(self) -> str:
        return queue_sk(self.priority, self.sla_due_at, self.inquiry_id)


class MessageRecord(Entity, discriminator="inquiry_message"):
    message_id = UnicodeAttribute()
    author = UnicodeAttribute()  # customer, agent, member, system
    author_id = OptionalUnicodeAttribute()
    author_name = UnicodeAttribute(default="")
    body = UnicodeAttribute()
    internal = BooleanAttribute(default=False)  # a note for the business's side only
    at = UTCDateTimeAttribute()
    # an article of the business's knowledge base the agent sent with a reply
    article = JSONAttribute(null=True)  # {"title", "path"}
    contract_id = OptionalUnicodeAttribute()  # the contract an agent's work counted under
    mail_status = OptionalUnicodeAttribute()  # a reply to the customer: pending, sent


class RouteRecord(Entity, discriminator="inquiry_route"):
    at = UTCDateTimeAttribute()
    trigger = UnicodeAttribute()  # created, clock_in, hand_back, sla_breach, escalation, reopened
    chosen = OptionalUnicodeAttribute()
    chosen_name = OptionalUnicodeAttribute()
    summary = UnicodeAttribute()
    need = JSONAttribute()  # {"language", "channel", "tier", "language_level", "excluding"}
    verdicts = JSONAttribute(default=list)  # [{"agent_id", "name", "refusals", "rank", "reason"}]


class QueueItem(Entity, discriminator="inquiry_queued"):
    """An unresolved inquiry in its business's queue: what a list shows without the head."""

    inquiry_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    number = IntegerAttribute()
    status = UnicodeAttribute()
    priority = UnicodeAttribute()
    reason = OptionalUnicodeAttribute()
    subject = UnicodeAttribute()
    customer_email = UnicodeAttribute()
    language = UnicodeAttribute()
    channel = UnicodeAttribute()
    tier_needed = IntegerAttribute(default=1)
    agent_id = OptionalUnicodeAttribute()
    agent_name = OptionalUnicodeAttribute()
    business_name = UnicodeAttribute(default="")
    created_at = UTCDateTimeAttribute()
    sla_due_at = UTCDateTimeAttribute()
    first_response_at = OptionalDateTimeAttribute()
    breached_at = OptionalDateTimeAttribute()


class HistoryItem(Entity, discriminator="inquiry_history"):
    inquiry_id = UnicodeAttribute()
    number = IntegerAttribute()
    status = UnicodeAttribute()
    priority = UnicodeAttribute()
    reason = OptionalUnicodeAttribute()
    subject = UnicodeAttribute()
    customer_email = UnicodeAttribute()
    agent_id = OptionalUnicodeAttribute()
    agent_name = OptionalUnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    first_response_at = OptionalDateTimeAttribute()
    resolved_at = OptionalDateTimeAttribute()
    breached = BooleanAttribute(default=False)


class CustomerIndexItem(Entity, discriminator="inquiry_by_customer"):
    inquiry_id = UnicodeAttribute()
    number = IntegerAttribute()
    subject = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class OnShiftRecord(Entity, discriminator="on_shift"):
    """An agent clocked in for this business: written in the clock-in transaction, deleted in the
    clock-out's. What routing needs of them, so that routing is one Query."""

    agent_id = UnicodeAttribute()
    agent_name = UnicodeAttribute()
    contract_id = UnicodeAttribute()
    tier = IntegerAttribute(default=1)
    languages = JSONAttribute(default=dict)  # {"en": 5}: code -> level rank
    channels = StringListAttribute(default=list)
    open_inquiries = IntegerAttribute(default=0)
    reputation = IntegerAttribute(default=0)  # 0..REPUTATION_SCALE, the snapshot at clock-in
    since = UTCDateTimeAttribute()
    last_assigned_at = OptionalDateTimeAttribute()

    def reputation_unit(self) -> Fraction:
        return Fraction(int(self.reputation or 0), REPUTATION_SCALE)


class WorkRecord(Entity, discriminator="support_work"):
    """One reply, escalation or resolution an agent made under a contract: proof of work."""

    tenant_id = UnicodeAttribute()
    contract_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    inquiry_id = UnicodeAttribute()
    number = IntegerAttribute()
    action = UnicodeAttribute()  # reply, escalate, resolve
    at = UTCDateTimeAttribute()
    message_sk = OptionalUnicodeAttribute()  # the reply's message, for peer review


class InboundMessageRecord(Entity, discriminator="inbound_message"):
    """A mail the webhook took in, by its Message-ID: a provider's retry is taken once (TTL)."""

    inquiry_id = UnicodeAttribute()


class InquiryClaim(Entity, discriminator="inquiry_claim"):
    tenant_id = UnicodeAttribute()


class InboundSecret(Entity, discriminator="inbound_secret"):
    tenant_id = UnicodeAttribute()


# -- keys -----------------------------------------------------------------------------------------


def settings_key(tenant: TenantId) -> tuple[str, str]:
    return keys.tenant_pk(tenant), "SUPPORT"


def counter_key(tenant: TenantId) -> tuple[str, str]:
    return keys.tenant_pk(tenant, "INQNO"), "COUNTER"


def number_key(tenant: TenantId, number: int) -> tuple[str, str]:
    return keys.tenant_pk(tenant, "INQNO"), f"{number:010d}"


def inquiry_partition(tenant: TenantId, inquiry_id: str) -> str:
    return keys.tenant_pk(tenant, "INQ", inquiry_id)


def head_key(tenant: TenantId, inquiry_id: str) -> tuple[str, str]:
    return inquiry_partition(tenant, inquiry_id), "INQUIRY"


def _moment(at: datetime) -> str:
    """Sortable to the microsecond: two messages of one minute keep their order."""
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def message_key(tenant: TenantId, inquiry_id: str, at: datetime, message_id: str) -> tuple[str, str]:
    return inquiry_partition(tenant, inquiry_id), keys.sort_key("MSG", _moment(at), message_id)


def route_key(tenant: TenantId, inquiry_id: str, at: datetime, route_id: str) -> tuple[str, str]:
    return inquiry_partition(tenant, inquiry_id), keys.sort_key("ROUTE", _moment(at), route_id)


def queue_pk(tenant: TenantId) -> str:
    return keys.tenant_pk(tenant, "QUEUE")


PRIORITY_RANKS = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


def queue_sk(priority: str, due: datetime, inquiry_id: str) -> str:
    return keys.sort_key(str(PRIORITY_RANKS[priority]), _moment(due), inquiry_id)


def agent_queue_index(agent: AgentId) -> str:
    return keys.agent_pk(agent, "INQUIRIES")


def agent_queue_sk(due: datetime, tenant: TenantId, inquiry_id: str) -> str:
    return keys.sort_key(_moment(due), tenant.value, inquiry_id)


def sla_indexes() -> list[str]:
    return [sla_index(shard) for shard in range(SHARDS)]


def sla_index(shard: int) -> str:
    return keys.platform_pk("SLA", str(shard))


def sla_shard(tenant: TenantId) -> int:
    return shard_of(tenant.value)


def sla_sk(due: datetime, tenant: TenantId, inquiry_id: str) -> str:
    return keys.sort_key(_moment(due), tenant.value, inquiry_id)


def sla_until(moment: datetime) -> str:
    """The GSI2 sort key bound of items due at `moment` or before."""
    return _moment(moment) + "~"


def history_pk(tenant: TenantId, created: datetime) -> str:
    return keys.tenant_pk(tenant, "INQS", created.strftime("%Y-%m"))


def history_key(tenant: TenantId, created: datetime, inquiry_id: str) -> tuple[str, str]:
    return history_pk(tenant, created), keys.sort_key(_moment(created), inquiry_id)


def email_digest(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()


def customer_pk(tenant: TenantId, email: str) -> str:
    return keys.tenant_pk(tenant, "CUST", email_digest(email))


def customer_key(tenant: TenantId, email: str, created: datetime, inquiry_id: str) -> tuple[str, str]:
    return customer_pk(tenant, email), keys.sort_key(_moment(created), inquiry_id)


def on_shift_pk(tenant: TenantId) -> str:
    return keys.tenant_pk(tenant, "ONSHIFT")


def on_shift_key(tenant: TenantId, agent: AgentId) -> tuple[str, str]:
    return on_shift_pk(tenant), keys.sort_key("A", agent.value)


def work_key(tenant: TenantId, contract_id: str, at: datetime, work_id: str) -> tuple[str, str]:
    return contract_partition(tenant, contract_id), keys.sort_key("WORK", _moment(at), work_id)


def work_range(start: datetime, end: datetime) -> tuple[str, str]:
    """Sort keys bounding the work done in [start, end)."""
    return keys.sort_key("WORK", _moment(start)), keys.sort_key("WORK", _moment(end))


def agent_work_index(agent: AgentId) -> str:
    return keys.agent_pk(agent, "WORK")


def agent_work_sk(at: datetime, tenant: TenantId, work_id: str) -> str:
    return keys.sort_key(_moment(at), tenant.value, work_id)


def inbound_message_key(tenant: TenantId, message_id: str) -> tuple[str, str]:
    return keys.tenant_pk(tenant, "INMAIL"), hashlib.sha256(message_id.encode()).hexdigest()


def claim_key(inquiry_id: str) -> tuple[str, str]:
    pk = keys.platform_pk("INQ", inquiry_id)
    return pk, pk


def inbound_key(digest: str) -> tuple[str, str]:
    pk = keys.platform_pk("INBOUND", digest)
    return pk, pk
