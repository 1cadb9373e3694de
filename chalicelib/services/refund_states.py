"""What the business's billing page says of an invoice's refunds (issue 14, item 4): the truth of
their state and date, never "Refunded 0.00" after a dispute's mail said "refunded".

An upheld dispute's minutes are refunded by the payout run of the week (Wednesday of W+2, once the
invoice is paid: docs/billing.md), not when the operator decides, so for a while the money is
owed to the business but not yet sent. For each invoice:
- `refunded` and `refunded_on`: what the payout runs refunded so far and when the latest went
  (its refund items; `sending` while one is written but Stripe's answer is not in yet);
- `pending` and `pending_on`: what the minutes upheld so far add on top, by the payout run's own
  arithmetic (billing.settle over the week's minutes now), and the day the run sends it (None:
  the next daily run, the payout day having passed). Only a paid weekly invoice that is not
  settled can have one; a block's unused minutes are refunded when its contract ends.

Reads: one Query of the invoice's refund items for an invoice with refunds, and the week's
minutes (a GetItem and a BatchGetItem) for an invoice that can still owe one; nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain import billing as rules
from chalicelib.domain.errors import DomainError
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.store.billing import InvoiceRecord, RefundRecord, invoice_partition


@dataclass(frozen=True)
class RefundState:
    refunded: int = 0
    refunded_on: datetime | None = None
    sending: bool = False  # a refund is written and on its way to Stripe
    pending: int = 0
    pending_on: datetime | None = None  # None with `pending`: the next daily payout run


def _sent(tenant: TenantId, record: InvoiceRecord) -> tuple[datetime | None, bool]:
    items = [
        r
        for r in RefundRecord.query(
            invoice_partition(tenant, record.invoice_id), RefundRecord.sk.startswith("REFUND#")
        )
        if isinstance(r, RefundRecord)
    ]
    done = [r.created_at for r in items if r.stripe_refund_id]
    return (max(done) if done else None), any(not r.stripe_refund_id for r in items)


def _owed(tenant: TenantId, record: InvoiceRecord) -> int:
    """The refund the minutes upheld so far call for, beyond what was refunded."""
    from chalicelib.services.invoicing import invoices, planning

    if record.invoice_kind == "block" or record.settled_at is not None:
        return 0
    if record.status != str(rules.InvoiceStatus.PAID):
        return 0
    week = BillingWeek.parse(record.week)
    weeks = {w.contract_id: w for w in planning.worked_weeks(tenant, week)}
    plan = invoices.plan_of(record)
    if any(line.contract not in weeks for line in plan.lines if line.kind == "hours"):
        return 0
    try:
        split = rules.settle(plan, weeks, tiers=dict(record.agent_tiers or {}), fees=invoices.fees_of(record))
    except DomainError:  # the week's minutes moved under the invoice: the payout run will say
        return 0
    return max(0, split.refunds - int(record.refunded or 0))


def of_invoices(tenant: TenantId, bills: list[InvoiceRecord], *, now: datetime) -> dict[str, RefundState]:
    from chalicelib.services.invoicing import invoices

    states: dict[str, RefundState] = {}
    for record in bills:
        refunded = int(record.refunded or 0)
        refunded_on, sending = _sent(tenant, record) if refunded else (None, False)
        pending = _owed(tenant, record)
        if not refunded and not pending:
            continue
        pending_on = None
        if pending:
            due = invoices.payout_due(BillingWeek.parse(record.week))
            pending_on = due if now < due else None
        states[record.invoice_id] = RefundState(refunded, refunded_on, sending, pending, pending_on)
    return states
