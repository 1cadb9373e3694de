"""Counts in the navigation: what needs the viewer now ("Timesheets 2").

A counter is a function registered here, for a kind of principal, that returns counts keyed by the
href of the navigation item they belong beside (`{"/app/timesheets": 2}`); base.html shows each
beside its item, with words for screen readers. The portal asks once per page
(PageContext.render), so handlers never pass counts by hand.

    @counter(PrincipalKind.AGENT)
    def offers_to_answer(principal, deps) -> dict[str, int]: ...

A counter must be cheap: a fixed, small number of DynamoDB requests whatever the account's size
(a Select=COUNT query of a partition that holds only what needs attention; one GetItem of a count
kept in the same transaction as the change that moves it; one BatchGetItem), never a Scan, never
one request per object. A counter that fails is logged and left out: the navigation never
breaks a page. Counts are capped at MAX_SHOWN ("99+")."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chalicelib.domain.identity import PrincipalKind

if TYPE_CHECKING:
    from chalicelib.composition import Deps
    from chalicelib.domain.identity import Principal

Counter = Callable[["Principal", "Deps"], dict[str, int]]

MAX_SHOWN = 99
# Every counter, by the kind of principal it counts for, in the order they run.
COUNTERS: dict[PrincipalKind, list[Counter]] = {kind: [] for kind in PrincipalKind}


def counter(*kinds: PrincipalKind) -> Callable[[Counter], Counter]:
    """Register a counter for these kinds of principal."""

    def register(function: Counter) -> Counter:
        for kind in kinds:
            COUNTERS[kind].append(function)
        return function

    return register


def counts(principal: Principal | None, *, deps: Deps) -> dict[str, int]:
    """Every registered count for this viewer that is above zero, capped at MAX_SHOWN + 1."""
    if principal is None:
        return {}
    found: dict[str, int] = {}
    for count in COUNTERS.get(principal.kind, []):
        try:
            for href, number in count(principal, deps).items():
                if number > 0:
                    found[href] = min(found.get(href, 0) + int(number), MAX_SHOWN + 1)
        except Exception:
            from chalicelib.web.observability import logger

            logger.exception("a navigation count failed", extra={"counter": count.__name__})
    return found


# -- the first counts -----------------------------------------------------------------------------


@counter(PrincipalKind.OPERATOR)
def disputes_to_resolve(principal: Principal, deps: Deps) -> dict[str, int]:
    """Open and contested disputes: the dispute queue's index partition holds only those."""
    from chalicelib.store.contracts import DISPUTE_QUEUE, DisputeRecord

    return {"/admin/disputes": DisputeRecord.gsi2.count(DISPUTE_QUEUE, limit=MAX_SHOWN + 1)}


@counter(PrincipalKind.OPERATOR)
def agents_to_vet(principal: Principal, deps: Deps) -> dict[str, int]:
    """Agents waiting for vetting: their index partition holds only those."""
    from chalicelib.store import keys
    from chalicelib.store.identity import AgentRecord

    pending = keys.platform_pk("AGENTS", "pending")
    return {"/admin": AgentRecord.gsi2.count(pending, limit=MAX_SHOWN + 1)}


@counter(PrincipalKind.AGENT)
def offers_to_answer(principal: Principal, deps: Deps) -> dict[str, int]:
    """Offers waiting for the agent's answer and not expired, and contracts with messages the agent
    has not read: one query of the agent's contracts (a handful per agent), counted by DynamoDB."""
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.store.contracts import ContractRecord, agent_contracts_index

    waiting = (ContractRecord.status == "offered") & (ContractRecord.expires_at > deps.now())
    index = agent_contracts_index(AgentId(principal.id))
    needs_me = waiting | (ContractRecord.agent_unread > 0)
    return {"/agent/contracts": ContractRecord.gsi1.count(index, filter_condition=needs_me)}


@counter(PrincipalKind.MEMBER)
def offers_waiting(principal: Principal, deps: Deps) -> dict[str, int]:
    """Offers the business made that wait for the agent's answer, and contracts with messages the
    business has not read: one query of the business's contract items, counted by DynamoDB."""
    from chalicelib.store import keys
    from chalicelib.store.contracts import ContractRecord

    waiting = (ContractRecord.status == "offered") & (ContractRecord.expires_at > deps.now())
    return {
        "/app/contracts": ContractRecord.count(
            keys.tenant_pk(principal.require_tenant()),
            ContractRecord.sk.startswith("CONTRACT#"),
            filter_condition=waiting | (ContractRecord.business_unread > 0),
        )
    }


