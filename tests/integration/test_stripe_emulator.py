"""The Stripe emulator through the real SDK: encoding, expand, lists, idempotency, errors, the
invoice lifecycle, the invoice -> payment -> charge path, refunds, search, setup intents and the
card page. (Connect, webhooks, faults and persistence have their own files.)"""

from __future__ import annotations

import re

import pytest
import requests
import stripe

pytestmark = pytest.mark.integration
# The emulator fixtures (stripe_emulator, stripe_client, stripe_webhooks, ...). Helpers from the
# same module are imported inside functions, after pytest has loaded it as a plugin.
TEST_API_KEY = "sk_test_deskhire_emulator"


def post(emu, path, data, key=TEST_API_KEY, headers=None):
    return requests.post(
        emu.url + path, data=data, headers={"Authorization": f"Bearer {key}", **(headers or {})}, timeout=5
    )


def customer_with_card(client, card="pm_card_visa", **fields):
    customer = client.v1.customers.create(params={"email": "ada@example.com", **fields})
    pm = client.v1.payment_methods.attach(card, params={"customer": customer.id})
    client.v1.customers.update(customer.id, params={"invoice_settings": {"default_payment_method": pm.id}})
    return customer, pm


def open_invoice(client, customer, amount=5000, **fields):
    invoice = client.v1.invoices.create(params={"customer": customer.id, **fields})
    client.v1.invoice_items.create(
        params={
            "customer": customer.id,
            "invoice": invoice.id,
            "amount": amount,
            "currency": "usd",
            "description": "Hours",
        }
    )
    return client.v1.invoices.finalize_invoice(invoice.id)


def paid_charge(client, amount=5000):
    customer, _ = customer_with_card(client)
    invoice = client.v1.invoices.pay(open_invoice(client, customer, amount).id)
    payment = client.v1.invoice_payments.list(params={"invoice": invoice.id}).data[0]
    pi = client.v1.payment_intents.retrieve(payment.payment.payment_intent)
    return client.v1.charges.retrieve(pi.latest_charge)


# -- encoding, expand, lists ---------------------------------------------------------------------


def test_nested_form_keys_lists_and_booleans(stripe_emulator, stripe_client):
    customer = stripe_client.v1.customers.create(
        params={
            "email": "nested@example.com",
            "metadata": {"tenant": "t-1", "plan": "pro"},
            "address": {"line1": "1 Main St", "city": "Lisbon", "country": "PT"},
            "preferred_locales": ["pt", "en"],
        }
    )
    assert customer.metadata.to_dict() == {"tenant": "t-1", "plan": "pro"}
    assert customer.address.city == "Lisbon" and customer.address.line2 is None
    assert customer.preferred_locales == ["pt", "en"]
    # Stripe's metadata semantics: merge, an empty value deletes a key.
    updated = stripe_client.v1.customers.update(customer.id, params={"metadata": {"plan": "", "seats": "3"}})
    assert updated.metadata.to_dict() == {"tenant": "t-1", "seats": "3"}
    # curl's `key[]=` spelling and a boolean, by hand.
    invoice = post(
        stripe_emulator,
        "/v1/invoices",
        {"customer": customer.id, "auto_advance": "true", "expand[]": "customer", "metadata[k]": "v"},
    ).json()
    assert invoice["auto_advance"] is True and invoice["customer"]["email"] == "nested@example.com"
    bad = post(stripe_emulator, "/v1/invoices", {"customer": customer.id, "auto_advance": "yes"})
    assert bad.status_code == 400
    assert bad.json()["error"] == {
        "type": "invalid_request_error",
        "message": "Invalid boolean: yes",
        "param": "auto_advance",
        "request_log_url": bad.json()["error"]["request_log_url"],
    }
    # GET parameters travel in the query string, indexed lists included.
    got = requests.get(
        f"{stripe_emulator.url}/v1/customers/{customer.id}?expand[0]=invoice_settings.default_payment_method",
        headers={"Authorization": f"Bearer {TEST_API_KEY}"},
        timeout=5,
    )
    assert got.status_code == 200 and got.json()["invoice_settings"]["default_payment_method"] is None


