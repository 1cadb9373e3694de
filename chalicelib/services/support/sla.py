"""First-response targets: what the `sla-check` job does for one business (jobs/support_jobs.py).

An inquiry awaiting its first reply keeps its queue item in the SLA index (`SLA#<shard>`, sorted by
due time; a business's items all in one shard), so the job's plan reads only what is due. For each
inquiry of the business past its due time with no reply, in steps that each check the state they
act on, so that a run that crashed half-way and a second run change nothing more (PROMISES O1, O2):

1. **mark** the breach once: the head's `breached_at` (on condition that it has none and still no
   first reply), with the queue and history items; the agent who missed it is remembered;
2. **deal with it** once: give it to another agent on shift who fits (not the one who missed it),
   or, when nobody does, escalate it to tier 2 (a tier-2 agent or the business's own team). The
   step's own transaction sets `breach_handled_at`, so a crash leaves it done or not done;
3. **tell the business** once: a mail to its owners and admins, then `breach_mailed_at`. A crash
   between the two sends the mail again on the next run (at least once, never lost);
4. the item leaves the SLA index.

An inquiry answered in time leaves the index in the reply's own transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.composition import Deps
from chalicelib.domain import inquiries as rules
from chalicelib.domain import routing as decide
from chalicelib.domain.errors import Conflict
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import to_minute
from chalicelib.services.metrics import recording
from chalicelib.services.support import routing
from chalicelib.store.base import is_condition_failure
from chalicelib.store.contracts import SHARDS
from chalicelib.store.support import (
    HistoryItem,
    InquiryRecord,
    OnShiftRecord,
    QueueItem,
    head_key,
    history_key,
    on_shift_key,
    queue_pk,
    sla_index,
    sla_until,
)
from chalicelib.store.transactions import transaction
from chalicelib.web.observability import logger

ATTEMPTS = 4

# Called once per breach after it is marked: (tenant, head as marked, the agent who missed it or
# None, deps). The reputation slice counts it against the agent here.
_BREACH_HOOKS: list[Callable[[TenantId, InquiryRecord, str | None, Deps], None]] = []


def on_breach(hook: Callable[[TenantId, InquiryRecord, str | None, Deps], None]) -> Callable[..., None]:
    if hook not in _BREACH_HOOKS:
        _BREACH_HOOKS.append(hook)
    return hook


def due_tenants(at: datetime) -> Iterator[str]:
    """The businesses with an inquiry due by `at` and not dealt with (one Query per shard)."""
    seen: set[str] = set()
    for shard in range(SHARDS):
        for item in QueueItem.gsi2.query(sla_index(shard), QueueItem.gsi2sk <= sla_until(at)):
            if isinstance(item, QueueItem) and item.tenant_id not in seen:
                seen.add(item.tenant_id)
                yield item.tenant_id


def check(tenant: TenantId, *, deps: Deps) -> int:
    """Every inquiry of the business due by now and not dealt with (one Query of its queue, then
    the steps per breach). Returns how many breaches this run changed anything for."""
    now = deps.now()
    due = [
        i
        for i in QueueItem.query(queue_pk(tenant))
        if isinstance(i, QueueItem) and i.gsi2pk is not None and i.sla_due_at <= now
    ]
    changed = 0
    for item in due:
        try:
            changed += 1 if handle(tenant, item.inquiry_id, deps=deps) else 0
        except Conflict:
            logger.warning(
                "the inquiry kept changing during the SLA check", extra={"inquiry": item.inquiry_id}
            )
    return changed


def handle(tenant: TenantId, inquiry_id: str, *, deps: Deps) -> bool:
    """The steps for one inquiry; True when this call changed anything."""
    changed = False
    head = InquiryRecord.find(*head_key(tenant, inquiry_id), consistent=True)
    if head is None:
        return False
    now = to_minute(deps.now())
    if head.breached_at is None:
        if head.status == rules.Status.RESOLVED.value or not rules.is_breached(
            head.sla_due_at, head.first_response_at, now
        ):
            # answered in time, or resolved: nothing was missed (the index is tidied below)
            return _leave_index(tenant, head)
        head = _mark(tenant, head, now=now, deps=deps)
        changed = True
    if head.breach_handled_at is None:
        head = _deal_with(tenant, head, now=now, deps=deps)
        changed = True
    if head.breach_mailed_at is None:
        from chalicelib.services.support import notices

        notices.mail_team(tenant, int(head.number), escalated=False, deps=deps)
        _set_once(head, InquiryRecord.breach_mailed_at, now)
        changed = True
    return _leave_index(tenant, head) or changed


def _mark(tenant: TenantId, head: InquiryRecord, *, now: datetime, deps: Deps) -> InquiryRecord:
    for _attempt in range(ATTEMPTS):
        try:
            with transaction() as tx:
                tx.update(
                    head,
                    actions=[
                        InquiryRecord.breached_at.set(now),
                        InquiryRecord.breached_agent_id.set(head.agent_id)
                        if head.agent_id
                        else InquiryRecord.breached_agent_id.remove(),
                        InquiryRecord.updated_at.set(now),
                    ],
                    condition=InquiryRecord.breached_at.does_not_exist()
                    & InquiryRecord.first_response_at.does_not_exist(),
                    on_conflict=_STALE,
                )
                tx.update(
                    QueueItem(queue_pk(tenant), head.queue_sk()),
                    actions=[QueueItem.breached_at.set(now)],
                    condition=QueueItem.pk.exists(),
                    on_conflict=_STALE,
                )
                tx.update(
                    HistoryItem(*history_key(tenant, head.created_at, head.inquiry_id)),
                    actions=[HistoryItem.breached.set(True)],
                )
                recording.sla_breached(tx, tenant, at=now, agent=head.agent_id)
        except Conflict:
            head = InquiryRecord.load(*head_key(tenant, head.inquiry_id))
            if head.breached_at is not None or head.first_response_at is not None:
                return head
            continue
        marked = InquiryRecord.load(*head_key(tenant, head.inquiry_id))
        from chalicelib.services.support import listeners

        listeners.load()  # the reputation slice's hook, registered on first use
        for hook in list(_BREACH_HOOKS):
            try:
                hook(tenant, marked, marked.breached_agent_id, deps)
            except Exception:
                logger.exception("a hook after a breach failed", extra={"inquiry": head.inquiry_id})
        return marked
    raise Conflict("the inquiry kept changing", code="contended")


_STALE = Conflict("the inquiry changed meanwhile", code="contended")


def _deal_with(tenant: TenantId, head: InquiryRecord, *, now: datetime, deps: Deps) -> InquiryRecord:
    """Another agent on shift who fits, else tier 2; either way `breach_handled_at` is set in the
    transaction that does it."""
    if head.first_response_at is None and head.status != rules.Status.RESOLVED.value:
        missed = frozenset({head.breached_agent_id}) if head.breached_agent_id else frozenset()

        def handled(_head: InquiryRecord, at: datetime) -> list[Any]:
            return [InquiryRecord.breach_handled_at.set(at)]

        # a decision that finds nobody is stored with the escalation, in its transaction
        decision = routing.route(
            tenant,
            head.inquiry_id,
            trigger=routing.Trigger.SLA_BREACH,
            deps=deps,
            excluding=missed,
            also=handled,
            store_no_fit=False,
        )
        head = InquiryRecord.load(*head_key(tenant, head.inquiry_id))
        if head.breach_handled_at is not None:
            return head
        if decision is None or decision.chosen is None:
            return _escalate(tenant, head, now=now, decision=decision)
    _set_once(head, InquiryRecord.breach_handled_at, now)
    return InquiryRecord.load(*head_key(tenant, head.inquiry_id))


def _escalate(
    tenant: TenantId, head: InquiryRecord, *, now: datetime, decision: decide.Decision | None
) -> InquiryRecord:
    """Nobody on shift fits: tier 2 (a tier-2 agent's or the business's team's), with the breach
    marked dealt with in the same transaction. An inquiry already escalated stays so."""
    for _attempt in range(ATTEMPTS):
        current = rules.Status(head.status)
        escalated = current is rules.Status.ESCALATED
        status = current if escalated else rules.next_status(current, rules.Action.ESCALATE)
        tier = max(2, int(head.tier_needed or 1))
        try:
            with transaction() as tx:
                tx.update(
                    head,
                    actions=[
                        InquiryRecord.status.set(status.value),
                        InquiryRecord.tier_needed.set(tier),
                        InquiryRecord.agent_id.remove(),
                        InquiryRecord.agent_name.remove(),
                        InquiryRecord.escalated_at.set(head.escalated_at or now),
                        InquiryRecord.breach_handled_at.set(now),
                        InquiryRecord.updated_at.set(now),
                    ],
                    condition=InquiryRecord.breach_handled_at.does_not_exist(),
                    on_conflict=_STALE,
                )
                tx.update(
                    QueueItem(queue_pk(tenant), head.queue_sk()),
                    actions=[
                        QueueItem.status.set(status.value),
                        QueueItem.tier_needed.set(tier),
                        QueueItem.agent_id.remove(),
                        QueueItem.agent_name.remove(),
                        QueueItem.gsi1pk.remove(),
                        QueueItem.gsi1sk.remove(),
                    ],
                    condition=QueueItem.pk.exists(),
                    on_conflict=_STALE,
                )
                tx.update(
                    HistoryItem(*history_key(tenant, head.created_at, head.inquiry_id)),
                    actions=[
                        HistoryItem.status.set(status.value),
                        HistoryItem.agent_id.remove(),
                        HistoryItem.agent_name.remove(),
                    ],
                )
                if decision is not None:
                    tx.save(
                        routing.decision_record(
                            tenant, head.inquiry_id, decision, trigger=routing.Trigger.SLA_BREACH, now=now
                        )
                    )
                if head.agent_id:
                    shift = OnShiftRecord.find(*on_shift_key(tenant, AgentId(head.agent_id)), consistent=True)
                    if shift is not None and int(shift.open_inquiries or 0) > 0:
                        tx.update(
                            OnShiftRecord(shift.pk, shift.sk),
                            actions=[OnShiftRecord.open_inquiries.add(-1)],
                            condition=OnShiftRecord.pk.exists() & (OnShiftRecord.open_inquiries > 0),
                            on_conflict=_STALE,
                        )
        except Conflict:
            head = InquiryRecord.load(*head_key(tenant, head.inquiry_id))
            if head.breach_handled_at is not None:
                return head
            continue
        return InquiryRecord.load(*head_key(tenant, head.inquiry_id))
    raise Conflict("the inquiry kept changing", code="contended")


def _set_once(head: InquiryRecord, attribute, now: datetime) -> None:
    """Set a step's mark unless a run before this one set it (a plain conditional update)."""
    try:
        # through the loaded head: PynamoDB increments the version it holds (a bare key would
        # set it to 1); no version condition, the step's own mark is the condition
        head.update(
            actions=[attribute.set(now)], condition=attribute.does_not_exist(), add_version_condition=False
        )
    except UpdateError as error:
        if not is_condition_failure(error):
            raise


def _leave_index(tenant: TenantId, head: InquiryRecord) -> bool:
    """The item leaves the SLA index (a queue item of a resolved inquiry is gone already)."""
    try:
        QueueItem(queue_pk(tenant), head.queue_sk()).update(
            actions=[QueueItem.gsi2pk.remove(), QueueItem.gsi2sk.remove()],
            condition=QueueItem.pk.exists() & QueueItem.gsi2pk.exists(),
        )
    except UpdateError as error:
        if is_condition_failure(error):
            return False
        raise
    return True
