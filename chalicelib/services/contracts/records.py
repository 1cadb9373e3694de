"""A contract as its parties read it: found for a member of its business or for its agent,
listed, and its record read as the domain's values (its state now, its periods, its terms)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain import contracts as rules
from chalicelib.domain.errors import Forbidden, NotFound
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.schedule import WeeklySchedule
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.store import keys
from chalicelib.store.contracts import (
    ContractLink,
    ContractRecord,
    agent_contracts_index,
    contract_key,
    link_key,
)


def side_of(actor: Principal) -> rules.Side:
    if actor.kind is PrincipalKind.MEMBER:
        return rules.Side.BUSINESS
    if actor.kind is PrincipalKind.AGENT:
        return rules.Side.AGENT
    raise Forbidden("only the business and the agent act on a contract")


def tenant_of(record: ContractRecord) -> TenantId:
    return TenantId(record.tenant_id)


def periods_of(record: ContractRecord) -> rules.ActivePeriods:
    return rules.ActivePeriods(
        tuple(rules.Period.from_json(p) for p in record.periods or []), ends_at=record.ends_at
    )


def starts_at(record: ContractRecord) -> datetime | None:
    """When an accepted contract's time begins: its first period's start (00:00 of its start date
    in the business's zone, or the acceptance if later); None for an offer."""
    periods = periods_of(record).periods
    return periods[0].start if periods else None


def starts_later(record: ContractRecord, now: datetime) -> datetime | None:
    """The start of an active contract that has not started yet (which its pages say), else None."""
    start = starts_at(record)
    if start is None or status_of(record, now) is not rules.Status.ACTIVE or start <= now:
        return None
    return start


def history_of(record: ContractRecord) -> list[rules.TermsChange]:
    return [rules.TermsChange.from_json(t) for t in record.terms or []]


def amendments_of(record: ContractRecord) -> list[rules.Amendment]:
    return [rules.Amendment.from_json(a) for a in record.amendments or []]


def coverage_of(record: ContractRecord) -> WeeklySchedule:
    from chalicelib.store.marketplace import schedule_of

    return schedule_of(record.coverage)


def status_of(record: ContractRecord, now: datetime) -> rules.Status:
    """The contract's state now: an offer past its seven days is expired, and a contract past
    its end date has ended, even before a job has written so."""
    status = rules.Status(record.status)
    if rules.is_expired(status, record.expires_at, now):
        return rules.Status.EXPIRED
    if status in rules.LIVE and record.ends_at is not None and now >= record.ends_at:
        return rules.Status.ENDED
    return status


def _valid_id(contract_id: str) -> bool:
    return contract_id.isalnum() and len(contract_id) <= 64


def find(actor: Principal, contract_id: str, *, consistent: bool = True) -> ContractRecord:
    """The contract if the actor is a party to it: a member of its business, or its agent."""
    record = None
    if _valid_id(contract_id):
        if actor.kind is PrincipalKind.MEMBER:
            record = ContractRecord.find(
                *contract_key(actor.require_tenant(), contract_id), consistent=consistent
            )
        elif actor.kind is PrincipalKind.AGENT:
            link = ContractLink.find(*link_key(AgentId(actor.id), contract_id), consistent=consistent)
            if link is not None:
                record = ContractRecord.find(
                    *contract_key(TenantId(link.tenant_id), contract_id), consistent=consistent
                )
    if record is None or (actor.kind is PrincipalKind.AGENT and record.agent_id != actor.id):
        raise NotFound("no such contract")
    return record


def find_for_system(tenant: TenantId, contract_id: str) -> ContractRecord | None:
    return ContractRecord.find(*contract_key(tenant, contract_id), consistent=True)


def load_for_system(tenant: TenantId, contract_id: str) -> ContractRecord:
    """A contract that another item names (a block invoice, a timesheet): it exists."""
    return ContractRecord.load(*contract_key(tenant, contract_id))


def listed(actor: Principal) -> list[ContractRecord]:
    """Every offer and contract of the business, or of the agent across businesses, newest first."""
    if actor.kind is PrincipalKind.MEMBER:
        items = ContractRecord.query(
            keys.tenant_pk(actor.require_tenant()),
            ContractRecord.sk.startswith("CONTRACT#"),
            scan_index_forward=False,
        )
    elif actor.kind is PrincipalKind.AGENT:
        items = ContractRecord.gsi1.query(agent_contracts_index(AgentId(actor.id)), scan_index_forward=False)
    else:
        raise Forbidden("only the business and the agent have contracts")
    return [item for item in items if isinstance(item, ContractRecord)]
