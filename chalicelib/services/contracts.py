"""Offers and contracts: a business offers, the agent accepts or declines, either side ends; the
business pauses and resumes; amendments apply when the other side accepts.

Every transition is one transaction: the contract under its version (a lost race is a 409), the
opening's seat, the application, the audit entry. A pause or an end first clocks the agent out
of the contract, so that no clock keeps running on a contract that is not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.composition import Deps
from chalicelib.domain import contracts as rules
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.money import Money
from chalicelib.domain.schedule import WeeklySchedule, Window
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.ids import new_id
from chalicelib.mail import Mail, Subject, SubjectLine, their_words
from chalicelib.store import audit, keys
from chalicelib.store.contracts import (
    ClockRecord,
    ContractLink,
    ContractRecord,
    agent_contracts_index,
    clock_key,
    contract_key,
    idle_index,
    link_key,
    offers_index,
    shard_of,
    stamp,
)
from chalicelib.store.identity import AgentRecord, MemberRecord, TenantRecord
from chalicelib.store.marketplace import ApplicationRecord, InvitationRecord, OpeningRecord
from chalicelib.store.transactions import transaction

LIVE_APPLICATION = ("submitted", "shortlisted")


@dataclass(frozen=True)
class OfferDraft:
    title: str
    kind: rules.Kind
    rate: Money
    weekly_cap_minutes: int | None
    block_minutes: int | None
    start_date: date
    end_date: date | None
    tier: int
    coverage: list[tuple[str, str, str]] | None  # None: the opening's coverage
    bonus: rules.BonusRule | None = None
    note: str = ""
    application_id: str | None = None
    opening_id: str | None = None
    agent_id: str | None = None  # with opening_id: an agent invited to that opening


def side_of(actor: Principal) -> rules.Side:
    if actor.kind is PrincipalKind.MEMBER:
        return rules.Side.BUSINESS
    if actor.kind is PrincipalKind.AGENT:
        return rules.Side.AGENT
    raise Forbidden("only the business and the agent act on a contract")


def tenant_of(record: ContractRecord) -> TenantId:
    return TenantId(record.tenant_id)


def periods_of(record: ContractRecord) -> rules.ActivePeriods:
    return rules.ActivePeriods(
        tuple(rules.Period.from_json(p) for p in record.periods or []), ends_at=record.ends_at
    )


def history_of(record: ContractRecord) -> list[rules.TermsChange]:
    return [rules.TermsChange.from_json(t) for t in record.terms or []]


def amendments_of(record: ContractRecord) -> list[rules.Amendment]:
    return [rules.Amendment.from_json(a) for a in record.amendments or []]


def coverage_of(record: ContractRecord) -> WeeklySchedule:
    from chalicelib.store.marketplace import schedule_of

    return schedule_of(record.coverage)


def status_of(record: ContractRecord, now: datetime) -> rules.Status:
    """The contract's state now: an offer past its seven days is expired, and a contract past
    its end date has ended, even before a job has written so."""
    status = rules.Status(record.status)
    if rules.is_expired(status, record.expires_at, now):
        return rules.Status.EXPIRED
    if status in rules.LIVE and record.ends_at is not None and now >= record.ends_at:
        return rules.Status.ENDED
    return status


# -- finding a contract -------------------------------------------------------------------------


def _valid_id(contract_id: str) -> bool:
    return contract_id.isalnum() and len(contract_id) <= 64


def find(actor: Principal, contract_id: str, *, consistent: bool = True) -> ContractRecord:
    """The contract if the actor is a party to it: a member of its business, or its agent."""
    record = None
    if _valid_id(contract_id):
        if actor.kind is PrincipalKind.MEMBER:
            record = ContractRecord.find(
                *contract_key(actor.require_tenant(), contract_id), consistent=consistent
            )
        elif actor.kind is PrincipalKind.AGENT:
            link = ContractLink.find(*link_key(AgentId(actor.id), contract_id), consistent=consistent)
            if link is not None:
                record = ContractRecord.find(
                    *contract_key(TenantId(link.tenant_id), contract_id), consistent=consistent
                )
    if record is None or (actor.kind is PrincipalKind.AGENT and record.agent_id != actor.id):
        raise NotFound("no such contract")
    return record


def find_for_system(tenant: TenantId, contract_id: str) -> ContractRecord | None:
    return ContractRecord.find(*contract_key(tenant, contract_id), consistent=True)


def listed(actor: Principal) -> list[ContractRecord]:
    """Every offer and contract of the business, or of the agent across businesses, newest first."""
    if actor.kind is PrincipalKind.MEMBER:
        items = ContractRecord.query(
            keys.tenant_pk(actor.require_tenant()),
            ContractRecord.sk.startswith("CONTRACT#"),
            scan_index_forward=False,
        )
    elif actor.kind is PrincipalKind.AGENT:
        items = ContractRecord.gsi1.query(agent_contracts_index(AgentId(actor.id)), scan_index_forward=False)
    else:
        raise Forbidden("only the business and the agent have contracts")
    return [item for item in items if isinstance(item, ContractRecord)]


# -- offers -------------------------------------------------------------------------------------


def _business(tenant: TenantId) -> TenantRecord:
    record = TenantRecord.find(keys.tenant_pk(tenant), "TENANT", consistent=True)
    if record is None:
        raise NotFound("no such business")
    return record


def _approved_agent(agent_id: str) -> AgentRecord:
    try:
        pk = keys.agent_pk(AgentId(agent_id))
    except ValueError:
        raise NotFound("no such agent") from None
    record = AgentRecord.find(pk, "AGENT", consistent=True)
    if record is None or record.status != "approved":
        raise NotFound("no such agent")
    return record


def _source(tenant: TenantId, draft: OfferDraft) -> tuple[OpeningRecord, ApplicationRecord | None, str]:
    """The opening, the application (if any) and the agent an offer is for."""
    if draft.application_id:
        application = (
            ApplicationRecord.find(
                keys.tenant_pk(tenant), keys.sort_key("APP", draft.application_id), consistent=True
            )
            if draft.application_id.isalnum()
            else None
        )
        if application is None:
            raise NotFound("no such application", field="application_id")
        if application.status not in LIVE_APPLICATION:
            raise Conflict(
                f"this application is {application.status}; offers go to live applications",
                code="application_not_live",
            )
        opening_id, agent_id = application.opening_id, application.agent_id
    else:
        if not (draft.opening_id and draft.agent_id):
            raise InvalidInput(
                "make an offer from an application, or to an agent you invited", field="application_id"
            )
        application, opening_id, agent_id = None, draft.opening_id, draft.agent_id
        invited = (
            InvitationRecord.find(
                keys.tenant_pk(tenant), keys.sort_key("INVITATION", opening_id, agent_id), consistent=True
            )
            if opening_id.isalnum() and agent_id.isalnum()
            else None
        )
        if invited is None:
            raise Conflict(
                "invite this agent to the opening first, or offer from their application", code="not_invited"
            )
    opening = OpeningRecord.find(
        keys.tenant_pk(tenant), keys.sort_key("OPENING", opening_id), consistent=True
    )
    if opening is None:
        raise NotFound("no such opening", field="opening_id")
    if opening.status not in ("open", "paused"):
        raise Conflict(f"this opening is {opening.status}; offers need an open one", code="opening_not_open")
    return opening, application, agent_id


def make_offer(actor: Principal, draft: OfferDraft, *, deps: Deps) -> ContractRecord:
    tenant = actor.require_tenant()
    business = _business(tenant)
    opening, application, agent_id = _source(tenant, draft)
    agent = _approved_agent(agent_id)
    now = deps.now()
    terms = rules.OfferTerms(
        kind=draft.kind,
        rate=draft.rate,
        weekly_cap_minutes=draft.weekly_cap_minutes,
        block_minutes=draft.block_minutes,
        start_date=draft.start_date,
        end_date=draft.end_date,
        tier=draft.tier,
        bonus=draft.bonus,
    ).check(today=_local_today(now, business.time_zone), currency=business.currency, agent_tier=agent.tier)
    if draft.coverage is None:
        coverage = opening.coverage
    else:
        windows = [Window.parse(d, s, e, field=f"coverage.{i}") for i, (d, s, e) in enumerate(draft.coverage)]
        coverage = WeeklySchedule.build(business.time_zone, windows, field="coverage").to_json()
    title = draft.title.strip() or opening.title
    if len(title) > 120:
        raise InvalidInput("at most 120 characters", field="title")
    contract_id = new_id()
    expires = rules.offer_expires_at(now)
    record = ContractRecord(
        *contract_key(tenant, contract_id),
        contract_id=contract_id,
        tenant_id=tenant.value,
        business_name=business.name,
        business_time_zone=business.time_zone,
        title=title,
        note=draft.note.strip()[:2000],
        opening_id=opening.opening_id,
        application_id=application.application_id if application else None,
        agent_id=agent.agent_id,
        agent_name=agent.name,
        agent_email=agent.email,
        agent_time_zone=agent.time_zone,
        contract_kind=str(terms.kind),
        currency=business.currency,
        rate_minor=terms.rate.minor,
        weekly_cap_minutes=terms.weekly_cap_minutes,
        terms=[rules.TermsChange(now, terms.rate.minor, terms.weekly_cap_minutes).to_json()],
        block_minutes=terms.block_minutes,
        used_minutes=0,
        start_date=terms.start_date.isoformat(),
        end_date=terms.end_date.isoformat() if terms.end_date else None,
        coverage=coverage,
        tier=terms.tier,
        bonus=terms.bonus.to_json() if terms.bonus else None,
        status=str(rules.Status.OFFERED),
        periods=[],
        offered_by=actor.id,
        offered_by_name=actor.name,
        offered_at=now,
        expires_at=expires,
        gsi1pk=agent_contracts_index(AgentId(agent.agent_id)),
        gsi1sk=contract_id,
        gsi2pk=offers_index(shard_of(contract_id)),
        gsi2sk=keys.sort_key(stamp(expires), contract_id),
    )
    with transaction() as tx:
        tx.save(record, condition=ContractRecord.pk.does_not_exist())
        tx.save(ContractLink(*link_key(AgentId(agent.agent_id), contract_id), tenant_id=tenant.value))
        if application is not None:
            tx.update(
                application,
                actions=[ApplicationRecord.status.set("offered")],
                on_conflict=Conflict(
                    "the application changed meanwhile; reload it", code="stale_or_duplicate"
                ),
            )
        tx.save(
            audit.entry(
                tenant,
                actor,
                "offer.sent",
                f"contract:{contract_id}",
                {"after": {"agent": agent.agent_id, "kind": str(terms.kind), "rate": terms.rate.minor}},
                at=now,
            )
        )
    deps.mailer.send(
        Mail(
            to=agent.email,
            subject=Subject.OFFER_RECEIVED,
            text="A business on deskhire sent you a contract offer.\n\n"
            + their_words(
                "the business's",
                {"Business": business.name, "Contract": title, "From": actor.name},
                note=record.note,
                note_label="Note",
            )
            + "\n\nRead the terms on deskhire and accept or decline within 7 days: "
            f"{deps.link('/agent/contracts/' + contract_id)}\n",
        ),
        now=now,
    )
    return record


def _local_today(now: datetime, time_zone: str) -> date:
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(time_zone)).date()


def _opening_for(record: ContractRecord) -> OpeningRecord | None:
    if not record.opening_id:
        return None
    return OpeningRecord.find(
        keys.tenant_pk(tenant_of(record)), keys.sort_key("OPENING", record.opening_id), consistent=True
    )


def _application_for(record: ContractRecord) -> ApplicationRecord | None:
    if not record.application_id:
        return None
    return ApplicationRecord.find(
        keys.tenant_pk(tenant_of(record)), keys.sort_key("APP", record.application_id), consistent=True
    )


def accept(actor: Principal, contract_id: str, *, deps: Deps) -> ContractRecord:
    """The agent accepts: the contract starts (at its start date, or now if later) and fills one
    of the opening's seats; the opening is `filled` when all its seats are."""
    record = find(actor, contract_id)
    now = deps.now()
    before = status_of(record, now)
    after = rules.next_status(before, "accept", side=side_of(actor))
    start = rules.first_period_start(date.fromisoformat(record.start_date), record.business_time_zone, now)
    end_date = date.fromisoformat(record.end_date) if record.end_date else None
    opening = _opening_for(record)
    application = _application_for(record)
    actions = [
        ContractRecord.status.set(str(after)),
        ContractRecord.periods.set([rules.Period(start).to_json()]),
        ContractRecord.decided_at.set(now),
        ContractRecord.last_activity_at.set(start),
    ]
    if record.end_date:
        actions.append(ContractRecord.ends_at.set(rules.end_bound(end_date, record.business_time_zone)))
    actions += _idle_index_actions(record, start)
    with transaction() as tx:
        tx.update(record, actions=actions)
        if opening is not None:
            if opening.status not in ("open", "paused"):
                raise Conflict(f"the business's opening is {opening.status}", code="opening_not_open")
            filled = int(opening.filled_seats or 0) + 1
            if filled > int(opening.seats):
                raise Conflict("every seat of this opening is filled", code="opening_filled")
            seat_actions = [OpeningRecord.filled_seats.set(filled)]
            if filled == int(opening.seats):
                seat_actions += [
                    OpeningRecord.status.set("filled"),
                    OpeningRecord.gsi2pk.remove(),
                    OpeningRecord.gsi2sk.remove(),
                ]
            tx.update(
                opening,
                actions=seat_actions,
                on_conflict=Conflict("the opening changed meanwhile; try again", code="stale_or_duplicate"),
            )
        if application is not None:
            tx.update(
                application, actions=[ApplicationRecord.status.set("hired")], add_version_condition=False
            )
        tx.save(_audit(record, actor, "offer.accepted", before, after, now))
    if record.contract_kind == rules.Kind.BLOCK:
        _invoice_block(record, deps=deps)
    mail_business(
        record,
        Subject.OFFER_ACCEPTED,
        f"The agent accepted your offer. The contract runs from {start:%Y-%m-%d %H:%M} UTC.\n\n"
        + quoted(record),
        deps=deps,
    )
    return find(actor, contract_id)


