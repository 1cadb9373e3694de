"""What a second read of billing found, each kept as a test: a refund's answer lost past the key
window, a dispute upheld after the first payout run, a block ending with a dispute open, a block's
failed charge, a charge that never got an answer, net terms kept out of card dunning, a voided
invoice ending the past-due state, finalizing after the key window, and contracts paused for an
unpaid invoice resuming only when it is paid."""

from datetime import timedelta

import pytest
import stripe

from chalicelib.domain.ledger import balance
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.jobs import runner
from chalicelib.payments.gateway import PaymentsUnavailable
from chalicelib.services import dunning, reconciliation
from chalicelib.services.contracts import records
from chalicelib.services.invoicing import planning
from chalicelib.store import ledger as ledger_store
from chalicelib.store.billing import InvoiceRecord, block_invoice_key, invoice_key
from tests.integration.billing_helpers import block_hire, payout_day, worked_week
from tests.integration.contract_helpers import MONDAY, at, log, sign_in
from tests.integration.helpers import call

pytestmark = pytest.mark.integration
W48 = BillingWeek(2026, 48)


def weekly(hired):
    return InvoiceRecord.find(*invoice_key(TenantId(hired["owner"]["tenant_id"]), W48), consistent=True)


def dispute_first_entry(client, hired):
    owner, cid = hired["owner"], hired["contract"]["id"]
    sheet = call(client, "GET", f"/api/v1/contracts/{cid}/timesheets/2026-W48", token=owner["token"]).json
    entry = sheet["entries"][0]["id"]
    return call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/entries/{entry}/dispute",
        {"reason": "not us"},
        token=owner["token"],
    ).json


def test_a_refund_whose_answer_was_lost_past_the_key_window_is_not_made_twice(client, paying):
    hired = worked_week(client, paying)
    paying.add_card(hired["owner"])
    paying.enable_payouts(hired["agent"], country="US")
    runner.run("bill-week", deps=paying.deps)
    dispute = dispute_first_entry(client, hired)
    call(
        client,
        "POST",
        f"/api/v1/admin/disputes/{dispute['id']}/resolve",
        {"outcome": "upheld", "upheld_minutes": 60, "note": "No work that hour"},
        token=hired["ops"]["token"],
    )
    payout_day(paying)
    paying.emulator.drop_next_response("POST", "/v1/refunds")
    runner.run("settle-payouts", deps=paying.deps)
    paying.emulator.expire_idempotency_keys()
    second = runner.run("settle-payouts", deps=paying.deps)
    assert second.failures == []
    assert [r.amount for r in paying.stripe.v1.refunds.list(params={"limit": 10}).data] == [2625]
    assert len(paying.stripe.v1.transfers.list(params={"limit": 10}).data) == 1


def test_a_dispute_upheld_after_the_first_payout_run_takes_no_revenue_back(client, paying):
    hired = worked_week(client, paying)
    paying.add_card(hired["owner"])
    paying.enable_payouts(hired["agent"], country="US")
    runner.run("bill-week", deps=paying.deps)
    dispute = dispute_first_entry(client, hired)
    payout_day(paying)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    sign_in(client, hired["ops"])
    call(
        client,
        "POST",
        f"/api/v1/admin/disputes/{dispute['id']}/resolve",
        {"outcome": "upheld", "upheld_minutes": 60, "note": "No work that hour"},
        token=hired["ops"]["token"],
    )
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    record = weekly(hired)
    postings = ledger_store.postings(TenantId(hired["owner"]["tenant_id"]), record.invoice_id)
    assert -balance(postings, "revenue", "usd") == int(record.fee_kept) + int(record.agent_fees)
    assert balance(postings, f"held:{record.invoice_id}", "usd") == 0 and record.settled_at
    assert reconciliation.reconcile_invoice(record, deps=paying.deps) == []


def test_a_block_ending_with_a_dispute_open_holds_it_until_the_dispute_ends(client, paying):
    hired = block_hire(client, paying)
    owner, someone, cid, ops = hired["owner"], hired["agent"], hired["contract"]["id"], hired["ops"]
    paying.enable_payouts(someone, country="US")
    paying.deps.clock.now = at(27, 20)
    sign_in(client, someone)
    log(client, someone, cid, at(24, 9), at(24, 12))
    sign_in(client, owner)
    call(client, "POST", f"/api/v1/contracts/{cid}/end", {"reason": "done"}, token=owner["token"])
    paying.deps.clock.now = at(30, 12, 30)
    sign_in(client, owner)
    dispute = dispute_first_entry(client, {"owner": owner, "contract": {"id": cid}})
    paying.deps.clock.now = at(9, 14, month=12)
    runner.run("settle-payouts", deps=paying.deps)
    assert paying.stripe.v1.refunds.list(params={"limit": 10}).data == []  # held, not refunded
    sign_in(client, ops)
    call(
        client,
        "POST",
        f"/api/v1/admin/disputes/{dispute['id']}/resolve",
        {"outcome": "rejected", "note": "The hours are backed"},
        token=ops["token"],
    )
    paying.deps.clock.now = at(10, 14, month=12)
    runner.run("settle-payouts", deps=paying.deps)
    assert [t.amount for t in paying.stripe.v1.transfers.list(params={"limit": 10}).data] == [6000 - 480]
    assert [r.amount for r in paying.stripe.v1.refunds.list(params={"limit": 10}).data] == [
        21000 - 6000 - 300
    ]


