"""The ledger's items: a journal's postings as append-only items in the invoice's ledger partition,
written in the same transaction as the state change they record (store/billing.py lists the keys)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.ledger import Journal, Posting
from chalicelib.domain.tenancy import TenantId
from chalicelib.ids import new_id
from chalicelib.store.billing import LedgerEntry, ledger_partition


def entries(
    tenant: TenantId, invoice_id: str, journal: Journal, *, at: datetime, memo: str = ""
) -> list[LedgerEntry]:
    journal_id = new_id()
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return [
        LedgerEntry(
            ledger_partition(tenant, invoice_id),
            f"{stamp}#{journal_id}#{index:02d}",
            journal=journal.name,
            account=posting.account,
            amount=posting.amount,
            currency=posting.currency,
            memo=memo,
            at=at,
        )
        for index, posting in enumerate(journal.nonzero)
    ]


def add(tx, tenant: TenantId, invoice_id: str, journal: Journal, *, at: datetime, memo: str = "") -> None:
    """Put a journal's postings in transaction `tx`, each only if it does not exist (append-only)."""
    for entry in entries(tenant, invoice_id, journal, at=at, memo=memo):
        tx.save(entry, condition=LedgerEntry.pk.does_not_exist())


def postings(tenant: TenantId, invoice_id: str) -> list[Posting]:
    return [
        Posting(item.account, int(item.amount), item.currency)
        for item in LedgerEntry.query(ledger_partition(tenant, invoice_id), consistent_read=True)
        if isinstance(item, LedgerEntry)
    ]


def journals(tenant: TenantId, invoice_id: str) -> list[tuple[str, str]]:
    """(journal id, what happened) for each journal of an invoice, in the order written."""
    seen: dict[str, str] = {}
    for item in LedgerEntry.query(ledger_partition(tenant, invoice_id), consistent_read=True):
        if isinstance(item, LedgerEntry):
            seen.setdefault(item.sk.split("#")[1], item.journal)
    return list(seen.items())