def _invoice_block(record: ContractRecord, *, deps: Deps) -> None:
    """A block is invoiced in full on acceptance. If Stripe cannot be reached now, the invoice
    item exists (planned) and `advance-invoices` carries it on; the acceptance stands."""
    from chalicelib.services import invoicing
    from chalicelib.web.observability import logger

    try:
        invoicing.bill_block(tenant_of(record), record.contract_id, deps=deps)
    except Exception:
        logger.exception("the block's invoice will be carried on by advance-invoices")


def _idle_index_actions(record: ContractRecord, since: datetime) -> list:
    """Hourly contracts that run are listed by their last activity, for the inactivity job."""
    if record.contract_kind != rules.Kind.HOURLY:
        return [ContractRecord.gsi2pk.remove(), ContractRecord.gsi2sk.remove()]
    return [
        ContractRecord.gsi2pk.set(idle_index(shard_of(record.contract_id))),
        ContractRecord.gsi2sk.set(keys.sort_key(stamp(since), record.contract_id)),
    ]


def _off_indexes() -> list:
    return [ContractRecord.gsi2pk.remove(), ContractRecord.gsi2sk.remove()]


def _audit(record: ContractRecord, actor: Principal, action: str, before, after, now: datetime, **more):
    return audit.entry(
        tenant_of(record),
        actor,
        action,
        f"contract:{record.contract_id}",
        {"before": {"status": str(before)}, "after": {"status": str(after), **more}},
        at=now,
    )


