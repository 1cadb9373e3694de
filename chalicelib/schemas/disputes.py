"""Models of the dispute routes: the pre-check, the dispute and its messages, the operators'
queue and decision."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal, cast

from pydantic import Field

from chalicelib.schemas import diary
from chalicelib.schemas.base import Command, View

if TYPE_CHECKING:
    from chalicelib.services.disputes import Evidence
    from chalicelib.store.contracts import DisputeRecord

# A stored state becomes the view's Literal through a cast; pydantic checks it when the view is made.
DisputeStatus = Literal["open", "contested", "resolved"]
DisputeOutcome = Literal["withdrawn", "conceded", "upheld", "rejected"]


class DisputeBody(Command):
    reason: str = Field(min_length=1, max_length=2000)


class DisputeMessageBody(Command):
    body: str = Field(min_length=1, max_length=2000)


class ConcedeBody(Command):
    keep_minutes: int = Field(ge=0, description="amend the entry down to this many minutes")


class ResolveBody(Command):
    outcome: Literal["upheld", "rejected"]
    upheld_minutes: int | None = Field(default=None, description="upheld: how many of the entry's minutes")
    note: str = Field(
        default="",
        max_length=2000,
        description="required: the operator's reasons, quoted in the mails to both sides",
    )


class DisputeMessageView(View):
    side: str
    name: str
    body: str
    at: datetime


class DisputeView(View):
    id: str
    contract_id: str
    entry_id: str
    week: str
    contract_title: str
    business_name: str
    agent_name: str
    started_at: datetime
    ended_at: datetime
    minutes: int
    reason: str
    status: DisputeStatus
    outcome: DisputeOutcome | None
    upheld_minutes: int
    released_minutes: int
    messages: list[DisputeMessageView]
    filed_by_name: str
    filed_at: datetime
    resolved_at: datetime | None
    resolution_note: str | None


class DisputeList(View):
    disputes: list[DisputeView]


class EvidenceView(View):
    entry: diary.EntryView
    backing: str = Field(description="a plain summary of what backs the entry")
    same_day: list[diary.EntryView]
    inquiries: list[dict] = Field(description="inquiries handled in the entry (with support operations)")
    inquiries_available: bool


def dispute_view(record: DisputeRecord) -> DisputeView:
    return DisputeView(
        id=record.dispute_id,
        contract_id=record.contract_id,
        entry_id=record.entry_id,
        week=record.week,
        contract_title=record.contract_title,
        business_name=record.business_name,
        agent_name=record.agent_name,
        started_at=record.started_at,
        ended_at=record.ended_at,
        minutes=int(record.minutes),
        reason=record.reason,
        status=cast(DisputeStatus, record.status),
        outcome=cast(DisputeOutcome | None, record.outcome),
        upheld_minutes=int(record.upheld_minutes or 0),
        released_minutes=int(record.released_minutes or 0),
        messages=[DisputeMessageView(**m) for m in record.messages or []],
        filed_by_name=record.filed_by_name,
        filed_at=record.filed_at,
        resolved_at=record.resolved_at,
        resolution_note=record.resolution_note,
    )


def evidence_view(evidence: Evidence, *, zone: str, now: datetime) -> EvidenceView:
    return EvidenceView(
        entry=diary.entry_view(evidence.entry, zone=zone, now=now),
        backing=evidence.strength,
        same_day=[diary.entry_view(e, zone=zone, now=now) for e in evidence.same_day],
        inquiries=list(evidence.inquiries),
        inquiries_available=evidence.inquiries_available,
    )
