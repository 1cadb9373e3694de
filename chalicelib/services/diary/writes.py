"""How every diary write is made, whether an entry typed in or a clock turned into entries.

It reads what the rules need in a constant number of requests (the agent's link to the contract,
the contract, one BatchGetItem for the diary days, timesheets, week markers and clock), checks the
rules in `domain.diary`, and commits one transaction that re-asserts each thing it read: the diary
days and the contract by version, the timesheet by its status and cap, the clock by its start. If
anything changed in between (another entry of the same agent, on any contract of any business),
the transaction fails as a whole and the write is read and checked again: two racing writes cannot
both pass, and a write that would now break a rule says which."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from chalicelib.domain import contracts as terms
from chalicelib.domain import diary as rules
from chalicelib.domain.errors import Contended, Forbidden
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek, to_minute
from chalicelib.ids import new_id_in_week
from chalicelib.services import zones
from chalicelib.services.blocks import purchase
from chalicelib.services.contracts import records
from chalicelib.store import audit, platform_metrics
from chalicelib.store.base import read_batch
from chalicelib.store.billing import InvoiceRecord
from chalicelib.store.contracts import (
    ClockRecord,
    ContractRecord,
    DiaryDayRecord,
    EntryRecord,
    TimesheetRecord,
    WeekMarker,
    agent_entries_index,
    clock_key,
    diary_day_key,
    entry_key,
    marker_key,
    shard_of,
    stamp,
    timesheet_key,
    weeks_index,
)
from chalicelib.store.support import OnShiftRecord, on_shift_key
from chalicelib.store.transactions import transaction

ATTEMPTS = 4


T = TypeVar("T")


@dataclass
class DiaryState:
    """What one write reads: the agent's diary days and running clock, and the contract's
    timesheets and the business's week markers for the weeks it touches."""

    days: dict[date, DiaryDayRecord] = field(default_factory=dict)
    timesheets: dict[BillingWeek, TimesheetRecord] = field(default_factory=dict)
    markers: dict[BillingWeek, WeekMarker] = field(default_factory=dict)
    clock: ClockRecord | None = None

    def spans(self) -> dict[date, list[rules.DaySpan]]:
        return {
            day: [rules.DaySpan.from_json(s) for s in record.spans or []] for day, record in self.days.items()
        }

    def logged(self, week: BillingWeek) -> int:
        sheet = self.timesheets.get(week)
        return int(sheet.logged_minutes or 0) if sheet else 0

    def is_open(self, week: BillingWeek) -> bool:
        sheet = self.timesheets.get(week)
        return sheet is None or sheet.status in (None, "open")


def with_retries(write: Callable[[], T]) -> T:
    """Run a read-check-write; when the commit finds that something it read has changed, read
    and check again. A rule that now fails is raised as that rule's error."""
    for _attempt in range(ATTEMPTS):
        try:
            return write()
        except Contended:
            continue
    raise Contended("the diary is busy (other time is being logged at this moment); try again")


RETRY = Contended("something this entry depends on changed meanwhile")


def off_shift(clock: ClockRecord) -> OnShiftRecord:
    """The agent's on-shift item for the business the clock ran for (services/support/routing.py):
    deleted with the clock, in the same transaction (a delete of no item is no error)."""
    return OnShiftRecord(*on_shift_key(TenantId(clock.tenant_id), AgentId(clock.pk.removeprefix("A#"))))


def require_agent(actor: Principal) -> AgentId:
    if actor.kind is not PrincipalKind.AGENT:
        raise Forbidden("only the agent logs time on a contract")
    return AgentId(actor.id)


def entry_ref(entry: EntryRecord) -> str:
    return f"{entry.tenant_id}/{entry.contract_id}/{entry.entry_id}"


def span_of(entry: EntryRecord) -> rules.Span:
    return rules.Span(entry.started_at, entry.ended_at)


def read_state(contract: ContractRecord, *, weeks: set[BillingWeek], days: set[date]) -> DiaryState:
    """One consistent BatchGetItem for everything a diary write checks."""
    agent, tenant = AgentId(contract.agent_id), records.tenant_of(contract)
    wanted = [clock_key(agent)]
    wanted += [diary_day_key(agent, day) for day in days]
    wanted += [timesheet_key(tenant, contract.contract_id, week) for week in weeks]
    wanted += [marker_key(tenant, week) for week in weeks]
    found = read_batch(wanted)
    state = DiaryState(clock=found.get(clock_key(agent), ClockRecord))
    for day in days:
        key = diary_day_key(agent, day)
        state.days[day] = found.get(key, DiaryDayRecord) or DiaryDayRecord(*key, spans=[])
    for week in weeks:
        if sheet := found.get(timesheet_key(tenant, contract.contract_id, week), TimesheetRecord):
            state.timesheets[week] = sheet
        if marker := found.get(marker_key(tenant, week), WeekMarker):
            state.markers[week] = marker
    return state