def _release_application(tx, record: ContractRecord) -> None:
    """An offer that ends without a contract gives the application back to the business."""
    application = _application_for(record)
    if application is not None and application.status == "offered":
        tx.update(
            application, actions=[ApplicationRecord.status.set("shortlisted")], add_version_condition=False
        )


def decline(actor: Principal, contract_id: str, *, reason: str, deps: Deps) -> ContractRecord:
    record = find(actor, contract_id)
    now = deps.now()
    before = status_of(record, now)
    after = rules.next_status(before, "decline", side=side_of(actor))
    with transaction() as tx:
        tx.update(
            record,
            actions=[
                ContractRecord.status.set(str(after)),
                ContractRecord.decided_at.set(now),
                ContractRecord.decline_reason.set(reason.strip()[:500] or None),
                *_off_indexes(),
            ],
        )
        _release_application(tx, record)
        tx.save(_audit(record, actor, "offer.declined", before, after, now))
    mail_business(
        record,
        Subject.OFFER_DECLINED,
        "The agent declined your offer.\n\n" + quoted(record, note=reason, note_label="Reason"),
        deps=deps,
    )
    return find(actor, contract_id)


def withdraw(actor: Principal, contract_id: str, *, deps: Deps) -> ContractRecord:
    record = find(actor, contract_id)
    now = deps.now()
    before = status_of(record, now)
    after = rules.next_status(before, "withdraw", side=side_of(actor))
    with transaction() as tx:
        tx.update(
            record,
            actions=[
                ContractRecord.status.set(str(after)),
                ContractRecord.decided_at.set(now),
                *_off_indexes(),
            ],
        )
        _release_application(tx, record)
        tx.save(_audit(record, actor, "offer.withdrawn", before, after, now))
    deps.mailer.send(
        Mail(
            to=record.agent_email,
            subject=Subject.OFFER_WITHDRAWN,
            text="The business withdrew its contract offer to you.\n\n" + quoted(record) + "\n",
        ),
        now=now,
    )
    return find(actor, contract_id)


