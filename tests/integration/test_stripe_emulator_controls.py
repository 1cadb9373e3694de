"""The emulator's webhooks (signed, retried), its fault-injection and other test controls (Python and
HTTP), persistence across a restart, and the standalone command line."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import stripe

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


# -- webhooks ------------------------------------------------------------------------------------


def test_events_arrive_signed_and_can_be_fetched(stripe_emulator, stripe_client, stripe_webhooks):
    customer = stripe_client.v1.customers.create(params={"email": "hook@example.com"})
    event = stripe_webhooks.wait_for("customer.created")
    assert event.data.object.id == customer.id and event.api_version == "2026-10-28.endive"
    delivery = stripe_webhooks.deliveries[0]
    assert delivery.error is None and delivery.headers["Stripe-Signature"].startswith("t=")
    # The signature is HMAC-SHA256 of "<t>.<payload>" with the endpoint secret, as construct_event checks.
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(
            delivery.payload, delivery.headers["Stripe-Signature"], "whsec_wrong", tolerance=300
        )
    assert stripe_emulator.flush_webhooks()
    fetched = stripe_client.v1.events.retrieve(event.id)
    assert fetched.type == "customer.created" and fetched.pending_webhooks == 0
    assert fetched.request.idempotency_key  # the SDK sent one; the event names it
    assert any(e.id == event.id for e in stripe_client.v1.events.list(params={"type": "customer.*"}).data)


def test_a_failed_delivery_is_retried(stripe_emulator, stripe_client, stripe_webhooks):
    stripe_webhooks.fail_next(1, status=500)
    stripe_client.v1.customers.create()
    assert stripe_emulator.wait_for_webhooks(timeout=5)
    attempts = [json.loads(d.payload)["type"] for d in stripe_webhooks.deliveries]
    assert attempts == ["customer.created", "customer.created"]
    assert [d.answered for d in stripe_webhooks.deliveries] == [500, 200]
    delivery = stripe_emulator.deliveries(type="customer.created")[0]
    assert delivery["status"] == "delivered" and delivery["attempts"] == 2
    assert [h["status"] for h in delivery["history"]] == [500, 200]


def test_an_unreachable_endpoint_is_given_up_after_the_retries(stripe_connect_webhooks):
    from tests.stripe_support import make_client, start_emulator

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/hooks"
    emu = start_emulator(None, stripe_connect_webhooks, webhook_retry_delays=(0.01, 0.01))
    emu.webhook_url = dead
    try:
        make_client(emu).v1.customers.create()
        assert emu.flush_webhooks(timeout=5)
        delivery = emu.deliveries()[0]
        assert delivery["status"] == "failed" and delivery["attempts"] == 3
        assert all(h["status"] is None and "Error" in h["error"] for h in delivery["history"])
    finally:
        emu.stop()


# -- faults --------------------------------------------------------------------------------------


def test_injected_errors(stripe_emulator, stripe_client):
    from tests.stripe_support import make_client

    stripe_emulator.fail_next("POST", "/v1/customers", status=500)
    with pytest.raises(stripe.APIError) as failed:
        stripe_client.v1.customers.create(
            params={"email": "x@example.com"}, options={"idempotency_key": "k-500"}
        )
    assert failed.value.http_status == 500
    assert stripe_client.v1.customers.list().data == [], "a 500 before processing applies nothing"
    # Nothing was saved for the key: the retry runs.
    created = stripe_client.v1.customers.create(
        params={"email": "x@example.com"}, options={"idempotency_key": "k-500"}
    )
    assert created.email == "x@example.com"

    stripe_emulator.fail_next("*", "/v1/invoices", status=429, count=2)
    for _ in range(2):
        with pytest.raises(stripe.RateLimitError) as limited:
            stripe_client.v1.invoices.list()
        assert limited.value.http_status == 429 and limited.value.json_body["error"]["code"] == "rate_limit"
    assert stripe_client.v1.invoices.list().data == []
    assert stripe_emulator.pending_faults() == []

    # The SDK retries a 500 with the same idempotency key, and so gets through one.
    retrying = make_client(stripe_emulator, max_network_retries=2)
    stripe_emulator.fail_next("POST", "/v1/customers")
    stripe_emulator.clear_requests()
    retrying.v1.customers.create(params={"email": "y@example.com"})
    attempts = stripe_emulator.requests(method="POST")
    assert [a["status"] for a in attempts] == [500, 200]
    assert attempts[0]["idempotency_key"] == attempts[1]["idempotency_key"]


def test_a_lost_response_never_yields_a_second_transfer(stripe_emulator, stripe_client):
    from tests.stripe_support import make_client

    agent = stripe_client.v1.accounts.create(params={"type": "express", "country": "US"})
    stripe_emulator.complete_onboarding(agent.id)
    stripe_emulator.set_available_balance(None, 100000)
    params = {"amount": 2000, "currency": "usd", "destination": agent.id, "transfer_group": "c-1"}

    stripe_emulator.drop_next_response("POST", "/v1/transfers")
    with pytest.raises(stripe.APIConnectionError):
        stripe_client.v1.transfers.create(params=params, options={"idempotency_key": "payout-1"})
    # The transfer happened; asking again with the same key answers it instead of paying twice.
    replayed = stripe_client.v1.transfers.create(params=params, options={"idempotency_key": "payout-1"})
    assert replayed.last_response.headers["Idempotent-Replayed"] == "true"
    assert [t.id for t in stripe_client.v1.transfers.list().data] == [replayed.id]

    # The SDK's own retry after a dropped connection does the same.
    stripe_emulator.drop_next_response("POST", "/v1/transfers")
    second = make_client(stripe_emulator, max_network_retries=1).v1.transfers.create(
        params={**params, "transfer_group": "c-2"}
    )
    assert len(stripe_client.v1.transfers.list().data) == 2
    calls = stripe_emulator.requests(method="POST", path="/v1/transfers")
    assert [(c["fault"], c["replayed"]) for c in calls] == [
        ("drop", False),
        (None, True),
        ("drop", False),
        (None, True),
    ]
    assert second.transfer_group == "c-2"


def test_every_mutating_call_is_logged_with_its_key(stripe_emulator, stripe_client):
    stripe_client.v1.customers.create(params={"metadata": {"a": "1"}}, options={"idempotency_key": "mine"})
    stripe_client.v1.customers.list(params={"limit": 3})
    logged = stripe_emulator.requests()
    assert [(r["method"], r["path"]) for r in logged] == [("POST", "/v1/customers"), ("GET", "/v1/customers")]
    assert logged[0]["idempotency_key"] == "mine" and logged[0]["params"] == {"metadata": {"a": "1"}}
    assert logged[1]["idempotency_key"] is None and logged[1]["params"] == {"limit": "3"}
    assert all(r["idempotency_key"] for r in logged if r["method"] == "POST")


def test_forced_charge_failure_and_balance_controls(stripe_emulator, stripe_client):
    customer = stripe_client.v1.customers.create()
    pm = stripe_client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    stripe_emulator.fail_next_charge(customer.id, decline_code="insufficient_funds")
    invoice = stripe_client.v1.invoices.create(
        params={"customer": customer.id, "default_payment_method": pm.id}
    )
    stripe_client.v1.invoice_items.create(
        params={"customer": customer.id, "invoice": invoice.id, "amount": 900}
    )
    with pytest.raises(stripe.CardError) as declined:
        stripe_client.v1.invoices.pay(invoice.id)
    assert declined.value.json_body["error"]["decline_code"] == "insufficient_funds"
    assert stripe_client.v1.invoices.pay(invoice.id).status == "paid", "only the next charge fails"

    balance = stripe_emulator.set_available_balance(None, 12345, "usd")
    assert balance["available"][0] == {"amount": 12345, "currency": "usd", "source_types": {"card": 12345}}
    assert stripe_client.v1.balance.retrieve().available[0].amount == 12345
    assert stripe_emulator.drain_balance(None)["available"][0]["amount"] == 0


def test_http_controls(stripe_emulator, stripe_client):
    base = stripe_emulator.url + "/_emulator"
    assert requests.get(base + "/health", timeout=5).json()["ok"] is True
    faults = requests.post(
        base + "/faults", json={"method": "POST", "path": "/v1/customers", "status": 429}, timeout=5
    )
    assert faults.json()["faults"][0]["status"] == 429
    with pytest.raises(stripe.RateLimitError):
        stripe_client.v1.customers.create()
    requests.post(base + "/faults", json={"method": "GET", "path": "/v1/", "action": "drop"}, timeout=5)
    assert len(requests.get(base + "/faults", timeout=5).json()["faults"]) == 1
    requests.delete(base + "/faults", timeout=5)
    customer = stripe_client.v1.customers.create(options={"idempotency_key": "h-1"})
    requests.post(base + "/idempotency/expire", timeout=5)
    assert stripe_client.v1.customers.create(options={"idempotency_key": "h-1"}).id != customer.id

    requests.post(
        base + f"/customers/{customer.id}/fail_next_charge", data={"decline_code": "expired_card"}, timeout=5
    )
    assert stripe_emulator.store.forced_failures[customer.id] == [{"decline_code": "expired_card"}]
    agent = stripe_client.v1.accounts.create(params={"type": "express", "country": "FR"})
    onboard = requests.post(base + f"/accounts/{agent.id}/complete_onboarding", json={}, timeout=5).json()
    assert onboard["capabilities"] == {"card_payments": "active", "transfers": "active"}
    set_balance = requests.post(
        base + "/balance", json={"account": agent.id, "amount": 700}, timeout=5
    ).json()
    assert set_balance["available"] == [{"amount": 700, "currency": "eur", "source_types": {"card": 700}}]
    drained = requests.post(base + "/balance/drain", json={"account": agent.id}, timeout=5).json()
    assert drained["available"][0]["amount"] == 0

    flushed = requests.post(base + "/webhooks/flush", json={"timeout": 5}, timeout=10).json()
    assert flushed == {"done": True, "pending": 0}
    deliveries = requests.get(base + "/webhooks", params={"type": "customer.created"}, timeout=5).json()[
        "deliveries"
    ]
    assert len(deliveries) == 2 and all(d["status"] == "delivered" for d in deliveries)
    logged = requests.get(
        base + "/requests", params={"method": "POST", "path": "/v1/customers"}, timeout=5
    ).json()
    assert [r["status"] for r in logged["requests"]] == [429, 200, 200]
    events = requests.get(base + "/events", params={"type": "account.updated"}, timeout=5).json()["events"]
    assert events[0]["account"] == agent.id
    later = requests.post(base + "/clock/advance", json={"seconds": 3600}, timeout=5).json()["now"]
    assert later >= int(time.time()) + 3599
    assert requests.post(base + "/reset", timeout=5).json() == {"ok": True}
    assert stripe_client.v1.customers.list().data == []
    assert requests.get(base + "/nothing", timeout=5).status_code == 404


def test_auto_advancing_drafts_finalize_and_charge_after_an_hour(stripe_emulator, stripe_client):
    customer = stripe_client.v1.customers.create()
    pm = stripe_client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    stripe_client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": pm.id}}
    )
    invoice = stripe_client.v1.invoices.create(params={"customer": customer.id, "auto_advance": True})
    assert invoice.automatically_finalizes_at == invoice.created + 3601
    assert invoice.next_payment_attempt == invoice.created + 3600
    stripe_client.v1.invoice_items.create(
        params={"customer": customer.id, "invoice": invoice.id, "amount": 1200}
    )
    stripe_emulator.advance_time(3601)
    paid = stripe_client.v1.invoices.retrieve(invoice.id)
    assert paid.status == "paid" and paid.number and paid.attempt_count == 1


# -- persistence and the command line ------------------------------------------------------------


def test_state_survives_a_restart(tmp_path):
    from tests.stripe_support import make_client, start_emulator

    data_file = tmp_path / "stripe.json"
    emu = start_emulator(data_file=data_file)
    client = make_client(emu)
    customer = client.v1.customers.create(
        params={"email": "keep@example.com"}, options={"idempotency_key": "p-1"}
    )
    invoice = client.v1.invoices.create(params={"customer": customer.id})
    account = client.v1.accounts.create(params={"type": "express", "country": "NL"})
    emu.stop()
    assert json.loads(data_file.read_text())["objects"][customer.id]["email"] == "keep@example.com"
    assert [p.name for p in tmp_path.iterdir()] == ["stripe.json"], "written atomically, no temp files left"

    again = start_emulator(data_file=data_file)
    try:
        client = make_client(again)
        assert client.v1.customers.retrieve(customer.id).email == "keep@example.com"
        assert client.v1.invoices.retrieve(invoice.id).status == "draft"
        assert client.v1.accounts.retrieve(account.id).default_currency == "eur"
        # Idempotency keys survive too.
        replay = client.v1.customers.create(
            params={"email": "keep@example.com"}, options={"idempotency_key": "p-1"}
        )
        assert replay.id == customer.id
    finally:
        again.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_cli(port: int, data_file: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "local.stripe_emulator", "--port", str(port), "--data-file", str(data_file),
        "--webhook-secret", "whsec_cli", "--public-url", f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/_emulator/health", timeout=1)
            return process
        except requests.ConnectionError:
            assert process.poll() is None, "the emulator exited"
            time.sleep(0.05)
    process.kill()
    raise AssertionError("the standalone emulator did not answer")


def test_standalone_command_keeps_its_data_file(tmp_path):
    from tests.stripe_support import make_client

    port, data_file = _free_port(), tmp_path / "data" / "stripe.json"
    process = _run_cli(port, data_file)
    try:
        customer = make_client(f"http://127.0.0.1:{port}").v1.customers.create(params={"name": "CLI"})
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
    process = _run_cli(port, data_file)
    try:
        assert make_client(f"http://127.0.0.1:{port}").v1.customers.retrieve(customer.id).name == "CLI"
    finally:
        process.terminate()
        process.wait(timeout=10)