def check_allowance(
    contract: ContractRecord,
    state: DiaryState,
    pieces: list[tuple[BillingWeek, rules.Span]],
    *,
    freed: dict[BillingWeek, int] | None = None,
) -> None:
    """The weekly cap (hourly) or the block's remaining minutes; `freed` are minutes of the entry
    being edited, which no longer count."""
    freed = freed or {}
    if contract.contract_kind == terms.Kind.HOURLY:
        history = records.history_of(contract)
        adding: dict[BillingWeek, int] = {}
        for week, piece in pieces:
            adding[week] = adding.get(week, 0) + piece.minutes
        for week, minutes in adding.items():
            cap = terms.terms_in_week(history, week).weekly_cap_minutes or 0
            rules.check_cap(week, cap=cap, logged=state.logged(week) - freed.get(week, 0), adding=minutes)
    else:
        rules.check_block(
            block=int(contract.block_minutes or 0),
            used=int(contract.used_minutes or 0) - sum(freed.values()),
            adding=sum(piece.minutes for _, piece in pieces),
        )


def check_in_contract(contract: ContractRecord, span: rules.Span, *, zone: str) -> None:
    """`zone`: the clock the refusal names the contract's start or end on (the agent's)."""
    periods = records.periods_of(contract)
    if not periods.covering(span.start, span.end):
        raise rules.EntryRejected(periods.why_not(span.start, span.end, zone), code="outside_contract")


@dataclass
class Change:
    """One diary write: entries to put or delete, minutes per week, the diary days after it."""

    put: list[EntryRecord] = field(default_factory=list)
    delete: list[EntryRecord] = field(default_factory=list)
    minutes: dict[BillingWeek, int] = field(default_factory=dict)
    counts: dict[BillingWeek, int] = field(default_factory=dict)
    days: dict[date, list[rules.DaySpan]] = field(default_factory=dict)
    clock_done: ClockRecord | None = None

    def add(self, week: BillingWeek, minutes: int, count: int) -> None:
        self.minutes[week] = self.minutes.get(week, 0) + minutes
        self.counts[week] = self.counts.get(week, 0) + count


def commit(
    contract: ContractRecord,
    state: DiaryState,
    change: Change,
    *,
    actor: Principal,
    action: str,
    summary: dict,
    now: datetime,
) -> None:
    tenant = records.tenant_of(contract)
    history = records.history_of(contract)
    hourly = contract.contract_kind == terms.Kind.HOURLY
    # 20 actions at most, since an entry is at most 24 hours (domain.diary MAX_ENTRY): 2 entries
    # (split at a week's end), 2 timesheets and markers, 4 diary days (an edit: old and new span),
    # the contract, the clock and on-shift items, a top-up's invoice and audit, the audit, the
    # platform's day and each side's activity of at most 2 months
    with transaction() as tx:
        for entry in change.put:
            tx.save(entry, on_conflict=RETRY)
        for entry in change.delete:
            tx.delete(entry, on_conflict=RETRY)
        for week, minutes in change.minutes.items():
            pk, sk = timesheet_key(tenant, contract.contract_id, week)
            condition = TimesheetRecord.status.does_not_exist() | (TimesheetRecord.status == "open")
            if hourly and minutes > 0:
                cap = terms.terms_in_week(history, week).weekly_cap_minutes or 0
                condition &= TimesheetRecord.logged_minutes.does_not_exist() | (
                    TimesheetRecord.logged_minutes <= cap - minutes
                )
            tx.update(
                TimesheetRecord(pk, sk),
                actions=[
                    TimesheetRecord.logged_minutes.add(minutes),
                    TimesheetRecord.entry_count.add(change.counts.get(week, 0)),
                    TimesheetRecord.revision.add(1),
                    TimesheetRecord.kind.set(TimesheetRecord.kind | TimesheetRecord),
                    TimesheetRecord.contract_id.set(TimesheetRecord.contract_id | contract.contract_id),
                    TimesheetRecord.week.set(TimesheetRecord.week | str(week)),
                    TimesheetRecord.status.set(TimesheetRecord.status | "open"),
                    TimesheetRecord.currency.set(TimesheetRecord.currency | contract.currency),
                ],
                condition=condition,
                on_conflict=RETRY,
            )
            marker = state.markers.get(week)
            if minutes > 0 and (marker is None or contract.contract_id not in (marker.contract_ids or set())):
                # the jobs of this week (lock, review close) fan out from the business's marker
                tx.update(
                    WeekMarker(*marker_key(tenant, week)),
                    actions=[
                        WeekMarker.contract_ids.add({contract.contract_id}),
                        WeekMarker.kind.set(WeekMarker.kind | WeekMarker),
                        WeekMarker.gsi2pk.set(weeks_index(week, shard_of(tenant.value))),
                        WeekMarker.gsi2sk.set(tenant.value),
                    ],
                )
        for day, spans in change.days.items():
            record = state.days[day]
            record.spans = [s.to_json() for s in spans]
            tx.save(record, on_conflict=RETRY)
        contract_actions = []
        latest = max((e.ended_at for e in change.put), default=None)
        if latest is not None and (contract.last_activity_at is None or latest > contract.last_activity_at):
            contract_actions.append(ContractRecord.last_activity_at.set(latest))
            if hourly and contract.gsi2pk:
                contract_actions.append(ContractRecord.gsi2sk.set(f"{stamp(latest)}#{contract.contract_id}"))
        if not hourly:
            drawn = sum(change.minutes.values())
            if drawn:
                contract_actions.append(ContractRecord.used_minutes.add(drawn))
            # an entry that leaves the block under its top-up threshold buys the next block here,
            # in this transaction (one read more, the fee schedule, on that entry only); see
            # services/blocks/purchase.py
            top_up = purchase.top_up_order(contract, adding=drawn, now=now)
            if top_up is not None:
                contract_actions += top_up.contract_actions
                tx.save(top_up.invoice, condition=InvoiceRecord.pk.does_not_exist(), on_conflict=RETRY)
                tx.save(top_up.audit)
        if contract_actions:
            tx.update(contract, actions=contract_actions, on_conflict=RETRY)
        else:
            # the contract may not change under the write (a pause, an amendment)
            tx.condition_check(
                ContractRecord,
                contract.pk,
                contract.sk,
                condition=ContractRecord.version == contract.version,
                on_conflict=RETRY,
            )
        if change.clock_done is not None:
            tx.delete(
                change.clock_done,
                condition=ClockRecord.started_at == change.clock_done.started_at,
                on_conflict=RETRY,
            )
            tx.delete(off_shift(change.clock_done))
        tx.save(audit.entry(tenant, actor, action, f"contract:{contract.contract_id}", summary, at=now))
        platform_metrics.entries_changed(
            tx,
            tenant,
            AgentId(contract.agent_id),
            contract.contract_id,
            at=now,
            added=[(entry.started_at, int(entry.minutes)) for entry in change.put],
            removed=[int(entry.minutes) for entry in change.delete],
        )


