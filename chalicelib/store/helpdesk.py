"""Helpdesk integration items (issue 15, slice 10): which inquiry a Zendesk or Freshdesk ticket
is, the events already taken, a ticket's state, the business's log of events received and the
addresses that need its attention. Keys are built here with store.keys only (keys.py's table
lists them):

| item                        | pk                      | sk                                  | notes |
|-----------------------------|-------------------------|-------------------------------------|-------|
| a ticket's inquiry (claim)  | `T#<t>#HELPDESK`        | `TICKET#<product>#<ticket id>`      | put under attribute_not_exists: one inquiry per ticket |
| an event taken              | `T#<t>#HELPDESK`        | `EVENT#<event key>`                 | put under attribute_not_exists in the event's own transaction: a second delivery changes nothing (TTL 90 days) |
| the ticket's state          | `T#<t>#INQ#<id>`        | `HELPDESK`                          | versioned; beside the inquiry's head, messages and routing; GSI2 `HDSLA#<n>`, sk `<due>#<t>#<id>` while only the clock can judge its first-response target (the sla-check job's fan-out) |
| the events received, newest | `T#<t>#HDLOG`           | `<received>#<ulid>`                 | what the integrations page lists (TTL 30 days) |
| an address needing attention| `T#<t>#HDATTN`          | `<sha256(address)>`                 | one per address no agent under contract uses, with a count; deleted when dismissed |

A ticket id is scoped by product and business: business B's ticket 5158 is another claim than
business A's, under B's own partition."""

from __future__ import annotations

import hashlib
from datetime import datetime

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.domain.tenancy import TenantId
from chalicelib.store import keys
from chalicelib.store.attributes import IntegerAttribute, OptionalIntegerAttribute, OptionalUnicodeAttribute
from chalicelib.store.base import Entity, Versioned
from chalicelib.store.support import inquiry_partition


class TicketClaim(Entity, discriminator="helpdesk_ticket"):
    inquiry_id = UnicodeAttribute()
    number = IntegerAttribute()


class EventTaken(Entity, discriminator="helpdesk_event"):
    inquiry_id = UnicodeAttribute()
    number = IntegerAttribute()
    kind_of_event = UnicodeAttribute()
    received_at = UTCDateTimeAttribute()


class TicketStateRecord(Versioned, discriminator="helpdesk_state"):
    state = JSONAttribute()  # domain.helpdesk.TicketState.to_json()
    # what the ticket counts toward SLA attainment (domain.helpdesk.SlaOutcome.to_json(), {} for
    # nothing); absent on a ticket from before it was kept (services/support/helpdesk_sla.py)
    sla = JSONAttribute(null=True)
    # the missed target counted on an agent's reputation (domain.helpdesk.reputation_breach, as
    # SlaOutcome.to_json(), {} for none); absent: none was counted (services/support/helpdesk_sla.py)
    breach_counted = JSONAttribute(null=True)


class EventLogItem(Entity, discriminator="helpdesk_log"):
    received_at = UTCDateTimeAttribute()
    product = UnicodeAttribute()
    kind_of_event = UnicodeAttribute()  # created, replied, solved, rated; or the native type ignored
    ticket_id = OptionalUnicodeAttribute()
    outcome = UnicodeAttribute()  # applied, ignored
    inquiry_id = OptionalUnicodeAttribute()
    number = OptionalIntegerAttribute()
    author = OptionalUnicodeAttribute()  # domain.helpdesk.Author
    who = OptionalUnicodeAttribute()  # the agent's or member's name, or the unknown address
    key_id = OptionalUnicodeAttribute()  # the API key it came with


class AttentionItem(Entity, discriminator="helpdesk_attention"):
    email = UnicodeAttribute()
    events = IntegerAttribute(default=0)
    first_at = UTCDateTimeAttribute()
    last_at = UTCDateTimeAttribute()
    product = UnicodeAttribute()
    last_kind = UnicodeAttribute()
    last_ticket_id = UnicodeAttribute()
    last_inquiry_id = UnicodeAttribute()
    last_number = IntegerAttribute()


def helpdesk_pk(tenant: TenantId) -> str:
    return keys.tenant_pk(tenant, "HELPDESK")


def ticket_key(tenant: TenantId, product: str, ticket_id: str) -> tuple[str, str]:
    return helpdesk_pk(tenant), keys.sort_key("TICKET", product, ticket_id)


def event_key(tenant: TenantId, event_key: str) -> tuple[str, str]:
    return helpdesk_pk(tenant), keys.sort_key("EVENT", event_key)


def state_key(tenant: TenantId, inquiry_id: str) -> tuple[str, str]:
    return inquiry_partition(tenant, inquiry_id), "HELPDESK"


def sla_watch_index(shard: int) -> str:
    """GSI2 partition of the tickets whose first-response target only the clock can still judge
    (sorted by due time: store.support.sla_sk), sharded by business like the native SLA index."""
    return keys.platform_pk("HDSLA", str(shard))


def log_pk(tenant: TenantId) -> str:
    return keys.tenant_pk(tenant, "HDLOG")


def log_key(tenant: TenantId, received: datetime, log_id: str) -> tuple[str, str]:
    return log_pk(tenant), keys.sort_key(received.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), log_id)


def attention_pk(tenant: TenantId) -> str:
    return keys.tenant_pk(tenant, "HDATTN")


def attention_id(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()[:32]


def attention_key(tenant: TenantId, item_id: str) -> tuple[str, str]:
    return attention_pk(tenant), item_id
