"""Carrying a planned invoice to Stripe, step by step. Each step is a Stripe call with a key made
from the invoice's id, then a write of the new status under the item's version:

    planned -> drafted (a draft at Stripe) -> itemized (every line on it) -> open (finalized:
    the business owes it; the ledger books the receivable) -> collection (collection.py)

A run that crashes between the Stripe call and the write runs the step again with the same key
and gets the same object back; after Stripe's key window it finds the object by its metadata
before creating one. No step is ever taken twice at Stripe."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.composition import Deps
from chalicelib.domain import billing as rules
from chalicelib.domain import ledger
from chalicelib.domain.errors import Conflict
from chalicelib.services.invoicing import collection, invoices, labour_metrics
from chalicelib.store import ledger as ledger_store
from chalicelib.store import platform_metrics
from chalicelib.store.billing import InvoiceRecord
from chalicelib.store.transactions import transaction


class InvoiceMismatch(Exception):
    """Stripe's invoice does not say what deskhire's does: stop and show a person (not a race)."""


# Stripe keeps idempotency keys at least 24 hours. While every key an invoice's steps sent is
# younger than this, a retried step resends its key and Stripe answers with the first result, so
# nothing needs looking up first; after it, each step reads Stripe before acting.
KEY_WINDOW = timedelta(hours=23)


def _keys_fresh(record: InvoiceRecord, now: datetime) -> bool:
    return now - record.created_at < KEY_WINDOW


def advance(record: InvoiceRecord, *, deps: Deps) -> InvoiceRecord:
    """Take every step the invoice can take now (each at most once at Stripe). A further block
    whose contract ended before it was paid is never charged: void here while only planned, else
    carried to open (a draft cannot be voided; finalizing charges nothing) and voided there."""
    from chalicelib.services.blocks import hours, withdrawal

    ended = withdrawal.ended_unpaid(record, deps=deps)
    for _step in range(8):
        try:
            if record.earnings_pending:  # a finalisation stopped before counting every agent
                record = labour_metrics.finish(record)
            status = rules.InvoiceStatus(record.status)
            if ended is not None and status in (rules.InvoiceStatus.PLANNED, rules.InvoiceStatus.OPEN):
                withdrawal.withdraw(ended, hours.number_of(record), actor=hours.SYSTEM, deps=deps)
                return record.reloaded()
            if status is rules.InvoiceStatus.PLANNED:
                _draft(record, deps=deps)
            elif status is rules.InvoiceStatus.DRAFTED:
                _itemize(record, deps=deps)
            elif status is rules.InvoiceStatus.ITEMIZED:
                _finalize(record, deps=deps)
            elif (
                status is rules.InvoiceStatus.OPEN
                and record.attempts == 0
                and not record.last_failure
                and not record.sent_at
            ):
                collection.start(record, deps=deps)
                return record.reloaded()
            else:
                return record
        except Conflict:
            pass  # another run took this step meanwhile: read where it stands and go on
        record = record.reloaded()
    return record


def _metadata(record: InvoiceRecord) -> dict[str, str]:
    # the item's sort key finds it again from a webhook (weekly and block invoices alike)
    return {
        "deskhire_tenant": invoices.tenant_of(record).value,
        "deskhire_week": record.week,
        "deskhire_sk": record.sk,
    }


def _draft(record: InvoiceRecord, *, deps: Deps) -> None:
    from chalicelib.services.billing_accounts import ensure_customer

    account = ensure_customer(invoices.tenant_of(record), email=None, deps=deps)
    gateway = deps.stripe
    # Stripe's search is eventually consistent and rate-limited; within the key window the
    # create's own key finds an earlier creation, so search only after it
    found = None if _keys_fresh(record, deps.now()) else gateway.find_invoice(record.invoice_id)
    stripe_invoice = found or gateway.create_invoice(
        record.invoice_id,
        customer=account.require_customer_id(),
        currency=record.currency,
        description=f"deskhire support, week {record.week}"
        if record.invoice_kind != "block"
        else f"deskhire prepaid block ({record.week})",
        send_invoice_days=account.net_days(),
        metadata=_metadata(record),
    )
    rules.check_transition(rules.InvoiceStatus(record.status), rules.InvoiceStatus.DRAFTED)
    record.stripe_invoice_id = stripe_invoice["id"]
    record.stripe_customer_id = stripe_invoice["customer"]
    record.collection = stripe_invoice.get("collection_method") or record.collection
    # the terms the draft was made with (Stripe's invoice shows a due date, not the days)
    if record.collection == "send_invoice":
        record.days_until_due = account.days_until_due
    record.status = str(rules.InvoiceStatus.DRAFTED)
    record.save_checked()


def _itemize(record: InvoiceRecord, *, deps: Deps) -> None:
    gateway, stripe_id = deps.stripe, record.require_stripe_invoice_id()
    # within the key window an item added by an earlier try is answered again by its key
    on_it = (
        set()
        if _keys_fresh(record, deps.now())
        else {(item.get("metadata") or {}).get("deskhire_line") for item in gateway.invoice_items(stripe_id)}
    )
    customer = record.stripe_customer_id or gateway.retrieve_invoice(stripe_id)["customer"]
    for line in invoices.plan_of(record).lines:
        if line.line_id in on_it:
            continue
        gateway.add_invoice_item(
            record.invoice_id,
            line.line_id,
            stripe_invoice=stripe_id,
            customer=customer,
            amount=line.amount,
            currency=record.currency,
            description=line.description,
        )
    rules.check_transition(rules.InvoiceStatus(record.status), rules.InvoiceStatus.ITEMIZED)
    record.status = str(rules.InvoiceStatus.ITEMIZED)
    record.save_checked()


def _finalize(record: InvoiceRecord, *, deps: Deps) -> None:
    # Stripe may have finalized it already (a run died after the call; a retry after the key
    # window would be refused "already finalized"): read it first and adopt what it says.
    stripe_id = record.require_stripe_invoice_id()
    stripe_invoice = (
        {"status": "draft"} if _keys_fresh(record, deps.now()) else deps.stripe.retrieve_invoice(stripe_id)
    )
    if stripe_invoice.get("status") == "draft":
        stripe_invoice = deps.stripe.finalize_invoice(record.invoice_id, stripe_id)
    if int(stripe_invoice.get("total", -1)) != int(record.total):
        raise InvoiceMismatch(
            f"Stripe's invoice totals {stripe_invoice.get('total')}, deskhire's {record.total}; not collected"
        )
    now = deps.now()
    rules.check_transition(rules.InvoiceStatus(record.status), rules.InvoiceStatus.OPEN)
    record.status = str(rules.InvoiceStatus.OPEN)
    # it stays on the unbilled list until collection has been tried (a charge that never got an
    # answer is tried again by advance-invoices); mark_paid or record_failure re-index it
    record.number = stripe_invoice.get("number")
    record.hosted_url = stripe_invoice.get("hosted_invoice_url")
    record.pdf_url = stripe_invoice.get("invoice_pdf")
    record.finalized_at = now
    tenant = invoices.tenant_of(record)
    # the labour cost and the agents' earnings: the first agents' here, the others (on the
    # invoice's earnings_pending) by `finish` below, within DynamoDB's 100 actions (labour_metrics.py)
    counted_now = labour_metrics.first(record)
    with transaction(conflict_message="the invoice changed meanwhile") as tx:
        tx.save(record)
        ledger_store.add(
            tx,
            tenant,
            record.invoice_id,
            ledger.move(
                "invoice.finalized",
                record.currency,
                int(record.total),
                debit=f"receivable:{tenant.value}",
                credit=f"held:{record.invoice_id}",
            ),
            at=now,
        )
        platform_metrics.invoice_finalised(
            tx, tenant, record.invoice_id, at=now, currency=record.currency, total=int(record.total)
        )
        labour_metrics.count(tx, record, counted_now)
    record = labour_metrics.finish(record.reloaded())
    if stripe_invoice.get("status") == "paid":  # nothing to collect
        collection.mark_paid(record, stripe_invoice, deps=deps)
