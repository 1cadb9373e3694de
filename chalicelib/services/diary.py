"""The work diary: clocking in and out, manual entries, edits and deletes.

Every write reads what the rules need in a constant number of requests (the agent's link to the
contract, the contract, one BatchGetItem for the diary days, timesheets, week markers and clock),
checks the rules in `domain.diary`, and commits one transaction that re-asserts each thing it
read: the diary days and the contract by version, the timesheet by its status and cap, the clock
by its start. If anything changed in between (another entry of the same agent, on any contract of
any business), the transaction fails as a whole and the write is read and checked again: two
racing writes cannot both pass, and a write that would now break a rule says which."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar

from chalicelib.composition import Deps
from chalicelib.domain import contracts as terms
from chalicelib.domain import diary as rules
from chalicelib.domain.errors import Conflict, Contended, Forbidden, NotFound
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek, to_minute
from chalicelib.ids import new_id_in_week, week_start_of
from chalicelib.services import blocks
from chalicelib.services.contracts import records
from chalicelib.store import audit
from chalicelib.store.base import Entity
from chalicelib.store.billing import InvoiceRecord
from chalicelib.store.contracts import (
    SHARDS,
    ClockRecord,
    ContractRecord,
    DiaryDayRecord,
    EntryRecord,
    TimesheetRecord,
    WeekMarker,
    agent_entries_index,
    clock_key,
    clocks_index,
    diary_day_key,
    entry_key,
    marker_key,
    shard_of,
    stamp,
    timesheet_key,
    weeks_index,
)
from chalicelib.store.transactions import transaction

ATTEMPTS = 4
T = TypeVar("T")


@dataclass(frozen=True)
class EntryDraft:
    started_at: datetime
    ended_at: datetime
    memo: str = ""
    tickets: tuple[str, ...] = ()


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


def _with_retries(write: Callable[[], T]) -> T:
    """Run a read-check-write; when the commit finds that something it read has changed, read
    and check again. A rule that now fails is raised as that rule's error."""
    for _attempt in range(ATTEMPTS):
        try:
            return write()
        except Contended:
            continue
    raise Contended("the diary is busy (other time is being logged at this moment); try again")


_RETRY = Contended("something this entry depends on changed meanwhile")


def _require_agent(actor: Principal) -> AgentId:
    if actor.kind is not PrincipalKind.AGENT:
        raise Forbidden("only the agent logs time on a contract")
    return AgentId(actor.id)


def _ref(entry: EntryRecord) -> str:
    return f"{entry.tenant_id}/{entry.contract_id}/{entry.entry_id}"


def _span(entry: EntryRecord) -> rules.Span:
    return rules.Span(entry.started_at, entry.ended_at)


def read_state(contract: ContractRecord, *, weeks: set[BillingWeek], days: set[date]) -> DiaryState:
    """One consistent BatchGetItem for everything a diary write checks."""
    agent, tenant = AgentId(contract.agent_id), records.tenant_of(contract)
    wanted = [clock_key(agent)]
    wanted += [diary_day_key(agent, day) for day in days]
    wanted += [timesheet_key(tenant, contract.contract_id, week) for week in weeks]
    wanted += [marker_key(tenant, week) for week in weeks]
    found = {(item.pk, item.sk): item for item in Entity.batch_get(wanted, consistent_read=True)}
    state = DiaryState(clock=found.get(clock_key(agent)))
    for day in days:
        key = diary_day_key(agent, day)
        state.days[day] = found.get(key) or DiaryDayRecord(*key, spans=[])
    for week in weeks:
        if sheet := found.get(timesheet_key(tenant, contract.contract_id, week)):
            state.timesheets[week] = sheet
        if marker := found.get(marker_key(tenant, week)):
            state.markers[week] = marker
    return state