@counter(PrincipalKind.MEMBER)
def timesheets_to_review(principal: Principal, deps: Deps) -> dict[str, int]:
    """Last week's timesheets with time the business has not decided on, while its review is
    open: the week's marker names the contracts that had time (one GetItem), and their timesheets
    come in one BatchGetItem (a business has at most a few dozen contracts a week)."""
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.domain.time import BillingWeek
    from chalicelib.store.contracts import TimesheetRecord, WeekMarker, marker_key, timesheet_key

    now = deps.now()
    this_week = BillingWeek.containing(now)
    week = BillingWeek.containing(this_week.starts_at - (this_week.ends_at - this_week.starts_at))
    if not week.locks_at <= now < week.review_closes_at:
        return {}
    tenant: TenantId = principal.require_tenant()
    marker = WeekMarker.find(*marker_key(tenant, week))
    if marker is None or not marker.contract_ids:
        return {}
    wanted = [timesheet_key(tenant, contract_id, week) for contract_id in sorted(marker.contract_ids)[:100]]
    waiting = 0
    for sheet in TimesheetRecord.batch_get(wanted):
        if not isinstance(sheet, TimesheetRecord) or sheet.status == "closed":
            continue
        # the lock job snapshots what is billed at 12:00; until it has run, what was logged
        billed = sheet.billed_minutes if sheet.billed_minutes is not None else sheet.logged_minutes
        decided = int(sheet.approved_minutes) + int(sheet.disputed_minutes)
        decided += int(sheet.upheld_minutes) + int(sheet.released_minutes)
        if int(billed or 0) > decided:
            waiting += 1
    return {"/app/timesheets": waiting}


@counter(PrincipalKind.MEMBER)
def helpdesk_addresses(principal: Principal, deps: Deps) -> dict[str, int]:
    """Addresses the business's helpdesk named that no agent under contract with it uses (issue 15,
    slice 10), for its owners and admins, who deal with them: the partition holds only those (one
    is deleted when dismissed), counted by DynamoDB."""
    from chalicelib.domain.identity import may_manage_team
    from chalicelib.store.helpdesk import AttentionItem, attention_pk

    if not may_manage_team(principal.role):
        return {}
    return {"/app/support/integrations": AttentionItem.count(attention_pk(principal.require_tenant()))}


@counter(PrincipalKind.AGENT)
def reviews_to_do(principal: Principal, deps: Deps) -> dict[str, int]:
    """Peer reviews waiting for the agent: their to-do index holds only those (a scored review
    moves out of it), counted by DynamoDB."""
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.store.reputation import PeerReviewRecord, reviews_to_do_index

    index = reviews_to_do_index(AgentId(principal.id))
    return {"/agent/reviews": PeerReviewRecord.gsi1.count(index, limit=MAX_SHOWN + 1)}


# -- what the home pages' action lists count (services/attention.py keeps the queries) -------------


@counter(PrincipalKind.MEMBER)
def applications_and_invoices(principal: Principal, deps: Deps) -> dict[str, int]:
    """Applications nobody has reviewed, and invoices due: a COUNT Query each."""
    from chalicelib.services import attention

    tenant = principal.require_tenant()
    return {
        "/app/openings": attention.applications_to_review(tenant),
        "/app/billing": attention.invoices_due(tenant),
    }


@counter(PrincipalKind.AGENT)
def invitations_interviews_and_disputes(principal: Principal, deps: Deps) -> dict[str, int]:
    """Invitations to answer and interview slots to pick (beside Applications), and disputes to
    answer (beside Contracts, with the offers)."""
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.services import attention

    me = AgentId(principal.id)
    return {
        "/agent/applications": attention.agent_applications(me, now=deps.now()),
        "/agent/contracts": attention.disputes_to_answer(me),
    }


@counter(PrincipalKind.AGENT)
def bank_payout_failed(principal: Principal, deps: Deps) -> dict[str, int]:
    """A payout to the agent's bank that failed and still stands (their bank details to update),
    beside Earnings, whose page says it and links to Payouts: one GetItem of their payout account."""
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.services import attention

    return {"/agent/earnings": 1 if attention.bank_payout_failed(AgentId(principal.id)) else 0}
