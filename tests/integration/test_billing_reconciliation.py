"""PROMISES M8: reconciliation finds every difference between the ledger and Stripe (a missing
ledger entry, a wrong amount, a transfer outside the invoice's group), and none when they agree."""

import pytest

from chalicelib.domain import ledger
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.jobs import runner
from chalicelib.services import reconciliation
from chalicelib.store import ledger as ledger_store
from chalicelib.store.billing import InvoiceRecord, LedgerEntry, invoice_key, ledger_partition
from chalicelib.store.transactions import transaction
from tests.integration.billing_helpers import payout_day, worked_week
from tests.stripe_support import FUNDS_DELAY

pytestmark = pytest.mark.integration


@pytest.fixture
def settled(client, paying):
    hired = worked_week(client, paying)
    paying.add_card(hired["owner"])
    paying.enable_payouts(hired["agent"], country="US")
    runner.run("bill-week", deps=paying.deps)
    payout_day(paying)
    runner.run("settle-payouts", deps=paying.deps)
    tenant = TenantId(hired["owner"]["tenant_id"])
    record = InvoiceRecord.find(*invoice_key(tenant, BillingWeek(2026, 48)), consistent=True)
    return tenant, record


def whats(differences):
    return sorted(d.what for d in differences)


def test_a_settled_invoice_reconciles(paying, settled):
    _, record = settled
    assert reconciliation.reconcile_invoice(record, deps=paying.deps) == []
    report = runner.run("reconcile", deps=paying.deps)
    assert (report.planned, report.changed) == (1, 0)
    day, items = reconciliation.latest_report()
    assert day == "2026-12-09" and [i.differences for i in items] == [[]]


def test_a_missing_ledger_entry_is_found(paying, settled):
    tenant, record = settled
    sent = [
        e
        for e in LedgerEntry.query(ledger_partition(tenant, record.invoice_id))
        if isinstance(e, LedgerEntry) and e.journal == "transfer.sent" and e.account == "stripe"
    ]
    sent[0].delete()
    found = reconciliation.reconcile_invoice(record, deps=paying.deps)
    assert "transfers" in whats(found)
    assert any(d.what.startswith("journal ") for d in found)


def test_a_wrong_amount_and_a_stray_transfer_are_found(paying, settled):
    tenant, record = settled
    # a transfer in the invoice's group that deskhire never booked (made outside deskhire, from
    # the platform's available balance, days later)
    paying.emulator.advance_time(FUNDS_DELAY)
    account = paying.gateway.find_account(next(iter(record.transferred)))
    paying.stripe.v1.transfers.create(
        params={
            "amount": 100,
            "currency": "usd",
            "destination": account["id"],
            "transfer_group": record.invoice_id,
        }
    )
    # and a ledger journal for money that never left Stripe
    with transaction() as tx:
        ledger_store.add(
            tx,
            tenant,
            record.invoice_id,
            ledger.move("refund.sent", "usd", 50, debit=f"held:{record.invoice_id}", credit="stripe"),
            at=paying.deps.now(),
        )
    found = reconciliation.reconcile_invoice(record, deps=paying.deps)
    by_what = {d.what: (d.ledger, d.stripe) for d in found}
    assert by_what["transfers"] == (6900, 7000)
    assert by_what["refunds"] == (50, 0)
    assert "transfer " in " ".join(by_what)  # the stray transfer names no source_transaction
    report = runner.run("reconcile", deps=paying.deps)
    assert report.changed == 1


def test_the_operator_reads_the_report(client, paying, settled):
    from tests.integration.helpers import STRONG
    from tests.integration.portal_helpers import PortalSession

    tenant, record = settled
    runner.run("reconcile", deps=paying.deps)
    from chalicelib.services.accounts import create_operator

    create_operator(name="Rita Recon", email="rita@ops.example", password=STRONG, deps=paying.deps)
    browser = PortalSession(client)
    browser.get("/login")
    browser.follow(browser.post("/login", {"email": "rita@ops.example", "password": STRONG}))
    page = browser.get("/admin/payouts")
    assert page.status_code == 200 and "Run of 2026-12-09" in page.text
    assert "The ledger agrees with Stripe on every invoice checked." in page.text