def test_expand_follows_ids_and_list_items(stripe_client):
    customer, pm = customer_with_card(stripe_client)
    expanded = stripe_client.v1.customers.retrieve(
        customer.id, params={"expand": ["invoice_settings.default_payment_method"]}
    )
    assert expanded.invoice_settings.default_payment_method.card.last4 == "4242"
    invoice = stripe_client.v1.invoices.pay(open_invoice(stripe_client, customer).id)
    payments = stripe_client.v1.invoice_payments.list(
        params={"invoice": invoice.id, "expand": ["data.payment.payment_intent.latest_charge"]}
    )
    charge = payments.data[0].payment.payment_intent.latest_charge
    assert charge.object == "charge" and charge.balance_transaction.startswith("txn_")
    # Expansions go four levels deep at most, and on a list `data` is one of them.
    with pytest.raises(stripe.InvalidRequestError) as too_deep:
        stripe_client.v1.invoice_payments.list(
            params={
                "invoice": invoice.id,
                "expand": ["data.payment.payment_intent.latest_charge.balance_transaction"],
            }
        )
    assert too_deep.value.param == "expand" and "more than 4 levels" in too_deep.value.user_message
    one = stripe_client.v1.invoice_payments.retrieve(
        payments.data[0].id, params={"expand": ["payment.payment_intent.latest_charge.balance_transaction"]}
    )
    assert one.payment.payment_intent.status == "succeeded"
    assert one.payment.payment_intent.latest_charge.balance_transaction.object == "balance_transaction"
    # A charge's refunds are a field Stripe includes only when asked (API 2022-11-15 and later).
    assert "refunds" not in stripe_client.v1.charges.retrieve(charge.id).last_response.data
    with_refunds = stripe_client.v1.charges.retrieve(charge.id, params={"expand": ["refunds"]})
    assert with_refunds.refunds.object == "list" and with_refunds.refunds.data == []
    listed = stripe_client.v1.charges.list(params={"expand": ["data.refunds"]})
    assert listed.data[0].refunds.url == f"/v1/charges/{listed.data[0].id}/refunds"
    pi = stripe_client.v1.payment_intents.retrieve(
        one.payment.payment_intent.id, params={"expand": ["latest_charge"]}
    )
    assert pi.latest_charge.id == charge.id and pi.latest_charge.paid is True
    with pytest.raises(stripe.InvalidRequestError) as err:
        stripe_client.v1.customers.retrieve(customer.id, params={"expand": ["email"]})
    assert "cannot be expanded (email)" in err.value.user_message


def test_list_pagination(stripe_client):
    ids = [stripe_client.v1.customers.create(params={"email": f"p{i}@example.com"}).id for i in range(5)]
    first = stripe_client.v1.customers.list(params={"limit": 2})
    assert first.object == "list" and first.url == "/v1/customers"
    assert [c.id for c in first.data] == ids[::-1][:2] and first.has_more is True
    second = stripe_client.v1.customers.list(params={"limit": 2, "starting_after": first.data[-1].id})
    assert [c.id for c in second.data] == ids[::-1][2:4] and second.has_more is True
    last = stripe_client.v1.customers.list(params={"limit": 2, "starting_after": second.data[-1].id})
    assert [c.id for c in last.data] == [ids[0]] and last.has_more is False
    back = stripe_client.v1.customers.list(params={"limit": 2, "ending_before": ids[0]})
    assert [c.id for c in back.data] == [ids[2], ids[1]] and back.has_more is True
    assert [c.id for c in stripe_client.v1.customers.list(params={"limit": 2}).auto_paging_iter()] == ids[
        ::-1
    ]
    assert [c.id for c in stripe_client.v1.customers.list(params={"email": "p3@example.com"}).data] == [
        ids[3]
    ]
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.customers.list(params={"limit": 101})


# -- idempotency ---------------------------------------------------------------------------------


