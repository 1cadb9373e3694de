"""Billing end to end against the Stripe emulator: card on file, the agent's payouts, the weekly
invoice, its payment, the payout run, and the ledger that reconciles it all to the cent."""

import pytest

from chalicelib.domain.ledger import balance
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.jobs import runner
from chalicelib.store import ledger as ledger_store
from tests.integration.billing_helpers import payout_day, worked_week
from tests.integration.contract_helpers import sign_in
from tests.integration.helpers import call

pytestmark = pytest.mark.integration
W48 = BillingWeek(2026, 48)


def test_a_week_is_invoiced_paid_and_paid_out_to_the_cent(client, paying):
    hired = worked_week(client, paying)  # 3 hours at 25.00 USD
    owner, someone = hired["owner"], hired["agent"]
    account = paying.add_card(owner)
    assert account["card"] == "visa ending 4242"
    paying.enable_payouts(someone, country="US")
    assert [t for t, status, _ in paying.forward() if status != 200] == []
    assert call(client, "GET", "/api/v1/agent/payouts", token=someone["token"]).json["status"] == "enabled"

    report = runner.run("bill-week", deps=paying.deps)
    assert (report.week, report.planned, report.changed) == ("2026-W48", 1, 1)
    invoices = call(client, "GET", "/api/v1/billing/invoices", token=owner["token"]).json["invoices"]
    (invoice,) = invoices
    assert invoice["status"] == "paid" and invoice["total"]["amount"] == 7500 + 375
    assert [line["kind"] for line in invoice["lines"]] == ["hours", "client_fee"]
    assert invoice["hosted_url"].startswith(paying.emulator.url)
    again = runner.run("bill-week", deps=paying.deps)
    assert (again.planned, again.changed) == (1, 0)  # it found the invoice and left it as it was
    stripe_invoices = paying.stripe.v1.invoices.list(params={"limit": 10}).data
    assert len(stripe_invoices) == 1 and stripe_invoices[0].amount_paid == 7875
    assert all(status == 200 for _, status, _ in paying.forward())

    payout_day(paying)
    paid_out = runner.run("settle-payouts", deps=paying.deps)
    assert paid_out.planned == 1 and paid_out.failures == []
    transfers = paying.stripe.v1.transfers.list(params={"limit": 10}).data
    assert len(transfers) == 1
    transfer = transfers[0]
    assert transfer.amount == 7500 - 600  # tier 2 keeps 8%
    assert transfer.source_transaction.startswith("ch_")
    # Stripe files a transfer made with source_transaction under its charge's group (it made one,
    # group_<PaymentIntent>, for the invoice's charge): deskhire keeps the group Stripe reports
    charge = paying.stripe.v1.charges.retrieve(transfer.source_transaction)
    assert transfer.transfer_group == charge.transfer_group == f"group_{charge.payment_intent}"
    from chalicelib.services import reconciliation, settlement
    from chalicelib.store.billing import InvoiceRecord, invoice_key

    record = InvoiceRecord.find(*invoice_key(TenantId(owner["tenant_id"]), W48), consistent=True)
    (ours,) = settlement.transfers_of(record)
    assert ours.transfer_group == transfer.transfer_group and ours.stripe_transfer_id == transfer.id
    assert reconciliation.reconcile_invoice(record, deps=paying.deps) == []
    assert runner.run("settle-payouts", deps=paying.deps).planned == 0  # settled: off the index
    assert len(paying.stripe.v1.transfers.list(params={"limit": 10}).data) == 1

    tenant = TenantId(owner["tenant_id"])
    postings = ledger_store.postings(tenant, invoice["id"])
    assert balance(postings, "stripe", "usd") == 7875 - 6900
    assert balance(postings, f"held:{invoice['id']}", "usd") == 0
    assert balance(postings, f"receivable:{tenant.value}", "usd") == 0
    assert -balance(postings, "revenue", "usd") == 375 + 600
    sign_in(client, someone)
    earnings = call(client, "GET", "/api/v1/agent/earnings", token=someone["token"]).json
    assert earnings["paid_out"] == [{"amount": 6900, "currency": "usd"}]
    assert [t["status"] for t in earnings["transfers"]] == ["sent"]
