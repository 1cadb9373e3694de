"""Money that holds on real Stripe (issue 11): what Stripe does that an easier emulator would not.

A transfer made with `source_transaction` lands in the charge's transfer group, not the one asked
for; an agent outside the platform's region needs the recipient service agreement; businesses are
billed only in a currency the platform settles in; a declined card's real reason reaches the
business; a Connect event's object belongs to the connected account and is read with its
Stripe-Account header."""

import pytest
import stripe

from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.jobs import runner
from chalicelib.services import payouts, reconciliation, settlement
from chalicelib.store.billing import InvoiceRecord, invoice_key
from tests.integration.billing_helpers import payout_day, worked_week
from tests.integration.helpers import agent, business, call
from tests.integration.portal_helpers import signed_in
from tests.stripe_support import CONNECT_WEBHOOK_SECRET, FUNDS_DELAY

pytestmark = pytest.mark.integration
W48 = BillingWeek(2026, 48)


def weekly(hired):
    return InvoiceRecord.find(*invoice_key(TenantId(hired["owner"]["tenant_id"]), W48), consistent=True)


def paid_out(client, paying, *, country="US"):
    hired = worked_week(client, paying)
    paying.add_card(hired["owner"])
    paying.enable_payouts(hired["agent"], country=country)
    assert runner.run("bill-week", deps=paying.deps).failures == []
    payout_day(paying)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    return hired


# -- card setup ------------------------------------------------------------------------------------


def test_card_setup_sends_the_parameter_this_api_version_has(client, paying):
    owner = business(client)
    started = call(client, "POST", "/api/v1/billing/setup-intents", token=owner["token"])
    assert started.status_code == 201, started.json
    (request,) = paying.emulator.requests(method="POST", path="/v1/setup_intents")
    assert request["status"] == 200
    sent = {name.split("[")[0] for name in request["params"]}
    assert "allowed_payment_method_types" in sent and "payment_method_types" not in sent


# -- transfer groups --------------------------------------------------------------------------------


def test_transfers_are_found_by_charge_and_metadata_not_by_the_invoice_as_group(client, paying):
    hired = paid_out(client, paying)
    record = weekly(hired)
    (ours,) = settlement.transfers_of(record)
    at_stripe = paying.stripe.v1.transfers.retrieve(ours.stripe_transfer_id)
    assert at_stripe.transfer_group != record.invoice_id  # the charge's group, as Stripe makes it
    assert ours.transfer_group == at_stripe.transfer_group
    # no group of our own is named beside the charge: Stripe files the transfer under the charge's,
    # and another one named with it might be refused (the emulator refuses it, the strict side)
    (sent,) = paying.emulator.requests(method="POST", path="/v1/transfers")
    assert sent["status"] == 200 and "transfer_group" not in sent["params"]
    assert sent["params"]["source_transaction"] == record.stripe_charge_id
    assert reconciliation.reconcile_invoice(record, deps=paying.deps) == []

    # after the key window the payout run looks before it creates: it finds the transfer by its
    # destination and metadata (by the invoice's id as group it would find none, and pay twice)
    paying.emulator.expire_idempotency_keys()
    found = paying.gateway.find_transfer(ours.transfer_id, destination=ours.destination)
    assert found is not None and found["id"] == ours.stripe_transfer_id

    # a reversal made outside deskhire is reported: the webhook finds the record by metadata
    paying.emulator.advance_time(FUNDS_DELAY)  # days later: the transfer's funds are available
    paying.forward()
    paying.stripe.v1.transfers.reversals.create(ours.stripe_transfer_id, params={"amount": 100})
    results = paying.forward(only="transfer.reversed")
    assert [body["outcome"] for _, _, body in results] == ["reported"]
    differences = reconciliation.reconcile_invoice(weekly(hired), deps=paying.deps)
    assert [d.what for d in differences if d.what == "transfers"] == ["transfers"]


# -- agents outside the platform's region ------------------------------------------------------------


def test_an_agent_outside_the_platforms_region_is_onboarded_on_the_recipient_agreement_and_paid(
    client, paying
):
    hired = paid_out(client, paying, country="JP")
    account = payouts.account_of(AgentId(hired["agent"]["id"]))
    assert account.status == "enabled" and account.service_agreement == "recipient"
    at_stripe = paying.stripe.v1.accounts.retrieve(account.account_id)
    assert at_stripe.tos_acceptance.service_agreement == "recipient"
    assert set(at_stripe.capabilities.to_dict()) == {"transfers"}
    (ours,) = settlement.transfers_of(weekly(hired))
    assert ours.status == "sent" and ours.amount == 6900
    assert ours.received_currency == "jpy" and ours.received_amount > 0  # Stripe converted it
    assert reconciliation.reconcile_invoice(weekly(hired), deps=paying.deps) == []


