"""Smart routing's reads and writes (domain/routing.py decides): who is on shift for a business,
routing one inquiry, routing the queue when an agent clocks in, handing back what an agent leaves
unanswered when they clock out.

- **On shift**: an agent clocked in on an active contract with the business. The clock-in's own
  transaction writes their on-shift item (services/diary/clock.py calls `shift_item`), with what
  routing needs of them: the contract's tier, the languages and channel skills of their profile,
  their open inquiries for this business, their reputation as it stood; the clock-out's
  transaction deletes it. So routing reads one partition, `T#<t>#ONSHIFT`, one Query whatever the
  business's history.
- **Assigning** is one transaction: the inquiry's head (under the version read), its queue item
  (now in the agent's index), its history item, the agent's on-shift item (open inquiries + 1, on
  condition that it still exists: an agent who clocked out meanwhile takes nothing), and the
  decision with every candidate's verdict. A lost race reads again and decides again.
- Every decision is stored with its reasons (PROMISES R3), also "nobody fits" ones, except while
  routing the queue at a clock-in, where an inquiry the newcomer does not fit keeps its last
  decision (a row per clock-in per queued inquiry would bury the ones that say something)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.composition import Deps
from chalicelib.domain import inquiries as rules
from chalicelib.domain import routing as decide
from chalicelib.domain.errors import Conflict
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import to_minute
from chalicelib.domain.vocabulary import CHANNELS, LEVELS
from chalicelib.ids import new_id
from chalicelib.services.support import settings as support_settings
from chalicelib.store.contracts import ContractRecord
from chalicelib.store.support import (
    HistoryItem,
    InquiryRecord,
    OnShiftRecord,
    QueueItem,
    RouteRecord,
    agent_queue_index,
    agent_queue_sk,
    head_key,
    history_key,
    on_shift_key,
    on_shift_pk,
    queue_pk,
    route_key,
)
from chalicelib.store.transactions import transaction
from chalicelib.web.observability import logger

ATTEMPTS = 4
# A clock-in routes at most this many queued inquiries in its own request; the rest wait for the
# next clock-in, a hand-back or the SLA check (which routes what is due first).
QUEUE_BATCH = 50
OPEN_STATUSES = (rules.Status.ASSIGNED, rules.Status.ANSWERED, rules.Status.ESCALATED)


class Trigger:
    CREATED = "created"
    CLOCK_IN = "clock_in"
    HAND_BACK = "hand_back"
    SLA_BREACH = "sla_breach"
    ESCALATION = "escalation"
    REOPENED = "reopened"


# -- on shift ------------------------------------------------------------------------------------


def on_shift(tenant: TenantId) -> list[OnShiftRecord]:
    """The agents on shift for the business (one Query)."""
    return [r for r in OnShiftRecord.query(on_shift_pk(tenant)) if isinstance(r, OnShiftRecord)]


def candidate(record: OnShiftRecord) -> decide.OnShift:
    return decide.OnShift(
        agent_id=record.agent_id,
        name=record.agent_name,
        languages={code: int(rank) for code, rank in dict(record.languages or {}).items()},
        channels=frozenset(record.channels or []),
        tier=int(record.tier),
        open_inquiries=int(record.open_inquiries or 0),
        reputation=record.reputation_unit(),
        last_assigned_at=record.last_assigned_at,
    )


def open_for(agent: AgentId, tenant: TenantId) -> list[QueueItem]:
    """The agent's unresolved inquiries of one business (their index lists every business's)."""
    items = QueueItem.gsi1.query(agent_queue_index(agent))
    return [i for i in items if isinstance(i, QueueItem) and i.tenant_id == tenant.value]


def _reputation_unit(agent_record: object) -> int:
    """The agent's reputation on 0..REPUTATION_SCALE, as routing ranks it: the Bayesian score
    their record holds as of its last event (services/reputation.py keeps it in the transaction
    of each rating, review, breach and upheld dispute), snapshotted on the on-shift item at
    clock-in; an agent with no record or no evidence sits at the prior."""
    from chalicelib.domain.reputation import from_snapshot, scaled

    reputation = from_snapshot(
        getattr(agent_record, "reputation", None),
        ratings=int(getattr(agent_record, "rating_count", 0) or 0),
        total=int(getattr(agent_record, "rating_total", 0) or 0),
    )
    return scaled(reputation)


def shift_item(contract: ContractRecord, *, now: datetime) -> OnShiftRecord:
    """The on-shift item the clock-in transaction writes (two reads: the agent's profile and
    their open inquiries for this business)."""
    from chalicelib.store import keys
    from chalicelib.store.identity import AgentRecord

    agent = AgentId(contract.agent_id)
    tenant = TenantId(contract.tenant_id)
    profile = AgentRecord.find(keys.agent_pk(agent), "AGENT", consistent=True)
    languages = dict(profile.languages or {}) if profile else {}
    skills = set(profile.skills or []) if profile else set()
    return OnShiftRecord(
        *on_shift_key(tenant, agent),
        agent_id=agent.value,
        agent_name=contract.agent_name,
        contract_id=contract.contract_id,
        tier=int(contract.tier or 1),
        languages={code: LEVELS.index(level) for code, level in languages.items() if level in LEVELS},
        channels=sorted(skills & set(CHANNELS)),
        open_inquiries=len(open_for(agent, tenant)),
        reputation=_reputation_unit(profile),
        since=now,
    )


# -- one inquiry ----------------------------------------------------------------------------------


def need_of(head: InquiryRecord, settings: rules.SupportSettings, excluding: frozenset[str]) -> decide.Need:
    return decide.Need(
        language=head.language,
        channel=head.channel,
        tier=int(head.tier_needed or 1),
        language_level=settings.language_level,
        excluding=excluding,
    )


def decision_record(
    tenant: TenantId, inquiry_id: str, decision: decide.Decision, *, trigger: str, now: datetime
) -> RouteRecord:
    chosen = next((v for v in decision.verdicts if v.agent_id == decision.chosen), None)
    need = decision.need
    return RouteRecord(
        *route_key(tenant, inquiry_id, now, new_id()),
        at=now,
        trigger=trigger,
        chosen=decision.chosen,
        chosen_name=chosen.name if chosen else None,
        summary=decision.summary(),
        need={
            "language": need.language,
            "channel": need.channel,
            "tier": need.tier,
            "language_level": LEVELS[need.language_level],
            "excluding": sorted(need.excluding),
        },
        verdicts=[
            {
                "agent_id": v.agent_id,
                "name": v.name,
                "refusals": list(v.refusals),
                "rank": v.rank,
                "reason": v.reason(),
            }
            for v in decision.verdicts
        ],
    )


def route(
    tenant: TenantId,
    inquiry_id: str,
    *,
    trigger: str,
    deps: Deps,
    excluding: frozenset[str] = frozenset(),
    store_no_fit: bool = True,
    shift: list[OnShiftRecord] | None = None,
    also: Callable[[InquiryRecord, datetime], list[Any]] | None = None,
) -> decide.Decision | None:
    """Give the inquiry to the agent on shift who fits best, or leave it where it waits; the
    decision is stored either way (unless `store_no_fit` is False and nobody fits). None when the
    inquiry is not waiting for an agent (resolved, or someone owns it and it is not being
    re-routed). `shift`: the on-shift items already read (routing a queue reads them once).
    `also(head, now)`: more actions on the head, in the assignment's own transaction (the SLA
    check marks its breach dealt with there, so that a crash cannot leave one without the other)."""
    settings = support_settings.of(tenant)
    for _attempt in range(ATTEMPTS):
        head = InquiryRecord.find(*head_key(tenant, inquiry_id), consistent=True)
        if head is None or not _waiting(head, excluding):
            return None
        agents = shift if shift is not None else on_shift(tenant)
        decision = decide.route(need_of(head, settings, excluding), [candidate(a) for a in agents])
        now = to_minute(deps.now())
        try:
            extra = also(head, now) if also is not None and decision.chosen is not None else []
            _commit(tenant, head, decision, trigger=trigger, now=now, store_no_fit=store_no_fit, extra=extra)
        except Conflict:
            shift = None  # someone's load or shift changed: read it again
            continue
        return decision
    logger.warning("routing gave up after contention", extra={"inquiry": inquiry_id})
    return None


def _waiting(head: InquiryRecord, excluding: frozenset[str]) -> bool:
    status = rules.Status(head.status)
    if status is rules.Status.RESOLVED:
        return False
    if head.agent_id is None:
        return status in (rules.Status.QUEUED, rules.Status.ESCALATED, rules.Status.ASSIGNED)
    return head.agent_id in excluding  # re-routing away from its agent (a breach)


def _commit(
    tenant: TenantId,
    head: InquiryRecord,
    decision: decide.Decision,
    *,
    trigger: str,
    now: datetime,
    store_no_fit: bool,
    extra: list[Any] | None = None,
) -> None:
    record = decision_record(tenant, head.inquiry_id, decision, trigger=trigger, now=now)
    if decision.chosen is None:
        if store_no_fit:
            with transaction() as tx:
                tx.save(record)
        return
    chosen = next(v for v in decision.verdicts if v.agent_id == decision.chosen)
    agent = AgentId(decision.chosen)
    status = rules.next_status(rules.Status(head.status), rules.Action.ASSIGN)
    previous = head.agent_id
    with transaction() as tx:
        tx.update(
            head,
            actions=[
                InquiryRecord.status.set(status.value),
                InquiryRecord.agent_id.set(agent.value),
                InquiryRecord.agent_name.set(chosen.name),
                InquiryRecord.last_assigned_at.set(now),
                InquiryRecord.updated_at.set(now),
                *(extra or []),
            ],
            on_conflict=_CONTENDED,
        )
        tx.update(
            QueueItem(queue_pk(tenant), head.queue_sk()),
            actions=[
                QueueItem.status.set(status.value),
                QueueItem.agent_id.set(agent.value),
                QueueItem.agent_name.set(chosen.name),
                QueueItem.gsi1pk.set(agent_queue_index(agent)),
                QueueItem.gsi1sk.set(agent_queue_sk(head.sla_due_at, tenant, head.inquiry_id)),
            ],
            condition=QueueItem.pk.exists(),
            on_conflict=_CONTENDED,
        )
        tx.update(
            HistoryItem(*history_key(tenant, head.created_at, head.inquiry_id)),
            actions=[
                HistoryItem.status.set(status.value),
                HistoryItem.agent_id.set(agent.value),
                HistoryItem.agent_name.set(chosen.name),
            ],
        )
        tx.update(
            OnShiftRecord(*on_shift_key(tenant, agent)),
            actions=[OnShiftRecord.open_inquiries.add(1), OnShiftRecord.last_assigned_at.set(now)],
            condition=OnShiftRecord.pk.exists(),
            on_conflict=_CONTENDED,
        )
        if previous is not None and previous != agent.value:
            tx.update(
                OnShiftRecord(*on_shift_key(tenant, AgentId(previous))),
                actions=[OnShiftRecord.open_inquiries.add(-1)],
                condition=OnShiftRecord.pk.exists() & (OnShiftRecord.open_inquiries > 0),
                on_conflict=_CONTENDED,
            )
        tx.save(record)


_CONTENDED = Conflict("the inquiry or the agent's shift changed meanwhile", code="contended")


# -- the queue and the shift ----------------------------------------------------------------------


def waiting(tenant: TenantId) -> list[QueueItem]:
    """The business's unowned open inquiries, most urgent first (the queue's own order)."""
    items = QueueItem.query(queue_pk(tenant))
    return [
        i
        for i in items
        if isinstance(i, QueueItem) and i.agent_id is None and i.status in ("queued", "escalated")
    ]


def route_queue(tenant: TenantId, *, deps: Deps, trigger: str = Trigger.CLOCK_IN) -> int:
    """Route the business's waiting inquiries (when an agent clocks in): each to whoever fits
    best now. The on-shift items are read once and kept up to date here as inquiries are given out.
    Returns how many were assigned."""
    shift = on_shift(tenant)
    if not shift:
        return 0
    assigned = 0
    for item in waiting(tenant)[:QUEUE_BATCH]:
        decision = route(tenant, item.inquiry_id, trigger=trigger, deps=deps, store_no_fit=False, shift=shift)
        if decision is not None and decision.chosen is not None:
            assigned += 1
            shift = [_took_one(r, decision.chosen, deps.now()) for r in shift]
    return assigned


def _took_one(record: OnShiftRecord, agent_id: str, now: datetime) -> OnShiftRecord:
    if record.agent_id != agent_id:
        return record
    copy = OnShiftRecord(record.pk, record.sk, **{k: getattr(record, k) for k in _SHIFT_FIELDS})
    copy.open_inquiries = int(record.open_inquiries or 0) + 1
    copy.last_assigned_at = now
    return copy


_SHIFT_FIELDS = (
    "agent_id",
    "agent_name",
    "contract_id",
    "tier",
    "languages",
    "channels",
    "open_inquiries",
    "reputation",
    "since",
    "last_assigned_at",
)


def hand_back(tenant: TenantId, agent: AgentId, *, deps: Deps) -> int:
    """The agent left the shift (clocked out, or the sweep closed their clock): every inquiry of
    this business they own without having replied goes back to the queue, then to whoever fits
    now. An answered inquiry stays theirs (the customer's turn); an escalated one is let go for
    the business's team or another tier-2 agent. Returns how many were handed back."""
    if OnShiftRecord.find(*on_shift_key(tenant, agent), consistent=True) is not None:
        return 0  # back on shift already (a new clock-in overtook this clock-out's routing)
    handed = 0
    for item in open_for(agent, tenant):
        if item.status not in (rules.Status.ASSIGNED.value, rules.Status.ESCALATED.value):
            continue
        if _let_go(tenant, item.inquiry_id, agent, deps=deps):
            handed += 1
            route(tenant, item.inquiry_id, trigger=Trigger.HAND_BACK, deps=deps)
    return handed


def _let_go(tenant: TenantId, inquiry_id: str, agent: AgentId, *, deps: Deps) -> bool:
    for _attempt in range(ATTEMPTS):
        head = InquiryRecord.find(*head_key(tenant, inquiry_id), consistent=True)
        if head is None or head.agent_id != agent.value:
            return False
        status = rules.next_status(rules.Status(head.status), rules.Action.HAND_BACK)
        now = to_minute(deps.now())
        note = decide.Decision(need=need_of(head, rules.SupportSettings.default(), frozenset()), chosen=None)
        record = decision_record(tenant, inquiry_id, note, trigger=Trigger.HAND_BACK, now=now)
        record.summary = f"{head.agent_name or 'the agent'} left the shift before replying: back to the queue"
        try:
            with transaction() as tx:
                tx.update(
                    head,
                    actions=[
                        InquiryRecord.status.set(status.value),
                        InquiryRecord.agent_id.remove(),
                        InquiryRecord.agent_name.remove(),
                        InquiryRecord.updated_at.set(now),
                    ],
                    on_conflict=_CONTENDED,
                )
                tx.update(
                    QueueItem(queue_pk(tenant), head.queue_sk()),
                    actions=[
                        QueueItem.status.set(status.value),
                        QueueItem.agent_id.remove(),
                        QueueItem.agent_name.remove(),
                        QueueItem.gsi1pk.remove(),
                        QueueItem.gsi1sk.remove(),
                    ],
                    condition=QueueItem.pk.exists(),
                    on_conflict=_CONTENDED,
                )
                tx.update(
                    HistoryItem(*history_key(tenant, head.created_at, inquiry_id)),
                    actions=[
                        HistoryItem.status.set(status.value),
                        HistoryItem.agent_id.remove(),
                        HistoryItem.agent_name.remove(),
                    ],
                )
                tx.save(record)
        except Conflict:
            continue
        return True
    return False