def test_idempotency_replays_and_refuses_a_changed_request(stripe_emulator, stripe_client):
    params = {"email": "once@example.com"}
    first = stripe_client.v1.customers.create(params=params, options={"idempotency_key": "key-1"})
    again = stripe_client.v1.customers.create(params=params, options={"idempotency_key": "key-1"})
    assert again.id == first.id
    assert len(stripe_client.v1.customers.list().data) == 1
    replay = post(stripe_emulator, "/v1/customers", params, headers={"Idempotency-Key": "key-1"})
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.json()["id"] == first.id
    with pytest.raises(stripe.IdempotencyError) as changed:
        stripe_client.v1.customers.create(
            params={"email": "other@example.com"}, options={"idempotency_key": "key-1"}
        )
    assert changed.value.http_status == 400
    assert "same parameters" in changed.value.user_message
    with pytest.raises(stripe.IdempotencyError) as elsewhere:
        stripe_client.v1.invoice_items.create(
            params={"customer": first.id, "amount": 1}, options={"idempotency_key": "key-1"}
        )
    assert "same endpoint" in elsewhere.value.user_message
    # A test control forgets every key; Stripe forgets a key once it is 24 hours old.
    stripe_emulator.expire_idempotency_keys()
    fresh = stripe_client.v1.customers.create(params=params, options={"idempotency_key": "key-1"})
    assert fresh.id != first.id
    stripe_emulator.advance_time(24 * 3600 + 1)
    later = stripe_client.v1.customers.create(params=params, options={"idempotency_key": "key-1"})
    assert later.id not in (first.id, fresh.id)
    # Stripe takes keys of 1 to 255 characters.
    long_key = "k" * 256
    refused = post(stripe_emulator, "/v1/customers", params, headers={"Idempotency-Key": long_key})
    assert refused.status_code == 400 and refused.json()["error"]["type"] == "invalid_request_error"
    assert refused.json()["error"]["message"].startswith("Idempotent key length is 256, which is outside")
    assert stripe_client.v1.customers.create(params=params, options={"idempotency_key": "k" * 255}).id
    # Keys are per account: the same key on behalf of a connected account is another key.
    agent = stripe_client.v1.accounts.create(params={"type": "express", "country": "US"})
    theirs = stripe_client.v1.customers.create(
        params=params, options={"idempotency_key": "key-1", "stripe_account": agent.id}
    )
    assert theirs.id != later.id


def test_a_saved_decline_is_replayed_not_retried(stripe_emulator, stripe_client):
    customer, _ = customer_with_card(stripe_client, "pm_card_chargeCustomerFail")
    invoice = open_invoice(stripe_client, customer)
    for _ in range(2):
        with pytest.raises(stripe.CardError):
            stripe_client.v1.invoices.pay(invoice.id, options={"idempotency_key": "pay-1"})
    assert stripe_client.v1.invoices.retrieve(invoice.id).attempt_count == 1
    replayed = [r for r in stripe_emulator.requests(path=f"/v1/invoices/{invoice.id}/pay")]
    assert [r["replayed"] for r in replayed] == [False, True]


# -- errors --------------------------------------------------------------------------------------


def test_error_shapes(stripe_emulator, stripe_client):
    missing_key = requests.get(stripe_emulator.url + "/v1/customers", timeout=5)
    assert missing_key.status_code == 401
    assert missing_key.json()["error"]["type"] == "invalid_request_error"
    assert "You did not provide an API key" in missing_key.json()["error"]["message"]
    with pytest.raises(stripe.AuthenticationError) as bad_key:
        stripe.StripeClient("sk_live_nope", base_addresses={"api": stripe_emulator.url}).v1.customers.list()
    assert bad_key.value.http_status == 401

    with pytest.raises(stripe.InvalidRequestError) as not_found:
        stripe_client.v1.invoices.retrieve("in_123")
    assert not_found.value.http_status == 404
    body = not_found.value.json_body["error"]
    assert body["code"] == "resource_missing" and body["message"] == "No such invoice: 'in_123'"
    assert body["doc_url"] == "https://stripe.com/docs/error-codes/resource-missing"

    with pytest.raises(stripe.InvalidRequestError) as missing:
        stripe_client.v1.invoice_items.create(params={"amount": 100, "currency": "usd"})
    assert missing.value.param == "customer" and missing.value.http_status == 400
    assert missing.value.user_message == "Missing required param: customer."

    with pytest.raises(stripe.InvalidRequestError) as unknown:
        stripe_client.v1.customers.create(params={"invoice_settings": {"colour": "red"}})
    assert unknown.value.param == "invoice_settings[colour]"
    assert unknown.value.user_message == "Received unknown parameter: invoice_settings[colour]"

    customer = stripe_client.v1.customers.create()
    with pytest.raises(stripe.CardError) as declined:
        stripe_client.v1.payment_methods.attach(
            "pm_card_chargeDeclinedInsufficientFunds", params={"customer": customer.id}
        )
    assert declined.value.http_status == 402 and declined.value.code == "card_declined"
    assert declined.value.json_body["error"]["decline_code"] == "insufficient_funds"
    assert declined.value.json_body["error"]["type"] == "card_error"

    unrouted = requests.get(
        stripe_emulator.url + "/v1/nothing", headers={"Authorization": f"Bearer {TEST_API_KEY}"}
    )
    assert unrouted.status_code == 404 and "Unrecognized request URL" in unrouted.json()["error"]["message"]

    with pytest.raises(stripe.PermissionError):
        stripe_client.v1.balance.retrieve(options={"stripe_account": "acct_doesnotexist"})


