"""Contracts on the JSON API: offers, the contract lifecycle, amendments, the work diary,
timesheets and their review, disputes, and the weekly calendars."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import AGENT, MEMBER, OPERATOR, PARTIES

api = JsonApi(__name__, tag="contracts", schemas="chalicelib.schemas.contracts")


def _deps():
    return composition.deps()


def _contract(record, principal=None):
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import coverage

    deps = _deps()
    collisions = ()
    if principal is not None and record.status == "offered":
        collisions = coverage.offer_collisions(principal, record, deps=deps)
    return schemas.contract_view(record, now=deps.now(), collisions=collisions)


def _zone(principal, contract) -> str:
    from chalicelib.services import timesheets

    return timesheets.viewer_zone(principal, contract)


def _week(text: str):
    from chalicelib.domain import time

    return time.BillingWeek.parse(text)


def _this_or(query):
    from chalicelib.domain import time

    return _week(query.week) if query.week else time.BillingWeek.containing(_deps().now())


# -- offers -------------------------------------------------------------------------------------


@api.post(
    "/api/v1/offers", body="OfferBody", response="ContractView", status=201, errors=(404, 409), access=MEMBER
)
def make_offer(body, principal):
    """Offer a contract from an application, or to an agent invited to an opening (mailed to them)."""
    from chalicelib.domain import contracts as rules
    from chalicelib.domain import money
    from chalicelib.services.contracts import offers

    draft = offers.OfferDraft(
        title=body.title,
        kind=rules.Kind(body.kind),
        rate=money.Money(body.rate.amount, body.rate.currency),
        weekly_cap_minutes=body.weekly_cap_minutes,
        block_minutes=body.block_minutes,
        start_date=body.start_date,
        end_date=body.end_date,
        tier=body.tier,
        coverage=None if body.coverage is None else [(w.day, w.start, w.end) for w in body.coverage],
        bonus=rules.BonusRule(body.bonus.percent_bps, body.bonus.min_csat_bps, body.bonus.min_ratings)
        if body.bonus
        else None,
        note=body.note,
        application_id=body.application_id,
        opening_id=body.opening_id,
        agent_id=body.agent_id,
    )
    return _contract(offers.make_offer(principal, draft, deps=_deps()))


@api.get("/api/v1/offers", response="ContractList", access=PARTIES)
def list_offers(principal):
    """Offers made (business) or received (agent), answered or not, newest first."""
    from chalicelib.domain import contracts as rules
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services.contracts import records

    now = _deps().now()
    offered = [r for r in records.listed(principal) if records.status_of(r, now) in rules.OFFER_STATES]
    return schemas.ContractList(contracts=[_contract(r, principal) for r in offered])


@api.post("/api/v1/offers/{contract_id}/accept", response="ContractView", errors=(404, 409), access=AGENT)
def accept_offer(contract_id: str, principal):
    """Accept an offer: the contract starts and takes one of the opening's seats."""
    from chalicelib.services.contracts import offers

    return _contract(offers.accept(principal, contract_id, deps=_deps()))


@api.post(
    "/api/v1/offers/{contract_id}/decline",
    body="ReasonBody",
    body_required=False,
    response="ContractView",
    errors=(404, 409),
    access=AGENT,
)
def decline_offer(contract_id: str, body, principal):
    """Decline an offer, with a reason the business sees if you like."""
    from chalicelib.services.contracts import offers

    return _contract(offers.decline(principal, contract_id, reason=body.reason, deps=_deps()))


@api.post("/api/v1/offers/{contract_id}/withdraw", response="ContractView", errors=(404, 409), access=MEMBER)
def withdraw_offer(contract_id: str, principal):
    """Withdraw an offer the agent has not answered."""
    from chalicelib.services.contracts import offers

    return _contract(offers.withdraw(principal, contract_id, deps=_deps()))


# -- contracts ----------------------------------------------------------------------------------


@api.get("/api/v1/contracts", response="ContractList", access=PARTIES)
def list_contracts(principal):
    """Contracts (active, paused, ended) of the business, or of the agent across businesses."""
    from chalicelib.domain import contracts as rules
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services.contracts import records

    now = _deps().now()
    made = [r for r in records.listed(principal) if records.status_of(r, now) not in rules.OFFER_STATES]
    return schemas.ContractList(contracts=[_contract(r) for r in made])


