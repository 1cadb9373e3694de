"""Connect through the emulator: Express onboarding through the onboarding page (plain HTTP, no
browser), transfers with source_transaction and transfer_group, a currency-converted destination
payment, reversals, and calls made on behalf of a connected account (`Stripe-Account`)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
import stripe

pytestmark = pytest.mark.integration

REFRESH = "http://127.0.0.1:8000/agents/payouts/refresh"
RETURN = "http://127.0.0.1:8000/agents/payouts/done"


def onboarded(client, emu, country="US", **fields):
    account = client.v1.accounts.create(params={"type": "express", "country": country, **fields})
    emu.complete_onboarding(account.id)
    return client.v1.accounts.retrieve(account.id)


def paid_charge(client, amount=10000, currency="usd"):
    customer = client.v1.customers.create()
    pm = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    invoice = client.v1.invoices.create(
        params={"customer": customer.id, "default_payment_method": pm.id, "currency": currency}
    )
    client.v1.invoice_items.create(params={"customer": customer.id, "invoice": invoice.id, "amount": amount})
    invoice = client.v1.invoices.pay(invoice.id)
    payment = client.v1.invoice_payments.list(
        params={"invoice": invoice.id, "expand": ["data.payment.payment_intent"]}
    )
    return client.v1.charges.retrieve(payment.data[0].payment.payment_intent.latest_charge)


def test_express_onboarding_through_the_page(
    stripe_emulator, stripe_client, stripe_webhooks, stripe_connect_webhooks
):
    account = stripe_client.v1.accounts.create(
        params={
            "controller": {
                "fees": {"payer": "application"},
                "losses": {"payments": "application"},
                "stripe_dashboard": {"type": "express"},
            },
            "country": "GB",
            "email": "lia@example.com",
            "capabilities": {"transfers": {"requested": True}},
            "metadata": {"agent": "a-1"},
        }
    )
    assert account.type == "express" and account.default_currency == "gbp"
    assert (
        account.charges_enabled is False
        and account.payouts_enabled is False
        and account.details_submitted is False
    )
    assert account.capabilities.to_dict() == {"transfers": "inactive"}
    assert account.requirements.currently_due and account.requirements.disabled_reason
    assert account.id in [a.id for a in stripe_client.v1.accounts.list().data]

    link = stripe_client.v1.account_links.create(
        params={
            "account": account.id,
            "refresh_url": REFRESH,
            "return_url": RETURN,
            "type": "account_onboarding",
        }
    )
    assert link.object == "account_link" and link.expires_at == link.created + 300
    assert link.url.startswith(stripe_emulator.url)
    page = requests.get(link.url, allow_redirects=False, timeout=5)
    assert page.status_code == 200 and "lia@example.com" in page.text and "GBP" in page.text
    # Single use, like Stripe's: a second visit goes to refresh_url.
    again = requests.get(link.url, allow_redirects=False, timeout=5)
    assert again.status_code == 303 and again.headers["Location"] == REFRESH

    action = page.text.split("action='")[1].split("'")[0]
    done = requests.post(
        stripe_emulator.url + action, data={"outcome": "verified"}, allow_redirects=False, timeout=5
    )
    assert done.status_code == 303 and done.headers["Location"] == RETURN
    account = stripe_client.v1.accounts.retrieve(account.id)
    assert account.charges_enabled is False  # only transfers was requested
    assert account.payouts_enabled is True and account.details_submitted is True
    assert account.capabilities.transfers == "active" and account.requirements.currently_due == []
    assert account.external_accounts.data[0].last4 == "6789"

    event = stripe_connect_webhooks.wait_for("account.updated")
    assert event.account == account.id
    assert event.data.object.capabilities.transfers == "active"
    assert event.data.previous_attributes.capabilities.transfers == "inactive"
    assert event.data.previous_attributes.details_submitted is False
    stripe_emulator.flush_webhooks()
    assert not stripe_webhooks.events("account.updated"), "Connect events go to the Connect endpoint only"
    # The event is the connected account's: listed with Stripe-Account.
    listed = stripe_client.v1.events.list(
        params={"type": "account.updated"}, options={"stripe_account": account.id}
    )
    assert [e.id for e in listed.data] == [event.id]
    assert stripe_client.v1.events.list(params={"type": "account.updated"}).data == []


def test_leaving_and_expired_links_go_to_refresh_url(stripe_emulator, stripe_client):
    account = stripe_client.v1.accounts.create(params={"type": "express", "country": "US"})
    params = {
        "account": account.id,
        "refresh_url": REFRESH,
        "return_url": RETURN,
        "type": "account_onboarding",
    }
    page = requests.get(stripe_client.v1.account_links.create(params=params).url, timeout=5)
    leave = page.text.split("href='")[1].split("'")[0]
    left = requests.get(stripe_emulator.url + leave, allow_redirects=False, timeout=5)
    assert left.status_code == 303 and left.headers["Location"] == REFRESH
    assert stripe_client.v1.accounts.retrieve(account.id).details_submitted is False

    stale = stripe_client.v1.account_links.create(params=params)
    stripe_emulator.advance_time(301)
    expired = requests.get(stale.url, allow_redirects=False, timeout=5)
    assert expired.status_code == 303 and expired.headers["Location"] == REFRESH

    pending = requests.get(stripe_client.v1.account_links.create(params=params).url, timeout=5)
    action = pending.text.split("action='")[1].split("'")[0]
    requests.post(stripe_emulator.url + action, data={"outcome": "pending"}, allow_redirects=False, timeout=5)
    account = stripe_client.v1.accounts.retrieve(account.id)
    assert account.details_submitted is True and account.capabilities.transfers == "pending"
    assert account.requirements.pending_verification and account.payouts_enabled is False


def test_default_currency_follows_the_country(stripe_client):
    for country, currency in {"US": "usd", "GB": "gbp", "DE": "eur", "FR": "eur", "PT": "eur", "ES": "eur",
                              "IE": "eur", "NL": "eur", "CA": "cad", "AU": "aud", "JP": "jpy", "IN": "inr"}.items():  # fmt: skip
        account = stripe_client.v1.accounts.create(params={"type": "express", "country": country})
        assert account.default_currency == currency, country
    with pytest.raises(stripe.InvalidRequestError) as bad:
        stripe_client.v1.accounts.create(params={"type": "express", "country": "ZZ"})
    assert bad.value.param == "country"


def test_agents_outside_the_platforms_region_need_the_recipient_agreement(stripe_emulator, stripe_client):
    """A US platform pays full-agreement accounts in the US, Canada, the UK, the EEA and
    Switzerland; elsewhere only accounts on the recipient service agreement (transfers only), in
    the countries Stripe lists for cross-border payouts."""
    charge = paid_charge(stripe_client, 20000)
    full_mx = onboarded(stripe_client, stripe_emulator, country="MX")
    assert full_mx.tos_acceptance.service_agreement == "full"
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.transfers.create(
            params={
                "amount": 1000,
                "currency": "usd",
                "destination": full_mx.id,
                "source_transaction": charge.id,
            }
        )
    assert refused.value.param == "destination" and refused.value.http_status == 400
    assert refused.value.user_message == (
        "Funds can't be sent to accounts located in MX when the account is under the `full` service agreement."
    )
    assert stripe_client.v1.transfers.list(params={"destination": full_mx.id}).data == []

    recipient = {
        "type": "express",
        "country": "MX",
        "capabilities": {"transfers": {"requested": True}},
        "tos_acceptance": {"service_agreement": "recipient"},
    }
    with pytest.raises(stripe.InvalidRequestError) as card_payments:
        stripe_client.v1.accounts.create(
            params={
                **recipient,
                "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
            }
        )
    assert card_payments.value.param == "capabilities[card_payments]"
    agent = stripe_client.v1.accounts.create(params=recipient)
    assert agent.tos_acceptance.service_agreement == "recipient" and agent.default_currency == "mxn"
    assert agent.capabilities.to_dict() == {"transfers": "inactive"}
    stripe_emulator.complete_onboarding(agent.id)
    paid = stripe_client.v1.transfers.create(
        params={"amount": 1000, "currency": "usd", "destination": agent.id, "source_transaction": charge.id}
    )
    payment = stripe_client.v1.charges.retrieve(
        paid.destination_payment, options={"stripe_account": agent.id}
    )
    assert payment.currency == "mxn" and payment.amount == 17000  # 1 USD = 17 MXN in the emulator's table

    # Inside the region the full agreement is paid (GB, DE, CA, CH from a US platform).
    for country in ("GB", "CH"):
        near = onboarded(stripe_client, stripe_emulator, country=country)
        stripe_client.v1.transfers.create(
            params={"amount": 100, "currency": "usd", "destination": near.id, "source_transaction": charge.id}
        )
    # Where Stripe has no accounts on the full agreement, none can be created.
    with pytest.raises(stripe.InvalidRequestError) as jamaica:
        stripe_client.v1.accounts.create(params={"type": "express", "country": "JM"})
    assert jamaica.value.user_message.startswith(
        "Connected accounts in JM cannot be created by platforms in US."
    )
    jm = stripe_client.v1.accounts.create(params={**recipient, "country": "JM"})
    assert jm.default_currency == "jmd"
    with pytest.raises(stripe.InvalidRequestError) as bogus:
        stripe_client.v1.accounts.create(
            params={**recipient, "tos_acceptance": {"service_agreement": "partial"}}
        )
    assert bogus.value.param == "tos_acceptance[service_agreement]"


def test_the_region_follows_the_platform_country(stripe_webhooks, stripe_connect_webhooks):
    from tests.stripe_support import make_client, start_emulator

    emu = start_emulator(
        stripe_webhooks, stripe_connect_webhooks, platform_country="GB", platform_currency="gbp"
    )
    try:
        client = make_client(emu)
        assert client.v1.accounts.retrieve_current().tos_acceptance.service_agreement == "full"
        emu.set_available_balance(None, 10000)
        us = onboarded(client, emu, country="US")
        client.v1.transfers.create(params={"amount": 100, "currency": "gbp", "destination": us.id})
        au = onboarded(client, emu, country="AU")
        with pytest.raises(stripe.InvalidRequestError, match="accounts located in AU"):
            client.v1.transfers.create(params={"amount": 100, "currency": "gbp", "destination": au.id})
    finally:
        emu.stop()


def test_a_charge_in_a_currency_the_platform_does_not_settle_in(stripe_emulator, stripe_client):
    """The platform settles in usd only (the default: its platform currency): a eur charge lands
    converted, and transfers from it must be in usd, the currency of its balance transaction."""
    charge = paid_charge(stripe_client, 10000, currency="eur")
    assert charge.currency == "eur" and charge.amount == 10000
    txn = stripe_client.v1.balance_transactions.retrieve(charge.balance_transaction)
    assert txn.currency == "usd" and txn.amount == 10870  # 100 EUR at the emulator's 1 USD = 0.92 EUR
    assert txn.exchange_rate == pytest.approx(1.086957) and txn.fee == 315 + 30
    agent = onboarded(stripe_client, stripe_emulator, country="DE")
    with pytest.raises(stripe.InvalidRequestError) as wrong_currency:
        stripe_client.v1.transfers.create(
            params={
                "amount": 5000,
                "currency": "eur",
                "destination": agent.id,
                "source_transaction": charge.id,
            }
        )
    assert wrong_currency.value.param == "currency"
    assert "balance transaction (usd)" in wrong_currency.value.user_message
    with pytest.raises(stripe.InvalidRequestError, match="still available for transfers"):
        stripe_client.v1.transfers.create(
            params={
                "amount": 10871,
                "currency": "usd",
                "destination": agent.id,
                "source_transaction": charge.id,
            }
        )
    transfer = stripe_client.v1.transfers.create(
        params={"amount": 5000, "currency": "usd", "destination": agent.id, "source_transaction": charge.id}
    )
    # The agent still receives in their own currency.
    payment = stripe_client.v1.charges.retrieve(
        transfer.destination_payment, options={"stripe_account": agent.id}
    )
    assert (payment.currency, payment.amount) == ("eur", 4600)
    # A refund of the eur charge leaves the usd balance converted, and what is left to transfer with it.
    refund = stripe_client.v1.refunds.create(params={"charge": charge.id, "amount": 1000})
    refund_txn = stripe_client.v1.balance_transactions.retrieve(refund.balance_transaction)
    assert (refund_txn.currency, refund_txn.amount) == ("usd", -1087)
    with pytest.raises(stripe.InvalidRequestError, match="still available for transfers"):
        stripe_client.v1.transfers.create(
            params={"amount": 10870 - 1087 - 5000 + 1, "currency": "usd", "destination": agent.id,
                    "source_transaction": charge.id}
        )  # fmt: skip
    rest = stripe_client.v1.refunds.create(params={"charge": charge.id})
    assert stripe_client.v1.balance_transactions.retrieve(rest.balance_transaction).amount == -(10870 - 1087)


def test_a_platform_that_settles_in_the_charge_currency_keeps_it(stripe_webhooks, stripe_connect_webhooks):
    from tests.stripe_support import make_client, start_emulator

    emu = start_emulator(stripe_webhooks, stripe_connect_webhooks, settlement_currencies={"eur"})
    try:
        client = make_client(emu)
        charge = paid_charge(client, 10000, currency="eur")
        txn = client.v1.balance_transactions.retrieve(charge.balance_transaction)
        assert (txn.currency, txn.amount, txn.exchange_rate) == ("eur", 10000, None)
        agent = onboarded(client, emu, country="FR")
        transfer = client.v1.transfers.create(
            params={
                "amount": 6000,
                "currency": "eur",
                "destination": agent.id,
                "source_transaction": charge.id,
            }
        )
        assert transfer.currency == "eur"
        usd = paid_charge(client, 5000)
        assert client.v1.balance_transactions.retrieve(usd.balance_transaction).currency == "usd"
    finally:
        emu.stop()


def test_transfers_need_the_transfers_capability(stripe_client):
    account = stripe_client.v1.accounts.create(params={"type": "express", "country": "US"})
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.transfers.create(
            params={"amount": 100, "currency": "usd", "destination": account.id}
        )
    assert refused.value.code == "insufficient_capabilities_for_transfer"
    with pytest.raises(stripe.InvalidRequestError, match="No such destination: 'acct_nope'"):
        stripe_client.v1.transfers.create(
            params={"amount": 100, "currency": "usd", "destination": "acct_nope"}
        )


def test_transfer_from_a_charge_with_a_group_and_converted_payment(stripe_emulator, stripe_client):
    charge = paid_charge(stripe_client, 10000)
    agent = onboarded(stripe_client, stripe_emulator, country="DE")
    transfer = stripe_client.v1.transfers.create(
        params={
            "amount": 6000,
            "currency": "usd",
            "destination": agent.id,
            "source_transaction": charge.id,
            "description": "March, 20 h",
            "metadata": {"contract": "c-9"},
        },
        options={"idempotency_key": "payout-c-9-march"},
    )
    assert transfer.amount == 6000 and transfer.currency == "usd" and transfer.source_transaction == charge.id
    assert transfer.destination_payment.startswith("py_") and transfer.reversals.data == []
    with pytest.raises(stripe.InvalidRequestError, match="still available for transfers") as too_much:
        stripe_client.v1.transfers.create(
            params={
                "amount": 4001,
                "currency": "usd",
                "destination": agent.id,
                "source_transaction": charge.id,
            }
        )
    assert too_much.value.param == "amount"
    with pytest.raises(stripe.InvalidRequestError, match="must be the same as the transfer currency"):
        stripe_client.v1.transfers.create(
            params={
                "amount": 100,
                "currency": "eur",
                "destination": agent.id,
                "source_transaction": charge.id,
            }
        )
    rest = stripe_client.v1.transfers.create(
        params={"amount": 4000, "currency": "usd", "destination": agent.id, "source_transaction": charge.id}
    )
    # A transfer from a source transaction belongs to the charge's transfer group; the invoice's
    # charge had none, so Stripe made group_<PaymentIntent> and set it on the charge and its
    # PaymentIntent too.
    group = f"group_{charge.payment_intent}"
    assert transfer.transfer_group == group and rest.transfer_group == group
    assert stripe_client.v1.charges.retrieve(charge.id).transfer_group == group
    assert stripe_client.v1.payment_intents.retrieve(charge.payment_intent).transfer_group == group
    grouped = stripe_client.v1.transfers.list(params={"transfer_group": group})
    assert {t.id for t in grouped.data} == {transfer.id, rest.id}
    assert stripe_client.v1.transfers.list(params={"transfer_group": "invoice-42"}).data == []
    assert [c.id for c in stripe_client.v1.charges.list(params={"transfer_group": group}).data] == [charge.id]
    assert {t.id for t in stripe_client.v1.transfers.list(params={"destination": agent.id}).data} == {
        transfer.id,
        rest.id,
    }

    # The agent abroad is paid in euros at the emulator's fixed rate (1 USD = 0.92 EUR).
    on_behalf = {"stripe_account": agent.id}
    payment = stripe_client.v1.charges.retrieve(
        transfer.destination_payment, params={"expand": ["balance_transaction"]}, options=on_behalf
    )
    assert payment.amount == 5520 and payment.currency == "eur" and payment.source_transfer == transfer.id
    assert payment.transfer_group == group
    assert payment.balance_transaction.exchange_rate == pytest.approx(0.92)
    assert payment.balance_transaction.amount == 5520 and payment.balance_transaction.type == "payment"
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.charges.retrieve(transfer.destination_payment)  # not the platform's charge
    expanded = stripe_client.v1.transfers.retrieve(transfer.id, params={"expand": ["destination_payment"]})
    assert expanded.destination_payment.amount == 5520
    # The charge's funds are pending for two days, and so is what the transfers moved, on both sides.
    agent_balance = stripe_client.v1.balance.retrieve(options=on_behalf)
    assert [(b.currency, b.amount) for b in agent_balance.pending] == [("eur", 5520 + 3680)]
    assert [(b.currency, b.amount) for b in agent_balance.available] == [("eur", 0)]
    agent_txns = stripe_client.v1.balance_transactions.list(options=on_behalf)
    assert sorted(t.amount for t in agent_txns.data) == [3680, 5520]
    assert {t.status for t in agent_txns.data} == {"pending"}
    fee = 290 + 30
    platform = stripe_client.v1.balance.retrieve()
    assert (platform.available[0].amount, platform.pending[0].amount) == (0, 10000 - fee - 10000)
    stripe_emulator.advance_time(2 * 24 * 3600)
    agent_balance = stripe_client.v1.balance.retrieve(options=on_behalf)
    assert [(b.currency, b.amount) for b in agent_balance.available] == [("eur", 5520 + 3680)]
    assert stripe_client.v1.balance.retrieve().available[0].amount == 10000 - fee - 10000
    assert [e["type"] for e in stripe_emulator.events(type="transfer.created")] == ["transfer.created"] * 2


def test_a_charge_given_a_transfer_group_keeps_it_for_its_transfers(stripe_emulator, stripe_client):
    charge = paid_charge(stripe_client, 5000)
    agent = onboarded(stripe_client, stripe_emulator)
    stripe_client.v1.charges.update(charge.id, params={"transfer_group": "invoice-9"})
    transfer = stripe_client.v1.transfers.create(
        params={"amount": 1000, "currency": "usd", "destination": agent.id, "source_transaction": charge.id}
    )
    assert transfer.transfer_group == "invoice-9"
    same = stripe_client.v1.transfers.create(
        params={
            "amount": 500,
            "currency": "usd",
            "destination": agent.id,
            "source_transaction": charge.id,
            "transfer_group": "invoice-9",
        }
    )
    assert same.transfer_group == "invoice-9"
    # Another group alongside the source transaction is refused. Whether Stripe refuses it or files
    # the transfer under the charge's group anyway could not be confirmed: the emulator takes the
    # stricter side, so code that passes here works on Stripe either way.
    for other in ("something-else", f"group_{charge.payment_intent}"):
        with pytest.raises(stripe.InvalidRequestError) as refused:
            stripe_client.v1.transfers.create(
                params={
                    "amount": 100,
                    "currency": "usd",
                    "destination": agent.id,
                    "source_transaction": charge.id,
                    "transfer_group": other,
                }
            )
        assert refused.value.param == "transfer_group" and "invoice-9" in refused.value.user_message
    assert {t.id for t in stripe_client.v1.transfers.list(params={"transfer_group": "invoice-9"}).data} == {
        transfer.id,
        same.id,
    }
    # "transfer_group may only be provided if it has not been set"
    with pytest.raises(stripe.InvalidRequestError) as again:
        stripe_client.v1.charges.update(charge.id, params={"transfer_group": "invoice-10"})
    assert again.value.param == "transfer_group"


def test_a_transfer_from_a_charge_without_a_group_cannot_name_another(stripe_emulator, stripe_client):
    """The invoice's charge has no group until its first transfer (Stripe then makes
    group_<PaymentIntent>): a transfer naming another group with it is refused (the stricter of
    Stripe's two possible answers), the generated group itself is accepted."""
    charge = paid_charge(stripe_client, 5000)
    agent = onboarded(stripe_client, stripe_emulator)
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.transfers.create(
            params={
                "amount": 1000,
                "currency": "usd",
                "destination": agent.id,
                "source_transaction": charge.id,
                "transfer_group": "invoice-42",
            }
        )
    assert refused.value.param == "transfer_group"
    assert stripe_client.v1.charges.retrieve(charge.id).transfer_group is None  # nothing changed
    group = f"group_{charge.payment_intent}"
    made = stripe_client.v1.transfers.create(
        params={
            "amount": 1000,
            "currency": "usd",
            "destination": agent.id,
            "source_transaction": charge.id,
            "transfer_group": group,
        }
    )
    assert made.transfer_group == group == stripe_client.v1.charges.retrieve(charge.id).transfer_group


def test_transfer_without_a_source_needs_available_balance(stripe_emulator, stripe_client):
    agent = onboarded(stripe_client, stripe_emulator)
    with pytest.raises(stripe.InvalidRequestError) as short:
        stripe_client.v1.transfers.create(params={"amount": 2500, "currency": "usd", "destination": agent.id})
    assert short.value.code == "balance_insufficient" and short.value.http_status == 400
    stripe_emulator.set_available_balance(None, 3000)
    transfer = stripe_client.v1.transfers.create(
        params={"amount": 2500, "currency": "usd", "destination": agent.id, "transfer_group": "bonus-7"}
    )
    assert transfer.source_transaction is None and transfer.transfer_group == "bonus-7"
    assert stripe_client.v1.balance.retrieve().available[0].amount == 500
    txn = stripe_client.v1.balance_transactions.retrieve(transfer.balance_transaction)
    assert txn.type == "transfer" and txn.amount == -2500


def test_card_money_is_pending_for_days(stripe_emulator, stripe_client):
    """Only source_transaction transfers can use a charge's money before it is available."""
    charge = paid_charge(stripe_client, 10000)
    agent = onboarded(stripe_client, stripe_emulator)
    txn = stripe_client.v1.balance_transactions.retrieve(charge.balance_transaction)
    assert txn.status == "pending" and txn.available_on == txn.created + 2 * 24 * 3600
    with pytest.raises(stripe.InvalidRequestError) as short:
        stripe_client.v1.transfers.create(params={"amount": 1000, "currency": "usd", "destination": agent.id})
    assert short.value.code == "balance_insufficient"
    funded = stripe_client.v1.transfers.create(
        params={"amount": 1000, "currency": "usd", "destination": agent.id, "source_transaction": charge.id}
    )
    assert (
        stripe_client.v1.balance_transactions.retrieve(funded.balance_transaction).available_on
        == txn.available_on
    )
    stripe_emulator.advance_time(2 * 24 * 3600)
    assert stripe_client.v1.balance_transactions.retrieve(charge.balance_transaction).status == "available"
    stripe_client.v1.transfers.create(params={"amount": 1000, "currency": "usd", "destination": agent.id})


def test_transfers_to_recipient_accounts_take_a_day_more_to_become_available(stripe_emulator, stripe_client):
    """Stripe's "Service agreement types": "Transfers to recipient accounts take an extra 24 hours to
    become available in the connected account's balance." The platform's side is unchanged; the
    recipient's money (and so what a reversal can take back) is pending a day longer."""
    day = 24 * 3600
    charge = paid_charge(stripe_client, 10000)
    stripe_emulator.advance_time(2 * day)  # the charge's funds are available on the platform
    full = onboarded(stripe_client, stripe_emulator, country="PT")
    recipient = onboarded(
        stripe_client,
        stripe_emulator,
        country="JP",
        capabilities={"transfers": {"requested": True}},
        tos_acceptance={"service_agreement": "recipient"},
    )

    def destination_txn(transfer):
        payment = stripe_client.v1.charges.retrieve(
            transfer.destination_payment,
            params={"expand": ["balance_transaction"]},
            options={"stripe_account": transfer.destination},
        )
        return payment.balance_transaction

    to_full = stripe_client.v1.transfers.create(
        params={"amount": 1000, "currency": "usd", "destination": full.id, "source_transaction": charge.id}
    )
    to_recipient = stripe_client.v1.transfers.create(
        params={
            "amount": 1000,
            "currency": "usd",
            "destination": recipient.id,
            "source_transaction": charge.id,
        }
    )
    assert destination_txn(to_full).status == "available"
    pending = destination_txn(to_recipient)
    assert pending.status == "pending" and pending.available_on == to_recipient.created + day
    with pytest.raises(stripe.InvalidRequestError) as early:
        stripe_client.v1.transfers.reversals.create(to_recipient.id, params={"amount": 100})
    assert early.value.code == "balance_insufficient"
    stripe_client.v1.transfers.reversals.create(to_full.id, params={"amount": 100})
    stripe_emulator.advance_time(day)
    assert destination_txn(to_recipient).status == "available"
    stripe_client.v1.transfers.reversals.create(to_recipient.id, params={"amount": 100})


def test_reversals_and_a_short_connected_balance(stripe_emulator, stripe_client):
    charge = paid_charge(stripe_client, 10000)
    agent = onboarded(stripe_client, stripe_emulator, country="GB")
    transfer = stripe_client.v1.transfers.create(
        params={"amount": 5000, "currency": "usd", "destination": agent.id, "source_transaction": charge.id}
    )
    # Right after the transfer its money is still pending on the agent's account (it settles with
    # the charge): only an available balance can be reversed, as on Stripe.
    with pytest.raises(stripe.InvalidRequestError) as pending:
        stripe_client.v1.transfers.reversals.create(transfer.id, params={"amount": 1000})
    assert pending.value.code == "balance_insufficient" and "£0.00 is available" in pending.value.user_message
    stripe_emulator.advance_time(2 * 24 * 3600)
    partial = stripe_client.v1.transfers.reversals.create(
        transfer.id, params={"amount": 1000, "metadata": {"why": "hours"}}
    )
    assert (
        partial.object == "transfer_reversal" and partial.amount == 1000 and partial.transfer == transfer.id
    )
    assert partial.destination_payment_refund.startswith("pyr_")
    after = stripe_client.v1.transfers.retrieve(transfer.id)
    assert after.amount_reversed == 1000 and after.reversed is False and len(after.reversals.data) == 1
    reversed_event = stripe_emulator.events(type="transfer.reversed")[-1]
    assert reversed_event["data"]["previous_attributes"]["amount_reversed"] == 0
    agent_gbp = stripe_client.v1.balance.retrieve(options={"stripe_account": agent.id}).available[0]
    assert (agent_gbp.currency, agent_gbp.amount) == ("gbp", 3950 - 790)

    # The agent already paid out: nothing to take back.
    stripe_emulator.drain_balance(agent.id)
    with pytest.raises(stripe.InvalidRequestError) as short:
        stripe_client.v1.transfers.reversals.create(transfer.id)
    assert short.value.code == "balance_insufficient"
    assert stripe_client.v1.transfers.retrieve(transfer.id).amount_reversed == 1000

    stripe_emulator.set_available_balance(agent.id, 10000)
    full = stripe_client.v1.transfers.reversals.create(transfer.id)
    assert full.amount == 4000
    done = stripe_client.v1.transfers.retrieve(transfer.id)
    assert done.reversed is True and done.amount_reversed == 5000
    assert {r.id for r in stripe_client.v1.transfers.reversals.list(transfer.id).data} == {
        partial.id,
        full.id,
    }
    with pytest.raises(stripe.InvalidRequestError, match="fully reversed"):
        stripe_client.v1.transfers.reversals.create(transfer.id)
    # The charge's transferable amount comes back with the reversal.
    again = stripe_client.v1.transfers.create(
        params={"amount": 10000, "currency": "usd", "destination": agent.id, "source_transaction": charge.id}
    )
    assert again.amount == 10000


def test_events_on_a_connected_account_carry_it(stripe_emulator, stripe_client, stripe_connect_webhooks):
    charge = paid_charge(stripe_client, 5000)
    agent = onboarded(stripe_client, stripe_emulator, country="US")
    transfer = stripe_client.v1.transfers.create(
        params={"amount": 2000, "currency": "usd", "destination": agent.id, "source_transaction": charge.id}
    )
    stripe_emulator.advance_time(2 * 24 * 3600)
    stripe_client.v1.transfers.reversals.create(transfer.id, params={"amount": 500})
    # The reversal refunds the destination payment on the agent's account: that account's event.
    event = stripe_connect_webhooks.wait_for("refund.created")
    assert event.account == agent.id and event.data.object.charge == transfer.destination_payment
    listed = stripe_client.v1.events.list(
        params={"type": "refund.created"}, options={"stripe_account": agent.id}
    )
    assert [e.id for e in listed.data] == [event.id] and listed.data[0].account == agent.id
    # Objects made with the Stripe-Account header belong to that account, and so do their events.
    as_agent = {"stripe_account": agent.id}
    customer = stripe_client.v1.customers.create(params={"email": "own@example.com"}, options=as_agent)
    created = stripe_connect_webhooks.wait_for("customer.created")
    assert created.account == agent.id and created.data.object.id == customer.id
    assert stripe_client.v1.customers.retrieve(customer.id, options=as_agent).id == customer.id
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.customers.retrieve(customer.id)
    assert all(e["account"] == agent.id for e in stripe_emulator.events(account=agent.id))


def test_on_behalf_of_a_connected_account(stripe_emulator, stripe_client):
    from tests.stripe_support import make_client

    agent = onboarded(stripe_client, stripe_emulator, country="CA", email="cam@example.com")
    as_agent = make_client(stripe_emulator, stripe_account=agent.id)
    assert as_agent.v1.accounts.retrieve_current().id == agent.id
    assert stripe_client.v1.accounts.retrieve_current().id == stripe_emulator.platform_account_id
    balance = as_agent.v1.balance.retrieve()
    assert balance.object == "balance" and balance.available[0].currency == "cad"
    assert urlsplit(stripe_emulator.url).hostname == "127.0.0.1"