# -- invoices ------------------------------------------------------------------------------------


def test_invoice_lifecycle_and_illegal_transitions(stripe_emulator, stripe_client):
    customer, _ = customer_with_card(stripe_client, name="Ada Lovelace")
    draft = stripe_client.v1.invoices.create(
        params={"customer": customer.id, "metadata": {"contract": "c-1"}}
    )
    assert draft.status == "draft" and draft.auto_advance is False and draft.number is None
    assert draft.amount_due == 0 and draft.lines.data == []
    stripe_client.v1.invoice_items.create(
        params={
            "customer": customer.id,
            "invoice": draft.id,
            "quantity": 3,
            "unit_amount_decimal": "1250.5",
            "currency": "usd",
        }
    )
    stripe_client.v1.invoice_items.create(
        params={"customer": customer.id, "invoice": draft.id, "amount": 499}
    )
    draft = stripe_client.v1.invoices.update(draft.id, params={"description": "March support"})
    assert draft.total == 3752 + 499 and draft.amount_due == draft.total and len(draft.lines.data) == 2
    assert draft.customer_name == "Ada Lovelace"

    opened = stripe_client.v1.invoices.finalize_invoice(draft.id)
    assert opened.status == "open" and re.fullmatch(r"[A-Z0-9]{8}-0001", opened.number)
    assert opened.status_transitions.finalized_at and opened.hosted_invoice_url.startswith(
        stripe_emulator.url
    )
    page = requests.get(opened.hosted_invoice_url, timeout=5)
    assert page.status_code == 200 and opened.number in page.text and "$42.51" in page.text
    assert requests.get(opened.invoice_pdf, timeout=5).content.startswith(b"%PDF-")

    with pytest.raises(stripe.InvalidRequestError, match="already finalized"):
        stripe_client.v1.invoices.finalize_invoice(opened.id)
    # Finalized: amounts and collection_method (and the due date) are fixed, the rest can change.
    with pytest.raises(stripe.InvalidRequestError, match="Finalized invoices can't be updated") as edit:
        stripe_client.v1.invoices.update(opened.id, params={"collection_method": "send_invoice"})
    assert edit.value.param == "collection_method"
    updated = stripe_client.v1.invoices.update(
        opened.id, params={"metadata": {"po": "7"}, "description": "changed", "footer": "Thanks"}
    )
    assert updated.metadata.to_dict() == {"contract": "c-1", "po": "7"}
    assert updated.description == "changed" and updated.footer == "Thanks"
    with pytest.raises(stripe.InvalidRequestError, match="no longer editable"):
        stripe_client.v1.invoice_items.create(
            params={"customer": customer.id, "invoice": opened.id, "amount": 1}
        )
    with pytest.raises(stripe.InvalidRequestError, match="only delete draft"):
        stripe_client.v1.invoices.delete(opened.id)

    paid = stripe_client.v1.invoices.pay(opened.id)
    assert paid.status == "paid" and paid.amount_paid == paid.amount_due and paid.amount_remaining == 0
    assert paid.attempted is True and paid.attempt_count == 1 and paid.status_transitions.paid_at
    assert not hasattr(paid, "charge") and not hasattr(paid, "payment_intent")
    with pytest.raises(stripe.InvalidRequestError, match="Invoice is already paid"):
        stripe_client.v1.invoices.pay(paid.id)
    with pytest.raises(stripe.InvalidRequestError, match="cannot be voided"):
        stripe_client.v1.invoices.void_invoice(paid.id)
    with pytest.raises(stripe.InvalidRequestError, match="isn't open"):
        stripe_client.v1.invoices.mark_uncollectible(paid.id)

    voided = stripe_client.v1.invoices.void_invoice(open_invoice(stripe_client, customer).id)
    assert voided.status == "void" and voided.status_transitions.voided_at
    with pytest.raises(stripe.InvalidRequestError, match="Voided invoices cannot be paid"):
        stripe_client.v1.invoices.pay(voided.id)
    with pytest.raises(stripe.InvalidRequestError, match="isn't open"):
        stripe_client.v1.invoices.void_invoice(voided.id)

    written_off = stripe_client.v1.invoices.mark_uncollectible(open_invoice(stripe_client, customer).id)
    assert written_off.status == "uncollectible"
    with pytest.raises(stripe.InvalidRequestError, match="already been marked uncollectible"):
        stripe_client.v1.invoices.mark_uncollectible(written_off.id)
    assert stripe_client.v1.invoices.pay(written_off.id).status == "paid"

    gone = stripe_client.v1.invoices.create(params={"customer": customer.id})
    assert stripe_client.v1.invoices.delete(gone.id).deleted is True
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.invoices.retrieve(gone.id)

    numbers = [
        i.number for i in stripe_client.v1.invoices.list(params={"customer": customer.id}).data if i.number
    ]
    assert sorted(n[-4:] for n in numbers) == ["0001", "0002", "0003"]
    assert [i.id for i in stripe_client.v1.invoices.list(params={"status": "void"}).data] == [voided.id]
    with pytest.raises(
        stripe.InvalidRequestError, match="must be one of draft, open, paid, uncollectible, or void"
    ):
        stripe_client.v1.invoices.list(params={"status": "late"})
    types = [e["type"] for e in stripe_emulator.events()]
    for expected in ("invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_succeeded",
                     "invoice.voided", "invoice.marked_uncollectible"):  # fmt: skip
        assert expected in types


