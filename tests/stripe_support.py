"""Test support for the Stripe emulator (local/stripe_emulator): a tiny signed-webhook receiver,
a `stripe.StripeClient` pointed at an emulator, and pytest fixtures.

The fixtures are module-level so a conftest can import them as they are:

    from tests.stripe_support import (  # noqa: F401
        stripe_client, stripe_connect_webhooks, stripe_emulator, stripe_webhooks,
    )

`stripe_emulator` is a fresh in-process emulator per test (it starts in milliseconds), wired to two
receivers: `stripe_webhooks` (the platform endpoint) and `stripe_connect_webhooks` (the Connect
endpoint). Retries are fast (0.05 s, 0.1 s, 0.2 s) so a test can watch one.

Card funds stay pending for two days of emulated time (`FUNDS_DELAY`), as on Stripe, so code is
tested the way Stripe behaves right after a payment: transfers need `source_transaction` (or an
available balance), and a connected account cannot give back what is still pending. A test that
needs the money available moves the clock (`emu.advance_time(FUNDS_DELAY)`) or passes
`funds_delay=0` to `start_emulator`.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import stripe

from local.stripe_emulator import Emulator

TEST_API_KEY = "sk_test_deskhire_emulator"
WEBHOOK_SECRET = "whsec_test_platform_endpoint"
CONNECT_WEBHOOK_SECRET = "whsec_test_connect_endpoint"
FAST_RETRIES = (0.05, 0.1, 0.2)
# Stripe makes US card funds available two business days after the charge; two days here.
FUNDS_DELAY = 2 * 24 * 3600


def make_client(
    emulator: Emulator | str,
    *,
    api_key: str = TEST_API_KEY,
    max_network_retries: int = 0,
    stripe_account: str | None = None,
) -> stripe.StripeClient:
    """A StripeClient whose every base address is the emulator, as production builds one for Stripe.
    `max_network_retries` defaults to 0 so a test sees each failure; the SDK's own default is 2."""
    url = emulator if isinstance(emulator, str) else emulator.url
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": url, "connect": url, "files": url},
        max_network_retries=max_network_retries,
        stripe_account=stripe_account,
    )


@dataclass
class Delivery:
    payload: str
    headers: dict[str, str]
    answered: int
    event: Any = None  # the verified stripe.Event, or None when verification failed
    error: str | None = None
    received_at: float = field(default_factory=time.time)


class WebhookReceiver:
    """A webhook endpoint on a free local port. Every delivery is verified with
    `stripe.Webhook.construct_event(payload, sig_header, secret, tolerance=300)` and recorded; the
    receiver answers 200, or what `fail_next` planned."""

    def __init__(self, secret: str, host: str = "127.0.0.1"):
        self.secret = secret
        self.deliveries: list[Delivery] = []
        self._planned: list[int] = []
        self._lock = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                payload = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                status = receiver._answer()
                delivery = Delivery(payload, dict(self.headers), status)
                try:
                    delivery.event = stripe.Webhook.construct_event(
                        payload, self.headers.get("Stripe-Signature", ""), receiver.secret, tolerance=300
                    )
                except (stripe.SignatureVerificationError, ValueError) as exc:
                    delivery.error = f"{type(exc).__name__}: {exc}"
                    status = delivery.answered = 400
                with receiver._lock:
                    receiver.deliveries.append(delivery)
                    receiver._lock.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/webhooks"

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        with self._lock:
            self._planned.extend([status] * count)

    def _answer(self) -> int:
        with self._lock:
            return self._planned.pop(0) if self._planned else 200

    def events(self, type: str | None = None) -> list[Any]:
        """Verified events that were answered 2xx (what a handler would have processed)."""
        with self._lock:
            return [
                d.event
                for d in self.deliveries
                if d.event is not None and 200 <= d.answered < 300 and (type is None or d.event.type == type)
            ]

    def wait_for(self, type: str, timeout: float = 5.0) -> Any:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [
                    d.event
                    for d in self.deliveries
                    if d.event is not None and d.event.type == type and 200 <= d.answered < 300
                ]
                if found:
                    return found[-1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [json.loads(d.payload).get("type") for d in self.deliveries]
                    raise AssertionError(f"no {type} webhook within {timeout}s; received {seen}")
                self._lock.wait(remaining)


def start_emulator(
    webhooks: WebhookReceiver | None = None, connect_webhooks: WebhookReceiver | None = None, **options: Any
) -> Emulator:
    """An in-process emulator on a free port, wired to the given receivers, with card funds pending
    for FUNDS_DELAY unless `funds_delay=` says otherwise."""
    options.setdefault("webhook_retry_delays", FAST_RETRIES)
    options.setdefault("funds_delay", FUNDS_DELAY)
    emu = Emulator(
        webhook_url=webhooks.url if webhooks else None,
        webhook_secret=webhooks.secret if webhooks else WEBHOOK_SECRET,
        connect_webhook_url=connect_webhooks.url if connect_webhooks else None,
        connect_webhook_secret=connect_webhooks.secret if connect_webhooks else CONNECT_WEBHOOK_SECRET,
        **options,
    )
    return emu.start(port=0)


@pytest.fixture
def stripe_webhooks():
    receiver = WebhookReceiver(WEBHOOK_SECRET).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def stripe_connect_webhooks():
    receiver = WebhookReceiver(CONNECT_WEBHOOK_SECRET).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def stripe_emulator(stripe_webhooks, stripe_connect_webhooks):
    emu = start_emulator(stripe_webhooks, stripe_connect_webhooks)
    yield emu
    emu.stop()


@pytest.fixture
def stripe_client(stripe_emulator) -> stripe.StripeClient:
    return make_client(stripe_emulator)