def _check_allowance(
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


def _check_in_contract(contract: ContractRecord, span: rules.Span) -> None:
    periods = records.periods_of(contract)
    if not periods.covering(span.start, span.end):
        raise rules.EntryRejected(periods.why_not(span.start, span.end), code="outside_contract")


@dataclass
class _Change:
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


def _commit(
    contract: ContractRecord,
    state: DiaryState,
    change: _Change,
    *,
    actor: Principal,
    action: str,
    summary: dict,
    now: datetime,
) -> None:
    tenant = records.tenant_of(contract)
    history = records.history_of(contract)
    hourly = contract.contract_kind == terms.Kind.HOURLY
    with transaction() as tx:
        for entry in change.put:
            tx.save(entry, on_conflict=_RETRY)
        for entry in change.delete:
            tx.delete(entry, on_conflict=_RETRY)
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
                on_conflict=_RETRY,
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
            tx.save(record, on_conflict=_RETRY)
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
            # services/blocks.py
            top_up = blocks.top_up_order(contract, adding=drawn, now=now)
            if top_up is not None:
                contract_actions += top_up.contract_actions
                tx.save(top_up.invoice, condition=InvoiceRecord.pk.does_not_exist(), on_conflict=_RETRY)
                tx.save(top_up.audit)
        if contract_actions:
            tx.update(contract, actions=contract_actions, on_conflict=_RETRY)
        else:
            # the contract may not change under the write (a pause, an amendment)
            tx.condition_check(
                ContractRecord,
                contract.pk,
                contract.sk,
                condition=ContractRecord.version == contract.version,
                on_conflict=_RETRY,
            )
        if change.clock_done is not None:
            tx.delete(
                change.clock_done,
                condition=ClockRecord.started_at == change.clock_done.started_at,
                on_conflict=_RETRY,
            )
        tx.save(audit.entry(tenant, actor, action, f"contract:{contract.contract_id}", summary, at=now))


def _new_entries(
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


def _add_entries(
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
    for week, _ in pieces:
        rules.check_week_open(week, now=lock_check_at)
    _check_in_contract(contract, span)
    state = read_state(contract, weeks={w for w, _ in pieces}, days={d for d, _, _ in rules.day_pieces(span)})
    running = state.clock
    clock_span = (
        rules.Span(to_minute(running.started_at), max(to_minute(now), to_minute(running.started_at)))
        if running is not None and clock_done is None
        else None
    )
    rules.check_no_overlap(span, state.spans(), clock=clock_span)
    _check_allowance(contract, state, pieces)
    for week, _ in pieces:
        if not state.is_open(week):
            raise rules.EntryRejected(f"week {week} is locked", code="week_locked")
    pieces, entries = _new_entries(
        contract, span, memo=memo, tickets=tickets, source=source, flag=flag, now=now
    )
    change = _Change(put=entries, clock_done=clock_done)
    days = state.spans()
    for entry in entries:
        change.add(BillingWeek.parse(entry.week), int(entry.minutes), 1)
        days.update(rules.days_with(days, _span(entry), _ref(entry)))
        change.days.update({d: days[d] for d, _, _ in rules.day_pieces(_span(entry))})
    _commit(
        contract,
        state,
        change,
        actor=actor,
        action="entry.logged",
        summary={"after": {"start": span.start.isoformat(), "minutes": span.minutes, "source": source}},
        now=now,
    )
    return entries


# -- manual entries -----------------------------------------------------------------------------


def log_time(actor: Principal, contract_id: str, draft: EntryDraft, *, deps: Deps) -> list[EntryRecord]:
    """A manual entry; two entries when it crosses Monday 00:00 UTC."""
    _require_agent(actor)

    def attempt() -> list[EntryRecord]:
        contract = records.find(actor, contract_id)
        now = deps.now()
        span = rules.check_span(draft.started_at, draft.ended_at, now=now)
        memo, tickets = rules.check_memo(draft.memo, draft.tickets)
        return _add_entries(
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

    return _with_retries(attempt)


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
    _require_agent(actor)

    def attempt() -> EntryRecord:
        contract, entry = find_entry(actor, contract_id, entry_id)
        now = deps.now()
        week = BillingWeek.parse(entry.week)
        rules.check_week_open(week, now=now)
        span = rules.check_span(draft.started_at, draft.ended_at, now=now)
        memo, tickets = rules.check_memo(draft.memo, draft.tickets)
        if not (week.starts_at <= span.start and span.end <= week.ends_at):
            raise rules.EntryRejected(
                f"an entry stays in its billing week ({week}); log time in another week as a new entry",
                code="other_week",
                field="started_at",
            )
        _check_in_contract(contract, span)
        old = _span(entry)
        days_touched = {d for d, _, _ in rules.day_pieces(old)} | {d for d, _, _ in rules.day_pieces(span)}
        state = read_state(contract, weeks={week}, days=days_touched)
        if not state.is_open(week):
            raise rules.EntryRejected(f"week {week} is locked", code="week_locked")
        ref = _ref(entry)
        running = state.clock
        clock_span = (
            rules.Span(to_minute(running.started_at), max(to_minute(now), to_minute(running.started_at)))
            if running is not None
            else None
        )
        rules.check_no_overlap(span, state.spans(), ignore=frozenset({ref}), clock=clock_span)
        _check_allowance(contract, state, [(week, span)], freed={week: int(entry.minutes)})
        before = {"start": entry.started_at.isoformat(), "minutes": int(entry.minutes), "memo": entry.memo}
        days = state.spans()
        days.update(rules.days_without(days, old, ref))
        days.update(rules.days_with(days, span, ref))
        change = _Change(put=[entry], days={d: days.get(d, []) for d in days_touched})
        change.add(week, span.minutes - int(entry.minutes), 0)
        entry.started_at, entry.ended_at, entry.minutes = span.start, span.end, span.minutes
        entry.memo, entry.tickets, entry.updated_at = memo, list(tickets), now
        entry.gsi1sk = f"{stamp(span.start)}#{entry.entry_id}"
        entry.flag = None if entry.source == "manual" else entry.flag
        _commit(
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

    return _with_retries(attempt)


def delete(actor: Principal, contract_id: str, entry_id: str, *, deps: Deps) -> None:
    _require_agent(actor)

    def attempt() -> None:
        contract, entry = find_entry(actor, contract_id, entry_id)
        now = deps.now()
        week = BillingWeek.parse(entry.week)
        rules.check_week_open(week, now=now)
        old = _span(entry)
        days_touched = {d for d, _, _ in rules.day_pieces(old)}
        state = read_state(contract, weeks={week}, days=days_touched)
        if not state.is_open(week):
            raise rules.EntryRejected(f"week {week} is locked", code="week_locked")
        change = _Change(delete=[entry], days=rules.days_without(state.spans(), old, _ref(entry)))
        change.add(week, -int(entry.minutes), -1)
        _commit(
            contract,
            state,
            change,
            actor=actor,
            action="entry.deleted",
            summary={"before": {"start": entry.started_at.isoformat(), "minutes": int(entry.minutes)}},
            now=now,
        )

    _with_retries(attempt)


# -- the clock ------------------------------------------------------------------------------------


def current_clock(actor: Principal) -> ClockRecord | None:
    return ClockRecord.find(*clock_key(_require_agent(actor)), consistent=True)


def _cap_left(
    contract: ContractRecord, state: DiaryState, weeks: set[BillingWeek]
) -> dict[BillingWeek, int] | None:
    if contract.contract_kind != terms.Kind.HOURLY:
        return None
    history = records.history_of(contract)
    return {
        week: max(0, (terms.terms_in_week(history, week).weekly_cap_minutes or 0) - state.logged(week))
        for week in weeks
    }


def _block_left(contract: ContractRecord) -> int | None:
    if contract.contract_kind != terms.Kind.BLOCK:
        return None
    return max(0, int(contract.block_minutes or 0) - int(contract.used_minutes or 0))


def _weeks_between(start: datetime, end: datetime) -> set[BillingWeek]:
    return {
        week for week, _ in rules.split_by_week(rules.Span(start, max(end, start + timedelta(minutes=1))))
    }


def clock_in(actor: Principal, contract_id: str, *, memo: str = "", deps: Deps) -> ClockRecord:
    """Start the clock on a running contract; at most one clock per agent, across businesses."""
    agent = _require_agent(actor)

    def attempt() -> ClockRecord:
        contract = records.find(actor, contract_id)
        now = to_minute(deps.now())
        status = records.status_of(contract, now)
        if status is not terms.Status.ACTIVE:
            raise Conflict(
                f"this contract is {status}; time can be logged only while it is active",
                code="contract_not_active",
            )
        period_stop = records.periods_of(contract).open_until(now)
        limit = now + rules.CLOCK_LIMIT
        weeks = _weeks_between(now, limit)
        state = read_state(contract, weeks=weeks, days=set())
        if state.clock is not None:
            raise Conflict(
                f"you are already clocked in on '{state.clock.contract_title}' since "
                f"{state.clock.started_at:%H:%M} UTC; clock out first",
                code="already_clocked_in",
            )
        due = rules.clock_stop(
            now,
            limit,
            period_stop=period_stop,
            cap_left=_cap_left(contract, state, weeks),
            block_left=_block_left(contract),
            next_busy=None,
        )
        if due.end <= now:
            if contract.contract_kind == terms.Kind.HOURLY:
                raise rules.EntryRejected(
                    f"the weekly cap of this contract is used up for {BillingWeek.containing(now)}",
                    code="over_weekly_cap",
                    minutes_left=0,
                )
            raise rules.EntryRejected(
                "the block of this contract is used up", code="block_exhausted", minutes_left=0
            )
        memo_text, _ = rules.check_memo(memo, ())
        clock = ClockRecord(
            *clock_key(agent),
            contract_id=contract.contract_id,
            tenant_id=contract.tenant_id,
            contract_title=contract.title,
            started_at=now,
            due_at=due.end,
            memo=memo_text,
            gsi2pk=clocks_index(shard_of(agent.value)),
            gsi2sk=f"{stamp(due.end)}#{agent.value}",
        )
        with transaction() as tx:
            tx.save(
                clock,
                condition=ClockRecord.pk.does_not_exist(),
                on_conflict=Conflict(
                    "you are already clocked in; clock out first", code="already_clocked_in"
                ),
            )
            tx.condition_check(
                ContractRecord,
                contract.pk,
                contract.sk,
                condition=ContractRecord.version == contract.version,
                on_conflict=_RETRY,
            )
        return clock

    return _with_retries(attempt)


@dataclass(frozen=True)
class ClockedOut:
    entries: list[EntryRecord]
    reason: str | None  # why the clock stopped before now, if it did
    dropped_minutes: int = 0  # minutes that fell in a week already locked


def clock_out(actor: Principal, *, deps: Deps) -> ClockedOut:
    agent = _require_agent(actor)
    clock = ClockRecord.find(*clock_key(agent), consistent=True)
    if clock is None:
        raise Conflict("you are not clocked in", code="not_clocked_in")
    return _close(clock, actor=actor, deps=deps, by_system=False)


def clock_out_of(contract: ContractRecord, *, deps: Deps) -> ClockedOut | None:
    """Clock the agent out if their clock runs on this contract (before a pause or an end)."""
    clock = ClockRecord.find(*clock_key(AgentId(contract.agent_id)), consistent=True)
    if clock is None or clock.contract_id != contract.contract_id:
        return None
    return _close(clock, actor=_SYSTEM, deps=deps, by_system=True)


_SYSTEM = Principal(PrincipalKind.OPERATOR, "system", "deskhire")


def _close(clock: ClockRecord, *, actor: Principal, deps: Deps, by_system: bool) -> ClockedOut:
    """Turn a clock into entries: from its start to where `clock_stop` says it stops."""

    def attempt() -> ClockedOut:
        current = ClockRecord.find(clock.pk, clock.sk, consistent=True)
        if current is None or current.started_at != clock.started_at:
            return ClockedOut([], None)  # someone else closed it meanwhile
        contract = records.find_for_system(TenantId(current.tenant_id), current.contract_id)
        now = to_minute(deps.now())
        start = to_minute(current.started_at)
        try:
            period_stop = records.periods_of(contract).open_until(start) if contract else start
        except Conflict:
            period_stop = start
        horizon = max(start, min(now, start + rules.CLOCK_LIMIT))
        weeks = _weeks_between(start, horizon)
        days = {
            d for d, _, _ in rules.day_pieces(rules.Span(start, max(horizon, start + timedelta(minutes=1))))
        }
        state = read_state(contract, weeks=weeks, days=days) if contract else DiaryState()
        clash = rules.find_clash(rules.Span(start, max(horizon, start + timedelta(minutes=1))), state.spans())
        stop = rules.clock_stop(
            start,
            now,
            period_stop=period_stop,
            cap_left=_cap_left(contract, state, weeks) if contract else None,
            block_left=_block_left(contract) if contract else None,
            next_busy=clash.start if clash else None,
        )
        # Time in a week that has locked can no longer be added. The lock job closes due clocks
        # first, and a clock is due within 12 hours, so this is rare: a clock the agent closes
        # only after the lock (and before any sweep ran). Locked weeks are the earlier ones, so
        # what is dropped is the beginning of the span.
        lock_check_at = stop.end if by_system else now
        begin, dropped = start, 0
        for week, piece in rules.split_by_week(rules.Span(start, stop.end)) if stop.end > start else []:
            if not state.is_open(week) or week.locks_at <= lock_check_at:
                begin, dropped = piece.end, dropped + piece.minutes
        if stop.end - begin < timedelta(minutes=1) or contract is None:
            with transaction() as tx:
                tx.delete(current, condition=ClockRecord.started_at == current.started_at, on_conflict=_RETRY)
            return ClockedOut([], stop.reason, dropped)
        flag = (
            stop.reason
            if dropped == 0
            else f"{stop.reason or 'clocked out'}; {dropped} minutes fell in a locked week"
        )
        entries = _add_entries(
            contract,
            rules.Span(begin, stop.end),
            actor=actor,
            memo=current.memo,
            tickets=(),
            source="clock",
            flag=flag,
            now=now,
            lock_check_at=lock_check_at,
            clock_done=current,
        )
        return ClockedOut(entries, stop.reason, dropped)

    return _with_retries(attempt)


def close_due_clocks(*, as_of: datetime, deps: Deps) -> int:
    """The sweep: every clock due by `as_of` (12 hours old, or at its cap) is closed and its
    entry flagged. A clock not due after all (its cap was raised) gets a new due time."""
    closed = 0
    for shard in range(SHARDS):
        for clock in ClockRecord.gsi2.query(clocks_index(shard), ClockRecord.gsi2sk <= f"{stamp(as_of)}~"):
            if not isinstance(clock, ClockRecord):
                continue
            result = close_if_due(clock, deps=deps)
            closed += 1 if result else 0
    return closed


def close_if_due(clock: ClockRecord, *, deps: Deps) -> bool:
    contract = records.find_for_system(TenantId(clock.tenant_id), clock.contract_id)
    start, now = to_minute(clock.started_at), to_minute(deps.now())
    if contract is not None:
        weeks = _weeks_between(start, start + rules.CLOCK_LIMIT)
        state = read_state(contract, weeks=weeks, days=set())
        try:
            period_stop = records.periods_of(contract).open_until(start)
        except Conflict:
            period_stop = start
        stop = rules.clock_stop(
            start,
            now,
            period_stop=period_stop,
            cap_left=_cap_left(contract, state, weeks),
            block_left=_block_left(contract),
            next_busy=None,
        )
        if stop.reason is None:
            due = rules.clock_stop(
                start,
                start + rules.CLOCK_LIMIT,
                period_stop=period_stop,
                cap_left=_cap_left(contract, state, weeks),
                block_left=_block_left(contract),
                next_busy=None,
            ).end
            ClockRecord(clock.pk, clock.sk).update(
                actions=[
                    ClockRecord.due_at.set(due),
                    ClockRecord.gsi2sk.set(f"{stamp(due)}#{contract.agent_id}"),
                ],
                condition=ClockRecord.started_at == clock.started_at,
            )
            return False
    _close(clock, actor=_SYSTEM, deps=deps, by_system=True)
    return True


# -- reading the diary ----------------------------------------------------------------------------


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