def test_a_failed_payment_leaves_the_invoice_open(stripe_emulator, stripe_client):
    customer, _ = customer_with_card(stripe_client, "pm_card_chargeCustomerFail")
    invoice = open_invoice(stripe_client, customer)
    with pytest.raises(stripe.CardError) as err:
        stripe_client.v1.invoices.pay(invoice.id)
    assert err.value.json_body["error"]["decline_code"] == "generic_decline"
    after = stripe_client.v1.invoices.retrieve(invoice.id)
    assert after.status == "open" and after.attempt_count == 1 and after.attempted is True
    assert [e["type"] for e in stripe_emulator.events(type="invoice.payment_failed")] == [
        "invoice.payment_failed"
    ]
    charge = stripe_client.v1.charges.retrieve(err.value.json_body["error"]["charge"])
    assert (
        charge.status == "failed"
        and charge.failure_code == "card_declined"
        and charge.balance_transaction is None
    )
    # A working card, given explicitly, pays the same invoice through the same PaymentIntent.
    paid = stripe_client.v1.invoices.pay(invoice.id, params={"payment_method": "pm_card_visa"})
    assert paid.status == "paid" and paid.attempt_count == 2
    payments = stripe_client.v1.invoice_payments.list(params={"invoice": invoice.id}).data
    assert len(payments) == 1 and payments[0].status == "paid"
    assert (
        len(stripe_client.v1.charges.list(params={"payment_intent": payments[0].payment.payment_intent}).data)
        == 2
    )


def test_pay_out_of_band_send_invoice_and_the_hosted_page(stripe_emulator, stripe_client):
    customer = stripe_client.v1.customers.create(params={"email": "billing@example.com"})
    with pytest.raises(stripe.InvalidRequestError, match="you must specify 'due_date' or 'days_until_due'"):
        stripe_client.v1.invoices.create(
            params={"customer": customer.id, "collection_method": "send_invoice"}
        )
    with pytest.raises(
        stripe.InvalidRequestError, match="no attached payment source or default payment method"
    ):
        stripe_client.v1.invoices.pay(open_invoice(stripe_client, customer).id)
    out_of_band = stripe_client.v1.invoices.pay(
        open_invoice(stripe_client, customer).id, params={"paid_out_of_band": True}
    )
    assert out_of_band.status == "paid" and out_of_band.attempted is False

    invoice = stripe_client.v1.invoices.create(
        params={"customer": customer.id, "collection_method": "send_invoice", "days_until_due": 14}
    )
    assert invoice.due_date == invoice.created + 14 * 86400
    stripe_client.v1.invoice_items.create(
        params={"customer": customer.id, "invoice": invoice.id, "amount": 2500}
    )
    with pytest.raises(stripe.InvalidRequestError, match="collection method is 'send_invoice'"):
        stripe_client.v1.invoices.send_invoice(open_invoice(stripe_client, customer).id)
    sent = stripe_client.v1.invoices.send_invoice(invoice.id)  # a draft: finalized, then sent
    assert sent.status == "open" and stripe_emulator.events(type="invoice.sent")
    # A person pays on the hosted invoice page; a declined card first.
    pay_url = sent.hosted_invoice_url + "/pay"
    declined = requests.post(pay_url, data={"card_number": "4000000000000002", "exp": "12/40", "cvc": "123"})
    assert declined.status_code == 200 and "Your card was declined." in declined.text
    typo = requests.post(pay_url, data={"card_number": "4242424242424241", "exp": "12/40", "cvc": "123"})
    assert "Your card number is invalid." in typo.text
    ok = requests.post(pay_url, data={"card_number": "4242 4242 4242 4242", "exp": "12 / 40", "cvc": "123"})
    assert ok.status_code == 200 and "This invoice is paid" in ok.text
    paid = stripe_client.v1.invoices.retrieve(invoice.id)
    assert paid.status == "paid" and paid.attempt_count == 2


