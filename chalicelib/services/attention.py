"""What needs me now (issue 14, item 6): the home pages' action lists, once onboarding is done.

For a business: applications to review, interviews to come, offers waiting for the agent,
last week's timesheets in review, disputed time in that review, invoices due, contract messages
unread. For an agent: offers to answer, contract messages unread, invitations to apply,
interviews (to book, and booked), disputes to answer, a payout to their bank that failed (their
bank details to update), payout setup, and the next shift on their clock.

Each kind is a `Need` with a count and up to SHOWN lines, each a link to where it is dealt with.
The counts are those of the navigation (web/nav.py asks the same functions here, or this module
asks nav's), so that "Contracts 2" beside the menu and "Offers waiting 2" on the home page never
disagree. Every list is a fixed handful of requests whatever the account's size: Queries of the
partitions or indexes that hold the items (the interviews' index holds only those still to come),
a GetItem and a BatchGetItem for the week in review, never a Scan, never one request per item."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.domain.errors import Forbidden
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.money import format_amount
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.store import keys

if TYPE_CHECKING:
    from chalicelib.composition import Deps
    from chalicelib.store.billing import PayoutAccount
    from chalicelib.store.contracts import ContractRecord, TimesheetRecord
    from chalicelib.store.marketplace import InterviewRecord

SHOWN = 5  # lines shown under each kind; the count says how many there are
LIMIT = 100  # items read of a list at most (a count beyond says "99+" in the navigation)


@dataclass(frozen=True)
class Line:
    text: str
    href: str
    # a moment the template shows in the viewer's zone (`at|when`), and an end for a span
    at: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Need:
    label: str
    count: int
    href: str  # where all of them are
    lines: list[Line] = field(default_factory=lambda: [])


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- counts shared with the navigation ------------------------------------------------------------


def applications_to_review(tenant: TenantId) -> int:
    """Applications nobody at the business has shortlisted or declined yet."""
    from chalicelib.store.marketplace import ApplicationRecord

    return ApplicationRecord.count(
        keys.tenant_pk(tenant),
        ApplicationRecord.sk.startswith("APP#"),
        filter_condition=ApplicationRecord.status == "submitted",
        limit=LIMIT,
    )


def invoices_due(tenant: TenantId) -> int:
    """Finalized invoices not paid yet (Stripe's `open`, and `uncollectible` that may still be paid)."""
    from chalicelib.store.billing import InvoiceRecord

    return InvoiceRecord.count(
        keys.tenant_pk(tenant),
        InvoiceRecord.sk.startswith("INVOICE#"),
        filter_condition=InvoiceRecord.status.is_in("open", "uncollectible"),
        limit=LIMIT,
    )


def disputes_to_answer(agent: AgentId) -> int:
    """Disputes the business filed that the agent has not conceded or contested."""
    from chalicelib.store.contracts import DisputeRecord, agent_disputes_index

    return DisputeRecord.gsi1.count(
        agent_disputes_index(agent), filter_condition=DisputeRecord.status == "open", limit=LIMIT
    )


def _interviews(index: str, *, agent: bool, now: datetime) -> list[InterviewRecord]:
    """Interviews still to come, soonest first: the index's sort key is when each stops mattering."""
    from chalicelib.store.marketplace import InterviewRecord

    found = (InterviewRecord.gsi1 if agent else InterviewRecord.gsi2).query(
        index,
        (InterviewRecord.gsi1sk if agent else InterviewRecord.gsi2sk) > _stamp(now),
        limit=LIMIT,
    )
    return [i for i in found if isinstance(i, InterviewRecord) and i.opening_title]


def _invitations_open(agent: AgentId) -> list:
    """Invitations to openings the agent has not applied to, newest first (two Queries)."""
    from chalicelib.store.marketplace import ApplicationRecord, InvitationRecord

    applied = {
        a.opening_id
        for a in ApplicationRecord.gsi1.query(keys.agent_pk(agent, "APPS"), limit=LIMIT * 5)
        if isinstance(a, ApplicationRecord)
    }
    invited = InvitationRecord.gsi1.query(
        keys.agent_pk(agent, "INVITATIONS"), scan_index_forward=False, limit=LIMIT
    )
    return [i for i in invited if isinstance(i, InvitationRecord) and i.opening_id not in applied]


def bank_payout_failed(agent: AgentId) -> dict | None:
    """The agent's latest payout to their bank that failed, while it stands (`bank_failure`,
    services/bank_payouts.py): one GetItem of their payout account."""
    from chalicelib.store.billing import PayoutAccount, payout_key

    account = PayoutAccount.find(*payout_key(agent))
    return account.bank_failure if account is not None else None


def agent_applications(agent: AgentId, *, now: datetime) -> int:
    """The navigation's Applications count: invitations to answer and interview slots to pick."""
    from chalicelib.store.marketplace import agent_interviews_index

    to_book = [
        i for i in _interviews(agent_interviews_index(agent), agent=True, now=now) if i.status == "proposed"
    ]
    return len(_invitations_open(agent)) + len(to_book)


# -- the business -----------------------------------------------------------------------------


def _offer_waiting(contract: ContractRecord, now: datetime) -> bool:
    # the navigation's predicate (web/nav.py offers_waiting, offers_to_answer)
    return contract.status == "offered" and contract.expires_at is not None and contract.expires_at > now


def business(actor: Principal, *, deps: Deps) -> list[Need]:
    """What the business's members have to do, most pressing first; kinds with nothing are left out."""
    from chalicelib.services.contracts import records
    from chalicelib.store.billing import InvoiceRecord
    from chalicelib.store.marketplace import ApplicationRecord, business_interviews_index
    from chalicelib.web import nav

    if actor.kind is not PrincipalKind.MEMBER:
        raise Forbidden("the business's action list is its members'")
    tenant = actor.require_tenant()
    now = deps.now()
    contracts = records.listed(actor)
    needs: list[Need] = []

    due = [
        i
        for i in InvoiceRecord.query(
            keys.tenant_pk(tenant),
            InvoiceRecord.sk.startswith("INVOICE#"),
            filter_condition=InvoiceRecord.status.is_in("open", "uncollectible"),
            limit=LIMIT,
        )
        if isinstance(i, InvoiceRecord)
    ]
    if due:
        lines = []
        for invoice in due[:SHOWN]:
            amount = f"{format_amount(int(invoice.total) - int(invoice.amount_paid), invoice.currency)}"
            what = "A block of hours" if invoice.invoice_kind == "block" else f"Week {invoice.week}"
            problem = " · the bank asks you to confirm it" if invoice.needs_action_at else ""
            problem = problem or (" · the last payment failed" if invoice.last_failure else "")
            lines.append(
                Line(
                    f"{what}: {amount} {invoice.currency.upper()} due{problem}",
                    "/app/billing",
                    at=invoice.due_at,
                )
            )
        needs.append(Need("Invoices due", len(due), "/app/billing", lines))

    sheets = _week_in_review(tenant, now)
    waiting = nav.timesheets_to_review(actor, deps).get("/app/timesheets", 0)
    if waiting:
        needs.append(
            Need(
                "Timesheets to review",
                waiting,
                "/app/timesheets",
                [Line(f"{waiting} of last week's timesheets wait for your decision", "/app/timesheets")],
            )
        )
    disputed = [s for s in sheets if int(s.disputed_minutes) > 0]
    if disputed:
        names = {c.contract_id: c.title for c in contracts}
        needs.append(
            Need(
                "Disputes",
                len(disputed),
                "/app/timesheets",
                [
                    Line(
                        f"{names.get(s.contract_id, 'A contract')}: {int(s.disputed_minutes)} minutes disputed "
                        f"in week {s.week}",
                        f"/app/contracts/{s.contract_id}/timesheets/{s.week}",
                    )
                    for s in disputed[:SHOWN]
                ],
            )
        )

    submitted = [
        a
        for a in ApplicationRecord.query(
            keys.tenant_pk(tenant),
            ApplicationRecord.sk.startswith("APP#"),
            filter_condition=ApplicationRecord.status == "submitted",
            scan_index_forward=False,
            limit=LIMIT,
        )
        if isinstance(a, ApplicationRecord)
    ]
    if submitted:
        needs.append(
            Need(
                "Applications to review",
                len(submitted),
                "/app/openings",
                [
                    Line(
                        f"{a.agent_name} applied to {a.opening_title}",
                        f"/app/applications/{a.application_id}",
                    )
                    for a in submitted[:SHOWN]
                ],
            )
        )

    interviews = _interviews(business_interviews_index(tenant), agent=False, now=now)
    if interviews:
        needs.append(
            Need(
                "Interviews",
                len(interviews),
                "/app/openings",
                [_interview_line(i, "/app", agent=False) for i in interviews[:SHOWN]],
            )
        )

    offers = [c for c in contracts if _offer_waiting(c, now)]
    if offers:
        needs.append(
            Need(
                "Offers waiting for the agent",
                len(offers),
                "/app/contracts",
                [
                    Line(
                        f"{c.title} to {c.agent_name}: answer due by",
                        f"/app/contracts/{c.contract_id}",
                        at=c.expires_at,
                    )
                    for c in offers[:SHOWN]
                ],
            )
        )
    needs += _unread_messages(contracts, "/app")
    return needs


def _unread_messages(contracts: list[ContractRecord], base: str) -> list[Need]:
    """Contracts whose thread has messages the viewer's side has not read (counted on the
    contract: services/contract_messages.py), as the navigation counts them beside Contracts."""
    business = base == "/app"
    talking = [(c, int((c.business_unread if business else c.agent_unread) or 0)) for c in contracts]
    talking = [(c, n) for c, n in talking if n > 0]
    if not talking:
        return []
    lines = [
        Line(
            f"{n} unread message{'s' if n != 1 else ''} from {c.agent_name if business else c.business_name} "
            f"about {c.title}",
            f"{base}/contracts/{c.contract_id}/messages",
        )
        for c, n in talking[:SHOWN]
    ]
    return [Need("Unread messages", len(talking), f"{base}/contracts", lines)]


def _week_in_review(tenant: TenantId, now: datetime) -> list[TimesheetRecord]:
    """Last week's timesheets while its review is open (the week's marker and one BatchGetItem,
    as the navigation's count reads them)."""
    from chalicelib.domain.time import BillingWeek
    from chalicelib.store.contracts import TimesheetRecord, WeekMarker, marker_key, timesheet_key

    this_week = BillingWeek.containing(now)
    week = BillingWeek.containing(this_week.starts_at - timedelta(days=7))
    if not week.locks_at <= now < week.review_closes_at:
        return []
    marker = WeekMarker.find(*marker_key(tenant, week))
    if marker is None or not marker.contract_ids:
        return []
    wanted = [timesheet_key(tenant, c, week) for c in sorted(marker.contract_ids)[:LIMIT]]
    return [s for s in TimesheetRecord.batch_get(wanted) if isinstance(s, TimesheetRecord)]


def _interview_line(interview: InterviewRecord, base: str, *, agent: bool) -> Line:
    href = f"{base}/applications/{interview.application_id}"
    other = interview.business_name if agent else interview.agent_name
    if interview.status == "booked" and interview.chosen is not None:
        return Line(
            f"{interview.opening_title} with {other}",
            href,
            at=interview.chosen,
            until=interview.chosen + timedelta(minutes=int(interview.duration_minutes)),
        )
    if agent:
        return Line(f"Pick a slot: {interview.opening_title} with {other}", href)
    return Line(f"{interview.opening_title} with {other}: waiting for the agent to pick a slot", href)


# -- the agent ---------------------------------------------------------------------------------


def agent(
    actor: Principal,
    *,
    deps: Deps,
    payouts_waiting: bool = False,
    payout_account: PayoutAccount | None = None,
) -> list[Need]:
    """What the agent has to do, most pressing first, and their next shift. `payout_account`: the
    agent's, when the caller read it already (else it is read here)."""
    from chalicelib.services.contracts import records
    from chalicelib.store.contracts import DisputeRecord, agent_disputes_index
    from chalicelib.store.marketplace import agent_interviews_index

    if actor.kind is not PrincipalKind.AGENT:
        raise Forbidden("the agent's action list is their own")
    me = AgentId(actor.id)
    now = deps.now()
    contracts = records.listed(actor)
    needs: list[Need] = []

    offers = [c for c in contracts if _offer_waiting(c, now)]
    if offers:
        needs.append(
            Need(
                "Offers to answer",
                len(offers),
                "/agent/contracts",
                [
                    Line(
                        f"{c.title} from {c.business_name}: answer by",
                        f"/agent/contracts/{c.contract_id}",
                        at=c.expires_at,
                    )
                    for c in offers[:SHOWN]
                ],
            )
        )
    needs += _unread_messages(contracts, "/agent")

    disputes = [
        d
        for d in DisputeRecord.gsi1.query(
            agent_disputes_index(me),
            filter_condition=DisputeRecord.status == "open",
            scan_index_forward=False,
            limit=LIMIT,
        )
        if isinstance(d, DisputeRecord)
    ]
    if disputes:
        needs.append(
            Need(
                "Disputes to answer",
                len(disputes),
                "/agent/contracts",
                [
                    Line(
                        f"{d.contract_title}: {int(d.minutes)} minutes disputed by {d.business_name}",
                        f"/agent/contracts/{d.contract_id}/disputes/{d.entry_id}",
                        at=d.started_at,
                    )
                    for d in disputes[:SHOWN]
                ],
            )
        )

    failure = payout_account.bank_failure if payout_account is not None else bank_payout_failed(me)
    if failure:
        failed_at = failure.get("failed_at")
        needs.append(
            Need(
                "Update your bank details",
                1,
                "/agent/payouts",
                [
                    Line(
                        "Your bank refused a payout: update your bank details",
                        "/agent/payouts#bank-payout-failed",
                        at=datetime.fromisoformat(failed_at) if failed_at else None,
                    )
                ],
            )
        )

    interviews = _interviews(agent_interviews_index(me), agent=True, now=now)
    if interviews:
        needs.append(
            Need(
                "Interviews",
                len(interviews),
                "/agent/applications",
                [_interview_line(i, "/agent", agent=True) for i in interviews[:SHOWN]],
            )
        )

    invitations = _invitations_open(me)
    if invitations:
        needs.append(
            Need(
                "Invitations to apply",
                len(invitations),
                "/agent/applications",
                [
                    Line(
                        f"{i.business_name} invites you to {i.opening_title}",
                        f"/agent/openings/{i.opening_id}",
                    )
                    for i in invitations[:SHOWN]
                ],
            )
        )

    if payouts_waiting and not failure:  # else the bank details are what to update
        needs.append(
            Need(
                "Set up payouts",
                1,
                "/agent/payouts",
                [Line("Your transfers wait until payouts are set up", "/agent/payouts")],
            )
        )

    shift = next_shift(contracts, now=now)
    if shift is not None:
        contract, start, end = shift
        needs.append(
            Need(
                "Your next shift",
                1,
                "/agent/calendar",
                [
                    Line(
                        f"{contract.title} for {contract.business_name}",
                        f"/agent/contracts/{contract.contract_id}",
                        at=start,
                        until=end,
                    )
                ],
            )
        )
    return needs


def next_shift(
    contracts: list[ContractRecord], *, now: datetime
) -> tuple[ContractRecord, datetime, datetime] | None:
    """The first coverage window, on any running contract, that has not ended (the one under way
    included), from the contract's start: (contract, start, end) in UTC."""
    from chalicelib.domain.contracts import Status
    from chalicelib.services.contracts import records

    best: tuple[ContractRecord, datetime, datetime] | None = None
    for contract in contracts:
        if records.status_of(contract, now) is not Status.ACTIVE:
            continue
        begins = records.starts_at(contract) or now
        coverage = records.coverage_of(contract)
        first = (max(now, begins) - timedelta(days=1)).date()
        for start, end in coverage.intervals(first, first + timedelta(days=9)):
            if end <= now or start < begins or (contract.ends_at is not None and start >= contract.ends_at):
                continue
            if best is None or start < best[1]:
                best = (contract, start, end)
            break
    return best
