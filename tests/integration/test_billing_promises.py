"""PROMISES P1-P13 against the Stripe emulator: one invoice per business and week whatever the
scheduler does, deterministic idempotency keys, no second transfer after a lost response, a lookup
before any create after the key window, transfers only after payment and only to agents who can
receive them, onboarding read from Stripe, webhooks verified and handled once in any order,
refunds for upheld disputes, and Stripe's invoice lifecycle."""

import threading

import pytest

from chalicelib.domain.ledger import balance
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.jobs import runner
from chalicelib.services.invoicing import invoices, planning
from chalicelib.store import ledger as ledger_store
from tests.integration.billing_helpers import payout_day, worked_week
from tests.integration.contract_helpers import at, sign_in
from tests.integration.helpers import call

pytestmark = pytest.mark.integration
W48 = BillingWeek(2026, 48)


def stripe_invoices(paying):
    return paying.stripe.v1.invoices.list(params={"limit": 100}).data


def test_p1_three_concurrent_runs_and_a_crashed_one_make_one_invoice(client, paying, monkeypatch):
    hired = worked_week(client, paying)
    paying.add_card(hired["owner"])
    tenant = TenantId(hired["owner"]["tenant_id"])
    # a run that dies after the draft exists at Stripe, before deskhire wrote it down
    real_create = paying.gateway.create_invoice

    def create_then_die(*args, **kwargs):
        real_create(*args, **kwargs)
        raise RuntimeError("killed between the Stripe call and the write")

    monkeypatch.setattr(paying.gateway, "create_invoice", create_then_die)
    with pytest.raises(RuntimeError):
        planning.bill_week(tenant, W48, deps=paying.deps)
    monkeypatch.setattr(paying.gateway, "create_invoice", real_create)
    errors = []

    def run():
        try:
            planning.bill_week(tenant, W48, deps=paying.deps)
        except Exception as error:  # a racing run may lose a version check; a re-run finishes
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    planning.bill_week(tenant, W48, deps=paying.deps)
    assert len(stripe_invoices(paying)) == 1
    (record,) = invoices.listed(_owner_principal(hired, paying))
    assert record.status == "paid" and record.stripe_invoice_id == stripe_invoices(paying)[0].id
    charges = paying.stripe.v1.charges.list(params={"limit": 10}).data
    assert len(charges) == 1


def _owner_principal(hired, paying):
    from chalicelib.services.sessions import authenticate

    sign_in(paying.client, hired["owner"])  # the clock may have moved past the token's day
    return authenticate(hired["owner"]["token"], deps=paying.deps).principal


def test_p2_every_mutating_call_carries_a_key_made_from_deskhires_ids(client, paying):
    hired = worked_week(client, paying)
    paying.add_card(hired["owner"])
    paying.enable_payouts(hired["agent"], country="US")
    paying.emulator.clear_requests()
    runner.run("bill-week", deps=paying.deps)
    payout_day(paying)
    runner.run("settle-payouts", deps=paying.deps)
    posts = [r for r in paying.emulator.requests(method="POST")]
    assert posts, "nothing was sent"
    keys = [r["idempotency_key"] for r in posts]
    assert all(k and k.startswith("deskhire:") for k in keys), keys
    first = list(paying.gateway.sent_keys)
    # the same inputs give the same keys: a second gateway over the same records sends the same
    (record,) = invoices.listed(_owner_principal(hired, paying))
    from chalicelib.payments.gateway import key

    assert ("finalize_invoice", key("finalize", record.invoice_id)) in first
    assert ("pay_invoice", key("pay", record.invoice_id, "1")) in first


def test_p3_a_lost_response_never_yields_a_second_transfer(client, paying):
    hired = worked_week(client, paying)
    paying.add_card(hired["owner"])
    paying.enable_payouts(hired["agent"], country="US")
    runner.run("bill-week", deps=paying.deps)
    payout_day(paying)
    paying.emulator.drop_next_response("POST", "/v1/transfers")
    first = runner.run("settle-payouts", deps=paying.deps)
    assert first.failures  # the answer never came
    assert len(paying.stripe.v1.transfers.list(params={"limit": 10}).data) == 1  # but Stripe made it
    second = runner.run("settle-payouts", deps=paying.deps)
    assert second.failures == []
    assert len(paying.stripe.v1.transfers.list(params={"limit": 10}).data) == 1