def test_pending_items_are_excluded_unless_asked(stripe_client):
    customer = stripe_client.v1.customers.create()
    pending = stripe_client.v1.invoice_items.create(
        params={"customer": customer.id, "amount": 300, "currency": "usd"}
    )
    assert pending.invoice is None
    assert stripe_client.v1.invoices.create(params={"customer": customer.id}).total == 0
    swept = stripe_client.v1.invoices.create(
        params={"customer": customer.id, "pending_invoice_items_behavior": "include"}
    )
    assert swept.total == 300 and swept.lines.data[0].parent.invoice_item_details.invoice_item == pending.id
    assert stripe_client.v1.invoice_items.list(params={"customer": customer.id, "pending": True}).data == []


def test_invoice_search(stripe_client):
    customer = stripe_client.v1.customers.create()
    for order in ("A-1", "A-2", "B-1"):
        stripe_client.v1.invoices.create(params={"customer": customer.id, "metadata": {"order": order}})
    found = stripe_client.v1.invoices.search(params={"query": "metadata['order']:'A-2'"})
    assert found.object == "search_result" and [i.metadata["order"] for i in found.data] == ["A-2"]
    both = stripe_client.v1.invoices.search(
        params={
            "query": f"customer:'{customer.id}' AND status:'draft' AND -metadata['order']:'B-1'",
            "limit": 1,
        }
    )
    assert len(both.data) == 1 and both.has_more is True and both.next_page
    rest = stripe_client.v1.invoices.search(
        params={
            "query": f"customer:'{customer.id}' AND status:'draft' AND -metadata['order']:'B-1'",
            "page": both.next_page,
        }
    )
    assert {both.data[0].metadata["order"], rest.data[0].metadata["order"]} == {"A-1", "A-2"}
    assert rest.has_more is False and rest.next_page is None
    with pytest.raises(stripe.InvalidRequestError, match="unsupported search field"):
        stripe_client.v1.invoices.search(params={"query": "colour:'red'"})


# -- refunds -------------------------------------------------------------------------------------


def test_partial_refunds(stripe_emulator, stripe_client):
    charge = paid_charge(stripe_client, 5000)
    first = stripe_client.v1.refunds.create(
        params={
            "charge": charge.id,
            "amount": 1500,
            "reason": "requested_by_customer",
            "metadata": {"why": "late"},
        }
    )
    assert (
        first.status == "succeeded" and first.amount == 1500 and first.metadata.to_dict() == {"why": "late"}
    )
    charge = stripe_client.v1.charges.retrieve(charge.id)
    assert (
        charge.amount_refunded == 1500
        and charge.refunded is False
        and "refunds" not in charge.last_response.data
    )
    expanded = stripe_client.v1.charges.retrieve(charge.id, params={"expand": ["refunds"]})
    assert [r.id for r in expanded.refunds.data] == [first.id]
    with pytest.raises(
        stripe.InvalidRequestError, match=r"greater than unrefunded amount on charge \(\$35.00\)"
    ):
        stripe_client.v1.refunds.create(params={"charge": charge.id, "amount": 4000})
    rest = stripe_client.v1.refunds.create(params={"payment_intent": charge.payment_intent})
    assert rest.amount == 3500 and rest.charge == charge.id
    charge = stripe_client.v1.charges.retrieve(charge.id)
    assert charge.refunded is True and charge.amount_refunded == 5000
    with pytest.raises(stripe.InvalidRequestError) as again:
        stripe_client.v1.refunds.create(params={"charge": charge.id})
    assert again.value.code == "charge_already_refunded"
    refunded = stripe_emulator.events(type="charge.refunded")
    assert [e["data"]["previous_attributes"]["amount_refunded"] for e in refunded] == [0, 1500]
    assert {r.id for r in stripe_client.v1.refunds.list(params={"charge": charge.id}).data} == {
        first.id,
        rest.id,
    }
    txn = stripe_client.v1.balance_transactions.retrieve(first.balance_transaction)
    assert txn.type == "refund" and txn.amount == -1500
    # The charge's money is still pending (two days): refunds draw on the whole balance, and the
    # one that leaves it negative (Stripe keeps its fee) waits until the balance covers it.
    assert rest.status == "pending" and rest.pending_reason == "insufficient_funds"
    balance = stripe_client.v1.balance.retrieve()
    assert (balance.available[0].amount, balance.pending[0].amount) == (-5000, 5000 - (145 + 30))
    stripe_emulator.set_available_balance(None, 0)  # a top-up covers the fee
    stripe_emulator.advance_time(2 * 24 * 3600)
    assert stripe_client.v1.refunds.retrieve(rest.id).status == "succeeded"
    assert stripe_emulator.events(type="refund.updated")[-1]["data"]["previous_attributes"] == {
        "pending_reason": "insufficient_funds",
        "status": "pending",
    }


