"""Diary entries: the agent logs time by hand (two entries when it crosses Monday 00:00 UTC),
revises or deletes an entry of a week that has not locked; and the entries of a contract's week, or
of an agent across contracts, for reading."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.composition import Deps
from chalicelib.domain import diary as rules
from chalicelib.domain.errors import NotFound
from chalicelib.domain.identity import Principal
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek, to_minute
from chalicelib.ids import week_start_of
from chalicelib.services import zones
from chalicelib.services.contracts import records
from chalicelib.services.diary import writes
from chalicelib.store.contracts import (
    ContractRecord,
    EntryRecord,
    agent_entries_index,
    entry_key,
    stamp,
)


@dataclass(frozen=True)
class EntryDraft:
    started_at: datetime
    ended_at: datetime
    memo: str = ""
    tickets: tuple[str, ...] = ()


def log_time(actor: Principal, contract_id: str, draft: EntryDraft, *, deps: Deps) -> list[EntryRecord]:
    """A manual entry; two entries when it crosses Monday 00:00 UTC."""
    writes.require_agent(actor)

    def attempt() -> list[EntryRecord]:
        contract = records.find(actor, contract_id)
        now = deps.now()
        span = rules.check_span(draft.started_at, draft.ended_at, now=now)
        memo, tickets = rules.check_memo(draft.memo, draft.tickets)
        return writes.add_entries(
            contract,
            span,
            actor=actor,
            memo=memo,
            tickets=tickets,
            source="manual",
            flag=None,
            now=now,
            lock_check_at=now,
        )

    return writes.with_retries(attempt)


def find_entry(actor: Principal, contract_id: str, entry_id: str) -> tuple[ContractRecord, EntryRecord]:
    contract = records.find(actor, contract_id)
    entry = None
    if entry_id.isalnum() and week_start_of(entry_id) is not None:
        entry = EntryRecord.find(
            *entry_key(records.tenant_of(contract), contract_id, entry_id), consistent=True
        )
    if entry is None:
        raise NotFound("no such entry")
    return contract, entry


def revise(
    actor: Principal, contract_id: str, entry_id: str, draft: EntryDraft, *, deps: Deps
) -> EntryRecord:
    """Change an entry of a week that has not locked. It stays in its week: time in another week
    is another entry."""
    writes.require_agent(actor)

    def attempt() -> EntryRecord:
        contract, entry = find_entry(actor, contract_id, entry_id)
        now = deps.now()
        week = BillingWeek.parse(entry.week)
        zone = zones.of_party(actor, contract)  # the refusals' times on the agent's clock
        rules.check_week_open(week, now=now, zone=zone)
        span = rules.check_span(draft.started_at, draft.ended_at, now=now)
        memo, tickets = rules.check_memo(draft.memo, draft.tickets)
        if not (week.starts_at <= span.start and span.end <= week.ends_at):
            raise rules.EntryRejected(
                f"an entry stays in its billing week ({week}); log time in another week as a new entry",
                code="other_week",
                field="started_at",
            )
        writes.check_in_contract(contract, span, zone=zone)
        old = writes.span_of(entry)
        days_touched = {d for d, _, _ in rules.day_pieces(old)} | {d for d, _, _ in rules.day_pieces(span)}
        state = writes.read_state(contract, weeks={week}, days=days_touched)
        if not state.is_open(week):
            raise rules.EntryRejected(f"week {week} is locked", code="week_locked")
        ref = writes.entry_ref(entry)
        running = state.clock
        clock_span = (
            rules.Span(to_minute(running.started_at), max(to_minute(now), to_minute(running.started_at)))
            if running is not None
            else None
        )
        rules.check_no_overlap(span, state.spans(), ignore=frozenset({ref}), clock=clock_span, zone=zone)
        writes.check_allowance(contract, state, [(week, span)], freed={week: int(entry.minutes)})
        before = {"start": entry.started_at.isoformat(), "minutes": int(entry.minutes), "memo": entry.memo}
        days = state.spans()
        days.update(rules.days_without(days, old, ref))
        days.update(rules.days_with(days, span, ref))
        change = writes.Change(put=[entry], days={d: days.get(d, []) for d in days_touched})
        change.add(week, span.minutes - int(entry.minutes), 0)
        entry.started_at, entry.ended_at, entry.minutes = span.start, span.end, span.minutes
        entry.memo, entry.tickets, entry.updated_at = memo, list(tickets), now
        entry.gsi1sk = f"{stamp(span.start)}#{entry.entry_id}"
        entry.flag = None if entry.source == "manual" else entry.flag
        writes.commit(
            contract,
            state,
            change,
            actor=actor,
            action="entry.revised",
            summary={
                "before": before,
                "after": {"start": span.start.isoformat(), "minutes": span.minutes, "memo": memo},
            },
            now=now,
        )
        return entry

    return writes.with_retries(attempt)


def delete(actor: Principal, contract_id: str, entry_id: str, *, deps: Deps) -> None:
    writes.require_agent(actor)

    def attempt() -> None:
        contract, entry = find_entry(actor, contract_id, entry_id)
        now = deps.now()
        week = BillingWeek.parse(entry.week)
        rules.check_week_open(week, now=now, zone=zones.of_party(actor, contract))
        old = writes.span_of(entry)
        days_touched = {d for d, _, _ in rules.day_pieces(old)}
        state = writes.read_state(contract, weeks={week}, days=days_touched)
        if not state.is_open(week):
            raise rules.EntryRejected(f"week {week} is locked", code="week_locked")
        change = writes.Change(
            delete=[entry], days=rules.days_without(state.spans(), old, writes.entry_ref(entry))
        )
        change.add(week, -int(entry.minutes), -1)
        writes.commit(
            contract,
            state,
            change,
            actor=actor,
            action="entry.deleted",
            summary={"before": {"start": entry.started_at.isoformat(), "minutes": int(entry.minutes)}},
            now=now,
        )

    writes.with_retries(attempt)


def week_entries(tenant: TenantId, contract_id: str, week: BillingWeek) -> list[EntryRecord]:
    from chalicelib.store.contracts import contract_partition, week_entries_prefix

    items = EntryRecord.query(
        contract_partition(tenant, contract_id),
        EntryRecord.sk.startswith(week_entries_prefix(week)),
        consistent_read=True,
    )
    return sorted((e for e in items if isinstance(e, EntryRecord)), key=lambda e: e.started_at)


def agent_entries(agent: AgentId, start: datetime, end: datetime) -> list[EntryRecord]:
    """The agent's entries on every contract that start in [start, end), by start time."""
    items = EntryRecord.gsi1.query(
        agent_entries_index(agent), EntryRecord.gsi1sk.between(stamp(start), stamp(end))
    )
    return [e for e in items if isinstance(e, EntryRecord) and e.started_at < end]