def test_p4_after_the_key_window_deskhire_looks_before_it_creates(client, paying):
    hired = worked_week(client, paying)
    paying.add_card(hired["owner"])
    paying.enable_payouts(hired["agent"], country="US")
    runner.run("bill-week", deps=paying.deps)
    payout_day(paying)
    paying.emulator.drop_next_response("POST", "/v1/transfers")
    runner.run("settle-payouts", deps=paying.deps)
    paying.emulator.expire_idempotency_keys()
    paying.emulator.clear_requests()
    runner.run("settle-payouts", deps=paying.deps)
    calls = [(r["method"], r["path"]) for r in paying.emulator.requests()]
    assert ("GET", "/v1/transfers") in calls and ("POST", "/v1/transfers") not in calls
    assert len(paying.stripe.v1.transfers.list(params={"limit": 10}).data) == 1


def test_p6_p7_no_transfer_before_payment_nor_to_an_agent_who_cannot_receive(client, paying):
    hired = worked_week(client, paying)
    owner, someone = hired["owner"], hired["agent"]
    paying.add_card(owner, card="pm_card_chargeCustomerFail")
    runner.run("bill-week", deps=paying.deps)
    (record,) = invoices.listed(_owner_principal(hired, paying))
    assert record.status == "open" and record.attempts == 1 and "declined" in record.last_failure
    payout_day(paying)
    assert runner.run("settle-payouts", deps=paying.deps).planned == 0
    assert paying.stripe.v1.transfers.list(params={"limit": 10}).data == []
    # the business fixes its card: saving it charges the open invoice at once (the daily retry
    # then has nothing left to do)
    paying.deps.clock.now = at(1, 13, month=12)
    sign_in(client, owner)
    paying.add_card(owner)
    (record,) = invoices.listed(_owner_principal(hired, paying))
    assert record.status == "paid"
    assert runner.run("dunning", deps=paying.deps).changed == 0
    # the agent never set up payouts: the transfer waits
    payout_day(paying)
    waiting = runner.run("settle-payouts", deps=paying.deps)
    assert waiting.failures == [] and paying.stripe.v1.transfers.list(params={"limit": 10}).data == []
    sign_in(client, someone)
    earnings = call(client, "GET", "/api/v1/agent/earnings", token=someone["token"]).json
    assert [t["status"] for t in earnings["transfers"]] == ["waiting"]
    paying.enable_payouts(someone, country="US")
    later = runner.run("settle-payouts", deps=paying.deps)
    assert later.changed >= 1
    assert len(paying.stripe.v1.transfers.list(params={"limit": 10}).data) == 1


def test_p8_onboarding_counts_only_when_stripe_says_so(client, paying):
    hired = worked_week(client, paying)
    someone = hired["agent"]
    link = call(
        client, "POST", "/api/v1/agent/payouts/onboarding-link", {"country": "PT"}, token=someone["token"]
    )
    assert link.status_code == 201 and "/_pages/connect/onboarding/" in link.json["url"]
    # the agent came back by the return URL without finishing
    back = call(client, "POST", "/api/v1/agent/payouts/refresh", token=someone["token"])
    assert back.json["status"] == "pending" and back.json["requirements_due"]
    bad = call(
        client,
        "POST",
        "/api/v1/agent/payouts/onboarding-link",
        {"country": "ZZ"},
        token=hired["owner"]["token"],
    )
    assert bad.status_code == 403