def expire(record: ContractRecord, *, system: Principal, deps: Deps) -> bool:
    """The expiry job: an offer unanswered for seven days expires. False if it was answered."""
    now = deps.now()
    if not rules.is_expired(rules.Status(record.status), record.expires_at, now):
        return False
    with transaction() as tx:
        tx.update(record, actions=[ContractRecord.status.set(str(rules.Status.EXPIRED)), *_off_indexes()])
        _release_application(tx, record)
        tx.save(_audit(record, system, "offer.expired", rules.Status.OFFERED, rules.Status.EXPIRED, now))
    mail_business(
        record,
        Subject.OFFER_EXPIRED,
        "The agent did not answer your offer within 7 days, so it expired.\n\n" + quoted(record),
        deps=deps,
    )
    return True


# -- lifecycle ----------------------------------------------------------------------------------


def pause(actor: Principal, contract_id: str, *, reason: str = "", deps: Deps) -> ContractRecord:
    return _stop(actor, find(actor, contract_id), "pause", reason=reason, deps=deps)


def end(actor: Principal, contract_id: str, *, reason: str, deps: Deps) -> ContractRecord:
    if not reason.strip():
        raise InvalidInput("say why the contract ends; the other side sees it", field="reason")
    ended = _stop(actor, find(actor, contract_id), "end", reason=reason, deps=deps)
    from chalicelib.services import blocks  # blocks reads contracts: imported here, not at the top

    blocks.withdraw_pending_at_end(ended, deps=deps)  # never charged for hours that cannot be logged
    return find_for_system(tenant_of(ended), ended.contract_id)


