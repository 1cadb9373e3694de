"""Reconciliation: the ledger against the Stripe objects it records, invoice by invoice.

For each invoice it checks that the ledger balances (every journal sums to zero), that the cash it
booked matches Stripe's invoice (amount paid) and the transfers and refunds Stripe holds (the
transfers in the charge's transfer group, as Stripe reports it, each naming the invoice's charge
as its source, and net of reversals; the refunds on the charge), and that the invoice's money is all accounted for: paid = transfers + refunds +
revenue + held + payable - what agents owe back. Every difference is reported with both sides' figures; nothing is corrected silently."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.composition import Deps
from chalicelib.domain.ledger import Posting, balance
from chalicelib.domain.tenancy import TenantId
from chalicelib.store import keys
from chalicelib.store.billing import (
    RECONCILIATION_PK,
    InvoiceRecord,
    LedgerEntry,
    ReconciliationItem,
    ledger_partition,
)


@dataclass(frozen=True)
class Difference:
    invoice_id: str
    week: str
    what: str
    ledger: int | str | None
    stripe: int | str | None

    def to_json(self) -> dict:
        return {
            "invoice_id": self.invoice_id,
            "week": self.week,
            "what": self.what,
            "ledger": self.ledger,
            "stripe": self.stripe,
        }


def _credited(postings: list[LedgerEntry], journal: str, account: str) -> int:
    return -sum(int(p.amount) for p in postings if p.journal == journal and p.account == account)


def _transferred(entries: list[LedgerEntry]) -> int:
    """Transfers out, less what came back from them (reversals after a refund after payout)."""
    back = sum(int(p.amount) for p in entries if p.journal == "reversal.received" and p.account == "stripe")
    return _credited(entries, "transfer.sent", "stripe") - back


def stripe_transfers(record: InvoiceRecord, *, deps: Deps) -> list[dict]:
    """Every transfer Stripe holds for an invoice's charge. Stripe files a transfer made with
    `source_transaction` under the charge's transfer group (`group_<PaymentIntent>` when the charge
    had none), whatever group was asked for: the groups read are the charge's, those Stripe
    reported on deskhire's own transfers, and the invoice's id (the group deskhire asks for, in
    case Stripe kept it). A transfer in any of them that names another charge is a difference."""
    from chalicelib.services.settlement import transfers_of

    gateway = deps.stripe
    charge = gateway.retrieve_charge(record.require_stripe_charge_id())
    groups = {record.invoice_id, charge.get("transfer_group") or record.invoice_id}
    groups |= {t.transfer_group for t in transfers_of(record) if t.transfer_group}
    found: dict[str, dict] = {}
    for group in sorted(groups):
        for transfer in gateway.transfers_in_group(group):
            found[transfer["id"]] = transfer
    return list(found.values())


def reconcile_invoice(record: InvoiceRecord, *, deps: Deps) -> list[Difference]:
    tenant = TenantId(record.pk.removeprefix(keys.TENANT_PREFIX))
    entries = [
        e
        for e in LedgerEntry.query(ledger_partition(tenant, record.invoice_id), consistent_read=True)
        if isinstance(e, LedgerEntry)
    ]
    found: list[Difference] = []

    def differ(what, ours, theirs):
        if ours != theirs:
            found.append(Difference(record.invoice_id, record.week, what, ours, theirs))

    journals: dict[str, int] = {}
    for entry in entries:
        journal_id = entry.sk.split("#")[1]
        journals[journal_id] = journals.get(journal_id, 0) + int(entry.amount)
    for journal_id, net in journals.items():
        differ(f"journal {journal_id} balances", net, 0)
    if record.status in ("planned", "drafted", "itemized") or not record.stripe_invoice_id:
        return found
    gateway = deps.stripe
    stripe_invoice = gateway.retrieve_invoice(record.stripe_invoice_id)
    differ("invoice total", int(record.total), int(stripe_invoice.get("total") or 0))
    differ("invoice status", record.status, stripe_invoice.get("status"))
    booked_paid = -sum(
        int(e.amount) for e in entries if e.journal == "invoice.paid" and e.account.startswith("receivable:")
    )
    differ("amount paid", booked_paid, int(stripe_invoice.get("amount_paid") or 0))
    if record.stripe_charge_id:
        transfers = stripe_transfers(record, deps=deps)
        stripe_sent = sum(int(t["amount"]) - int(t.get("amount_reversed") or 0) for t in transfers)
        differ("transfers", _transferred(entries), stripe_sent)
        for transfer in transfers:
            differ(
                f"transfer {transfer['id']} source",
                record.stripe_charge_id,
                transfer.get("source_transaction"),
            )
        refunds = gateway.refunds_of(record.stripe_charge_id)
        stripe_refunded = sum(
            int(r["amount"]) for r in refunds if r.get("status") in ("succeeded", "pending")
        )
        differ("refunds", _credited(entries, "refund.sent", "stripe"), stripe_refunded)
    postings = [Posting(e.account, int(e.amount), e.currency) for e in entries]
    currency = record.currency
    if record.status == "paid":
        # what deskhire holds is a liability (a credit balance); so is what it owes agents
        held = -balance(postings, f"held:{record.invoice_id}", currency)

        def total(prefix: str) -> int:
            return sum(
                balance(postings, a, currency)
                for a in {p.account for p in postings if p.account.startswith(prefix)}
            )

        # what agents are still owed is a liability (credit); what they owe back after a refund
        # after payout (a reversal on its way, or one their balance could not cover) is an asset
        accounted = (
            _transferred(entries)
            + _credited(entries, "refund.sent", "stripe")
            - balance(postings, "revenue", currency)
            + held
            - total("payable:")
            - total("reversal:")
            - total("agent_receivable:")
        )
        differ("paid = transfers + refunds + revenue + held + payable - owed back", booked_paid, accounted)
        if record.settled_at:
            differ("nothing held once settled", held, 0)
    return found


def reconcile_tenant(
    tenant: TenantId, *, deps: Deps, weeks: int = 6, blocks_checked: int = 20
) -> ReconciliationItem:
    """Check a business's recent invoices and keep what was found under today's run."""
    # weekly invoices (INVOICE#<year>-W<nn>) and block invoices (INVOICE#BLOCK#...) are read
    # apart: sorted together, a business's blocks would crowd its recent weeks out of the limit
    weekly = InvoiceRecord.query(
        keys.tenant_pk(tenant),
        InvoiceRecord.sk.between("INVOICE#0", "INVOICE#9~"),
        scan_index_forward=False,
        limit=weeks,
    )
    blocks = InvoiceRecord.query(
        keys.tenant_pk(tenant),
        InvoiceRecord.sk.startswith("INVOICE#BLOCK#"),
        scan_index_forward=False,
        limit=blocks_checked,
    )
    records = [r for r in [*weekly, *blocks] if isinstance(r, InvoiceRecord)]
    differences = [d for record in records for d in reconcile_invoice(record, deps=deps)]
    now = deps.now()
    item = ReconciliationItem(
        RECONCILIATION_PK,
        f"{now:%Y-%m-%d}#{tenant.value}",
        tenant_id=tenant.value,
        business_name=records[0].business_name if records else "",
        invoices=len(records),
        differences=[d.to_json() for d in differences],
        checked_at=now,
        expires_at=int(now.timestamp()) + 90 * 24 * 3600,
    )
    item.save()  # the same run twice rewrites the same day's line: idempotent
    return item


def latest_report(*, limit: int = 500) -> tuple[str | None, list[ReconciliationItem]]:
    """The most recent run's lines (the businesses it checked), the ones with differences first."""
    items = [
        i
        for i in ReconciliationItem.query(RECONCILIATION_PK, scan_index_forward=False, limit=limit)
        if isinstance(i, ReconciliationItem)
    ]
    if not items:
        return None, []
    day = items[0].sk.split("#")[0]
    latest = [i for i in items if i.sk.startswith(day + "#")]
    return day, sorted(latest, key=lambda i: (not i.differences, i.business_name))