def test_p9_p10_webhooks_are_verified_and_handled_once(client, paying):
    hired = worked_week(client, paying)
    paying.add_card(hired["owner"])
    runner.run("bill-week", deps=paying.deps)
    paying.emulator.flush_webhooks()
    paid = [d for d in paying.webhooks.deliveries if d.event and d.event["type"] == "invoice.paid"][0]
    missing = paying.post("/api/v1/webhooks/stripe", paid.payload, "")
    assert missing.status_code == 400 and missing.json["error"]["code"] == "invalid_signature"
    tampered = paying.post(
        "/api/v1/webhooks/stripe", paid.payload.replace("paid", "void", 1), paid.headers["Stripe-Signature"]
    )
    assert tampered.status_code == 400
    import stripe

    stale = stripe.WebhookSignature.generate_signature_header  # noqa: F841  (the SDK's own signer)
    import time as wall

    old = int(wall.time()) - 301
    from tests.stripe_support import WEBHOOK_SECRET

    signature = f"t={old},v1=" + stripe.WebhookSignature._compute_signature(
        f"{old}.{paid.payload}", WEBHOOK_SECRET
    )
    assert paying.post("/api/v1/webhooks/stripe", paid.payload, signature).status_code == 400
    other = paying.post("/api/v1/webhooks/stripe/connect", paid.payload, paid.headers["Stripe-Signature"])
    assert other.status_code == 400  # signed for the platform endpoint, not the Connect one
    first = paying.post("/api/v1/webhooks/stripe", paid.payload, paid.headers["Stripe-Signature"])
    second = paying.post("/api/v1/webhooks/stripe", paid.payload, paid.headers["Stripe-Signature"])
    assert (first.json["outcome"], second.json["outcome"]) == ("handled", "duplicate")
    tenant = TenantId(hired["owner"]["tenant_id"])
    (record,) = invoices.listed(_owner_principal(hired, paying))
    assert [name for _, name in ledger_store.journals(tenant, record.invoice_id)].count("invoice.paid") == 1


def test_p11_events_in_any_order_converge_to_what_stripe_holds(client, paying):
    hired = worked_week(client, paying)
    owner = hired["owner"]
    paying.add_card(owner, card="pm_card_chargeCustomerFail")
    runner.run("bill-week", deps=paying.deps)
    paying.deps.clock.now = at(1, 13, month=12)
    sign_in(client, owner)
    paying.add_card(owner)
    runner.run("dunning", deps=paying.deps)
    paying.emulator.flush_webhooks()
    deliveries = [d for d in paying.webhooks.deliveries if d.event and d.event["type"].startswith("invoice.")]
    kinds = [d.event["type"] for d in deliveries]
    assert "invoice.payment_failed" in kinds and "invoice.paid" in kinds
    for delivery in reversed(deliveries):  # the newest first: the failure arrives after the payment
        paying.post("/api/v1/webhooks/stripe", delivery.payload, delivery.headers["Stripe-Signature"])
    (record,) = invoices.listed(_owner_principal(hired, paying))
    assert record.status == "paid"


def test_p12_upheld_minutes_are_refunded_and_never_transferred(client, paying):
    hired = worked_week(client, paying)
    owner, someone, ops = hired["owner"], hired["agent"], hired["ops"]
    cid = hired["contract"]["id"]
    paying.add_card(owner)
    paying.enable_payouts(someone, country="US")
    runner.run("bill-week", deps=paying.deps)
    sheet = call(client, "GET", f"/api/v1/contracts/{cid}/timesheets/2026-W48", token=owner["token"]).json
    disputed = sheet["entries"][0]["id"]  # 24 Nov 09:00-10:00
    dispute = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/entries/{disputed}/dispute",
        {"reason": "not us"},
        token=owner["token"],
    ).json
    call(
        client,
        "POST",
        f"/api/v1/admin/disputes/{dispute['id']}/resolve",
        {"outcome": "upheld", "upheld_minutes": 60, "note": "No work that hour"},
        token=ops["token"],
    )
    payout_day(paying)
    runner.run("settle-payouts", deps=paying.deps)
    refunds = paying.stripe.v1.refunds.list(params={"limit": 10}).data
    assert [r.amount for r in refunds] == [2500 + 125]  # the hour and its 5% fee
    (transfer,) = paying.stripe.v1.transfers.list(params={"limit": 10}).data
    assert transfer.amount == 5000 - 400  # two hours less the tier-2 fee
    (record,) = invoices.listed(_owner_principal(hired, paying))
    postings = ledger_store.postings(TenantId(owner["tenant_id"]), record.invoice_id)
    paid = 7875
    assert paid == transfer.amount + refunds[0].amount - balance(postings, "revenue", "usd")
    assert balance(postings, f"held:{record.invoice_id}", "usd") == 0
    assert runner.run("settle-payouts", deps=paying.deps).planned == 0
    assert len(paying.stripe.v1.refunds.list(params={"limit": 10}).data) == 1
