"""Offers: a business offers a contract from an application, or to an agent it invited; the agent
accepts or declines within seven days, the business may withdraw, and the expiry job expires the
rest.

Every answer is one transaction: the contract under its version (a lost race is a 409), the
opening's seat, the application, the audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.composition import Deps
from chalicelib.domain import bounds
from chalicelib.domain import contracts as rules
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.identity import Principal
from chalicelib.domain.money import Money
from chalicelib.domain.notifications import Notice
from chalicelib.domain.schedule import WeeklySchedule, Window
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import when
from chalicelib.ids import new_id
from chalicelib.mail import Mail, Subject, their_words
from chalicelib.services import notifications, zones
from chalicelib.services.contracts import agent_zone, notices, records, transitions
from chalicelib.store import audit, keys, platform_metrics
from chalicelib.store.contracts import (
    ContractLink,
    ContractRecord,
    agent_contracts_index,
    contract_key,
    link_key,
    offers_index,
    shard_of,
    stamp,
)
from chalicelib.store.identity import AgentRecord, TenantRecord
from chalicelib.store.marketplace import ApplicationRecord, InvitationRecord, OpeningRecord, schedule_of
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
    # an id made by the caller, so that asking again makes no second offer (a surge request's;
    # services/metrics/staffing.py): the offer is saved only if no contract has that id
    contract_id: str | None = None


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


def _checked(actor: Principal, draft: OfferDraft, *, deps: Deps):
    """The offer's parties and terms, every rule checked (nothing written)."""
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
    return tenant, business, opening, application, agent, now, terms, coverage


def offer_warnings(actor: Principal, draft: OfferDraft, *, deps: Deps) -> list[bounds.OfferWarning]:
    """What in the offer disagrees with its opening, its own windows or the agent's lowest rate
    (domain/bounds.py offer_warnings), once every rule has passed: the portal shows it on a
    confirmation before the offer is sent. Refuses what make_offer would refuse."""
    _, _, opening, _, agent, _, terms, coverage = _checked(actor, draft, deps=deps)
    return _warnings(opening, agent, terms, coverage)


def _warnings(
    opening: OpeningRecord, agent: AgentRecord, terms: rules.OfferTerms, coverage: dict
) -> list[bounds.OfferWarning]:
    return bounds.offer_warnings(
        rate=terms.rate,
        weekly_cap_minutes=terms.weekly_cap_minutes,
        block_minutes=terms.block_minutes,
        window_minutes=schedule_of(coverage).nominal_minutes,
        opening_minutes_per_week=int(opening.minutes_per_week) if opening.minutes_per_week else None,
        opening_block_minutes=int(opening.block_minutes) if opening.block_minutes else None,
        opening_rate_min=Money(int(opening.rate_min_minor), opening.currency),
        opening_rate_max=Money(int(opening.rate_max_minor), opening.currency),
        agent_name=agent.name,
        agent_min_rate=Money(int(agent.min_rate_minor), agent.rate_currency)
        if agent.min_rate_minor is not None and agent.rate_currency
        else None,
    )


def make_offer(actor: Principal, draft: OfferDraft, *, deps: Deps) -> ContractRecord:
    return offer_and_warnings(actor, draft, deps=deps)[0]


def offer_and_warnings(
    actor: Principal, draft: OfferDraft, *, deps: Deps
) -> tuple[ContractRecord, list[bounds.OfferWarning]]:
    """The offer made, and what in it disagrees (offer_warnings, from the same reads): the API
    sends the offer and answers its warnings beside it, where the portal asks first."""
    tenant, business, opening, application, agent, now, terms, coverage = _checked(actor, draft, deps=deps)
    title = draft.title.strip() or opening.title
    if len(title) > 120:
        raise InvalidInput("at most 120 characters", field="title")
    contract_id = draft.contract_id or new_id()
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
        agent_zone.check_unmoved(tx, agent)  # the zone read is still theirs: no move can miss this offer
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
    notifications.to_agent(
        agent.agent_id,
        Notice.OFFER,
        Subject.OFFER_RECEIVED,
        "A business on deskhire sent you a contract offer.\n\n"
        + their_words(
            "the business's",
            {"Business": business.name, "Contract": title, "From": actor.name},
            note=record.note,
            note_label="Note",
        )
        + f"\n\n{_net_words(record, agent)}"
        # the offer's expiry on the agent's clock, with the zone named (issue 14, item 8)
        + f"\n\nRead the terms on deskhire and accept or decline by {when(expires, zones.of_agent(agent))}: "
        f"{deps.link('/agent/contracts/' + contract_id)}\n",
        deps=deps,
    )
    return record, _warnings(opening, agent, terms, coverage)


