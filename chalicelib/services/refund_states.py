"""What the business's billing page says of an invoice's refunds (issue 14, item 4): the truth of
their state and date, never "Refunded 0.00" after a dispute's mail said "refunded".

An upheld dispute's minutes are refunded by the payout run of the week (Wednesday of W+2, once the
invoice is paid: docs/billing.md), not when the operator decides, so for a while the money is
owed to the business but not yet sent. For each invoice:
- `refunded` and `refunded_on`: what the payout runs refunded so far and when the latest went
  (its refund items; `sending` while one is written but Stripe's answer is not in yet);
- `pending` and `pending_on`: what the minutes upheld so far add on top, by the payout run's own
  arithmetic (billing.settle over the week's minutes now), and the payout run that sends it (None:
  the next daily run, the payout day having passed). Only a paid weekly invoice that is not
  settled can have one;
- `after_payout`: refunds after payout (clawbacks, services/clawbacks/), each pending, refunded or
  failed (Stripe refused it), with its date;
- `block`: a block's unused minutes (never logged, or upheld in a dispute), how much they give back
  and the payout run that refunds them once the contract has ended (domain.blocks.unused_refund).

Reads: one Query of the invoice's refund items for an invoice with refunds, one of its clawback
items for an invoice with refunds after payout, the week's minutes (a GetItem and a BatchGetItem)
for a weekly invoice that can still owe one, and for a paid block not settled yet (or settled
with a refund) its contract (a GetItem) and its disputes (a Query), once per contract; nothing is
written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from chalicelib.domain import billing as rules
from chalicelib.domain import blocks as block_rules
from chalicelib.domain.contracts import Status
from chalicelib.domain.disputes import DisputeStatus
from chalicelib.domain.errors import DomainError
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.store.billing import ClawbackRecord, InvoiceRecord, RefundRecord, invoice_partition
from chalicelib.store.contracts import ContractRecord, DisputeRecord, contract_key, contract_partition

# the daily payout run that sends refunds, UTC (jobs/schedules.py "settle-payouts"; a unit test
# keeps the two in step)
PAYOUT_RUN = time(14, 0)


@dataclass(frozen=True)
class AfterPayout:
    """A refund after payout as the business sees it: `state` pending (decided, Stripe's part
    not done yet), refunded (Stripe made it; `on` is when) or failed (Stripe refused it: `failure`
    says why; deskhire's operators see it and the daily payout run tries again)."""

    minutes: int
    amount: int
    reason: str
    state: str
    on: datetime  # refunded: when; failed: when Stripe refused it; pending: see `at_stripe`
    failure: str | None = None
    # pending at Stripe (its balance short): `on` is when it was made; else `on` is the payout run
    # that sends it
    at_stripe: bool = False


@dataclass(frozen=True)
class BlockRefund:
    """A block's unused minutes: how many, what they give back, and when."""

    minutes: int
    amount: int
    disputed: int  # the block's minutes still in a dispute: refunded too if it is upheld
    ended: bool  # the contract has ended: the amount is what the payout run refunds
    on: datetime | None  # the payout run that refunds it (the contract's end date's, if it has one)


@dataclass(frozen=True)
class RefundState:
    refunded: int = 0
    refunded_on: datetime | None = None
    sending: bool = False  # a refund is written and on its way to Stripe
    pending: int = 0
    pending_on: datetime | None = None  # None with `pending`: the next daily payout run
    after_payout: tuple[AfterPayout, ...] = ()
    block: BlockRefund | None = None


def payout_run_after(moment: datetime) -> datetime:
    """The first daily payout run after `moment` (the run sends what became due by then)."""
    run = datetime.combine(moment.date(), PAYOUT_RUN, tzinfo=moment.tzinfo)
    return run if run > moment else run + timedelta(days=1)


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


def _after_payout(tenant: TenantId, record: InvoiceRecord, *, now: datetime) -> tuple[AfterPayout, ...]:
    if not int(record.clawbacks or 0):
        return ()
    items = sorted(
        (
            c
            for c in ClawbackRecord.query(
                invoice_partition(tenant, record.invoice_id), ClawbackRecord.sk.startswith("CLAWBACK#")
            )
            if isinstance(c, ClawbackRecord)
        ),
        key=lambda c: c.sk,
    )
    return tuple(_clawback_state(c, now=now) for c in items)


def _clawback_state(item: ClawbackRecord, *, now: datetime) -> AfterPayout:
    minutes, amount, reason = int(item.minutes), int(item.refund), item.reason
    if item.stripe_refund_id:
        if item.refund_status in ("failed", "canceled"):
            on = item.refunded_at or item.created_at
            return AfterPayout(minutes, amount, reason, "failed", on, item.refund_failure)
        # a refund Stripe holds as pending (deskhire's balance short) is on its way, not back yet
        at_stripe = item.refund_status == "pending"
        state = "pending" if at_stripe else "refunded"
        return AfterPayout(
            minutes, amount, reason, state, item.refunded_at or item.created_at, at_stripe=at_stripe
        )
    if item.refund_failed_at is not None:
        return AfterPayout(minutes, amount, reason, "failed", item.refund_failed_at, item.refund_failure)
    # decided, Stripe's part not done (Stripe did not answer): the next payout run sends it
    return AfterPayout(minutes, amount, reason, "pending", payout_run_after(now))


def _refund_day(contract: ContractRecord, *, now: datetime) -> tuple[bool, datetime | None]:
    """Whether the contract has ended, and the payout run that refunds its blocks' unused minutes:
    the run on the payout day of the week it stopped in (of its end date while it runs; None
    while it runs with no end date)."""
    from chalicelib.services.contracts import records
    from chalicelib.services.invoicing import invoices

    if records.status_of(contract, now) is Status.ENDED:
        periods = records.periods_of(contract).periods
        stop = max((p.end for p in periods if p.end), default=contract.ends_at or now)
        return True, payout_run_after(invoices.payout_due(BillingWeek.containing(stop)))
    if contract.ends_at is not None:
        return False, payout_run_after(invoices.payout_due(BillingWeek.containing(contract.ends_at)))
    return False, None


class _Contracts:
    """Each block contract's record and dispute minutes, read once per page."""

    def __init__(self, tenant: TenantId):
        self.tenant = tenant
        self.found: dict[str, tuple[ContractRecord, int, int] | None] = {}

    def get(self, contract_id: str) -> tuple[ContractRecord, int, int] | None:
        if contract_id not in self.found:
            contract = ContractRecord.find(*contract_key(self.tenant, contract_id))
            upheld = disputed = 0
            if contract is not None:
                for d in DisputeRecord.query(
                    contract_partition(self.tenant, contract_id), DisputeRecord.sk.startswith("DISPUTE#")
                ):
                    if not isinstance(d, DisputeRecord):
                        continue
                    if d.status == DisputeStatus.RESOLVED:
                        upheld += int(d.upheld_minutes or 0)
                    else:
                        disputed += int(d.minutes)
            self.found[contract_id] = (contract, upheld, disputed) if contract is not None else None
        return self.found[contract_id]


def _block(record: InvoiceRecord, contracts: _Contracts, *, now: datetime) -> BlockRefund | None:
    from chalicelib.services.invoicing import invoices

    if record.invoice_kind != "block" or record.status != str(rules.InvoiceStatus.PAID):
        return None
    if record.settled_at is not None and not int(record.refunded or 0):
        return None  # drawn whole: nothing comes back
    found = contracts.get(record.contract_id or "")
    if found is None:
        return None
    contract, upheld, disputed = found
    unused = block_rules.unused_refund(
        invoices.plan_of(record),
        offset=int(record.block_offset or 0),
        logged=int(contract.used_minutes or 0),
        upheld=upheld,
        disputed=disputed,
        fees=invoices.fees_of(record),
    )
    if not unused.owed and not int(record.refunded or 0):
        return None
    ended, on = _refund_day(contract, now=now)
    return BlockRefund(unused.minutes, unused.amount, unused.disputed, ended, on if on and on > now else None)


def of_invoices(tenant: TenantId, bills: list[InvoiceRecord], *, now: datetime) -> dict[str, RefundState]:
    from chalicelib.services.invoicing import invoices

    states: dict[str, RefundState] = {}
    contracts = _Contracts(tenant)
    for record in bills:
        refunded = int(record.refunded or 0)
        refunded_on, sending = _sent(tenant, record) if refunded else (None, False)
        pending = _owed(tenant, record)
        after = _after_payout(tenant, record, now=now)
        block = _block(record, contracts, now=now)
        if not refunded and not pending and not after and block is None:
            continue
        pending_on = None
        if pending:
            pending_on = payout_run_after(invoices.payout_due(BillingWeek.parse(record.week)))
            pending_on = pending_on if now < pending_on else None
        states[record.invoice_id] = RefundState(
            refunded, refunded_on, sending, pending, pending_on, after_payout=after, block=block
        )
    return states
