"""Proof of work: the inquiries an agent handled in each diary entry.

Every reply, escalation and resolution an agent makes writes a work item under the contract they
work on (services/support/conversations.py, in the action's own transaction):
`T#<t>#CONTRACT#<cid> / WORK#<at>#<ulid>`. A timesheet review reads a contract's week of them in one
Query and places each under the entry whose span holds it (domain.inquiries.work_by_entry): the
entry the clock made, or a manual entry logged later for that time. An entry of a business that
uses deskhire's support with no work in it is flagged to the business, never silently; a business
that does not use support sees nothing new."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.domain import inquiries as rules
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.store.contracts import EntryRecord, contract_partition
from chalicelib.store.support import WorkRecord, agent_work_index, work_range


def between(tenant: TenantId, contract_id: str, start: datetime, end: datetime) -> list[WorkRecord]:
    """The work done under a contract in [start, end), in time order (one Query)."""
    low, high = work_range(start, end)
    items = WorkRecord.query(contract_partition(tenant, contract_id), WorkRecord.sk.between(low, high))
    return [i for i in items if isinstance(i, WorkRecord) and start <= i.at < end]


def as_work(record: WorkRecord) -> rules.Work:
    return rules.Work(
        at=record.at,
        inquiry_id=record.inquiry_id,
        number=int(record.number),
        action=rules.WorkAction(record.action),
    )


@dataclass(frozen=True)
class Backing:
    """What a week's entries rest on: the work under each entry, the work no entry holds, and
    whether the business uses support at all (only then is an entry with none flagged)."""

    uses_support: bool
    by_entry: dict[str, list[rules.Work]] = field(default_factory=dict)
    loose: list[rules.Work] = field(default_factory=list)

    def of(self, entry_id: str) -> list[rules.Work]:
        return self.by_entry.get(entry_id, [])

    def unbacked(self, entry_id: str) -> bool:
        """Flag this entry: the business uses support and no inquiry was handled in it."""
        return self.uses_support and not self.by_entry.get(entry_id)


def backing(
    tenant: TenantId, contract_id: str, entries: list[EntryRecord], start: datetime, end: datetime
) -> Backing:
    """The work behind `entries` (a week's, or one entry's), read for [start, end)."""
    from chalicelib.services.support.inquiries import uses_support

    if not uses_support(tenant):
        return Backing(uses_support=False)
    spans = [rules.Span(e.entry_id, e.started_at, e.ended_at) for e in entries]
    placed, loose = rules.work_by_entry([as_work(w) for w in between(tenant, contract_id, start, end)], spans)
    return Backing(uses_support=True, by_entry=placed, loose=loose)


def week_backing(
    tenant: TenantId, contract_id: str, entries: list[EntryRecord], week: BillingWeek
) -> Backing:
    return backing(tenant, contract_id, entries, week.starts_at, week.ends_at)


def replies_in_week(tenant: TenantId, agent: AgentId, week: BillingWeek) -> list[WorkRecord]:
    """The agent's replies to the customers of one business in a billing week, oldest first
    (one Query of the agent's work index): what the peer-review slice samples. Each names its
    inquiry and its message (`message_sk`, in the inquiry's partition)."""
    low = week.starts_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    high = week.ends_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    items = WorkRecord.gsi1.query(agent_work_index(agent), WorkRecord.gsi1sk.between(low, high))
    return [
        i
        for i in items
        if isinstance(i, WorkRecord)
        and i.tenant_id == tenant.value
        and i.action == rules.WorkAction.REPLY.value
        and week.starts_at <= i.at < week.ends_at
    ]