# -- setup intents and the card page -------------------------------------------------------------


def test_setup_intent_with_test_payment_method_ids(stripe_emulator, stripe_client):
    customer = stripe_client.v1.customers.create()
    seti = stripe_client.v1.setup_intents.create(
        params={"customer": customer.id, "allowed_payment_method_types": ["card"]}
    )
    assert seti.status == "requires_payment_method" and seti.client_secret.startswith(seti.id + "_secret_")
    with pytest.raises(stripe.CardError) as err:
        stripe_client.v1.setup_intents.confirm(seti.id, params={"payment_method": "pm_card_chargeDeclined"})
    assert err.value.json_body["error"]["setup_intent"]["status"] == "requires_payment_method"
    failed = stripe_client.v1.setup_intents.retrieve(seti.id)
    assert failed.last_setup_error.code == "card_declined" and failed.payment_method is None
    ok = stripe_client.v1.setup_intents.confirm(seti.id, params={"payment_method": "pm_card_mastercard"})
    assert ok.status == "succeeded" and ok.last_setup_error is None
    pm = stripe_client.v1.payment_methods.retrieve(ok.payment_method)
    assert pm.customer == customer.id and pm.card.brand == "mastercard" and pm.card.last4 == "4444"
    listed = stripe_client.v1.customers.payment_methods.list(customer.id)
    assert [p.id for p in listed.data] == [pm.id]
    with pytest.raises(stripe.InvalidRequestError, match="already succeeded"):
        stripe_client.v1.setup_intents.confirm(seti.id, params={"payment_method": "pm_card_visa"})
    types = [e["type"] for e in stripe_emulator.events()]
    assert "setup_intent.setup_failed" in types and "setup_intent.succeeded" in types
    assert "payment_method.attached" in types
    # Detaching the customer's default card clears the default.
    stripe_client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": pm.id}}
    )
    stripe_client.v1.payment_methods.detach(pm.id)
    assert stripe_client.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method is None


