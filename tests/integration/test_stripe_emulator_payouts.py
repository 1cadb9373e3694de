"""Payouts of a connected account's balance to its bank, through the emulator: made by a test
control (Stripe's automatic schedule has no API), read with the account's Stripe-Account header,
paid or failed with one of Stripe's failure codes; `payout.failed` and `payout.paid` reach the
Connect endpoint signed, with `account` set; every payout has the SDK's shape."""

from __future__ import annotations

import pytest
import requests
import stripe

from tests.integration.test_stripe_emulator_connect import onboarded
from tests.integration.test_stripe_emulator_fidelity import Checker, check_against_sdk, fixtures, json_type

pytestmark = pytest.mark.integration


def funded(client, emu, amount=5000):
    account = onboarded(client, emu)
    emu.set_available_balance(account.id, amount)
    return account


def sdk_problems(data: dict) -> list[str]:
    checker = Checker()
    check_against_sdk("payout", data, "payout", checker)
    missing = [name for name in fixtures()["payout"] if name not in data]
    wrong = [
        name
        for name, example in fixtures()["payout"].items()
        if name in data
        and json_type(example) not in ("null", json_type(data[name]))
        and data[name] is not None
    ]
    return checker.problems + [f"missing {m}" for m in missing] + [f"type of {w}" for w in wrong]


def test_a_payout_is_the_accounts_and_has_the_sdks_shape(stripe_emulator, stripe_client):
    account = funded(stripe_client, stripe_emulator)
    made = stripe_emulator.create_payout(account.id)  # all of the available balance
    assert (made["object"], made["amount"], made["currency"], made["status"]) == (
        "payout",
        5000,
        "usd",
        "in_transit",
    )
    assert made["automatic"] is True and made["destination"] == account.external_accounts.data[0].id
    on_behalf = {"stripe_account": account.id}
    payout = stripe_client.v1.payouts.retrieve(made["id"], options=on_behalf)
    assert isinstance(payout, stripe.Payout) and payout.id == made["id"]
    assert sdk_problems(payout.last_response.data) == []
    # the money left the account's available balance
    assert stripe_client.v1.balance.retrieve(options=on_behalf).available[0].amount == 0
    txn = stripe_client.v1.balance_transactions.retrieve(payout.balance_transaction, options=on_behalf)
    assert (txn.type, txn.amount, txn.reporting_category) == ("payout", -5000, "payout")

    # the platform, or another account, does not see it
    for options in ({}, {"stripe_account": onboarded(stripe_client, stripe_emulator).id}):
        with pytest.raises(stripe.InvalidRequestError) as missing:
            stripe_client.v1.payouts.retrieve(made["id"], options=options)
        assert missing.value.http_status == 404 and missing.value.code == "resource_missing"
    listed = stripe_client.v1.payouts.list(params={"status": "in_transit"}, options=on_behalf)
    assert [p.id for p in listed.data] == [made["id"]]
    # a parameter the SDK does not declare for the list is refused, as Stripe does
    undeclared: dict = {"account": account.id}
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        stripe_client.v1.payouts.list(params=undeclared, options=on_behalf)
    assert unknown.value.code == "parameter_unknown"


def test_a_failed_payout_tells_the_connect_endpoint_and_gives_the_money_back(
    stripe_emulator, stripe_client, stripe_connect_webhooks
):
    account = funded(stripe_client, stripe_emulator)
    made = stripe_emulator.create_payout(account.id, amount=3000)
    failed = stripe_emulator.fail_payout(made["id"], failure_code="account_closed")
    assert (failed["status"], failed["failure_code"]) == ("failed", "account_closed")
    assert failed["failure_message"] == "The bank account has been closed."

    event = stripe_connect_webhooks.wait_for("payout.failed")  # verified against the Connect secret
    assert event.account == account.id and event.data.object.id == made["id"]
    assert event.data.object.failure_code == "account_closed" and event.data.object.status == "failed"
    assert sdk_problems(event.data.object.to_dict()) == []

    on_behalf = {"stripe_account": account.id}
    payout = stripe_client.v1.payouts.retrieve(
        made["id"], params={"expand": ["failure_balance_transaction"]}, options=on_behalf
    )
    assert payout.failure_balance_transaction.type == "payout_failure"
    assert payout.failure_balance_transaction.amount == 3000
    assert stripe_client.v1.balance.retrieve(options=on_behalf).available[0].amount == 5000
    # the bank account is errored and Stripe asks for one again
    again = stripe_client.v1.accounts.retrieve(account.id)
    assert again.external_accounts.data[0].status == "errored"
    assert "external_account" in again.requirements.currently_due
    assert stripe_connect_webhooks.wait_for("account.updated").account == account.id
    with pytest.raises(Exception, match="no bank account"):  # no payout to an errored bank account
        stripe_emulator.create_payout(account.id)

    # new bank details (the onboarding page again): the next payout goes out and is paid
    stripe_emulator.complete_onboarding(account.id)
    fixed = stripe_client.v1.accounts.retrieve(account.id)
    assert [b.status for b in fixed.external_accounts.data] == ["new"]
    assert "external_account" not in fixed.requirements.currently_due
    second = stripe_emulator.create_payout(account.id)
    assert stripe_emulator.pay_payout(second["id"])["status"] == "paid"
    paid = stripe_connect_webhooks.wait_for("payout.paid")
    assert paid.account == account.id and paid.data.object.id == second["id"]
    # a payout that arrived or failed is done
    with pytest.raises(Exception, match="is paid"):
        stripe_emulator.fail_payout(second["id"])
    with pytest.raises(Exception, match="is failed"):
        stripe_emulator.pay_payout(made["id"])


def test_the_payout_controls_over_http(stripe_emulator, stripe_client):
    account = funded(stripe_client, stripe_emulator, amount=2500)
    base = f"{stripe_emulator.url}/_emulator"
    made = requests.post(f"{base}/accounts/{account.id}/payouts", json={"amount": 1000}, timeout=5)
    assert made.status_code == 200 and made.json()["amount"] == 1000
    too_much = requests.post(f"{base}/accounts/{account.id}/payouts", json={"amount": 9000}, timeout=5)
    assert too_much.status_code == 400 and too_much.json()["error"]["code"] == "balance_insufficient"
    unknown = requests.post(
        f"{base}/payouts/{made.json()['id']}/fail", json={"failure_code": "bogus"}, timeout=5
    )
    assert unknown.status_code == 400 and unknown.json()["error"]["param"] == "failure_code"
    failed = requests.post(
        f"{base}/payouts/{made.json()['id']}/fail", json={"failure_code": "no_account"}, timeout=5
    )
    assert failed.status_code == 200 and failed.json()["failure_code"] == "no_account"
    assert "No bank account could be located" in failed.json()["failure_message"]
    stripe_emulator.complete_onboarding(account.id)
    other = requests.post(f"{base}/accounts/{account.id}/payouts", json={}, timeout=5).json()
    assert other["amount"] == 2500  # the whole balance, the failed payout's money included
    assert requests.post(f"{base}/payouts/{other['id']}/pay", timeout=5).json()["status"] == "paid"
    assert requests.post(f"{base}/payouts/po_nope/pay", timeout=5).status_code == 404