def _net_words(record: ContractRecord, agent: AgentRecord) -> str:
    """The offer's rate as the agent receives it (issue 14, item 4), in the offer's mail."""
    from chalicelib.domain.money import format_amount
    from chalicelib.services import offer_money

    net = offer_money.agent_net(int(record.rate_minor), record.currency, agent.tier or 1)
    unit = record.currency.upper()
    return (
        f"You would receive {format_amount(net.net_minor, record.currency)} {unit} an hour: the offered "
        f"{format_amount(net.rate_minor, record.currency)} {unit} less deskhire's {net.fee_percent} agent "
        f"fee (tier {net.tier}). Nothing is charged to you."
    )


def _local_today(now: datetime, time_zone: str) -> date:
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(time_zone)).date()


def _opening_for(record: ContractRecord) -> OpeningRecord | None:
    if not record.opening_id:
        return None
    return OpeningRecord.find(
        keys.tenant_pk(records.tenant_of(record)),
        keys.sort_key("OPENING", record.opening_id),
        consistent=True,
    )


def _application_for(record: ContractRecord) -> ApplicationRecord | None:
    if not record.application_id:
        return None
    return ApplicationRecord.find(
        keys.tenant_pk(records.tenant_of(record)),
        keys.sort_key("APP", record.application_id),
        consistent=True,
    )


def accept(actor: Principal, contract_id: str, *, deps: Deps) -> ContractRecord:
    """The agent accepts: the contract starts (at its start date, or now if later) and fills one
    of the opening's seats; the opening is `filled` when all its seats are."""
    record = records.find(actor, contract_id)
    now = deps.now()
    before = records.status_of(record, now)
    after = rules.next_status(before, "accept", side=records.side_of(actor))
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
    actions += transitions.idle_index_actions(record, start)
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
        tx.save(transitions.audit_entry(record, actor, "offer.accepted", before, after, now))
        platform_metrics.offer_accepted(
            tx,
            records.tenant_of(record),
            AgentId(record.agent_id),
            record.contract_id,
            at=now,
            opening_posted_at=opening.created_at if opening is not None else None,
            first_seat=opening is not None and int(opening.filled_seats or 0) == 0,
            fills=opening is not None and int(opening.filled_seats or 0) + 1 == int(opening.seats),
        )
    charged = ""
    if record.contract_kind == rules.Kind.BLOCK:
        charged = _block_charged(_invoice_block(record, deps=deps), record)
    notices.mail_business(
        record,
        Subject.OFFER_ACCEPTED,
        # the start on the business's clock, with the zone named (issue 14, item 8)
        lambda zone: (
            f"The agent accepted your offer. The contract runs from {when(start, zone)}.{charged}\n\n"
            + notices.quoted(record)
        ),
        deps=deps,
    )
    return records.find(actor, contract_id)


def _invoice_block(record: ContractRecord, *, deps: Deps):
    """A block is invoiced in full on acceptance. If Stripe cannot be reached now, the invoice
    item exists (planned) and `advance-invoices` carries it on; the acceptance stands. The
    invoice as it stands, or None when it could not be read."""
    from chalicelib.services.invoicing import planning
    from chalicelib.web.observability import logger

    try:
        return planning.bill_block(records.tenant_of(record), record.contract_id, deps=deps)
    except Exception:
        logger.exception("the block's invoice will be carried on by advance-invoices")
        return None


