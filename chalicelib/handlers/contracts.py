"""Contracts on the JSON API: offers, the contract and its lifecycle, amendments."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import AGENT, MEMBER, PARTIES

api = JsonApi(__name__, tag="contracts", schemas="chalicelib.schemas.contracts")


def _contract(record, principal=None):
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services import coverage

    deps = composition.deps()
    collisions = ()
    if principal is not None and record.status == "offered":
        collisions = coverage.offer_collisions(principal, record, deps=deps)
    return schemas.contract_view(record, now=deps.now(), collisions=collisions)


@api.post(
    "/api/v1/offers", body="OfferBody", response="OfferMadeView", status=201, errors=(404, 409), access=MEMBER
)
def make_offer(body, principal):
    """Offer a contract from an application, or to an agent invited to an opening (mailed to them).
    Numbers that contradict each other (20 h a week against the opening's 15, a rate outside its
    range or below the agent's lowest) do not refuse it: `warnings` says each, with its field."""
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
    from chalicelib.schemas import contracts as schemas

    record, warnings = offers.offer_and_warnings(principal, draft, deps=composition.deps())
    return schemas.OfferMadeView(
        **dict(_contract(record)),
        warnings=[schemas.OfferWarningView(field=w.field, message=w.message) for w in warnings],
    )


@api.get("/api/v1/offers", response="ContractList", access=PARTIES)
def list_offers(principal):
    """Offers made (business) or received (agent), answered or not, newest first."""
    from chalicelib.domain import contracts as rules
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services.contracts import records

    now = composition.deps().now()
    offered = [r for r in records.listed(principal) if records.status_of(r, now) in rules.OFFER_STATES]
    return schemas.ContractList(contracts=[_contract(r, principal) for r in offered])


@api.post("/api/v1/offers/{contract_id}/accept", response="ContractView", errors=(404, 409), access=AGENT)
def accept_offer(contract_id: str, principal):
    """Accept an offer: the contract starts and takes one of the opening's seats."""
    from chalicelib.services.contracts import offers

    return _contract(offers.accept(principal, contract_id, deps=composition.deps()))


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

    return _contract(offers.decline(principal, contract_id, reason=body.reason, deps=composition.deps()))


@api.post("/api/v1/offers/{contract_id}/withdraw", response="ContractView", errors=(404, 409), access=MEMBER)
def withdraw_offer(contract_id: str, principal):
    """Withdraw an offer the agent has not answered."""
    from chalicelib.services.contracts import offers

    return _contract(offers.withdraw(principal, contract_id, deps=composition.deps()))


@api.get("/api/v1/contracts", response="ContractList", access=PARTIES)
def list_contracts(principal):
    """Contracts (active, paused, ended) of the business, or of the agent across businesses."""
    from chalicelib.domain import contracts as rules
    from chalicelib.schemas import contracts as schemas
    from chalicelib.services.contracts import records

    now = composition.deps().now()
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

    return _contract(lifecycle.pause(principal, contract_id, deps=composition.deps()))


@api.post("/api/v1/contracts/{contract_id}/resume", response="ContractView", errors=(404, 409), access=MEMBER)
def resume_contract(contract_id: str, principal):
    """Resume a paused contract."""
    from chalicelib.services.contracts import lifecycle

    return _contract(lifecycle.resume(principal, contract_id, deps=composition.deps()))


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

    return _contract(lifecycle.end(principal, contract_id, reason=body.reason, deps=composition.deps()))


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
        deps=composition.deps(),
    )
    return schemas.amendment_view(amendment, record.currency)


def _amendment_step(step: str):
    def handler(contract_id: str, amendment_id: str, principal):
        from chalicelib.schemas import contracts as schemas
        from chalicelib.services.contracts import amendments, records

        record = records.find(principal, contract_id)
        if step == "withdraw":
            settled = amendments.withdraw_amendment(
                principal, contract_id, amendment_id, deps=composition.deps()
            )
        else:
            settled = amendments.answer(
                principal, contract_id, amendment_id, accept=step == "accept", deps=composition.deps()
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