@api.get("/api/v1/contracts/{contract_id}", response="ContractView", errors=(404,), access=PARTIES)
def get_contract(contract_id: str, principal):
    """One contract or offer; to the agent, an offer shows where it collides with their other work."""
    from chalicelib.services.contracts import records

    return _contract(records.find(principal, contract_id), principal)


@api.post("/api/v1/contracts/{contract_id}/pause", response="ContractView", errors=(404, 409), access=MEMBER)
def pause_contract(contract_id: str, principal):
    """Pause: no time can be logged until it resumes (a running clock is stopped first)."""
    from chalicelib.services.contracts import lifecycle

    return _contract(lifecycle.pause(principal, contract_id, deps=_deps()))


@api.post("/api/v1/contracts/{contract_id}/resume", response="ContractView", errors=(404, 409), access=MEMBER)
def resume_contract(contract_id: str, principal):
    """Resume a paused contract."""
    from chalicelib.services.contracts import lifecycle

    return _contract(lifecycle.resume(principal, contract_id, deps=_deps()))


@api.post(
    "/api/v1/contracts/{contract_id}/end",
    body="EndBody",
    response="ContractView",
    errors=(404, 409),
    access=PARTIES,
)
def end_contract(contract_id: str, body, principal):
    """End the contract (either side, with a reason); time already logged stays billable."""
    from chalicelib.services.contracts import lifecycle

    return _contract(lifecycle.end(principal, contract_id, reason=body.reason, deps=_deps()))


@api.get(
    "/api/v1/contracts/{contract_id}/amendments", response="AmendmentList", errors=(404,), access=PARTIES
)
def list_amendments(contract_id: str, principal):
    """Changes proposed to the rate or the weekly cap, and what became of them."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services.contracts import records

    record = records.find(principal, contract_id)
    return schemas.AmendmentList(
        amendments=[schemas.amendment_view(a, record.currency) for a in records.amendments_of(record)]
    )


@api.post(
    "/api/v1/contracts/{contract_id}/amendments",
    body="AmendmentBody",
    response="AmendmentView",
    status=201,
    errors=(404, 409),
    access=PARTIES,
)
def propose_amendment(contract_id: str, body, principal):
    """Propose a new rate (the business raises, the agent lowers) or weekly cap; the other side answers."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services.contracts import amendments, records

    record = records.find(principal, contract_id)
    if body.rate is not None and body.rate.currency != record.currency:
        from chalicelib.domain.errors import InvalidInput

        raise InvalidInput(f"this contract pays in {record.currency}", field="rate.currency")
    amendment = amendments.propose(
        principal,
        contract_id,
        rate_minor=body.rate.amount if body.rate else None,
        weekly_cap_minutes=body.weekly_cap_minutes,
        note=body.note,
        deps=_deps(),
    )
    return schemas.amendment_view(amendment, record.currency)


def _amendment_step(step: str):
    def handler(contract_id: str, amendment_id: str, principal):
        from chalicelib.schemas import contracts as schemas
        from chalicelib.services.contracts import amendments, records

        record = records.find(principal, contract_id)
        if step == "withdraw":
            settled = amendments.withdraw_amendment(principal, contract_id, amendment_id, deps=_deps())
        else:
            settled = amendments.answer(
                principal, contract_id, amendment_id, accept=step == "accept", deps=_deps()
            )
        return schemas.amendment_view(settled, record.currency)

    handler.__name__ = f"{step}_amendment"
    handler.__doc__ = {
        "accept": "Accept the other side's change: a rate applies from the next Monday, a raised cap at once.",
        "decline": "Decline the other side's change.",
        "withdraw": "Withdraw a change you proposed.",
    }[step]
    return handler


for _step in ("accept", "decline", "withdraw"):
    api.post(
        f"/api/v1/contracts/{{contract_id}}/amendments/{{amendment_id}}/{_step}",
        response="AmendmentView",
        errors=(404, 409),
        access=PARTIES,
    )(_amendment_step(_step))


# -- bonuses ------------------------------------------------------------------------------------


@api.post(
    "/api/v1/contracts/{contract_id}/bonuses",
    body="BonusBody",
    response="BonusView",
    status=201,
    errors=(404,),
    access=MEMBER,
)
def grant_bonus(contract_id: str, body, principal):
    """Pay the agent a one-off bonus: billed with this week, paid out with its hours."""
    from chalicelib.domain import money
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import bonuses

    return schemas.bonus_view(
        bonuses.grant(
            principal,
            contract_id,
            amount=money.Money(body.amount.amount, body.amount.currency),
            note=body.note,
            deps=_deps(),
        )
    )