def test_an_agent_inside_the_region_keeps_the_full_agreement(client, paying):
    hired = paid_out(client, paying, country="PT")
    account = payouts.account_of(AgentId(hired["agent"]["id"]))
    assert account.service_agreement == "full"
    (ours,) = settlement.transfers_of(weekly(hired))
    assert ours.status == "sent" and ours.received_currency == "eur"


def test_a_platform_that_cannot_pay_outside_its_region_tells_the_agent_instead_of_failing_at_stripe(
    client, paying
):
    """Stripe offers cross-border payouts to recipient accounts to US platforms only: a platform in
    the UK that tried to onboard an agent in Japan would be refused by Stripe ("Connected accounts
    in JP cannot be created by platforms in GB"). deskhire says so first, with the reason, and
    lists only the countries it can pay on the payouts page."""
    import dataclasses

    from chalicelib import composition
    from local.stripe_emulator import Emulator

    with Emulator(platform_country="GB") as emulator:  # a platform in the UK, as the settings say
        gateway = paying.gateway.__class__("sk_test_gb", api_base=emulator.url, max_network_retries=0)
        settings = dataclasses.replace(
            paying.deps.settings, platform_country="GB", stripe_api_base=emulator.url
        )
        composition.override_deps(dataclasses.replace(paying.deps, settings=settings, payments=gateway))
        someone = agent(client)
        refused = call(
            client, "POST", "/api/v1/agent/payouts/onboarding-link", {"country": "JP"}, token=someone["token"]
        )
        assert refused.status_code == 400, refused.json
        assert refused.json["error"]["field"] == "country"
        # why, in plain words: the payouts page lists the countries it can pay (below)
        assert "Japan" in refused.json["error"]["message"]
        assert "United Kingdom" in refused.json["error"]["message"]
        assert emulator.requests(method="POST", path="/v1/accounts") == []  # nothing made at Stripe
        page = signed_in(client, someone["email"]).get("/agent/payouts")
        assert ">Portugal</option>" in page.text and "Japan" not in page.text
        assert ">Australia</option>" not in page.text
        # inside the region the agent is onboarded on the full agreement, and Stripe agrees
        made = call(
            client, "POST", "/api/v1/agent/payouts/onboarding-link", {"country": "PT"}, token=someone["token"]
        )
        assert made.status_code == 201, made.json
        account = payouts.account_of(AgentId(someone["id"]))
        assert account.service_agreement == "full" and account.country == "PT"


# -- currencies ---------------------------------------------------------------------------------------


def test_a_business_asking_for_a_currency_the_platform_does_not_settle_in_is_told_which_it_can_use(client):
    answer = call(
        client,
        "POST",
        "/api/v1/signup/business",
        {
            "company_name": "Euro Shop",
            "slug": "euro-shop-h2",
            "owner_name": "Eva",
            "email": "eva-h2@example.com",
            "password": "violet-harbor-92-lantern",
            "time_zone": "Europe/Berlin",
            "currency": "eur",
        },
    )
    assert answer.status_code == 400, answer.json
    assert answer.json["error"]["field"] == "currency" and "USD" in answer.json["error"]["message"]


# -- declines -----------------------------------------------------------------------------------------

DECLINES = {
    "insufficient_funds": "insufficient funds",
    "expired_card": "expired",
    "lost_card": "lost",
    "stolen_card": "stolen",
    "incorrect_cvc": "security code",
    "processing_error": "could not be processed",
    "generic_decline": "declined",
}


@pytest.mark.parametrize("decline_code", sorted(DECLINES))
def test_a_declined_cards_real_reason_reaches_the_business(client, paying, decline_code):
    hired = worked_week(client, paying)
    owner = hired["owner"]
    paying.add_card(owner)
    customer = paying.stripe.v1.customers.search(
        params={"query": f"metadata['deskhire_tenant']:'{owner['tenant_id']}'"}
    ).data[0]
    paying.emulator.fail_next_charge(customer.id, decline_code=decline_code)
    assert runner.run("bill-week", deps=paying.deps).failures == []
    record = weekly(hired)
    assert record.status == "open" and decline_code in record.last_failure
    assert DECLINES[decline_code] in record.last_failure
    mail = paying.deps.mailer.last_to(owner["email"])
    assert decline_code in mail.text and DECLINES[decline_code] in mail.text