def test_a_blocks_failed_charge_is_retried_by_dunning(client, paying):
    hired = block_hire(client, paying, card="pm_card_chargeCustomerFail")
    owner = hired["owner"]
    tenant, cid = TenantId(owner["tenant_id"]), hired["contract"]["id"]
    assert InvoiceRecord.find(*block_invoice_key(tenant, cid), consistent=True).last_failure
    paying.deps.clock.now = MONDAY + timedelta(days=1, hours=2)
    sign_in(client, owner)
    paying.add_card(owner)  # a new card is charged at once for the block it failed on
    assert InvoiceRecord.find(*block_invoice_key(tenant, cid), consistent=True).status == "paid"
    assert runner.run("dunning", deps=paying.deps).changed == 0  # nothing left to retry


def test_a_charge_that_never_got_an_answer_is_tried_again(client, paying, monkeypatch):
    hired = worked_week(client, paying)
    paying.add_card(hired["owner"])

    def down(*args, **kwargs):
        raise PaymentsUnavailable("503")

    monkeypatch.setattr(paying.gateway, "pay_invoice", down)
    assert runner.run("bill-week", deps=paying.deps).failures
    monkeypatch.undo()
    paying.deps.clock.now += timedelta(hours=1)
    runner.run("advance-invoices", deps=paying.deps)
    assert weekly(hired).status == "paid"


def test_net_terms_are_not_card_dunning(client, paying):
    hired = worked_week(client, paying)
    owner, ops, cid = hired["owner"], hired["ops"], hired["contract"]["id"]
    call(
        client,
        "POST",
        f"/api/v1/admin/businesses/{owner['tenant_id']}/collection",
        {"days_until_due": 30},
        token=ops["token"],
    )
    runner.run("bill-week", deps=paying.deps)
    record = weekly(hired)
    with pytest.raises(stripe.CardError):  # a declined try on the hosted page
        paying.stripe.v1.invoices.pay(
            record.stripe_invoice_id, params={"payment_method": "pm_card_chargeCustomerFail"}
        )
    paying.forward()
    for day in range(1, 7):
        paying.deps.clock.now = at(day, 13, month=12)
        runner.run("dunning", deps=paying.deps)
    sign_in(client, owner)
    assert call(client, "GET", f"/api/v1/contracts/{cid}", token=owner["token"]).json["status"] == "active"
    assert not dunning.is_past_due(TenantId(owner["tenant_id"]))


def test_voiding_the_unpaid_invoice_ends_the_past_due_state(client, paying):
    hired = worked_week(client, paying)
    owner = hired["owner"]
    tenant = TenantId(owner["tenant_id"])
    paying.add_card(owner, card="pm_card_chargeCustomerFail")
    runner.run("bill-week", deps=paying.deps)
    paying.deps.clock.now = at(6, 10, month=12)
    runner.run("dunning", deps=paying.deps)
    assert records.find_for_system(tenant, hired["contract"]["id"]).pause_reason == "payment overdue"
    sign_in(client, owner)
    refused = call(
        client, "POST", f"/api/v1/contracts/{hired['contract']['id']}/resume", token=owner["token"]
    )
    assert refused.status_code == 409 and refused.json["error"]["code"] == "payment_overdue"
    paying.stripe.v1.invoices.void_invoice(weekly(hired).stripe_invoice_id)
    paying.forward()
    assert weekly(hired).status == "void" and not dunning.is_past_due(tenant)
    assert records.find_for_system(tenant, hired["contract"]["id"]).status == "active"


def test_an_invoice_finalized_at_stripe_before_a_crash_is_adopted_after_the_key_window(
    client, paying, monkeypatch
):
    hired = worked_week(client, paying)
    paying.add_card(hired["owner"])
    real = paying.gateway.finalize_invoice

    def finalize_then_die(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("crash after finalize")

    monkeypatch.setattr(paying.gateway, "finalize_invoice", finalize_then_die)
    with pytest.raises(RuntimeError):
        planning.bill_week(TenantId(hired["owner"]["tenant_id"]), W48, deps=paying.deps)
    monkeypatch.undo()
    paying.emulator.expire_idempotency_keys()
    paying.deps.clock.now += timedelta(days=1, hours=1)
    assert runner.run("advance-invoices", deps=paying.deps).failures == []
    assert weekly(hired).status == "paid"


def _drafted_with_lost_answer(client, paying):
    hired = worked_week(client, paying)
    paying.add_card(hired["owner"])
    paying.emulator.drop_next_response("POST", "/v1/invoices")
    assert runner.run("bill-week", deps=paying.deps).failures  # Stripe made it; the answer was lost
    paying.emulator.clear_requests()
    return hired


def test_within_the_key_window_a_lost_draft_is_found_by_its_key_not_by_search(client, paying):
    hired = _drafted_with_lost_answer(client, paying)
    paying.deps.clock.now += timedelta(hours=1)
    runner.run("advance-invoices", deps=paying.deps)
    calls = [(r["method"], r["path"]) for r in paying.emulator.requests()]
    assert ("GET", "/v1/invoices/search") not in calls  # search is rate-limited and lags writes
    assert len(paying.stripe.v1.invoices.list(params={"limit": 10}).data) == 1
    assert weekly(hired).status == "paid"


def test_after_the_key_window_a_lost_draft_is_searched_for_before_creating(client, paying):
    hired = _drafted_with_lost_answer(client, paying)
    paying.emulator.expire_idempotency_keys()
    paying.deps.clock.now += timedelta(days=1, hours=1)
    runner.run("advance-invoices", deps=paying.deps)
    calls = [(r["method"], r["path"]) for r in paying.emulator.requests()]
    assert ("GET", "/v1/invoices/search") in calls
    assert len(paying.stripe.v1.invoices.list(params={"limit": 10}).data) == 1
    assert weekly(hired).status == "paid"