@api.get("/api/v1/contracts/{contract_id}/bonuses", response="BonusList", errors=(404,), access=PARTIES)
def list_bonuses(contract_id: str, principal):
    """The bonuses granted on a contract."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import bonuses

    return schemas.BonusList(
        bonuses=[schemas.bonus_view(b) for b in bonuses.of_contract(principal, contract_id)]
    )


# -- more hours for a block contract ------------------------------------------------------------


@api.get(
    "/api/v1/contracts/{contract_id}/blocks",
    response="BlockBalanceView",
    errors=(404, 409),
    access=MEMBER,
)
def block_balance(contract_id: str, principal):
    """A block contract's hours: bought, used, left, the block waiting for payment, the top-up."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services.blocks import hours

    return schemas.block_balance_view(hours.balance(principal, contract_id))


@api.post(
    "/api/v1/contracts/{contract_id}/blocks",
    body="BlockBody",
    response="BlockBalanceView",
    status=201,
    errors=(404, 409),
    access=MEMBER,
)
def buy_block(contract_id: str, body, principal):
    """Buy another block (1 to 2,000 hours), invoiced and charged now; its hours may be logged once paid."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services.blocks import purchase

    return schemas.block_balance_view(
        purchase.buy(principal, contract_id, minutes=body.block_minutes, number=body.number, deps=_deps())
    )


@api.post(
    "/api/v1/contracts/{contract_id}/blocks/{number}/cancel",
    response="BlockBalanceView",
    errors=(404, 409),
    access=MEMBER,
)
def cancel_block(contract_id: str, number: str, principal):
    """Withdraw a further block not paid yet (void at Stripe); a paid one stays, and its unused hours
    are refunded when the contract ends."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services.blocks import withdrawal

    return schemas.block_balance_view(withdrawal.cancel(principal, contract_id, number, deps=_deps()))


@api.put(
    "/api/v1/contracts/{contract_id}/top-up",
    body="TopUpBody",
    response="BlockBalanceView",
    errors=(404, 409),
    access=MEMBER,
)
def set_top_up(contract_id: str, body, principal):
    """Buy a block automatically when an entry leaves fewer minutes than the threshold (or turn it off)."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services.blocks import purchase

    return schemas.block_balance_view(
        purchase.set_top_up(
            principal,
            contract_id,
            enabled=body.enabled,
            threshold_minutes=body.threshold_minutes,
            block_minutes=body.block_minutes,
            deps=_deps(),
        )
    )


# -- the work diary -----------------------------------------------------------------------------


@api.get("/api/v1/clock", response="ClockState", access=AGENT)
def get_clock(principal):
    """Whether you are clocked in, on which contract, and when the clock stops by itself."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services.diary import clock

    running = clock.current_clock(principal)
    return schemas.ClockState(clock=schemas.clock_view(running) if running else None)


@api.post(
    "/api/v1/contracts/{contract_id}/clock-in",
    body="ClockInBody",
    body_required=False,
    response="ClockView",
    status=201,
    errors=(404, 409),
    access=AGENT,
)
def clock_in(contract_id: str, body, principal):
    """Start the clock (one at a time, across all your contracts)."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services.diary import clock

    return schemas.clock_view(clock.clock_in(principal, contract_id, memo=body.memo, deps=_deps()))


@api.post("/api/v1/clock-out", response="ClockOutView", errors=(409,), access=AGENT)
def clock_out(principal):
    """Stop the clock: the time becomes an entry (two, across Monday 00:00 UTC)."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services.diary import clock

    result = clock.clock_out(principal, deps=_deps())
    zone = principal_zone(principal)
    now = _deps().now()
    return schemas.ClockOutView(
        entries=[schemas.entry_view(e, zone=zone, now=now) for e in result.entries],
        stopped_because=result.reason,
        dropped_minutes=result.dropped_minutes,
    )


def principal_zone(principal) -> str:
    from chalicelib.services.profiles import my_profile

    return my_profile(principal).time_zone


def _draft(body):
    from chalicelib.services.diary import entries

    return entries.EntryDraft(
        started_at=body.started_at, ended_at=body.ended_at, memo=body.memo, tickets=tuple(body.tickets)
    )


