"""Whose clock a time is written on outside a page: a mail's recipient's (issue 14, item 8).

The rule is the page's (web/viewer.py): an agent reads their profile's zone; a business's member
their own if they set one, else the business's; anyone else UTC. A mail that states a time is
written for its recipient: its text is a `Written`, either text or a function of the recipient's
zone that writes it (`for_zone`), and the zone is read only when a function needs it.

    notifications.to_agent(agent_id, notice, subject, lambda zone: f"... {when(moment, zone)} ...")

A refusal that names a time (a week locked, an overlap, the review window) names it on the clock
of the side of the contract that acts (`of_party`), read from the contract, not looked up."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import UTC_ZONE
from chalicelib.store import keys
from chalicelib.store.identity import AgentRecord, MemberRecord, TenantRecord

if TYPE_CHECKING:
    from chalicelib.store.contracts import ContractRecord

# A mail's text, or what writes it given the recipient's zone.
Written = str | Callable[[str], str]


def for_zone(text: Written, zone: Callable[[], str]) -> str:
    """The text as the recipient reads it: `zone` is asked only when the text needs it."""
    return text(zone()) if callable(text) else text


def of_agent(agent: AgentRecord | str) -> str:
    """The agent's profile zone (a record in hand, or read by the agent's id)."""
    record = (
        agent if isinstance(agent, AgentRecord) else AgentRecord.find(keys.agent_pk(AgentId(agent)), "AGENT")
    )
    return str(record.time_zone) if record is not None and record.time_zone else UTC_ZONE


def of_business(tenant: TenantId) -> str:
    business = TenantRecord.find(keys.tenant_pk(tenant), "TENANT")
    return str(business.time_zone) if business is not None and business.time_zone else UTC_ZONE


def of_member(member: MemberRecord) -> str:
    """A member's own zone if they set one, else their business's."""
    own = getattr(member, "time_zone", None)
    if own:
        return str(own)
    return of_business(TenantId(member.pk.removeprefix(keys.TENANT_PREFIX)))


def of_party(actor: Principal, contract: ContractRecord) -> str:
    """The zone of the side of `contract` that `actor` is on, as the contract keeps it (the
    agent's, or the business's), with no read: for a refusal's times, and the local times of the
    timesheet and diary API (services/timesheets.viewer_zone). UTC for deskhire's operators and
    jobs. The agent's is their profile's now: it moves with them (services/contracts/
    agent_zone.py). The business's is its zone at the offer, also the calendar of the contract's
    dates, which must not move; a business cannot change its zone, so it is the business's now
    too (docs/contracts.md, "Whose clock")."""
    if actor.kind is PrincipalKind.AGENT:
        return str(contract.agent_time_zone or UTC_ZONE)
    if actor.kind is PrincipalKind.MEMBER:
        return str(contract.business_time_zone or UTC_ZONE)
    return UTC_ZONE


def followed_by(text: Written, tail: str) -> Written:
    """`text` and then `tail` (a link, a footer), written for the same recipient."""
    if callable(text):
        write = text
        return lambda zone: f"{write(zone)}{tail}"
    return f"{text}{tail}"