def new_entries(
    contract: ContractRecord,
    span: rules.Span,
    *,
    memo: str,
    tickets: tuple[str, ...],
    source: str,
    flag: str | None,
    now: datetime,
) -> tuple[list[tuple[BillingWeek, rules.Span]], list[EntryRecord]]:
    pieces = rules.split_by_week(span)
    tenant = records.tenant_of(contract)
    ids = [new_id_in_week(week.starts_at) for week, _ in pieces]
    entries = []
    for index, (week, piece) in enumerate(pieces):
        entry_id = ids[index]
        entries.append(
            EntryRecord(
                *entry_key(tenant, contract.contract_id, entry_id),
                entry_id=entry_id,
                contract_id=contract.contract_id,
                tenant_id=tenant.value,
                agent_id=contract.agent_id,
                week=str(week),
                started_at=piece.start,
                ended_at=piece.end,
                minutes=piece.minutes,
                memo=memo,
                tickets=list(tickets),
                source=source,
                flag=flag,
                pair_id=ids[1 - index] if len(ids) == 2 else None,
                review="",
                created_at=now,
                updated_at=now,
                gsi1pk=agent_entries_index(AgentId(contract.agent_id)),
                gsi1sk=f"{stamp(piece.start)}#{entry_id}",
            )
        )
    return pieces, entries


def add_entries(
    contract: ContractRecord,
    span: rules.Span,
    *,
    actor: Principal,
    memo: str,
    tickets: tuple[str, ...],
    source: str,
    flag: str | None,
    now: datetime,
    lock_check_at: datetime,
    clock_done: ClockRecord | None = None,
) -> list[EntryRecord]:
    pieces = rules.split_by_week(span)
    zone = zones.of_party(actor, contract)  # the refusals' times on the agent's clock
    for week, _ in pieces:
        rules.check_week_open(week, now=lock_check_at, zone=zone)
    check_in_contract(contract, span, zone=zone)
    state = read_state(contract, weeks={w for w, _ in pieces}, days={d for d, _, _ in rules.day_pieces(span)})
    running = state.clock
    clock_span = (
        rules.Span(to_minute(running.started_at), max(to_minute(now), to_minute(running.started_at)))
        if running is not None and clock_done is None
        else None
    )
    rules.check_no_overlap(span, state.spans(), clock=clock_span, zone=zone)
    check_allowance(contract, state, pieces)
    for week, _ in pieces:
        if not state.is_open(week):
            raise rules.EntryRejected(f"week {week} is locked", code="week_locked")
    pieces, entries = new_entries(
        contract, span, memo=memo, tickets=tickets, source=source, flag=flag, now=now
    )
    change = Change(put=entries, clock_done=clock_done)
    days = state.spans()
    for entry in entries:
        change.add(BillingWeek.parse(entry.week), int(entry.minutes), 1)
        days.update(rules.days_with(days, span_of(entry), entry_ref(entry)))
        change.days.update({d: days[d] for d, _, _ in rules.day_pieces(span_of(entry))})
    commit(
        contract,
        state,
        change,
        actor=actor,
        action="entry.logged",
        summary={"after": {"start": span.start.isoformat(), "minutes": span.minutes, "source": source}},
        now=now,
    )
    return entries
