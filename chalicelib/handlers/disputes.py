"""Disputes on the JSON API: the pre-check, filing, the messages, the agent's answers, the
operators' queue and decision."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import AGENT, MEMBER, OPERATOR, PARTIES

api = JsonApi(__name__, tag="disputes", schemas="chalicelib.schemas.disputes")


@api.get(
    "/api/v1/contracts/{contract_id}/entries/{entry_id}/evidence",
    response="EvidenceView",
    errors=(404,),
    access=MEMBER,
)
def entry_evidence(contract_id: str, entry_id: str, principal):
    """The pre-check before a dispute: what backs this entry."""
    from chalicelib.schemas import disputes as schemas
    from chalicelib.services import disputes

    evidence = disputes.precheck(principal, contract_id, entry_id)
    return schemas.evidence_view(
        evidence, zone=evidence.contract.business_time_zone, now=composition.deps().now()
    )


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
    from chalicelib.schemas import disputes as schemas
    from chalicelib.services import disputes

    return schemas.dispute_view(
        disputes.file(principal, contract_id, entry_id, reason=body.reason, deps=composition.deps())
    )


@api.get(
    "/api/v1/contracts/{contract_id}/entries/{entry_id}/dispute",
    response="DisputeView",
    errors=(404,),
    access=PARTIES,
)
def get_dispute(contract_id: str, entry_id: str, principal):
    """The dispute on an entry, with its messages."""
    from chalicelib.schemas import disputes as schemas
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
    from chalicelib.schemas import disputes as schemas
    from chalicelib.services import disputes

    return schemas.dispute_view(
        disputes.message(principal, contract_id, entry_id, body=body.body, deps=composition.deps())
    )


@api.post(
    "/api/v1/contracts/{contract_id}/entries/{entry_id}/dispute/contest",
    response="DisputeView",
    errors=(404, 409),
    access=AGENT,
)
def contest_dispute(contract_id: str, entry_id: str, principal):
    """Take the dispute to a deskhire operator."""
    from chalicelib.schemas import disputes as schemas
    from chalicelib.services import disputes

    return schemas.dispute_view(disputes.contest(principal, contract_id, entry_id, deps=composition.deps()))


@api.post(
    "/api/v1/contracts/{contract_id}/entries/{entry_id}/dispute/concede",
    body="ConcedeBody",
    response="DisputeView",
    errors=(404, 409),
    access=AGENT,
)
def concede_dispute(contract_id: str, entry_id: str, body, principal):
    """Amend the entry downwards: the minutes cut are refunded to the business, the rest is paid."""
    from chalicelib.schemas import disputes as schemas
    from chalicelib.services import disputes

    return schemas.dispute_view(
        disputes.concede(
            principal, contract_id, entry_id, keep_minutes=body.keep_minutes, deps=composition.deps()
        )
    )


@api.post(
    "/api/v1/contracts/{contract_id}/entries/{entry_id}/dispute/withdraw",
    response="DisputeView",
    errors=(404, 409),
    access=MEMBER,
)
def withdraw_dispute(contract_id: str, entry_id: str, principal):
    """Withdraw your dispute: the minutes go to the agent."""
    from chalicelib.schemas import disputes as schemas
    from chalicelib.services import disputes

    return schemas.dispute_view(disputes.withdraw(principal, contract_id, entry_id, deps=composition.deps()))


@api.get("/api/v1/agent/disputes", response="DisputeList", access=AGENT)
def my_disputes(principal):
    """Disputes over your time, newest first."""
    from chalicelib.schemas import disputes as schemas
    from chalicelib.services import disputes

    return schemas.DisputeList(disputes=[schemas.dispute_view(d) for d in disputes.agent_disputes(principal)])


@api.get("/api/v1/admin/disputes", response="DisputeList", access=OPERATOR)
def dispute_queue(principal):
    """Unresolved disputes: contested first, then open, oldest first."""
    from chalicelib.schemas import disputes as schemas
    from chalicelib.services import disputes

    return schemas.DisputeList(disputes=[schemas.dispute_view(d) for d in disputes.queue(principal)])


@api.get("/api/v1/admin/disputes/{dispute_id}", response="DisputeView", errors=(404,), access=OPERATOR)
def get_dispute_as_operator(dispute_id: str, principal):
    """One dispute, for the operator."""
    from chalicelib.schemas import disputes as schemas
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
    from chalicelib.schemas import disputes as schemas
    from chalicelib.services import disputes

    return schemas.dispute_view(
        disputes.resolve(
            principal,
            dispute_id,
            outcome=body.outcome,
            upheld_minutes=body.upheld_minutes,
            note=body.note,
            deps=composition.deps(),
        )
    )