def _block_charged(invoice, record: ContractRecord) -> str:
    """The business's mail says what accepting a block charged, at once (issue 14, item 4)."""
    from chalicelib.domain.diary import hours_and_minutes
    from chalicelib.domain.money import format_amount
    from chalicelib.services import offer_money

    currency = record.currency
    charge = offer_money.block_charge(record)
    if charge is None:
        return ""
    total = int(invoice.total) if invoice is not None else charge.total
    what = (
        f"{hours_and_minutes(charge.minutes)} at {format_amount(charge.rate_minor, currency)} {currency.upper()} "
        "an hour, and deskhire's service fee"
    )
    if invoice is not None and invoice.status == "paid":
        state = "was charged to your card"
    elif invoice is not None and invoice.last_failure:
        state = f"could not be charged to your card ({invoice.last_failure}); pay it from your billing page"
    else:
        state = "is being charged to your card"
    return (
        f"\n\nAccepting a block charges it at once: {format_amount(total, currency)} {currency.upper()} "
        f"({what}) {state}. Its hours can be logged once it is paid; hours not used when the contract "
        "ends are refunded."
    )


def _release_application(tx, record: ContractRecord) -> None:
    """An offer that ends without a contract gives the application back to the business."""
    application = _application_for(record)
    if application is not None and application.status == "offered":
        tx.update(
            application, actions=[ApplicationRecord.status.set("shortlisted")], add_version_condition=False
        )


def decline(actor: Principal, contract_id: str, *, reason: str, deps: Deps) -> ContractRecord:
    record = records.find(actor, contract_id)
    now = deps.now()
    before = records.status_of(record, now)
    after = rules.next_status(before, "decline", side=records.side_of(actor))
    with transaction() as tx:
        tx.update(
            record,
            actions=[
                ContractRecord.status.set(str(after)),
                ContractRecord.decided_at.set(now),
                ContractRecord.decline_reason.set(reason.strip()[:500] or None),
                *transitions.off_indexes(),
            ],
        )
        _release_application(tx, record)
        tx.save(transitions.audit_entry(record, actor, "offer.declined", before, after, now))
    notices.mail_business(
        record,
        Subject.OFFER_DECLINED,
        "The agent declined your offer.\n\n" + notices.quoted(record, note=reason, note_label="Reason"),
        deps=deps,
    )
    return records.find(actor, contract_id)


def withdraw(actor: Principal, contract_id: str, *, deps: Deps) -> ContractRecord:
    record = records.find(actor, contract_id)
    now = deps.now()
    before = records.status_of(record, now)
    after = rules.next_status(before, "withdraw", side=records.side_of(actor))
    with transaction() as tx:
        tx.update(
            record,
            actions=[
                ContractRecord.status.set(str(after)),
                ContractRecord.decided_at.set(now),
                *transitions.off_indexes(),
            ],
        )
        _release_application(tx, record)
        tx.save(transitions.audit_entry(record, actor, "offer.withdrawn", before, after, now))
    deps.mailer.send(
        Mail(
            to=record.agent_email,
            subject=Subject.OFFER_WITHDRAWN,
            text="The business withdrew its contract offer to you.\n\n" + notices.quoted(record) + "\n",
        ),
        now=now,
    )
    return records.find(actor, contract_id)


def expire(record: ContractRecord, *, system: Principal, deps: Deps) -> bool:
    """The expiry job: an offer unanswered for seven days expires. False if it was answered."""
    now = deps.now()
    if not rules.is_expired(rules.Status(record.status), record.expires_at, now):
        return False
    with transaction() as tx:
        tx.update(
            record, actions=[ContractRecord.status.set(str(rules.Status.EXPIRED)), *transitions.off_indexes()]
        )
        _release_application(tx, record)
        tx.save(
            transitions.audit_entry(
                record, system, "offer.expired", rules.Status.OFFERED, rules.Status.EXPIRED, now
            )
        )
    notices.mail_business(
        record,
        Subject.OFFER_EXPIRED,
        "The agent did not answer your offer within 7 days, so it expired.\n\n" + notices.quoted(record),
        deps=deps,
    )
    return True
