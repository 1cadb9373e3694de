"""What the operators see of refunds after payout: a business's recent paid-out invoices with
the minutes each line may still refund and the refunds made, and the agents who owe a reversal
their balance could not cover."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.errors import Forbidden
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.services import settlement
from chalicelib.services.clawbacks import recovery
from chalicelib.services.invoicing import planning
from chalicelib.store import keys
from chalicelib.store.billing import (
    ClawbackRecord,
    InvoiceRecord,
    invoice_partition,
)


def require_operator(actor: Principal) -> None:
    if actor.kind is not PrincipalKind.OPERATOR:
        raise Forbidden("only platform operators refund after payout")


def paid_out_lines(record: InvoiceRecord) -> list[dict]:
    """What an operator may refund on a settled weekly invoice: per hours line, the minutes paid
    out and not refunded yet (for the page's form)."""
    if not record.settled_at or record.invoice_kind == "block":
        return []
    tenant = TenantId(record.pk.removeprefix(keys.TENANT_PREFIX))
    weeks = {w.contract_id: w for w in planning.worked_weeks(tenant, BillingWeek.parse(record.week))}
    out = []
    for line in settlement.rules_lines(record):
        worked = weeks.get(line.contract)
        done = int((record.clawed_back or {}).get(line.contract, {}).get("minutes", 0))
        if worked is not None:
            out.append({"line": line, "agent_name": worked.agent_name, "minutes": worked.payable - done})
    return out


@dataclass(frozen=True)
class Owing:
    agent_id: str
    name: str
    owed: dict[str, int]


def agents_owing(actor: Principal) -> list[Owing]:
    """Agents who owe a reversal their balance could not cover, for the operators: their next
    transfers recover it; one who never earns again needs a person."""
    from chalicelib.store.billing import PayoutAccount, owing_index
    from chalicelib.store.identity import AgentRecord

    require_operator(actor)
    found = []
    for shard in range(recovery.SHARDS):
        for account in PayoutAccount.gsi2.query(owing_index(shard)):
            agent_id = account.gsi2sk  # list_owing keeps the agent there
            if isinstance(account, PayoutAccount) and account.owed and agent_id:
                agent = AgentRecord.find(keys.agent_pk(AgentId(agent_id)), "AGENT")
                name = agent.name if agent else agent_id
                found.append(Owing(agent_id, name, {c: int(v) for c, v in account.owed.items()}))
    return sorted(found, key=lambda o: o.name)


def of_invoice(record: InvoiceRecord) -> list[ClawbackRecord]:
    tenant = TenantId(record.pk.removeprefix(keys.TENANT_PREFIX))
    return [
        c
        for c in ClawbackRecord.query(
            invoice_partition(tenant, record.invoice_id), ClawbackRecord.sk.startswith("CLAWBACK#")
        )
        if isinstance(c, ClawbackRecord)
    ]


def paid_out_invoices(actor: Principal, tenant: TenantId, *, weeks: int = 8) -> list[dict]:
    """A business's recent paid-out weekly invoices, for the operator's page: each with its lines'
    refundable minutes and the refunds after payout made so far."""
    require_operator(actor)
    found = []
    for record in InvoiceRecord.query(
        keys.tenant_pk(tenant),
        InvoiceRecord.sk.between("INVOICE#0", "INVOICE#9~"),
        scan_index_forward=False,
        limit=weeks,
    ):
        if isinstance(record, InvoiceRecord) and record.settled_at:
            found.append(
                {"invoice": record, "lines": paid_out_lines(record), "clawbacks": of_invoice(record)}
            )
    return found
