"""Stripe's test cards through the real SDK: every declining card's reason reaches the caller where
stripe 16.1.0 puts it (`err.error.decline_code`; CardError has no `decline_code` attribute), and
the 3-D Secure cards ask for authentication on setup and on off-session invoice payments, which
the customer completes on the authentication page (from the card page or the hosted invoice page)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import stripe

pytestmark = pytest.mark.integration

# (test PaymentMethod, code, decline_code) for cards declined when they are set up.
SETUP_DECLINES = [
    ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
    ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
    ("pm_card_chargeDeclinedLostCard", "card_declined", "lost_card"),
    ("pm_card_chargeDeclinedStolenCard", "card_declined", "stolen_card"),
    ("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"),
    ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc"),
    ("pm_card_chargeDeclinedProcessingError", "processing_error", "processing_error"),
]
# Cards that are saved fine and declined when charged.
CHARGE_DECLINES = [
    ("pm_card_chargeCustomerFail", "card_declined", "generic_decline"),
    ("pm_card_radarBlock", "card_declined", "fraudulent"),
]


def customer_paying_with(client, card: str):
    customer = client.v1.customers.create(params={"email": "cards@example.com"})
    pm = client.v1.payment_methods.attach(card, params={"customer": customer.id})
    client.v1.customers.update(customer.id, params={"invoice_settings": {"default_payment_method": pm.id}})
    return customer, pm


def open_invoice(client, customer, amount=4200, **fields):
    invoice = client.v1.invoices.create(params={"customer": customer.id, **fields})
    client.v1.invoice_items.create(params={"customer": customer.id, "invoice": invoice.id, "amount": amount})
    return client.v1.invoices.finalize_invoice(invoice.id)


def intent_of(client, invoice):
    payment = client.v1.invoice_payments.list(params={"invoice": invoice.id}).data[0]
    return client.v1.payment_intents.retrieve(payment.payment.payment_intent)


@pytest.mark.parametrize(("card", "code", "decline_code"), SETUP_DECLINES)
def test_a_card_declined_at_setup_reports_its_reason_through_the_sdk(stripe_client, card, code, decline_code):
    customer = stripe_client.v1.customers.create()
    seti = stripe_client.v1.setup_intents.create(params={"customer": customer.id})
    with pytest.raises(stripe.CardError) as declined:
        stripe_client.v1.setup_intents.confirm(seti.id, params={"payment_method": card})
    err = declined.value
    assert not hasattr(err, "decline_code"), "stripe 16.1.0's CardError has no decline_code attribute"
    assert err.http_status == 402 and err.code == code
    assert err.error is not None and err.error.decline_code == decline_code and err.error.type == "card_error"
    assert stripe_client.v1.setup_intents.retrieve(seti.id).last_setup_error.decline_code == decline_code
    with pytest.raises(stripe.CardError) as attach:
        stripe_client.v1.payment_methods.attach(card, params={"customer": customer.id})
    assert attach.value.error.decline_code == decline_code


@pytest.mark.parametrize(("card", "code", "decline_code"), CHARGE_DECLINES)
def test_a_card_declined_when_charged_reports_its_reason_through_the_sdk(
    stripe_client, card, code, decline_code
):
    customer, _ = customer_paying_with(stripe_client, card)
    invoice = open_invoice(stripe_client, customer)
    with pytest.raises(stripe.CardError) as declined:
        stripe_client.v1.invoices.pay(invoice.id)
    err = declined.value
    assert err.http_status == 402 and err.code == code and err.error.decline_code == decline_code
    assert (
        err.error.payment_intent is not None and err.error.payment_intent.status == "requires_payment_method"
    )
    charge = stripe_client.v1.charges.retrieve(err.error.charge)
    assert charge.status == "failed" and charge.outcome.reason == decline_code


def test_a_forced_decline_reports_its_reason_too(stripe_emulator, stripe_client):
    customer, _ = customer_paying_with(stripe_client, "pm_card_visa")
    stripe_emulator.fail_next_charge(customer.id, decline_code="insufficient_funds")
    with pytest.raises(stripe.CardError) as declined:
        stripe_client.v1.invoices.pay(open_invoice(stripe_client, customer).id)
    assert declined.value.error.decline_code == "insufficient_funds"


def test_a_card_that_asks_for_3ds_on_setup(stripe_emulator, stripe_client, stripe_webhooks):
    customer = stripe_client.v1.customers.create()
    seti = stripe_client.v1.setup_intents.create(params={"customer": customer.id})
    pending = stripe_client.v1.setup_intents.confirm(
        seti.id, params={"payment_method": "pm_card_authenticationRequiredOnSetup"}
    )
    assert pending.status == "requires_action" and pending.next_action.type == "use_stripe_sdk"
    assert stripe_client.v1.customers.payment_methods.list(customer.id).data == []  # not saved yet
    stripe_webhooks.wait_for("setup_intent.requires_action")

    # With a return_url the next action is a redirect to the (emulated) bank page.
    again = stripe_client.v1.setup_intents.create(params={"customer": customer.id})
    back = "http://127.0.0.1:8000/billing/card/done"
    redirect = stripe_client.v1.setup_intents.confirm(
        again.id, params={"payment_method": "pm_card_authenticationRequiredOnSetup", "return_url": back}
    ).next_action
    assert redirect.type == "redirect_to_url" and redirect.redirect_to_url.return_url == back
    page = requests.get(redirect.redirect_to_url.url, timeout=5)
    assert page.status_code == 200 and "Complete authentication" in page.text
    done = requests.post(
        redirect.redirect_to_url.url.split("?")[0],
        data={"outcome": "complete", "return_url": back},
        allow_redirects=False,
        timeout=5,
    )
    assert done.status_code == 303
    query = parse_qs(urlsplit(done.headers["Location"]).query)
    assert query["setup_intent"] == [again.id] and query["redirect_status"] == ["succeeded"]
    saved = stripe_client.v1.setup_intents.retrieve(again.id)
    assert saved.status == "succeeded" and saved.next_action is None
    pm = stripe_client.v1.payment_methods.retrieve(saved.payment_method)
    assert pm.customer == customer.id

    # Set up with authentication, the card pays off-session without asking again.
    stripe_client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": pm.id}}
    )
    assert stripe_client.v1.invoices.pay(open_invoice(stripe_client, customer).id).status == "paid"

    # The customer may fail the step instead.
    failed = stripe_emulator.authenticate(seti.id, succeed=False)
    assert failed["status"] == "requires_payment_method"
    assert failed["last_setup_error"]["code"] == "setup_intent_authentication_failure"


def test_the_card_page_sends_the_customer_through_3ds(stripe_emulator, stripe_client):
    customer = stripe_client.v1.customers.create()
    seti = stripe_client.v1.setup_intents.create(params={"customer": customer.id})
    back = "http://127.0.0.1:8000/billing/card/done"
    page = f"{stripe_emulator.url}/_pages/setup/{seti.id}"
    answer = requests.post(
        page,
        data={"card_number": "4000 0027 6000 3184", "exp": "12 / 40", "cvc": "123", "return_url": back},
        allow_redirects=False,
        timeout=5,
    )
    assert answer.status_code == 303 and answer.headers["Location"].startswith(
        f"/_pages/authenticate/{seti.id}"
    )
    done = requests.post(
        stripe_emulator.url + f"/_pages/authenticate/{seti.id}",
        data={"outcome": "complete", "return_url": back},
        allow_redirects=False,
        timeout=5,
    )
    assert "redirect_status=succeeded" in done.headers["Location"]
    assert stripe_client.v1.setup_intents.retrieve(seti.id).status == "succeeded"


def test_an_off_session_invoice_payment_that_needs_authentication(
    stripe_emulator, stripe_client, stripe_webhooks
):
    """Billing confirms the invoice's PaymentIntent off-session; the card asks for 3-D Secure, so
    the PaymentIntent waits in requires_action, pay answers Stripe's
    invoice_payment_intent_requires_action (402), and Stripe sends invoice.payment_action_required:
    the customer authenticates on the hosted invoice page and the invoice is paid."""
    customer, pm = customer_paying_with(stripe_client, "pm_card_authenticationRequired")
    invoice = open_invoice(stripe_client, customer)
    with pytest.raises(stripe.CardError) as needs_action:
        stripe_client.v1.invoices.pay(invoice.id)
    err = needs_action.value
    assert err.http_status == 402 and err.code == "invoice_payment_intent_requires_action"
    assert err.error.payment_intent.status == "requires_action"
    pi = intent_of(stripe_client, invoice)
    assert pi.status == "requires_action" and pi.next_action.type == "use_stripe_sdk"
    assert pi.latest_charge is None and pi.payment_method == pm.id
    assert pi.last_payment_error.code == "authentication_required"
    assert pi.last_payment_error.decline_code == "authentication_required"
    after = stripe_client.v1.invoices.retrieve(invoice.id)
    assert after.status == "open" and after.attempt_count == 1 and after.attempted is True
    event = stripe_webhooks.wait_for("invoice.payment_action_required")
    assert event.data.object.id == invoice.id
    stripe_webhooks.wait_for("payment_intent.requires_action")
    stripe_emulator.flush_webhooks()
    assert [e.data.object.id for e in stripe_webhooks.events("invoice.payment_failed")] == [invoice.id]
    assert stripe_client.v1.charges.list(params={"customer": customer.id}).data == []

    # The business follows the hosted invoice link and confirms with its bank.
    hosted = requests.get(after.hosted_invoice_url, timeout=5)
    assert hosted.status_code == 200 and "Confirm payment" in hosted.text
    link = hosted.text.split("id=authenticate href='")[1].split("'")[0]
    assert link.startswith(f"/_pages/authenticate/{pi.id}")
    confirm = requests.post(
        stripe_emulator.url + link.split("?")[0],
        data={"outcome": "complete", "return_url": after.hosted_invoice_url},
        allow_redirects=False,
        timeout=5,
    )
    assert confirm.status_code == 303 and confirm.headers["Location"].startswith(after.hosted_invoice_url)
    paid = stripe_client.v1.invoices.retrieve(invoice.id)
    assert paid.status == "paid" and paid.attempt_count == 1
    pi = stripe_client.v1.payment_intents.retrieve(pi.id)
    assert pi.status == "succeeded" and pi.next_action is None
    assert stripe_client.v1.charges.retrieve(pi.latest_charge).status == "succeeded"
    stripe_webhooks.wait_for("invoice.paid")

    # Charging again later asks again: this card wants authentication every time.
    second = open_invoice(stripe_client, customer)
    with pytest.raises(stripe.CardError, match="requires additional user action"):
        stripe_client.v1.invoices.pay(second.id)


def test_authentication_then_a_decline_and_a_failed_authentication(stripe_emulator, stripe_client):
    customer, _ = customer_paying_with(
        stripe_client, "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds"
    )
    invoice = open_invoice(stripe_client, customer)
    with pytest.raises(stripe.CardError):
        stripe_client.v1.invoices.pay(invoice.id)
    pi = intent_of(stripe_client, invoice)
    stripe_emulator.authenticate(pi.id)
    declined = stripe_client.v1.payment_intents.retrieve(pi.id)
    assert declined.status == "requires_payment_method"
    assert declined.last_payment_error.decline_code == "insufficient_funds"
    assert stripe_client.v1.invoices.retrieve(invoice.id).status == "open"

    customer, _ = customer_paying_with(stripe_client, "pm_card_authenticationRequired")
    invoice = open_invoice(stripe_client, customer)
    with pytest.raises(stripe.CardError):
        stripe_client.v1.invoices.pay(invoice.id)
    pi = intent_of(stripe_client, invoice)
    stripe_emulator.authenticate(pi.id, succeed=False)
    failed = stripe_client.v1.payment_intents.retrieve(pi.id)
    assert failed.status == "requires_payment_method"
    assert failed.last_payment_error.code == "payment_intent_authentication_failure"
    # The hosted page still takes another card.
    assert (
        stripe_client.v1.invoices.pay(invoice.id, params={"payment_method": "pm_card_visa"}).status == "paid"
    )


def test_automatic_collection_that_needs_authentication(stripe_emulator, stripe_client, stripe_webhooks):
    customer, _ = customer_paying_with(stripe_client, "pm_card_authenticationRequired")
    invoice = stripe_client.v1.invoices.create(params={"customer": customer.id, "auto_advance": True})
    stripe_client.v1.invoice_items.create(
        params={"customer": customer.id, "invoice": invoice.id, "amount": 900}
    )
    stripe_emulator.advance_time(3601)
    assert stripe_client.v1.invoices.retrieve(invoice.id).status == "open"
    assert intent_of(stripe_client, invoice).status == "requires_action"
    assert stripe_webhooks.wait_for("invoice.payment_action_required").data.object.id == invoice.id
