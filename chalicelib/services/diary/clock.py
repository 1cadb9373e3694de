"""The clock: at most one per agent, across businesses. Clocking out turns it into entries, up to
where it had to stop (12 hours, the weekly cap or the block, the contract's period, the next entry);
a pause or an end clocks the agent out of that contract, and the sweep closes clocks that are due."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.composition import Deps
from chalicelib.domain import contracts as terms
from chalicelib.domain import diary as rules
from chalicelib.domain.errors import Conflict
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek, to_minute, when
from chalicelib.services import zones
from chalicelib.services.contracts import records
from chalicelib.services.diary import writes
from chalicelib.services.support import routing
from chalicelib.store.contracts import (
    SHARDS,
    ClockRecord,
    ContractRecord,
    EntryRecord,
    clock_key,
    clocks_index,
    shard_of,
    stamp,
)
from chalicelib.store.transactions import transaction
from chalicelib.web.observability import logger


def current_clock(actor: Principal) -> ClockRecord | None:
    return ClockRecord.find(*clock_key(writes.require_agent(actor)), consistent=True)


def _cap_left(
    contract: ContractRecord, state: writes.DiaryState, weeks: set[BillingWeek]
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
    agent = writes.require_agent(actor)

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
        state = writes.read_state(contract, weeks=weeks, days=set())
        if state.clock is not None:
            raise Conflict(
                f"you are already clocked in on '{state.clock.contract_title}' since "
                f"{when(state.clock.started_at, zones.of_party(actor, contract))}; clock out first",
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
        # Support (issue 15): the agent is on shift for this business from this transaction on,
        # so that routing finds them (services/support/routing.py).
        shift = routing.shift_item(contract, now=now)
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
                on_conflict=writes.RETRY,
            )
            tx.save(shift)
        return clock

    clock = writes.with_retries(attempt)
    _after_shift_change(lambda: routing.route_queue(TenantId(clock.tenant_id), deps=deps))
    return clock


def _after_shift_change(work: Callable[[], object]) -> None:
    """Routing after a clock-in (the queue) or a clock-out (hand back): the clock's own change has
    committed and stands; a failure here is logged, and the SLA check or the next shift change
    routes what was left."""
    try:
        work()
    except Exception:
        logger.exception("routing after a change of shift failed")


@dataclass(frozen=True)
class ClockedOut:
    entries: list[EntryRecord]
    reason: str | None  # why the clock stopped before now, if it did
    dropped_minutes: int = 0  # minutes that fell in a week already locked


def clock_out(actor: Principal, *, deps: Deps) -> ClockedOut:
    agent = writes.require_agent(actor)
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
    """Turn a clock into entries: from its start to where `clock_stop` says it stops; the agent
    leaves the business's shift in the same transaction, and hands back what they did not answer."""
    closed = writes.with_retries(_closing(clock, actor=actor, deps=deps, by_system=by_system))
    agent = AgentId(clock.pk.removeprefix("A#"))
    _after_shift_change(lambda: routing.hand_back(TenantId(clock.tenant_id), agent, deps=deps))
    return closed


def _closing(
    clock: ClockRecord, *, actor: Principal, deps: Deps, by_system: bool
) -> Callable[[], ClockedOut]:
    """One read-check-commit of closing `clock` (writes.with_retries runs it again on contention)."""

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
        state = writes.read_state(contract, weeks=weeks, days=days) if contract else writes.DiaryState()
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
                tx.delete(
                    current, condition=ClockRecord.started_at == current.started_at, on_conflict=writes.RETRY
                )
                tx.delete(writes.off_shift(current))
            return ClockedOut([], stop.reason, dropped)
        flag = (
            stop.reason
            if dropped == 0
            else f"{stop.reason or 'clocked out'}; {dropped} minutes fell in a locked week"
        )
        entries = writes.add_entries(
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

    return attempt


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
        state = writes.read_state(contract, weeks=weeks, days=set())
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
