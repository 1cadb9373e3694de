"""A helpdesk ticket's first-response target in the support metrics (SLA attainment), counted once
like a native inquiry's (the rule: domain.helpdesk `sla_outcome`; the counters:
services/metrics/recording.py `sla_outcome`).

- **Each event** (services/support/helpdesk.py): the outcome the ticket's state says after it, on
  deskhire's clock, is set against the outcome counted before, kept on the ticket's state item
  (`sla`); the difference moves the business's and the agent's day counters in the event's own
  transaction (`settle`, then `count`). So events in any order, and repeated, end with the
  outcome counted once, at the day it belongs to.
- **The clock** (`due`, `judge`: the sla-check job): while only the due time passing can judge a
  ticket (no reply, not solved), its state item sits in the `HDSLA#<n>` index, sorted by due time.
  The job's plan reads the tickets due; `judge` counts the miss once, under the item's version,
  marks the inquiry's head and history breached, and takes the item out of the index, in one
  transaction. No routing and no mail: the helpdesk assigns and chases its own tickets.
- **Tickets from before** the outcome was kept (a state item without `sla`) counted it with their
  first reply, met or late on the reply's day (`_counted_before`): the first event or check after
  moves them to the rule above by the difference, like any other change.
- **Reputation.** A miss whose first reply was an agent's counts against that agent's reputation
  as a native breach does (Kind.SLA_BREACH, services/reputation.py), at the due time
  (domain.helpdesk `reputation_breach`); a miss nobody or a member answered is nobody's. The breach
  counted is kept on the state item too (`breach_counted`, apart from `sla`: tickets counted before
  this counted none), and moved by the difference in the same transaction: a later reply that is
  earlier than the counted one, or in time after all (a held-up webhook), takes the breach back
  (its evidence withdrawn, as a changed rating's is), or moves it to the agent whose reply came
  first. So it is counted once, whatever the order, and never stays counted for a target met."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.composition import Deps
from chalicelib.domain import helpdesk as rules
from chalicelib.domain.errors import Conflict
from chalicelib.domain.reputation import Kind
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import to_minute
from chalicelib.services import reputation
from chalicelib.services.metrics import recording
from chalicelib.store.contracts import SHARDS, shard_of
from chalicelib.store.helpdesk import TicketStateRecord, sla_watch_index, state_key
from chalicelib.store.support import HistoryItem, InquiryRecord, head_key, history_key, sla_sk, sla_until
from chalicelib.store.transactions import transaction

ATTEMPTS = 4


@dataclass(frozen=True)
class Move:
    """The ticket's outcome as counted before an event or a check, and as it counts after; the
    same for the breach on an agent's reputation, with the agents' standings read to move it."""

    before: rules.SlaOutcome | None
    after: rules.SlaOutcome | None
    breach_before: rules.SlaOutcome | None = None
    breach_after: rules.SlaOutcome | None = None
    standings: dict[str, reputation.Standing] = field(default_factory=lambda: {})

    @property
    def changes(self) -> bool:
        return self.before != self.after or self.breach_before != self.breach_after


def settle(
    tenant: TenantId,
    record: TicketStateRecord,
    inquiry_id: str,
    old: rules.Derived | None,
    new: rules.Derived,
) -> Move:
    """Set on `record` (saved by the caller's transaction) the outcome `new` counts and whether
    the clock must look at it again; `old` is the view before (None: a ticket just made)."""
    before = _counted_before(record, old)
    after = rules.sla_outcome(new)
    record.sla = after.to_json() if after is not None else {}
    breach_before = rules.SlaOutcome.from_json(record.breach_counted)
    breach_after = rules.reputation_breach(after)
    record.breach_counted = breach_after.to_json() if breach_after is not None else {}
    watch = rules.sla_watch(new)
    if watch is None:
        record.gsi2pk = record.gsi2sk = None
    else:
        record.gsi2pk = sla_watch_index(shard_of(tenant.value))
        record.gsi2sk = sla_sk(watch, tenant, inquiry_id)
    standings = {}
    if breach_before != breach_after:  # read before the transaction, saved under their versions
        agents = {b.agent_id for b in (breach_before, breach_after) if b is not None and b.agent_id}
        standings = {agent: reputation.standing(AgentId(agent)) for agent in sorted(agents)}
    return Move(before, after, breach_before, breach_after, standings)


def _counted_before(record: TicketStateRecord, old: rules.Derived | None) -> rules.SlaOutcome | None:
    if old is None:
        return None
    if record.sla is not None:
        return rules.SlaOutcome.from_json(record.sla)
    # a ticket from before the outcome was kept: its first reply counted met or late on its day
    if old.first_response_at is None:
        return None
    return rules.SlaOutcome(old.first_response_at <= old.sla_due_at, old.first_response_at, old.first_by)


def count(tx, tenant: TenantId, move: Move) -> None:
    """Move the SLA counters, and the breach on an agent's reputation, from what was counted to
    what counts (nothing when they agree)."""
    if move.before != move.after:
        for sign, outcome in ((-1, move.before), (1, move.after)):
            if outcome is not None:
                recording.sla_outcome(
                    tx, tenant, at=outcome.at, met=outcome.met, agent=outcome.agent_id, sign=sign
                )
    if move.breach_before == move.breach_after:
        return
    for agent, standing in move.standings.items():
        withdrawn, added = _of(move.breach_before, agent), _of(move.breach_after, agent)
        if withdrawn != added:  # with the ticket's rating, if the event moves it, in one write
            reputation.revisions(tx).revise(standing, Kind.SLA_BREACH, withdrawn=withdrawn, added=added)


def _of(breach: rules.SlaOutcome | None, agent: str) -> tuple[datetime, int] | None:
    """The breach as the agent's evidence (its moment; a breach weighs as a 1-star rating)."""
    return (breach.at, 1) if breach is not None and breach.agent_id == agent else None


def due(at: datetime) -> Iterator[tuple[str, str]]:
    """(business, inquiry) of the helpdesk tickets due by `at` that only the clock can judge (one
    Query per shard of the index)."""
    for shard in range(SHARDS):
        for item in TicketStateRecord.gsi2.query(
            sla_watch_index(shard), TicketStateRecord.gsi2sk <= sla_until(at)
        ):
            if isinstance(item, TicketStateRecord) and item.gsi2sk:
                _due, tenant, inquiry_id = item.gsi2sk.split("#")
                yield tenant, inquiry_id


_RETRY = Conflict("the ticket changed meanwhile", code="contended")


def judge(tenant: TenantId, inquiry_id: str, *, deps: Deps) -> bool:
    """Count a ticket's missed target once its due time has passed without a reply (the sla-check
    job); True when this call changed anything. A run again, or an event that came meanwhile,
    leaves nothing to change. 55 actions at most: the state, head and history, the outcome's old
    and new days for the business and the agent (10), and the reputation of the agents the miss
    moves between (2 at most, 21 each: services/reputation.py)."""
    from chalicelib.services.support import settings as support_settings

    targets = support_settings.of(tenant).sla
    for _attempt in range(ATTEMPTS):
        record = TicketStateRecord.find(*state_key(tenant, inquiry_id), consistent=True)
        if record is None:
            return False
        state = rules.TicketState.from_json(record.state)
        view = rules.derive(state, targets, to_minute(deps.now()))
        index = (record.gsi2pk, record.gsi2sk)
        move = settle(tenant, record, inquiry_id, rules.derive(state, targets), view)
        if not move.changes and index == (record.gsi2pk, record.gsi2sk):
            return False
        head = InquiryRecord.find(*head_key(tenant, inquiry_id), consistent=True)
        try:
            with transaction() as tx:
                tx.save(record, on_conflict=_RETRY)
                if head is not None and head.breached_at != view.breached_at:
                    tx.update(
                        head,
                        actions=[
                            InquiryRecord.breached_at.set(view.breached_at)
                            if view.breached_at
                            else InquiryRecord.breached_at.remove()
                        ],
                        on_conflict=_RETRY,
                    )
                    tx.update(
                        HistoryItem(*history_key(tenant, view.created_at, inquiry_id)),
                        actions=[HistoryItem.breached.set(view.breached_at is not None)],
                    )
                count(tx, tenant, move)
        except Conflict:
            continue  # an event moved the ticket meanwhile: read it again
        return True
    raise Conflict("the ticket kept changing", code="contended")