@api.post(
    "/api/v1/contracts/{contract_id}/entries",
    body="EntryBody",
    response="EntryList",
    status=201,
    errors=(404, 409),
    access=AGENT,
)
def log_time(contract_id: str, body, principal):
    """Log time by hand. Refused with the reason and the minutes left when it breaks a rule."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services.contracts import records
    from chalicelib.services.diary import entries

    logged = entries.log_time(principal, contract_id, _draft(body), deps=_deps())
    record = records.find(principal, contract_id)
    zone, now = _zone(principal, record), _deps().now()
    return schemas.EntryList(entries=[schemas.entry_view(e, zone=zone, now=now) for e in logged])


@api.put(
    "/api/v1/contracts/{contract_id}/entries/{entry_id}",
    body="EntryBody",
    response="EntryView",
    errors=(404, 409),
    access=AGENT,
)
def revise_entry(contract_id: str, entry_id: str, body, principal):
    """Change an entry while its week is open (until Monday 12:00 UTC of the next week)."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services.contracts import records
    from chalicelib.services.diary import entries

    entry = entries.revise(principal, contract_id, entry_id, _draft(body), deps=_deps())
    record = records.find(principal, contract_id)
    return schemas.entry_view(entry, zone=_zone(principal, record), now=_deps().now())


@api.delete("/api/v1/contracts/{contract_id}/entries/{entry_id}", status=204, errors=(404, 409), access=AGENT)
def delete_entry(contract_id: str, entry_id: str, principal):
    """Delete an entry while its week is open."""
    from chalicelib.services.diary import entries

    entries.delete(principal, contract_id, entry_id, deps=_deps())


@api.get(
    "/api/v1/contracts/{contract_id}/timesheets/{week}",
    response="TimesheetView",
    errors=(404,),
    access=PARTIES,
)
def get_timesheet(contract_id: str, week: str, principal):
    """A week of the contract, in your time zone, with the UTC billing week and its review state."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import timesheets

    return schemas.timesheet_view(timesheets.timesheet(principal, contract_id, _week(week), deps=_deps()))


@api.post(
    "/api/v1/contracts/{contract_id}/timesheets/{week}/approve",
    response="TimesheetView",
    errors=(404, 409),
    access=MEMBER,
)
def approve_week(contract_id: str, week: str, principal):
    """Approve every undisputed entry of the week early (from the lock to Friday 23:59 UTC)."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import timesheets

    timesheets.approve(principal, contract_id, _week(week), deps=_deps())
    return schemas.timesheet_view(timesheets.timesheet(principal, contract_id, _week(week), deps=_deps()))


@api.post(
    "/api/v1/contracts/{contract_id}/entries/{entry_id}/approve",
    response="TimesheetView",
    errors=(404, 409),
    access=MEMBER,
)
def approve_entry(contract_id: str, entry_id: str, principal):
    """Approve one entry early."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import timesheets
    from chalicelib.services.diary import entries

    _, entry = entries.find_entry(principal, contract_id, entry_id)
    week = _week(entry.week)
    timesheets.approve(principal, contract_id, week, entry_id=entry_id, deps=_deps())
    return schemas.timesheet_view(timesheets.timesheet(principal, contract_id, week, deps=_deps()))


# -- disputes -----------------------------------------------------------------------------------


@api.get(
    "/api/v1/contracts/{contract_id}/entries/{entry_id}/evidence",
    response="EvidenceView",
    errors=(404,),
    access=MEMBER,
)
def entry_evidence(contract_id: str, entry_id: str, principal):
    """The pre-check before a dispute: what backs this entry."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import disputes

    evidence = disputes.precheck(principal, contract_id, entry_id)
    return schemas.evidence_view(evidence, zone=evidence.contract.business_time_zone, now=_deps().now())


@api.post(
    "/api/v1/contracts/{contract_id}/entries/{entry_id}/dispute",
    body="DisputeBody",
    response="DisputeView",
    status=201,
    errors=(404, 409),
    access=MEMBER,
)
def file_dispute(contract_id: str, entry_id: str, body, principal):
    """Dispute an entry during the review window, with a reason; its minutes wait for the outcome."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import disputes

    return schemas.dispute_view(
        disputes.file(principal, contract_id, entry_id, reason=body.reason, deps=_deps())
    )


@api.get(
    "/api/v1/contracts/{contract_id}/entries/{entry_id}/dispute",
    response="DisputeView",
    errors=(404,),
    access=PARTIES,
)
def get_dispute(contract_id: str, entry_id: str, principal):
    """The dispute on an entry, with its messages."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import disputes

    return schemas.dispute_view(disputes.for_entry(principal, contract_id, entry_id))


