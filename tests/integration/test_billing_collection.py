"""How invoices are collected and agents paid in practice: net terms by a sent invoice, dunning
(retries, then the contracts pause until the business pays, then they resume), an agent abroad
paid in the invoice's currency and shown what arrived in theirs, and Stripe faults (5xx, 429)
that change nothing once the run is repeated (PROMISES O3)."""

import pytest

from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.jobs import runner
from chalicelib.services import reconciliation
from chalicelib.services.invoicing import invoices
from chalicelib.store.billing import InvoiceRecord, invoice_key
from tests.integration.billing_helpers import payout_day, worked_week
from tests.integration.contract_helpers import at, sign_in
from tests.integration.helpers import call

pytestmark = pytest.mark.integration
W48 = BillingWeek(2026, 48)


def invoice_of(hired):
    return InvoiceRecord.find(*invoice_key(TenantId(hired["owner"]["tenant_id"]), W48), consistent=True)


def test_net_terms_send_the_invoice_and_the_business_pays_it_on_the_hosted_page(client, paying):
    hired = worked_week(client, paying)
    owner, ops = hired["owner"], hired["ops"]
    terms = call(
        client,
        "POST",
        f"/api/v1/admin/businesses/{owner['tenant_id']}/collection",
        {"days_until_due": 14},
        token=ops["token"],
    )
    assert terms.status_code == 200 and terms.json["collection"] == "send_invoice"
    runner.run("bill-week", deps=paying.deps)
    record = invoice_of(hired)
    assert (record.status, record.collection) == ("open", "send_invoice") and record.hosted_url
    ready = paying.deps.mailer.last_to(owner["email"])
    assert "invoice" in ready.subject.lower()
    # when it is due on the business's clock (Mon 14 Dec 12:30 UTC), its billing week on UTC, said so
    assert (
        "for week 2026-W48 (a billing week, on UTC: Mon 23 Nov 00:00 to Mon 30 Nov 00:00 UTC)" in ready.text
    )
    assert "is ready, due Mon 14 Dec 07:30 EST:" in ready.text
    # the business pays on Stripe's hosted page; the webhook says so
    paying.stripe.v1.invoices.pay(record.stripe_invoice_id, params={"payment_method": "pm_card_visa"})
    outcomes = paying.forward()
    assert ("invoice.paid", 200) in [(kind, status) for kind, status, _ in outcomes]
    assert invoice_of(hired).status == "paid"


def test_net_terms_overdue_make_the_business_past_due_then_pause_its_contracts_until_it_pays(client, paying):
    """Nothing is charged on net terms; an invoice unpaid at its due date is overdue (mailed
    once), and 5 days later the contracts pause as for a failed card; paying resumes them."""
    hired = worked_week(client, paying)
    owner, ops, cid = hired["owner"], hired["ops"], hired["contract"]["id"]
    call(
        client,
        "POST",
        f"/api/v1/admin/businesses/{owner['tenant_id']}/collection",
        {"days_until_due": 14},
        token=ops["token"],
    )
    runner.run("bill-week", deps=paying.deps)  # Monday 30 Nov 12:30: due Monday 14 Dec 12:30
    record = invoice_of(hired)
    assert record.days_until_due == 14 and f"{record.due_at:%d %b %H:%M}" == "14 Dec 12:30"

    paying.deps.clock.now = at(14, 10, month=12)  # not due yet
    assert runner.run("dunning", deps=paying.deps).changed == 0
    paying.deps.clock.now = at(14, 13, month=12)
    assert runner.run("dunning", deps=paying.deps).changed == 1
    overdue = paying.deps.mailer.last_to(owner["email"])
    assert "is overdue" in overdue.subject and "was due Mon 14 Dec 07:30 EST." in overdue.text
    sign_in(client, owner)
    assert call(client, "GET", "/api/v1/billing/account", token=owner["token"]).json["status"] == "past_due"
    paying.deps.clock.now = at(15, 13, month=12)
    assert runner.run("dunning", deps=paying.deps).changed == 0  # mailed once, not daily
    assert invoice_of(hired).attempts == 0  # nothing was charged
    sign_in(client, owner)
    assert call(client, "GET", f"/api/v1/contracts/{cid}", token=owner["token"]).json["status"] == "active"

    paying.deps.clock.now = at(19, 13, month=12)  # five days after it was found overdue
    assert runner.run("dunning", deps=paying.deps).changed == 1
    sign_in(client, owner)
    contract = call(client, "GET", f"/api/v1/contracts/{cid}", token=owner["token"]).json
    assert (contract["status"], contract["pause_reason"]) == ("paused", "payment overdue"), contract

    paying.stripe.v1.invoices.pay(
        invoice_of(hired).stripe_invoice_id, params={"payment_method": "pm_card_visa"}
    )
    paying.forward()
    assert call(client, "GET", f"/api/v1/contracts/{cid}", token=owner["token"]).json["status"] == "active"
    assert call(client, "GET", "/api/v1/billing/account", token=owner["token"]).json["status"] == "ok"


