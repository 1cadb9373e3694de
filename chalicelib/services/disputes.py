"""Disputes over logged time: the pre-check before filing, filing, the agent's answer, conceding
or contesting, the business's withdrawal, and the operator's resolution.

Each ending moves the entry's minutes out of `disputed` and into `upheld` (refunded to the
business, never paid out) and `released` (paid to the agent), on the week's timesheet, in the
same transaction as the dispute and the entry.

Why one module of this length: every way a dispute ends (withdrawn, conceded, resolved, escalated
unsettled) goes through the one `_settle` transaction and its mails, so that the minutes move the
same way whoever ends it; split by actor, each part would reach into the others' private steps.
The money a resolution moves is in dispute_money.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.composition import Deps
from chalicelib.domain import disputes as rules
from chalicelib.domain.contracts import Side
from chalicelib.domain.diary import check_review_window
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.notifications import Notice
from chalicelib.domain.reputation import Kind
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.text import quoted_text
from chalicelib.domain.time import BillingWeek, span, week_words, when
from chalicelib.ids import new_id
from chalicelib.mail import Subject, SubjectLine
from chalicelib.services import notifications, reputation, timesheets, zones
from chalicelib.services.contracts import notices, records
from chalicelib.services.diary import entries
from chalicelib.services.dispute_money import ResolutionMoney, money_lines, resolution_money
from chalicelib.services.metrics import recording
from chalicelib.services.support import work
from chalicelib.store import audit
from chalicelib.store.contracts import (
    DISPUTE_QUEUE,
    ContractRecord,
    DisputeRecord,
    EntryRecord,
    TimesheetRecord,
    agent_disputes_index,
    dispute_claim_pk,
    dispute_key,
    stamp,
    timesheet_key,
)
from chalicelib.store.identity import Claim
from chalicelib.store.transactions import transaction

_QUEUE_RANK = {rules.DisputeStatus.CONTESTED: "0", rules.DisputeStatus.OPEN: "1"}


@dataclass(frozen=True)
class Evidence:
    """What backs an entry, shown to the business before it files a dispute."""

    entry: EntryRecord
    contract: ContractRecord
    memo: str
    tickets: list[str]
    source: str  # manual, or clock (the agent clocked in and out)
    flag: str | None
    same_day: list[EntryRecord]  # the agent's other entries on this contract that day
    inquiries: list[dict[str, object]]  # the inquiries the agent handled in it (support)
    inquiries_available: bool = False  # the business uses deskhire's support

    @property
    def unbacked(self) -> bool:
        """The business uses support and no inquiry was handled in this time."""
        return self.inquiries_available and not self.inquiries

    @property
    def strength(self) -> str:
        """A plain summary, not a verdict: what kind of backing the entry has."""
        backing = []
        if self.source == "clock":
            backing.append("clocked in and out live")
        if self.tickets:
            backing.append(f"{len(self.tickets)} ticket reference{'s' if len(self.tickets) != 1 else ''}")
        if self.inquiries:
            handled = len({i["inquiry_id"] for i in self.inquiries})
            backing.append(f"{handled} inquir{'y' if handled == 1 else 'ies'} handled in it")
        if self.memo:
            backing.append("a memo")
        return ", ".join(backing) if backing else "nothing but the time itself"


def _side(actor: Principal) -> Side:
    return records.side_of(actor)


def precheck(actor: Principal, contract_id: str, entry_id: str) -> Evidence:
    if actor.kind is not PrincipalKind.MEMBER:
        raise Forbidden("the business reviews time")
    contract, entry = entries.find_entry(actor, contract_id, entry_id)
    day_entries = entries.week_entries(
        records.tenant_of(contract), contract_id, BillingWeek.parse(entry.week)
    )
    same_day = [
        e
        for e in day_entries
        if e.entry_id != entry.entry_id and e.started_at.date() == entry.started_at.date()
    ]
    found = work.backing(records.tenant_of(contract), contract_id, [entry], entry.started_at, entry.ended_at)
    return Evidence(
        entry=entry,
        contract=contract,
        memo=entry.memo,
        tickets=list(entry.tickets or []),
        source=entry.source,
        flag=entry.flag,
        same_day=same_day,
        inquiries=[
            {"inquiry_id": w.inquiry_id, "number": w.number, "action": w.action.value, "at": w.at.isoformat()}
            for w in found.of(entry.entry_id)
        ],
        inquiries_available=found.uses_support,
    )


def for_entry(actor: Principal, contract_id: str, entry_id: str) -> DisputeRecord:
    contract, entry = entries.find_entry(actor, contract_id, entry_id)
    record = DisputeRecord.find(
        *dispute_key(records.tenant_of(contract), contract_id, entry_id), consistent=True
    )
    if record is None:
        raise NotFound("no dispute on this entry")
    return record


def file(actor: Principal, contract_id: str, entry_id: str, *, reason: str, deps: Deps) -> DisputeRecord:
    if actor.kind is not PrincipalKind.MEMBER:
        raise Forbidden("the business disputes time")
    contract, entry = entries.find_entry(actor, contract_id, entry_id)
    now = deps.now()
    week = BillingWeek.parse(entry.week)
    check_review_window(week, now=now, action="dispute it", zone=zones.of_party(actor, contract))
    text = rules.check_reason(reason)
    if entry.review:
        raise Conflict(f"this entry is already {entry.review}", code="illegal_transition")
    timesheets.ensure_locked(contract, week, now=now)
    tenant = records.tenant_of(contract)
    dispute_id = new_id()
    record = DisputeRecord(
        *dispute_key(tenant, contract_id, entry_id),
        dispute_id=dispute_id,
        entry_id=entry_id,
        contract_id=contract_id,
        tenant_id=tenant.value,
        agent_id=contract.agent_id,
        week=entry.week,
        business_name=contract.business_name,
        agent_name=contract.agent_name,
        contract_title=contract.title,
        started_at=entry.started_at,
        ended_at=entry.ended_at,
        minutes=int(entry.minutes),
        reason=text,
        status=str(rules.DisputeStatus.OPEN),
        messages=[],
        filed_by=actor.id,
        filed_by_name=actor.name,
        filed_at=now,
        gsi1pk=agent_disputes_index(AgentId(contract.agent_id)),
        gsi1sk=f"{stamp(now)}#{dispute_id}",
        gsi2pk=DISPUTE_QUEUE,
        gsi2sk=_queue_key(rules.DisputeStatus.OPEN, now, dispute_id),
    )
    pk, sk = timesheet_key(tenant, contract_id, week)
    claim_pk = dispute_claim_pk(dispute_id)
    with transaction() as tx:
        tx.save(
            record,
            condition=DisputeRecord.pk.does_not_exist(),
            on_conflict=Conflict("this entry is already disputed", code="illegal_transition"),
        )
        tx.update(
            entry,
            actions=[
                EntryRecord.review.set("disputed"),
                EntryRecord.dispute_id.set(dispute_id),
                EntryRecord.updated_at.set(now),
            ],
            condition=EntryRecord.review == "",
            on_conflict=Conflict("this entry changed meanwhile; reload it", code="stale_or_duplicate"),
        )
        tx.update(
            TimesheetRecord(pk, sk),
            actions=[
                TimesheetRecord.disputed_minutes.add(int(entry.minutes)),
                TimesheetRecord.revision.add(1),
            ],
            condition=TimesheetRecord.status == "locked",
            on_conflict=Conflict("the review of this week has closed", code="review_window_closed"),
        )
        tx.save(
            Claim(
                claim_pk,
                claim_pk,
                owner_kind="dispute",
                owner_id=f"{contract_id}/{entry_id}",
                tenant_id=tenant.value,
            )
        )
        tx.save(
            audit.entry(
                tenant,
                actor,
                "dispute.filed",
                f"contract:{contract_id}",
                {"after": {"entry": entry_id, "minutes": int(entry.minutes), "reason": text[:200]}},
                at=now,
            )
        )
    notifications.to_agent(
        contract.agent_id,
        Notice.DISPUTE,
        Subject.DISPUTE_FILED.line(minutes=int(entry.minutes)),
        # on the agent's clock, with the zone named (issue 14, item 8)
        lambda zone: (
            f"The business disputes your entry of {when(entry.started_at, zone)} "
            f"({int(entry.minutes)} minutes).\n\n"
            + notices.quoted(contract, note=text, note_label="The business's reason")
            + "\n\nAnswer, amend it, or contest it on deskhire before the review closes at "
            f"{when(week.review_closes_at, zone)}: "
            f"{deps.link(f'/agent/contracts/{contract_id}/disputes/{entry_id}')}\n"
        ),
        deps=deps,
    )
    if contract.offered_by != actor.id:
        # the business's point of contact hears of a dispute a teammate filed
        _to_business(
            contract,
            record,
            Subject.DISPUTE_FILED_BY_TEAM.line(minutes=int(entry.minutes)),
            lambda zone: (
                f"A member of your team disputed the agent's entry of {when(entry.started_at, zone)} "
                f"({int(entry.minutes)} minutes); the agent is told and may answer, amend it or contest it.\n\n"
                + notices.quoted(contract, note=text, note_label="The business's reason")
            ),
            deps=deps,
        )
    return record


def _queue_key(status: rules.DisputeStatus, filed_at: datetime, dispute_id: str) -> str:
    """Contested disputes first (the operator's work), then open ones, oldest first."""
    return f"{_QUEUE_RANK[status]}#{stamp(filed_at)}#{dispute_id}"


def message(actor: Principal, contract_id: str, entry_id: str, *, body: str, deps: Deps) -> DisputeRecord:
    record = for_entry(actor, contract_id, entry_id)
    text = rules.check_message(body)
    if record.status == rules.DisputeStatus.RESOLVED:
        raise Conflict("this dispute is resolved", code="illegal_transition")
    now = deps.now()
    side = _side(actor)
    note = {"side": str(side), "name": actor.name, "body": text, "at": now.isoformat()}
    record.update(actions=[DisputeRecord.messages.set([*record.messages, note])])
    contract = records.find(actor, contract_id)
    _tell(
        contract,
        record,
        side,
        Subject.DISPUTE_MESSAGE,
        f"The {side} wrote in the dispute.\n\n"
        + notices.quoted(contract, note=text, note_label=f"The {side}'s message"),
        deps=deps,
    )
    return record


def contest(actor: Principal, contract_id: str, entry_id: str, *, deps: Deps) -> DisputeRecord:
    record = for_entry(actor, contract_id, entry_id)
    after = rules.contest(rules.DisputeStatus(record.status), side=_side(actor))
    now = deps.now()
    with transaction() as tx:
        tx.update(
            record,
            actions=[
                DisputeRecord.status.set(str(after)),
                DisputeRecord.gsi2sk.set(_queue_key(after, record.filed_at, record.dispute_id)),
            ],
        )
        tx.save(
            audit.entry(
                TenantId(record.tenant_id),
                actor,
                "dispute.contested",
                f"contract:{contract_id}",
                {"after": {"entry": entry_id}},
                at=now,
            )
        )
    contract = records.find(actor, contract_id)
    _tell(
        contract,
        record,
        Side.AGENT,
        Subject.DISPUTE_CONTESTED,
        "The agent contested the dispute; a deskhire operator will decide.\n\n" + notices.quoted(contract),
        deps=deps,
    )
    return for_entry(actor, contract_id, entry_id)


def withdraw(actor: Principal, contract_id: str, entry_id: str, *, deps: Deps) -> DisputeRecord:
    record = for_entry(actor, contract_id, entry_id)
    split = rules.withdraw(rules.DisputeStatus(record.status), side=_side(actor), minutes=int(record.minutes))
    return _settle(record, split, rules.Outcome.WITHDRAWN, actor=actor, note="", deps=deps)


def concede(
    actor: Principal, contract_id: str, entry_id: str, *, keep_minutes: int, deps: Deps
) -> DisputeRecord:
    record = for_entry(actor, contract_id, entry_id)
    split = rules.concede(
        rules.DisputeStatus(record.status), side=_side(actor), minutes=int(record.minutes), keep=keep_minutes
    )
    return _settle(record, split, rules.Outcome.CONCEDED, actor=actor, note="", deps=deps)


# -- the operator -------------------------------------------------------------------------------


def _require_operator(actor: Principal) -> None:
    if actor.kind is not PrincipalKind.OPERATOR:
        raise Forbidden("only platform operators resolve disputes")


def queue(actor: Principal, *, limit: int = 200) -> list[DisputeRecord]:
    _require_operator(actor)
    return [d for d in DisputeRecord.gsi2.query(DISPUTE_QUEUE, limit=limit) if isinstance(d, DisputeRecord)]


def by_id(actor: Principal, dispute_id: str) -> DisputeRecord:
    _require_operator(actor)
    claim = (
        Claim.find(dispute_claim_pk(dispute_id), dispute_claim_pk(dispute_id))
        if dispute_id.isalnum()
        else None
    )
    if claim is None:
        raise NotFound("no such dispute")
    contract_id, entry_id = claim.owner_id.split("/")
    record = DisputeRecord.find(
        *dispute_key(TenantId(claim.require_tenant_id()), contract_id, entry_id), consistent=True
    )
    if record is None:
        raise NotFound("no such dispute")
    return record


def decide(
    actor: Principal, record: DisputeRecord, *, outcome: str, upheld_minutes: int | None
) -> rules.Split:
    """How the operator's decision would split the dispute's minutes (the rules refuse a
    decision that is not upheld or rejected, minutes out of range, or a dispute already ended)."""
    _require_operator(actor)
    try:
        decided = rules.Outcome(outcome)
    except ValueError:
        raise InvalidInput("decide upheld or rejected", field="outcome") from None
    return rules.resolve(
        rules.DisputeStatus(record.status),
        outcome=decided,
        minutes=int(record.minutes),
        upheld_minutes=upheld_minutes,
    )


def resolve(
    actor: Principal, dispute_id: str, *, outcome: str, upheld_minutes: int | None, note: str, deps: Deps
) -> DisputeRecord:
    """The operator's decision, with their reasons (required: both sides read them in the
    outcome's mail, with what the decision moves for each of them)."""
    record = by_id(actor, dispute_id)
    split = decide(actor, record, outcome=outcome, upheld_minutes=upheld_minutes)
    reasons = rules.check_note(note)
    money = resolution_money(actor, record, split, deps=deps)
    return _settle(record, split, rules.Outcome(outcome), actor=actor, note=reasons, deps=deps, money=money)


def escalate_unsettled(tenant: TenantId, contract_id: str, week: BillingWeek, *, deps: Deps) -> int:
    """When the review window closes, disputes nobody settled go to the operator."""
    from chalicelib.store.contracts import contract_partition

    moved = 0
    for record in DisputeRecord.query(
        contract_partition(tenant, contract_id), DisputeRecord.sk.startswith("DISPUTE#")
    ):
        if not isinstance(record, DisputeRecord) or record.week != str(week):
            continue
        if record.status != rules.DisputeStatus.OPEN:
            continue
        after = rules.DisputeStatus.CONTESTED
        try:
            record.update(
                actions=[
                    DisputeRecord.status.set(str(after)),
                    DisputeRecord.gsi2sk.set(_queue_key(after, record.filed_at, record.dispute_id)),
                ]
            )
        except Exception as error:
            from chalicelib.store.base import is_condition_failure

            if is_condition_failure(error):
                continue
            raise
        moved += 1
    return moved


def _settle(
    record: DisputeRecord,
    split: rules.Split,
    outcome: rules.Outcome,
    *,
    actor: Principal,
    note: str,
    deps: Deps,
    money: ResolutionMoney | None = None,
) -> DisputeRecord:
    """End the dispute as `split` says, in one transaction, and mail both sides. `money`: what
    an operator's decision moves, said to each side with the operator's reasons."""
    now = deps.now()
    tenant = TenantId(record.tenant_id)
    contract = records.find_for_system(tenant, record.contract_id)
    entry = EntryRecord.find(*_entry_key(record), consistent=True)
    pk, sk = timesheet_key(tenant, record.contract_id, BillingWeek.parse(record.week))
    # minutes the operator upheld against the agent count on their reputation, once, in this
    # transaction (services/reputation.py)
    against = (
        reputation.standing(AgentId(record.agent_id))
        if outcome is rules.Outcome.UPHELD and split.upheld > 0
        else None
    )
    # one entry: 30 actions at most (its dispute, entry, timesheet and audit, the agent's
    # reputation, 22 at most: services/reputation.py, and the entry's day in the metrics, 5)
    with transaction(conflict_message="the dispute changed meanwhile; reload it") as tx:
        tx.update(
            record,
            actions=[
                DisputeRecord.status.set(str(rules.DisputeStatus.RESOLVED)),
                DisputeRecord.outcome.set(str(outcome)),
                DisputeRecord.upheld_minutes.set(split.upheld),
                DisputeRecord.released_minutes.set(split.released),
                DisputeRecord.resolved_at.set(now),
                DisputeRecord.resolved_by.set(f"{actor.kind}:{actor.name}"),
                DisputeRecord.resolution_note.set(note or None),
                DisputeRecord.gsi2pk.remove(),
                DisputeRecord.gsi2sk.remove(),
            ],
        )
        tx.update(
            entry,
            actions=[
                EntryRecord.review.set("resolved"),
                EntryRecord.upheld_minutes.set(split.upheld),
                EntryRecord.updated_at.set(now),
            ],
        )
        tx.update(
            TimesheetRecord(pk, sk),
            actions=[
                TimesheetRecord.disputed_minutes.add(-int(record.minutes)),
                TimesheetRecord.upheld_minutes.add(split.upheld),
                TimesheetRecord.released_minutes.add(split.released),
                TimesheetRecord.revision.add(1),
            ],
        )
        tx.save(
            audit.entry(
                tenant,
                actor,
                f"dispute.{outcome}",
                f"contract:{record.contract_id}",
                {"after": {"entry": record.entry_id, "upheld": split.upheld, "released": split.released}},
                at=now,
            )
        )
        if against is not None:
            reputation.add(tx, against, Kind.UPHELD_DISPUTE, at=now, event=record.dispute_id)
        # minutes released to the agent are used hours now, on the entry's day, as an approval
        # counts them (the review's approvals left the disputed minutes out)
        if entry is not None:
            recording.minutes_approved(
                tx, tenant, agent=record.agent_id, by_day=[(entry.started_at.date(), split.released)]
            )
    resolved = record.reloaded()
    if contract is not None and money is not None:
        _tell_decision(contract, resolved, split, outcome, money, note=note, deps=deps)
    elif contract is not None:
        text = (
            f"The dispute over {int(record.minutes)} minutes is {outcome}: {split.upheld} minutes upheld "
            f"(refunded to the business), {split.released} paid to the agent.\n\n"
            + notices.quoted(contract)
            + (f"\n\nFrom deskhire:\n{quoted_text(note)}" if note else "")
        )
        _tell(contract, resolved, None, Subject.DISPUTE_SETTLED.line(outcome=outcome), text, deps=deps)
    return resolved


def _tell_decision(
    contract: ContractRecord,
    record: DisputeRecord,
    split: rules.Split,
    outcome: rules.Outcome,
    money: ResolutionMoney,
    *,
    note: str,
    deps: Deps,
) -> None:
    """The operator's decision to each side: the minutes, what it moves for them, and the
    operator's reasons quoted (the subject names the outcome only: no tenant text)."""
    from chalicelib.domain.diary import hours_and_minutes

    subject = Subject.DISPUTE_SETTLED.line(outcome=outcome)
    week = week_words(BillingWeek.parse(record.week))
    # the operator's words are deskhire's (a member of staff), quoted line by line, links removed
    reasons = "\n".join(f"> {line}".rstrip() for line in quoted_text(note).split("\n"))
    names = notices.quoted(contract)

    def text_for(side: str) -> zones.Written:
        """The decision as `side` reads it, its times on their clock (issue 14, item 8)."""

        def written(zone: str) -> str:
            decided = (
                f"deskhire decided the dispute over {hours_and_minutes(int(record.minutes))} logged "
                f"{span(record.started_at, record.ended_at, zone)}, in {week}: {outcome}. "
                f"{hours_and_minutes(split.upheld)} upheld, {hours_and_minutes(split.released)} released."
            )
            found = money_lines(record, split, money, for_side=side, zone=zone)
            lines = "\n".join(f"- {line}" for line in found)
            return f"{decided}\n\n{lines}\n\nThe operator's reasons:\n{reasons}\n\n{names}"

        return written

    _to_agent(contract, record, subject, text_for("agent"), deps=deps)
    _to_business(contract, record, subject, text_for("business"), deps=deps)


def _entry_key(record: DisputeRecord) -> tuple[str, str]:
    from chalicelib.store.contracts import entry_key

    return entry_key(TenantId(record.tenant_id), record.contract_id, record.entry_id)


def _tell(
    contract: ContractRecord,
    record: DisputeRecord,
    side: Side | None,
    subject: Subject | SubjectLine,
    text: str,
    *,
    deps: Deps,
):
    """Mail the other side (both sides when `side` is None: the operator or the system acted)."""
    if side is not Side.AGENT:
        _to_agent(contract, record, subject, text, deps=deps)
    if side is not Side.BUSINESS:
        _to_business(contract, record, subject, text, deps=deps)


# A dispute's mail is a notice each person may turn off (services/notifications.py); the money a
# resolution moves is also in the refund and payout mails, which are always sent.
def _to_agent(
    contract: ContractRecord,
    record: DisputeRecord,
    subject: Subject | SubjectLine,
    text: zones.Written,
    *,
    deps: Deps,
) -> None:
    link = deps.link(f"/agent/contracts/{record.contract_id}/disputes/{record.entry_id}")
    notifications.to_agent(
        contract.agent_id, Notice.DISPUTE, subject, zones.followed_by(text, f"\n\n{link}\n"), deps=deps
    )


def _to_business(
    contract: ContractRecord,
    record: DisputeRecord,
    subject: Subject | SubjectLine,
    text: zones.Written,
    *,
    deps: Deps,
) -> None:
    """The member who made the offer (the business's point of contact), as notices.mail_business."""
    link = deps.link(f"/app/contracts/{record.contract_id}/entries/{record.entry_id}/dispute")
    notifications.to_member(
        TenantId(record.tenant_id),
        contract.offered_by,
        Notice.DISPUTE,
        subject,
        zones.followed_by(text, f"\n\n{link}\n"),
        deps=deps,
    )


def agent_disputes(actor: Principal) -> list[DisputeRecord]:
    if actor.kind is not PrincipalKind.AGENT:
        raise Forbidden("only agents have this list")
    return [
        d
        for d in DisputeRecord.gsi1.query(agent_disputes_index(AgentId(actor.id)), scan_index_forward=False)
        if isinstance(d, DisputeRecord)
    ]
