"""A running contract's lifecycle: the business pauses and resumes it, either side ends it, and the
platform pauses it (30 idle days, an unpaid invoice) and resumes it.

A pause or an end first clocks the agent out of the contract, so that no clock keeps running on a
contract that is not; the transaction re-checks the clock, under the contract's version."""

from __future__ import annotations

from chalicelib.composition import Deps
from chalicelib.domain import contracts as rules
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.identity import Principal
from chalicelib.domain.tenancy import AgentId
from chalicelib.mail import Mail, Subject
from chalicelib.services.blocks import withdrawal
from chalicelib.services.contracts import notices, records, transitions
from chalicelib.services.diary import clock
from chalicelib.store.contracts import ClockRecord, ContractRecord, clock_key
from chalicelib.store.transactions import transaction


def pause(actor: Principal, contract_id: str, *, reason: str = "", deps: Deps) -> ContractRecord:
    return _stop(actor, records.find(actor, contract_id), "pause", reason=reason, deps=deps)


def end(actor: Principal, contract_id: str, *, reason: str, deps: Deps) -> ContractRecord:
    if not reason.strip():
        raise InvalidInput("say why the contract ends; the other side sees it", field="reason")
    ended = _stop(actor, records.find(actor, contract_id), "end", reason=reason, deps=deps)
    withdrawal.withdraw_pending_at_end(ended, deps=deps)  # never charged for hours that cannot be logged
    return ended.reloaded()


def pause_for_inactivity(record: ContractRecord, *, system: Principal, deps: Deps) -> bool:
    now = deps.now()
    last = record.last_activity_at or record.offered_at
    if not rules.should_pause_for_inactivity(
        kind=rules.Kind(record.contract_kind),
        status=records.status_of(record, now),
        last_activity=last,
        now=now,
    ):
        return False
    _stop(system, record, "pause", reason="no time logged for 30 days", deps=deps, side=rules.Side.SYSTEM)
    return True


def _stop(
    actor: Principal,
    record: ContractRecord,
    action: str,
    *,
    reason: str,
    deps: Deps,
    side: rules.Side | None = None,
) -> ContractRecord:
    """Pause or end: clock the agent out of this contract first, then close the running period.
    The transaction checks the clock is still off this contract, so a clock-in that raced in
    between makes it retry rather than leave a clock running on a stopped contract."""
    side = side or records.side_of(actor)
    for _attempt in range(3):
        now = deps.now()
        before = records.status_of(record, now)
        after = rules.next_status(before, action, side=side)
        clock.clock_out_of(record, deps=deps)
        record = record.reloaded()
        periods = records.periods_of(record).closed(now.replace(second=0, microsecond=0))
        actions = [
            ContractRecord.status.set(str(after)),
            ContractRecord.periods.set([p.to_json() for p in periods.periods]),
            *transitions.off_indexes(),
        ]
        if action == "pause":
            actions.append(ContractRecord.pause_reason.set(reason.strip()[:500] or f"paused by the {side}"))
        else:
            actions += [
                ContractRecord.end_reason.set(reason.strip()[:500]),
                ContractRecord.ended_by.set(str(side)),
            ]
        clock_pk, clock_sk = clock_key(AgentId(record.agent_id))
        try:
            with transaction() as tx:
                tx.update(record, actions=actions)
                tx.condition_check(
                    ClockRecord,
                    clock_pk,
                    clock_sk,
                    condition=ClockRecord.pk.does_not_exist()
                    | (ClockRecord.contract_id != record.contract_id),
                    on_conflict=_RETRY,
                )
                tx.save(
                    transitions.audit_entry(
                        record, actor, f"contract.{action}", before, after, now, reason=reason.strip()[:200]
                    )
                )
        except _Retry:
            record = record.reloaded()
            continue
        break
    else:
        raise Conflict("the agent keeps clocking in on this contract; try again", code="contended")
    verb, subject = (
        ("paused", Subject.CONTRACT_PAUSED) if action == "pause" else ("ended", Subject.CONTRACT_ENDED)
    )
    if side is rules.Side.SYSTEM:  # deskhire's own reason (an unpaid invoice), not the parties' words
        text = f"deskhire {verb} the contract: {reason.strip()}.\n\n" + notices.quoted(record)
    else:
        text = f"The contract was {verb} by the {side}.\n\n" + notices.quoted(
            record, note=reason, note_label=f"The {side}'s reason"
        )
    if side is not rules.Side.AGENT:
        deps.mailer.send(Mail(to=record.agent_email, subject=subject, text=text + "\n"), now=now)
    if side is not rules.Side.BUSINESS:
        notices.mail_business(record, subject, text, deps=deps)
    return record.reloaded()


class _Retry(Conflict):
    code = "contended"


_RETRY = _Retry("the agent clocked in meanwhile")


def resume(actor: Principal, contract_id: str, *, deps: Deps) -> ContractRecord:
    return _resume(actor, records.find(actor, contract_id), side=records.side_of(actor), deps=deps)


def pause_for_system(record: ContractRecord, *, reason: str, system: Principal, deps: Deps) -> ContractRecord:
    """The platform pauses a contract (a business's unpaid invoice), with a mail to both sides."""
    return _stop(system, record, "pause", reason=reason, deps=deps, side=rules.Side.SYSTEM)


def resume_for_system(record: ContractRecord, *, system: Principal, deps: Deps) -> ContractRecord:
    return _resume(system, record, side=rules.Side.SYSTEM, deps=deps)


def _resume(actor: Principal, record: ContractRecord, *, side: rules.Side, deps: Deps) -> ContractRecord:
    now = deps.now()
    before = records.status_of(record, now)
    after = rules.next_status(before, "resume", side=side)
    if record.pause_reason == "payment overdue" and side is not rules.Side.SYSTEM:
        raise Conflict(
            "this contract is paused until the unpaid invoice is paid; it resumes by itself then",
            code="payment_overdue",
        )
    start = now.replace(second=0, microsecond=0)
    periods = records.periods_of(record).opened(start)
    with transaction() as tx:
        tx.update(
            record,
            actions=[
                ContractRecord.status.set(str(after)),
                ContractRecord.periods.set([p.to_json() for p in periods.periods]),
                ContractRecord.pause_reason.remove(),
                ContractRecord.last_activity_at.set(start),
                *transitions.idle_index_actions(record, start),
            ],
        )
        tx.save(transitions.audit_entry(record, actor, "contract.resume", before, after, now))
    deps.mailer.send(
        Mail(
            to=record.agent_email,
            subject=Subject.CONTRACT_RESUMED,
            text="The contract runs again; you can log time.\n\n" + notices.quoted(record) + "\n",
        ),
        now=now,
    )
    return record.reloaded()