def test_setup_intent_payment_method_types_on_this_api_version(stripe_emulator, stripe_client):
    """API 2026-09-30.endive removed `payment_method_types` as a parameter (400,
    payment_method_types_no_longer_supported); `allowed_payment_method_types` keeps the compatible
    types, `excluded_payment_method_types` takes some out, and the object's read-only
    `payment_method_types` shows what is left."""
    customer = stripe_client.v1.customers.create()
    with pytest.raises(stripe.InvalidRequestError) as removed:
        stripe_client.v1.setup_intents.create(
            params={"customer": customer.id, "payment_method_types": ["card"]}  # type: ignore[typeddict-unknown-key]
        )
    assert removed.value.http_status == 400 and removed.value.param == "payment_method_types"
    assert removed.value.code == "payment_method_types_no_longer_supported"

    allowed = stripe_client.v1.setup_intents.create(
        params={"customer": customer.id, "allowed_payment_method_types": ["card", "us_bank_account"]}
    )
    # Silently filtered to what the account can use (the emulator's account has cards only).
    assert allowed.allowed_payment_method_types == ["card", "us_bank_account"]
    assert allowed.payment_method_types == ["card"] and allowed.automatic_payment_methods is None
    assert allowed.excluded_payment_method_types is None

    dynamic = stripe_client.v1.setup_intents.create(
        params={"customer": customer.id, "excluded_payment_method_types": ["sepa_debit"]}
    )
    assert (
        dynamic.excluded_payment_method_types == ["sepa_debit"]
        and dynamic.allowed_payment_method_types is None
    )
    assert dynamic.payment_method_types == ["card"] and dynamic.automatic_payment_methods.enabled is True

    with pytest.raises(stripe.InvalidRequestError) as both:
        stripe_client.v1.setup_intents.create(
            params={"allowed_payment_method_types": ["card"], "excluded_payment_method_types": ["sepa_debit"]}
        )
    assert both.value.code == "parameters_exclusive"
    with pytest.raises(stripe.InvalidRequestError) as nothing_left:
        stripe_client.v1.setup_intents.create(params={"allowed_payment_method_types": ["sepa_debit"]})
    assert nothing_left.value.param == "allowed_payment_method_types"

    updated = stripe_client.v1.setup_intents.update(
        dynamic.id, params={"excluded_payment_method_types": ["sepa_debit", "ideal"]}
    )
    assert updated.excluded_payment_method_types == ["sepa_debit", "ideal"]
    with pytest.raises(stripe.InvalidRequestError) as update_removed:
        stripe_client.v1.setup_intents.update(
            dynamic.id,
            params={"payment_method_types": ["card"]},  # type: ignore[typeddict-unknown-key]
        )
    assert update_removed.value.code == "payment_method_types_no_longer_supported"
    done = stripe_client.v1.setup_intents.confirm(allowed.id, params={"payment_method": "pm_card_visa"})
    assert done.status == "succeeded"


def test_card_page_confirms_a_setup_intent_and_redirects(stripe_emulator, stripe_client):
    customer = stripe_client.v1.customers.create(params={"email": "page@example.com"})
    seti = stripe_client.v1.setup_intents.create(params={"customer": customer.id})
    page_url = f"{stripe_emulator.url}/_pages/setup/{seti.id}"
    back = "http://127.0.0.1:8000/billing/card?step=done"
    form = requests.get(page_url, params={"return_url": back}, timeout=5)
    assert form.status_code == 200 and "Card number" in form.text and "page@example.com" in form.text
    expired = requests.post(
        page_url, data={"card_number": "4242424242424242", "exp": "01/20", "cvc": "123", "return_url": back}
    )
    assert expired.status_code == 200 and "expiration date is in the past" in expired.text

    declined = requests.post(
        page_url,
        data={"card_number": "4000000000009995", "exp": "12/40", "cvc": "123", "return_url": back},
        allow_redirects=False,
    )
    assert declined.status_code == 303
    assert declined.headers["Location"].startswith(back + "&setup_intent=" + seti.id)
    assert "redirect_status=failed" in declined.headers["Location"]
    assert (
        stripe_client.v1.setup_intents.retrieve(seti.id).last_setup_error.decline_code == "insufficient_funds"
    )

    saved = requests.post(
        page_url,
        data={
            "card_number": "4242 4242 4242 4242",
            "exp": "12/40",
            "cvc": "123",
            "name": "Ada",
            "return_url": back,
        },
        allow_redirects=False,
    )
    assert saved.status_code == 303 and "redirect_status=succeeded" in saved.headers["Location"]
    done = stripe_client.v1.setup_intents.retrieve(seti.id)
    assert done.status == "succeeded"
    pm = stripe_client.v1.payment_methods.retrieve(done.payment_method)
    assert pm.customer == customer.id and pm.card.exp_year == 2040 and pm.billing_details.name == "Ada"
    # 4000000000000341: saved fine, every later charge fails.
    seti2 = stripe_client.v1.setup_intents.create(params={"customer": customer.id})
    requests.post(
        f"{stripe_emulator.url}/_pages/setup/{seti2.id}",
        data={"card_number": "4000000000000341", "exp": "12/40", "cvc": "123"},
        allow_redirects=False,
    )
    risky = stripe_client.v1.setup_intents.retrieve(seti2.id)
    assert risky.status == "succeeded"
    invoice = open_invoice(stripe_client, customer, default_payment_method=risky.payment_method)
    with pytest.raises(stripe.CardError):
        stripe_client.v1.invoices.pay(invoice.id)
