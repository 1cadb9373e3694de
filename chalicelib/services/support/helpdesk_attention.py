"""What a business sees of its helpdesk integration (issue 15, slice 10): the events received
lately (services/support/helpdesk.py writes the log) and the addresses its helpdesk named that no
agent under contract with it uses, which it deals with and takes off the list."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.composition import Deps
from chalicelib.domain.errors import NotFound
from chalicelib.domain.identity import Principal, require_team_manager
from chalicelib.store import audit
from chalicelib.store.helpdesk import AttentionItem, EventLogItem, attention_key, attention_pk, log_pk
from chalicelib.store.transactions import transaction

# -- what the business sees ------------------------------------------------------------------------

SHOWN_EVENTS = 20
SHOWN_ADDRESSES = 100


@dataclass(frozen=True)
class Overview:
    events: list[EventLogItem]  # newest first
    attention: list[AttentionItem]  # the addresses, most recently seen first


def overview(actor: Principal) -> Overview:
    """The events received lately and the addresses that need the business's attention (two
    Queries)."""
    tenant = actor.require_tenant()
    events = [
        item
        for item in EventLogItem.query(log_pk(tenant), scan_index_forward=False, limit=SHOWN_EVENTS)
        if isinstance(item, EventLogItem)
    ]
    attention = [
        item
        for item in AttentionItem.query(attention_pk(tenant), limit=SHOWN_ADDRESSES)
        if isinstance(item, AttentionItem)
    ]
    return Overview(events=events, attention=sorted(attention, key=lambda a: a.last_at, reverse=True))


def dismiss(actor: Principal, item_id: str, *, deps: Deps) -> AttentionItem:
    """The business has dealt with an address (hired the agent, told them to use their deskhire
    address, or it was never an agent's): it leaves the list until it is seen again."""
    tenant = actor.require_tenant()
    require_team_manager(actor)
    item = (
        AttentionItem.find(*attention_key(tenant, item_id))
        if item_id.isalnum() and len(item_id) <= 64
        else None
    )
    if item is None:
        raise NotFound("no such address in the list")
    now = deps.now()
    with transaction() as tx:
        tx.delete(item)
        tx.save(
            audit.entry(
                tenant,
                actor,
                "helpdesk_attention.dismissed",
                f"helpdesk_address:{item_id}",
                {"before": {"email": item.email, "events": int(item.events)}},
                at=now,
            )
        )
    return item
