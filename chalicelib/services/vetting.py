"""The operators' vetting queue: approve an agent with a tier, or reject with a reason."""

from __future__ import annotations

from chalicelib.composition import Deps
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.notifications import Notice
from chalicelib.domain.tenancy import AgentId
from chalicelib.domain.text import quoted_text
from chalicelib.mail import Subject, their_words
from chalicelib.services import notifications
from chalicelib.services.profiles import _agent, save_with_index
from chalicelib.store import keys, platform_metrics
from chalicelib.store.identity import AgentRecord


def _require_operator(actor: Principal) -> None:
    if actor.kind is not PrincipalKind.OPERATOR:
        raise Forbidden("only platform operators vet agents")


def queue(actor: Principal, *, limit: int = 200) -> list[AgentRecord]:
    _require_operator(actor)
    return [
        a
        for a in AgentRecord.gsi2.query(keys.platform_pk("AGENTS", "pending"), limit=limit)
        if isinstance(a, AgentRecord)
    ]


def approve(actor: Principal, agent_id: str, *, tier: int, deps: Deps) -> AgentRecord:
    _require_operator(actor)
    if tier not in (1, 2, 3):
        raise InvalidInput("tier is 1, 2 or 3", field="tier")
    record = _agent(agent_id)
    if record.status == "approved" and record.tier == tier:
        return record
    if record.status == "rejected":
        raise Conflict("this agent was rejected; they must apply again", code="illegal_transition")
    record.status, record.tier, record.rejection_reason = "approved", tier, None
    record.gsi2pk = record.gsi2sk = None  # off the queue
    now = deps.now()
    save_with_index(record, also=lambda tx: platform_metrics.agent_approved(tx, AgentId(agent_id), at=now))
    notifications.to_agent(
        agent_id,
        Notice.VETTING,
        Subject.AGENT_APPROVED,
        f"deskhire approved your agent account at tier {tier}. Businesses can now find you in their "
        "matches and send you offers; complete your profile (skills, languages, hours and rate) so "
        "that you appear in them, and set up payouts before your first paid week.\n\n"
        + their_words("your", {"Name": record.name})
        + f"\n\nYour home page: {deps.link('/agent')}",
        deps=deps,
    )
    return record


def reject(actor: Principal, agent_id: str, *, reason: str, deps: Deps) -> AgentRecord:
    _require_operator(actor)
    if not reason.strip():
        raise InvalidInput("say why, so the agent can learn from it", field="reason")
    record = _agent(agent_id)
    if record.status != "pending":
        raise Conflict(
            f"only a pending agent can be rejected; this one is {record.status}", code="illegal_transition"
        )
    record.status, record.rejection_reason = "rejected", reason.strip()
    record.gsi2pk = record.gsi2sk = None
    save_with_index(record)
    # the operator's reason is deskhire's words (a member of staff), quoted, its links removed
    reason_lines = "\n".join(f"> {line}".rstrip() for line in quoted_text(reason.strip()).split("\n"))
    notifications.to_agent(
        agent_id,
        Notice.VETTING,
        Subject.AGENT_NOT_APPROVED,
        f"deskhire did not approve your agent account.\n\nThe reason:\n{reason_lines}\n\n"
        + their_words("your", {"Name": record.name})
        + f"\n\nYour account: {deps.link('/agent')}",
        deps=deps,
    )
    return record