@api.post(
    "/api/v1/contracts/{contract_id}/entries/{entry_id}/dispute/messages",
    body="DisputeMessageBody",
    response="DisputeView",
    errors=(404, 409),
    access=PARTIES,
)
def answer_dispute(contract_id: str, entry_id: str, body, principal):
    """Write in the dispute (both sides)."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import disputes

    return schemas.dispute_view(
        disputes.message(principal, contract_id, entry_id, body=body.body, deps=_deps())
    )


@api.post(
    "/api/v1/contracts/{contract_id}/entries/{entry_id}/dispute/contest",
    response="DisputeView",
    errors=(404, 409),
    access=AGENT,
)
def contest_dispute(contract_id: str, entry_id: str, principal):
    """Take the dispute to a deskhire operator."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import disputes

    return schemas.dispute_view(disputes.contest(principal, contract_id, entry_id, deps=_deps()))


@api.post(
    "/api/v1/contracts/{contract_id}/entries/{entry_id}/dispute/concede",
    body="ConcedeBody",
    response="DisputeView",
    errors=(404, 409),
    access=AGENT,
)
def concede_dispute(contract_id: str, entry_id: str, body, principal):
    """Amend the entry downwards: the minutes cut are refunded to the business, the rest is paid."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import disputes

    return schemas.dispute_view(
        disputes.concede(principal, contract_id, entry_id, keep_minutes=body.keep_minutes, deps=_deps())
    )


@api.post(
    "/api/v1/contracts/{contract_id}/entries/{entry_id}/dispute/withdraw",
    response="DisputeView",
    errors=(404, 409),
    access=MEMBER,
)
def withdraw_dispute(contract_id: str, entry_id: str, principal):
    """Withdraw your dispute: the minutes go to the agent."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import disputes

    return schemas.dispute_view(disputes.withdraw(principal, contract_id, entry_id, deps=_deps()))


@api.get("/api/v1/agent/disputes", response="DisputeList", access=AGENT)
def my_disputes(principal):
    """Disputes over your time, newest first."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import disputes

    return schemas.DisputeList(disputes=[schemas.dispute_view(d) for d in disputes.agent_disputes(principal)])


@api.get("/api/v1/admin/disputes", response="DisputeList", access=OPERATOR)
def dispute_queue(principal):
    """Unresolved disputes: contested first, then open, oldest first."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import disputes

    return schemas.DisputeList(disputes=[schemas.dispute_view(d) for d in disputes.queue(principal)])


@api.get("/api/v1/admin/disputes/{dispute_id}", response="DisputeView", errors=(404,), access=OPERATOR)
def get_dispute_as_operator(dispute_id: str, principal):
    """One dispute, for the operator."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import disputes

    return schemas.dispute_view(disputes.by_id(principal, dispute_id))


@api.post(
    "/api/v1/admin/disputes/{dispute_id}/resolve",
    body="ResolveBody",
    response="DisputeView",
    errors=(404, 409),
    access=OPERATOR,
)
def resolve_dispute(dispute_id: str, body, principal):
    """Decide a dispute: upheld (with the minutes upheld, refunded) or rejected (paid to the agent)."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import disputes

    return schemas.dispute_view(
        disputes.resolve(
            principal,
            dispute_id,
            outcome=body.outcome,
            upheld_minutes=body.upheld_minutes,
            note=body.note,
            deps=_deps(),
        )
    )


# -- calendars ------------------------------------------------------------------------------------


@api.get("/api/v1/coverage", query="WeekQuery", response="CalendarView", access=MEMBER)
def business_coverage(query, principal):
    """The hours your openings want covered against your agents' committed hours, in your zone."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import coverage

    week = _this_or(query)
    grid, committed = coverage.business_coverage(principal, week, deps=_deps())
    return schemas.calendar_view(grid, week, committed)


@api.get("/api/v1/agent/calendar", query="WeekQuery", response="CalendarView", access=AGENT)
def agent_calendar(query, principal):
    """Your commitments with every business and the time you logged, in your zone, clashes marked."""
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import coverage

    week = _this_or(query)
    grid, committed = coverage.agent_calendar(principal, week, deps=_deps())
    return schemas.calendar_view(grid, week, committed)
