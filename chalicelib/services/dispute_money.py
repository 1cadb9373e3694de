"""The money of a dispute's resolution, before it is pressed and in both sides' mails: what the
operator's decision refunds to the business (with the client fee on it), pays to the agent (after
the agent fee) and what the agent forgoes, from the week's invoice as it stands, by the payout
run's own arithmetic (domain/disputes.ending_money over billing.settle)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.composition import Deps
from chalicelib.domain import disputes as rules
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import UTC_ZONE, BillingWeek
from chalicelib.services.contracts import records
from chalicelib.store.contracts import DisputeRecord


def _require_operator(actor: Principal) -> None:
    if actor.kind is not PrincipalKind.OPERATOR:
        raise Forbidden("only platform operators resolve disputes")


@dataclass(frozen=True)
class ResolutionMoney:
    """What a decision moves, for the operator's confirmation and both sides' mails. `money`
    is None when it cannot be stated in amounts yet: a block contract (upheld minutes go back to
    the block, refunded with its unused minutes when the contract ends) or a week whose invoice
    is not made yet."""

    kind: str  # "weekly", "block" or "not_invoiced"
    money: rules.EndingMoney | None = None
    invoice_paid: bool = False
    payout_on: datetime | None = None  # the week's payout day still to come; None: the next run


def resolution_money(
    actor: Principal, record: DisputeRecord, split: rules.Split, *, deps: Deps
) -> ResolutionMoney:
    """The money of resolving `record` as `split` says, from the week's invoice and its minutes
    now (domain/disputes.ending_money: billing.settle's own arithmetic)."""
    from chalicelib.domain import billing
    from chalicelib.services.invoicing import invoices, planning
    from chalicelib.store.billing import InvoiceRecord, invoice_key

    _require_operator(actor)
    tenant = TenantId(record.tenant_id)
    week = BillingWeek.parse(record.week)
    contract = records.find_for_system(tenant, record.contract_id)
    if contract is not None and contract.contract_kind == "block":
        return ResolutionMoney("block")
    invoice = InvoiceRecord.find(*invoice_key(tenant, week), consistent=True)
    if invoice is None:
        return ResolutionMoney("not_invoiced")
    plan = invoices.plan_of(invoice)
    weeks = {w.contract_id: w for w in planning.worked_weeks(tenant, week)}
    hours = [line for line in plan.lines if line.kind == "hours"]
    if record.contract_id not in weeks or any(line.contract not in weeks for line in hours):
        return ResolutionMoney("not_invoiced")
    tiers = {str(k): int(v) for k, v in dict(invoice.agent_tiers or {}).items()} or _tiers_now(plan)
    money = rules.ending_money(
        plan, weeks, contract_id=record.contract_id, split=split, tiers=tiers, fees=invoices.fees_of(invoice)
    )
    payout = invoices.payout_due(week)
    return ResolutionMoney(
        "weekly",
        money,
        invoice_paid=invoice.status == str(billing.InvoiceStatus.PAID),
        payout_on=payout if deps.now() < payout else None,  # past it: the next payout run
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _tiers_now(plan) -> dict[str, int]:
    """Each agent's tier as the first settlement will fix it (services/settlement._tiers)."""
    from chalicelib.store import keys
    from chalicelib.store.identity import AgentRecord

    tiers: dict[str, int] = {}
    for agent_id in sorted({line.agent_id for line in plan.lines if line.agent_id}):
        agent = AgentRecord.find(keys.agent_pk(AgentId(agent_id)), "AGENT", consistent=True)
        tiers[agent_id] = int(agent.tier or 1) if agent else 1
    return tiers


def money_lines(
    record: DisputeRecord,
    split: rules.Split,
    found: ResolutionMoney,
    *,
    for_side: str | None = None,
    zone: str = UTC_ZONE,
) -> list[str]:
    """The money of a decision in sentences: for the operator (both sides, `for_side` None), or
    for the business or the agent in their mail. Amounts with their currency; the payout run that
    moves them on the reader's clock (`zone`), with the zone named."""
    from chalicelib.domain.diary import hours_and_minutes
    from chalicelib.domain.money import format_amount
    from chalicelib.domain.time import when as written_when
    from chalicelib.services.refund_states import payout_run_after

    # in a mail, the reader is "you" and the other side is named by role: names the parties chose
    # appear in a mail only inside its quoted block (mail.their_words)
    business = {"business": "you", "agent": "the business"}.get(for_side or "", record.business_name)
    agent = {"agent": "you", "business": "the agent"}.get(for_side or "", record.agent_name)
    forgo = "forgo" if for_side == "agent" else "forgoes"
    if found.money is None:
        upheld, released = hours_and_minutes(split.upheld), hours_and_minutes(split.released)
        if found.kind == "block":
            whose = "your" if for_side == "business" else f"{business}'s"
            return [
                f"The {upheld} upheld go back to {whose} block: refunded with the block's unused "
                f"minutes when the contract ends. The {released} released are drawn from the block "
                f"and paid to {agent}, after the agent fee, with the week's payout."
            ]
        return [
            f"The week's invoice is not made yet: the {upheld} upheld are refunded to {business} with "
            f"the service fee on them, and the {released} released paid to {agent}, after the agent "
            "fee, with the week's payout."
        ]
    m = found.money

    def amount(minor: int) -> str:
        return f"{format_amount(minor, m.currency)} {m.currency.upper()}"

    # the payout run that moves it, on the reader's clock, as the billing page says it
    when = (
        f"by the payout run of {written_when(payout_run_after(found.payout_on), zone)}"
        if found.payout_on is not None
        else "with the next payout run"
    )
    if not found.invoice_paid:
        when += ", once the invoice is paid"
    to_business = (
        f"{amount(m.refund)} refunded to {business} ({amount(m.refund_hours)} for the minutes upheld "
        f"and {amount(m.refund_fee)} of deskhire's service fee on them), {when}."
        if m.refund
        else f"Nothing is refunded to {business}."
    )
    to_agent = (
        f"{amount(m.agent_net)} paid to {agent} for the minutes released, after the agent fee of "
        f"{amount(m.agent_fee)}, {when}."
        if m.agent_net or m.agent_fee
        else f"Nothing more is paid to {agent}."
    )
    forgoes = (
        f"{_capital(agent)} {forgo} {amount(m.agent_forgoes)}: what the minutes upheld would have paid after "
        f"the agent fee ({amount(m.agent_fee_forgone)})."
        if m.agent_forgoes or m.agent_fee_forgone
        else ""
    )
    if for_side == "business":
        return [to_business]
    if for_side == "agent":
        return [line for line in (to_agent, forgoes) if line]
    return [line for line in (to_business, to_agent, forgoes) if line]