def test_dunning_retries_then_pauses_the_contracts_and_payment_resumes_them(client, paying):
    hired = worked_week(client, paying)
    owner, someone, cid = hired["owner"], hired["agent"], hired["contract"]["id"]
    paying.add_card(owner, card="pm_card_chargeCustomerFail")
    runner.run("bill-week", deps=paying.deps)
    assert "Payment failed" in paying.deps.mailer.last_to(owner["email"]).subject
    for day in range(1, 5):  # a retry a day, each failing
        paying.deps.clock.now = at(day, 13, month=12)
        assert runner.run("dunning", deps=paying.deps).changed == 1
    assert int(invoice_of(hired).attempts) == 5
    sign_in(client, owner)
    account = call(client, "GET", "/api/v1/billing/account", token=owner["token"]).json
    assert account["status"] == "past_due", account
    contract = call(client, "GET", f"/api/v1/contracts/{cid}", token=owner["token"]).json
    assert contract["status"] == "active", contract
    paying.deps.clock.now = at(5, 13, month=12)  # five days after the first failure
    assert runner.run("dunning", deps=paying.deps).changed == 1
    sign_in(client, owner)
    contract = call(client, "GET", f"/api/v1/contracts/{cid}", token=owner["token"]).json
    assert (contract["status"], contract["pause_reason"]) == ("paused", "payment overdue"), contract
    assert "paused" in paying.deps.mailer.last_to(someone["email"]).subject
    # the business pays on the hosted page: the contracts resume and the account is in good standing
    paying.stripe.v1.invoices.pay(
        invoice_of(hired).stripe_invoice_id, params={"payment_method": "pm_card_visa"}
    )
    paying.forward()
    assert call(client, "GET", f"/api/v1/contracts/{cid}", token=owner["token"]).json["status"] == "active"
    assert call(client, "GET", "/api/v1/billing/account", token=owner["token"]).json["status"] == "ok"


def test_an_agent_abroad_is_paid_in_the_invoice_currency_and_sees_what_arrived(client, paying):
    hired = worked_week(client, paying)
    owner, someone = hired["owner"], hired["agent"]
    paying.add_card(owner)
    paying.enable_payouts(someone, country="GB")
    runner.run("bill-week", deps=paying.deps)
    payout_day(paying)
    runner.run("settle-payouts", deps=paying.deps)
    sign_in(client, someone)
    (transfer,) = call(client, "GET", "/api/v1/agent/earnings", token=someone["token"]).json["transfers"]
    assert transfer["net"] == {"amount": 6900, "currency": "usd"}
    assert transfer["received"]["currency"] == "gbp" and 0 < transfer["received"]["amount"] < 6900


@pytest.mark.parametrize("status", [500, 429])
def test_stripe_faults_change_nothing_once_the_run_is_repeated(client, paying, status):
    hired = worked_week(client, paying)
    paying.add_card(hired["owner"])
    paying.enable_payouts(hired["agent"], country="US")
    paying.emulator.fail_next("POST", "/v1/invoices", status=status, count=2)
    first = runner.run("bill-week", deps=paying.deps)
    assert first.failures
    runner.run("bill-week", deps=paying.deps)
    runner.run("bill-week", deps=paying.deps)
    assert invoice_of(hired).status == "paid"
    payout_day(paying)
    paying.emulator.fail_next("POST", "/v1/transfers", status=status)
    assert runner.run("settle-payouts", deps=paying.deps).failures
    runner.run("settle-payouts", deps=paying.deps)
    assert len(paying.stripe.v1.invoices.list(params={"limit": 10}).data) == 1
    assert len(paying.stripe.v1.charges.list(params={"limit": 10}).data) == 1
    assert len(paying.stripe.v1.transfers.list(params={"limit": 10}).data) == 1
    assert reconciliation.reconcile_invoice(invoice_of(hired), deps=paying.deps) == []
    assert invoices.payout_due(W48) <= paying.deps.now()