def pause_for_inactivity(record: ContractRecord, *, system: Principal, deps: Deps) -> bool:
    now = deps.now()
    last = record.last_activity_at or record.offered_at
    if not rules.should_pause_for_inactivity(
        kind=rules.Kind(record.contract_kind), status=status_of(record, now), last_activity=last, now=now
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
    from chalicelib.services import diary

    side = side or side_of(actor)
    for _attempt in range(3):
        now = deps.now()
        before = status_of(record, now)
        after = rules.next_status(before, action, side=side)
        diary.clock_out_of(record, deps=deps)
        record = find_for_system(tenant_of(record), record.contract_id)
        periods = periods_of(record).closed(now.replace(second=0, microsecond=0))
        actions = [
            ContractRecord.status.set(str(after)),
            ContractRecord.periods.set([p.to_json() for p in periods.periods]),
            *_off_indexes(),
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
                    _audit(
                        record, actor, f"contract.{action}", before, after, now, reason=reason.strip()[:200]
                    )
                )
        except _Retry:
            record = find_for_system(tenant_of(record), record.contract_id)
            continue
        break
    else:
        raise Conflict("the agent keeps clocking in on this contract; try again", code="contended")
    verb, subject = (
        ("paused", Subject.CONTRACT_PAUSED) if action == "pause" else ("ended", Subject.CONTRACT_ENDED)
    )
    if side is rules.Side.SYSTEM:  # deskhire's own reason (an unpaid invoice), not the parties' words
        text = f"deskhire {verb} the contract: {reason.strip()}.\n\n" + quoted(record)
    else:
        text = f"The contract was {verb} by the {side}.\n\n" + quoted(
            record, note=reason, note_label=f"The {side}'s reason"
        )
    if side is not rules.Side.AGENT:
        deps.mailer.send(Mail(to=record.agent_email, subject=subject, text=text + "\n"), now=now)
    if side is not rules.Side.BUSINESS:
        mail_business(record, subject, text, deps=deps)
    return find_for_system(tenant_of(record), record.contract_id)


class _Retry(Conflict):
    code = "contended"


_RETRY = _Retry("the agent clocked in meanwhile")


def resume(actor: Principal, contract_id: str, *, deps: Deps) -> ContractRecord:
    return _resume(actor, find(actor, contract_id), side=side_of(actor), deps=deps)


def pause_for_system(record: ContractRecord, *, reason: str, system: Principal, deps: Deps) -> ContractRecord:
    """The platform pauses a contract (a business's unpaid invoice), with a mail to both sides."""
    return _stop(system, record, "pause", reason=reason, deps=deps, side=rules.Side.SYSTEM)


def resume_for_system(record: ContractRecord, *, system: Principal, deps: Deps) -> ContractRecord:
    return _resume(system, record, side=rules.Side.SYSTEM, deps=deps)


def _resume(actor: Principal, record: ContractRecord, *, side: rules.Side, deps: Deps) -> ContractRecord:
    contract_id = record.contract_id
    now = deps.now()
    before = status_of(record, now)
    after = rules.next_status(before, "resume", side=side)
    if record.pause_reason == "payment overdue" and side is not rules.Side.SYSTEM:
        raise Conflict(
            "this contract is paused until the unpaid invoice is paid; it resumes by itself then",
            code="payment_overdue",
        )
    start = now.replace(second=0, microsecond=0)
    periods = periods_of(record).opened(start)
    with transaction() as tx:
        tx.update(
            record,
            actions=[
                ContractRecord.status.set(str(after)),
                ContractRecord.periods.set([p.to_json() for p in periods.periods]),
                ContractRecord.pause_reason.remove(),
                ContractRecord.last_activity_at.set(start),
                *_idle_index_actions(record, start),
            ],
        )
        tx.save(_audit(record, actor, "contract.resume", before, after, now))
    deps.mailer.send(
        Mail(
            to=record.agent_email,
            subject=Subject.CONTRACT_RESUMED,
            text="The contract runs again; you can log time.\n\n" + quoted(record) + "\n",
        ),
        now=now,
    )
    return find_for_system(tenant_of(record), contract_id)


# -- amendments ---------------------------------------------------------------------------------


def _pending(record: ContractRecord) -> rules.Amendment | None:
    return next((a for a in amendments_of(record) if a.status is rules.AmendmentStatus.PROPOSED), None)


def propose(
    actor: Principal,
    contract_id: str,
    *,
    rate_minor: int | None,
    weekly_cap_minutes: int | None,
    note: str,
    deps: Deps,
) -> rules.Amendment:
    record = find(actor, contract_id)
    now = deps.now()
    side = side_of(actor)
    rules.check_proposal(
        side=side,
        kind=rules.Kind(record.contract_kind),
        status=status_of(record, now),
        current=rules.terms_at(history_of(record), now),
        rate_minor=rate_minor,
        weekly_cap_minutes=weekly_cap_minutes,
        pending=_pending(record),
    )
    amendment = rules.Amendment(new_id(), side, now, rate_minor, weekly_cap_minutes, note.strip()[:500])
    with transaction() as tx:
        tx.update(record, actions=[ContractRecord.amendments.set([*record.amendments, amendment.to_json()])])
        tx.save(
            audit.entry(
                tenant_of(record),
                actor,
                "amendment.proposed",
                f"contract:{contract_id}",
                {"after": {"rate": rate_minor, "weekly_cap_minutes": weekly_cap_minutes}},
                at=now,
            )
        )
    _tell_other_side(
        record,
        side,
        Subject.CHANGE_PROPOSED,
        f"The {side} proposes a change: {describe(amendment, record.currency)}.\n\n"
        + quoted(record, note=amendment.note, note_label="Note"),
        deps=deps,
    )
    return amendment


def answer(
    actor: Principal, contract_id: str, amendment_id: str, *, accept: bool, deps: Deps
) -> rules.Amendment:
    return _settle(actor, contract_id, amendment_id, "accept" if accept else "decline", deps=deps)


def withdraw_amendment(
    actor: Principal, contract_id: str, amendment_id: str, *, deps: Deps
) -> rules.Amendment:
    return _settle(actor, contract_id, amendment_id, "withdraw", deps=deps)


def _settle(
    actor: Principal, contract_id: str, amendment_id: str, how: str, *, deps: Deps
) -> rules.Amendment:
    record = find(actor, contract_id)
    now = deps.now()
    side = side_of(actor)
    amendments = amendments_of(record)
    index = next((i for i, a in enumerate(amendments) if a.amendment_id == amendment_id), None)
    if index is None:
        raise NotFound("no such change")
    current = amendments[index]
    if how == "withdraw":
        settled = rules.withdraw(current, side=side, now=now)
    else:
        settled = rules.decide(current, side=side, accept=how == "accept", now=now)
    actions = []
    if settled.status is rules.AmendmentStatus.ACCEPTED:
        if status_of(record, now) not in rules.LIVE:
            raise Conflict(
                f"a contract that is {status_of(record, now)} cannot change", code="illegal_transition"
            )
        history, settled = rules.apply_amendment(history_of(record), settled, now=now)
        in_force = rules.terms_at(history, now)
        actions += [
            ContractRecord.terms.set([t.to_json() for t in history]),
            ContractRecord.rate_minor.set(in_force.rate_minor),
            ContractRecord.weekly_cap_minutes.set(in_force.weekly_cap_minutes),
        ]
    amendments[index] = settled
    actions.append(ContractRecord.amendments.set([a.to_json() for a in amendments]))
    with transaction() as tx:
        tx.update(record, actions=actions)
        tx.save(
            audit.entry(
                tenant_of(record),
                actor,
                f"amendment.{settled.status}",
                f"contract:{contract_id}",
                {"after": {"rate": settled.rate_minor, "weekly_cap_minutes": settled.weekly_cap_minutes}},
                at=now,
            )
        )
    if how != "withdraw":
        _tell_other_side(
            record,
            side,
            Subject.CHANGE_SETTLED.line(status=settled.status),
            f"The {side} {settled.status} your change: {describe(settled, record.currency)}.\n\n"
            + quoted(record),
            deps=deps,
        )
    return settled


def describe(amendment: rules.Amendment, currency: str) -> str:
    from chalicelib.domain.diary import hours_and_minutes
    from chalicelib.domain.money import format_amount

    parts = []
    if amendment.rate_minor is not None:
        when = f" from {amendment.rate_from:%a %d %b}" if amendment.rate_from else " from the next Monday"
        parts.append(f"rate {format_amount(amendment.rate_minor, currency)} {currency.upper()}/h{when}")
    if amendment.weekly_cap_minutes is not None:
        parts.append(f"weekly cap {hours_and_minutes(amendment.weekly_cap_minutes)}")
    return ", ".join(parts)


# -- mail ---------------------------------------------------------------------------------------


def quoted(record: ContractRecord, *, note: str = "", note_label: str = "") -> str:
    """The names and title a contract mail mentions, and a note, quoted as the parties' words."""
    return their_words(
        "the business's and the agent's",
        {"Business": record.business_name, "Agent": record.agent_name, "Contract": record.title},
        note=note,
        note_label=note_label,
    )


def mail_business(record: ContractRecord, subject: Subject | SubjectLine, text: str, *, deps: Deps) -> None:
    """The member who made the offer hears about it (the business's point of contact)."""
    member = MemberRecord.find(keys.tenant_pk(tenant_of(record)), keys.sort_key("MEMBER", record.offered_by))
    if member is None or member.status != "active":
        return
    deps.mailer.send(
        Mail(
            to=member.email,
            subject=subject,
            text=f"{text}\n\n{deps.link('/app/contracts/' + record.contract_id)}\n",
        ),
        now=deps.now(),
    )


def _tell_other_side(
    record: ContractRecord, side: rules.Side, subject: Subject | SubjectLine, text: str, *, deps: Deps
) -> None:
    if side is rules.Side.AGENT:
        mail_business(record, subject, text, deps=deps)
    else:
        deps.mailer.send(
            Mail(
                to=record.agent_email,
                subject=subject,
                text=f"{text}\n\n{deps.link('/agent/contracts/' + record.contract_id)}\n",
            ),
            now=deps.now(),
        )