# -- Connect events -----------------------------------------------------------------------------------


def test_a_connect_event_reads_its_object_with_the_connected_accounts_header(client, paying):
    """A Connect endpoint's event is about an object a connected account owns (here the payment a
    transfer made on the agent's account): read without the Stripe-Account header, Stripe answers
    404, the handler would fail and Stripe would deliver it again and again."""
    import json
    import time

    hired = paid_out(client, paying)
    (ours,) = settlement.transfers_of(weekly(hired))
    transfer = paying.stripe.v1.transfers.retrieve(ours.stripe_transfer_id)
    payment = transfer.destination_payment
    event = {
        "id": "evt_h2_connect_charge",
        "object": "event",
        "type": "charge.refunded",
        "account": ours.destination,
        "api_version": stripe.api_version,
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "data": {"object": {"id": payment, "object": "charge"}},
    }
    payload = json.dumps(event)
    now = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{now}.{payload}", CONNECT_WEBHOOK_SECRET)
    paying.emulator.clear_requests()
    answer = paying.post("/api/v1/webhooks/stripe/connect", payload, f"t={now},v1={signature}")
    assert answer.status_code == 200, answer.json
    assert answer.json["outcome"] == "ignored"  # a payment on the agent's account: not deskhire's
    (read,) = paying.emulator.requests(method="GET", path=f"/v1/charges/{payment}")
    assert read["stripe_account"] == ours.destination and read["status"] == 200


# -- 3-D Secure ---------------------------------------------------------------------------------------


def test_a_payment_the_bank_wants_authenticated_sends_the_business_to_the_invoice_page(client, paying):
    """An off-session invoice payment on a card that needs authentication: Stripe answers
    invoice_payment_intent_requires_action and sends invoice.payment_action_required. The business
    is sent the hosted invoice page (where it authenticates), the page says so, and dunning does
    not charge the card again off-session; once authenticated, the invoice is paid."""
    from datetime import timedelta

    hired = worked_week(client, paying)
    owner = hired["owner"]
    started = call(client, "POST", "/api/v1/billing/setup-intents", token=owner["token"])
    seti = started.json["setup_intent_id"]
    paying.stripe.v1.setup_intents.confirm(seti, params={"payment_method": "pm_card_authenticationRequired"})
    paying.emulator.authenticate(seti)  # the cardholder authenticates the setup on the card page
    finished = call(
        client, "POST", "/api/v1/billing/payment-method", {"setup_intent_id": seti}, token=owner["token"]
    )
    assert finished.status_code == 200, finished.json

    assert runner.run("bill-week", deps=paying.deps).failures == []
    record = weekly(hired)
    assert record.status == "open" and record.needs_action_at is not None
    assert "3-D Secure" in record.last_failure
    mail = paying.deps.mailer.last_to(owner["email"])
    assert "Confirm the payment" in mail.subject and record.hosted_url in mail.text
    results = paying.forward()
    assert all(status == 200 for _, status, _ in results), results
    assert "invoice.payment_action_required" in [kind for kind, _, _ in results]
    assert weekly(hired).attempts == 1  # the failure webhook did not count it twice

    from tests.integration.portal_helpers import signed_in

    page = signed_in(client, owner["email"]).get("/app/billing").text
    assert "Your bank asks you to confirm this payment" in page and record.hosted_url in page
    assert "We try the card again" not in page

    paying.deps.clock.now += timedelta(days=1)
    paying.emulator.clear_requests()
    assert runner.run("dunning", deps=paying.deps).failures == []
    assert not paying.emulator.requests(method="POST", path=f"/v1/invoices/{record.stripe_invoice_id}/pay")

    intent = (
        paying.stripe.v1.invoices.retrieve(
            record.stripe_invoice_id, params={"expand": ["payments.data.payment.payment_intent"]}
        )
        .payments.data[0]
        .payment.payment_intent.id
    )
    paying.emulator.authenticate(intent)  # on the hosted invoice page
    assert all(status == 200 for _, status, _ in paying.forward())
    paid = weekly(hired)
    assert paid.status == "paid" and paid.needs_action_at is None and paid.last_failure is None
