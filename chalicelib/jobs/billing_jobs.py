"""The billing jobs: the weekly invoices (Monday 12:05 UTC, as the week locks), the daily payout
run (transfers and refunds for invoices whose payout day has come, and transfers that waited for
an agent's payouts), and dunning (a failed charge retried daily, the contracts paused after 5
days). Each task is idempotent (see services/invoicing/ and services/settlement.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.jobs.contract_jobs import previous_week, tenants_with_time
from chalicelib.jobs.registry import Job, JobRun, Task, register
from chalicelib.jobs.schedules import SCHEDULES
from chalicelib.store.billing import (
    SETTLE_SHARDS,
    InvoiceRecord,
    TransferRecord,
    settle_index,
    waiting_index,
)
from chalicelib.store.contracts import SHARDS, stamp


def _bill_tenant(run: JobRun, task: Task) -> bool:
    """Changed: an invoice was made, or moved on (drafted, itemized, finalized, collected). A run
    that finds the invoice as it left it changes nothing, and says so."""
    from chalicelib.domain.billing import FeeSchedule
    from chalicelib.services.invoicing import planning
    from chalicelib.store.billing import invoice_key

    tenant = TenantId(task["tenant"])
    before = InvoiceRecord.find(*invoice_key(tenant, run.billing_week), consistent=True)
    schedule = FeeSchedule.from_json(task["fees"]) if task.get("fees") else None
    record = planning.bill_week(tenant, run.billing_week, deps=run.deps, schedule=schedule)
    if record is None:
        return False
    return before is None or (before.status, before.version) != (record.status, record.version)


def _bill_tasks(run: JobRun) -> Iterator[Task]:
    """A task per business with time, each carrying the fee schedule read once when the run is
    planned: one run bills every business under the same fees (an operator's change in the middle
    does not split it), and the fee item is read once, not once per business."""
    from chalicelib.services import fees

    schedule = fees.current().to_json()
    for task in tenants_with_time(run):
        yield {**task, "fees": schedule}


register(
    Job(
        name="bill-week",
        cron=SCHEDULES["bill-week"],
        summary="Invoice last week's locked time, one invoice per business, and collect it",
        plan=_bill_tasks,
        work=_bill_tenant,
        week_for=previous_week,
        ready_at=lambda week: week.locks_at,
    )
)


def _due_invoices(index: Callable[[int], str], run: JobRun) -> Iterator[Task]:
    for shard in range(SETTLE_SHARDS):
        for record in InvoiceRecord.gsi2.query(index(shard), InvoiceRecord.gsi2sk <= f"{stamp(run.at)}~"):
            if isinstance(record, InvoiceRecord):
                yield {
                    "kind": "invoice",
                    "tenant": record.pk.removeprefix("T#"),
                    "week": record.week,
                    "sk": record.sk,
                }


def _payout_tasks(run: JobRun) -> Iterator[Task]:
    yield from _due_invoices(settle_index, run)
    for shard in range(SHARDS):
        for transfer in TransferRecord.gsi2.query(waiting_index(shard)):
            if isinstance(transfer, TransferRecord):
                yield {
                    "kind": "transfer",
                    "tenant": transfer.tenant_id,
                    "week": transfer.week,
                    "transfer": transfer.transfer_id,
                    "invoice": transfer.invoice_id,
                }
    from chalicelib.services.clawbacks import recovery

    for shard in range(recovery.SHARDS):
        for item in recovery.pending(shard):
            yield {"kind": "clawback", "tenant": item.tenant_id, "invoice": item.invoice_id, "sk": item.sk}


def _pay_out(run: JobRun, task: Task) -> bool:
    from chalicelib.services import settlement

    if task["kind"] == "invoice":
        # weekly invoices and block invoices alike are found by the sort key the planner saw
        record = InvoiceRecord.find(f"T#{task['tenant']}", task["sk"], consistent=True)
        if record is None:
            return False
        outcome = settlement.settle_invoice(record, deps=run.deps)
        return bool(outcome.refunded or outcome.committed or outcome.sent or outcome.settled)
    if task["kind"] == "clawback":
        from chalicelib.services.clawbacks import recovery

        item = recovery.find(task["tenant"], task["invoice"], task["sk"])
        if item is None or item.status != "pending":
            return False
        return recovery.carry_out(item, deps=run.deps).status != "pending"
    transfer = settlement.waiting_transfer(task["tenant"], task["invoice"], task["transfer"])
    if transfer is None or transfer.status != "waiting" or not transfer.source_charge:
        return False
    return settlement.send_transfer(transfer, charge=transfer.source_charge, deps=run.deps)


register(
    Job(
        name="settle-payouts",
        cron=SCHEDULES["settle-payouts"],
        summary="Pay agents (transfers) and refund upheld minutes for invoices whose payout day came; "
        "finish refunds after payout",
        plan=_payout_tasks,
        work=_pay_out,
    )
)


def _retry_charge(run: JobRun, task: Task) -> bool:
    from chalicelib.services import dunning

    # by the sort key the planner saw: a block invoice is not keyed by its week
    record = InvoiceRecord.find(f"T#{task['tenant']}", task["sk"], consistent=True)
    if record is None:
        return False
    return dunning.retry(record, deps=run.deps) != "nothing"


def _dunning_tasks(run: JobRun) -> Iterator[Task]:
    from chalicelib.services.dunning import dunning_index

    yield from _due_invoices(dunning_index, run)


register(
    Job(
        name="dunning",
        cron=SCHEDULES["dunning"],
        summary="Retry failed charges daily; after 5 days pause the business's contracts until it pays",
        plan=_dunning_tasks,
        work=_retry_charge,
    )
)


def _recent_tenants(run: JobRun) -> Iterator[Task]:
    """Businesses with time in any of the last four weeks, once each."""
    seen: set[str] = set()
    week = previous_week(run.at)
    for _ in range(4):
        for task in tenants_with_time(JobRun(job=run.job, at=run.at, deps=run.deps, week=week)):
            if task["tenant"] not in seen:
                seen.add(task["tenant"])
                yield task
        week = BillingWeek.containing(week.starts_at - (week.ends_at - week.starts_at))


def _reconcile(run: JobRun, task: Task) -> bool:
    from chalicelib.services import reconciliation

    item = reconciliation.reconcile_tenant(TenantId(task["tenant"]), deps=run.deps)
    return bool(item.differences)


register(
    Job(
        name="reconcile",
        cron=SCHEDULES["reconcile"],
        summary="Compare each recent invoice's ledger with Stripe; report every difference",
        plan=_recent_tenants,
        work=_reconcile,
    )
)


def _unbilled(run: JobRun) -> Iterator[Task]:
    """Invoices a run left before finalization, ten minutes or more ago (not one in progress)."""
    from datetime import timedelta

    from chalicelib.services.invoicing.planning import unbilled_index

    for shard in range(SETTLE_SHARDS):
        for record in InvoiceRecord.gsi2.query(
            unbilled_index(shard), InvoiceRecord.gsi2sk <= stamp(run.at - timedelta(minutes=10))
        ):
            if isinstance(record, InvoiceRecord):
                yield {"tenant": record.pk.removeprefix("T#"), "sk": record.sk}


def _advance(run: JobRun, task: Task) -> bool:
    from chalicelib.services.invoicing import drafting

    record = InvoiceRecord.find(f"T#{task['tenant']}", task["sk"], consistent=True)
    if record is None:
        return False
    before = record.status
    return drafting.advance(record, deps=run.deps).status != before


register(
    Job(
        name="advance-invoices",
        cron=SCHEDULES["advance-invoices"],
        summary="Carry on invoices a run left before Stripe finalized them (blocks billed on acceptance too)",
        plan=_unbilled,
        work=_advance,
    )
)
