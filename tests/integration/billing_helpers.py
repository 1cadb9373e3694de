"""Billing tests against the Stripe emulator: the app's Stripe gateway pointed at an in-process
emulator, webhooks forwarded from the emulator's receivers to the app's endpoints (so a test says
when they arrive, and can send one twice or out of order), and a card and payouts set up the way
a person would."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from tests.integration.contract_helpers import MONDAY, at, hire, log, sign_in
from tests.integration.helpers import business, call
from tests.stripe_support import CONNECT_WEBHOOK_SECRET, TEST_API_KEY, WEBHOOK_SECRET, make_client


class Paying:
    def __init__(self, client, deps, emulator, webhooks, connect_webhooks):
        from chalicelib.payments.gateway import StripeGateway

        self.client = client
        self.emulator = emulator
        self.webhooks = webhooks
        self.connect_webhooks = connect_webhooks
        self.stripe = make_client(emulator)
        settings = dataclasses.replace(
            deps.settings,
            stripe_api_key=TEST_API_KEY,
            stripe_api_base=emulator.url,
            stripe_webhook_secret=WEBHOOK_SECRET,
            stripe_connect_webhook_secret=CONNECT_WEBHOOK_SECRET,
        )
        # the emulator is the platform the app's settings describe (as local/stage.py makes sure for
        # make run and the browser tests)
        assert emulator.platform_country == settings.platform_country
        assert set(settings.settlement_currencies) <= emulator.settlement_currencies
        self.gateway = StripeGateway(TEST_API_KEY, api_base=emulator.url, max_network_retries=0)
        self.deps = dataclasses.replace(deps, settings=settings, payments=self.gateway)
        self._seen = {"platform": 0, "connect": 0}

    def forward(self, *, only: str | None = None) -> list[tuple[str, int, dict]]:
        """Deliver to the app what the emulator has sent since the last call: (type, status, body)."""
        self.emulator.flush_webhooks()
        results = []
        for name, receiver, path in (
            ("platform", self.webhooks, "/api/v1/webhooks/stripe"),
            ("connect", self.connect_webhooks, "/api/v1/webhooks/stripe/connect"),
        ):
            fresh = receiver.deliveries[self._seen[name] :]
            self._seen[name] = len(receiver.deliveries)
            for delivery in fresh:
                if delivery.event is None:
                    continue
                if only and delivery.event["type"] != only:
                    continue
                response = self.post(path, delivery.payload, delivery.headers.get("Stripe-Signature", ""))
                results.append((delivery.event["type"], response.status_code, response.json))
        return results

    def post(self, path: str, payload: str, signature: str):
        import json

        response = self.client.http.post(
            path, headers={"Content-Type": "application/json", "Stripe-Signature": signature}, body=payload
        )
        response.json = json.loads(response.body) if response.body else None
        return response

    def add_card(self, owner: dict, card: str = "pm_card_visa") -> dict:
        """The card page, done through the API: a SetupIntent, confirmed with a test card."""
        started = call(self.client, "POST", "/api/v1/billing/setup-intents", token=owner["token"])
        assert started.status_code == 201, started.json
        self.stripe.v1.setup_intents.confirm(started.json["setup_intent_id"], params={"payment_method": card})
        finished = call(
            self.client,
            "POST",
            "/api/v1/billing/payment-method",
            {"setup_intent_id": started.json["setup_intent_id"]},
            token=owner["token"],
        )
        assert finished.status_code == 200, finished.json
        return finished.json

    def enable_payouts(self, someone: dict, country: str = "PT") -> dict:
        link = call(
            self.client,
            "POST",
            "/api/v1/agent/payouts/onboarding-link",
            {"country": country},
            token=someone["token"],
        )
        assert link.status_code == 201, link.json
        account = self.gateway.find_account(someone["id"])
        self.emulator.complete_onboarding(account["id"])
        results = self.forward(only="account.updated")
        assert results and all(status == 200 for _, status, _ in results), results
        return account


@pytest.fixture
def paying(fresh_table, client, deps, stripe_emulator, stripe_webhooks, stripe_connect_webhooks):
    """A table of its own (the jobs count what they find) and a Stripe emulator of its own."""
    from chalicelib import composition

    world = Paying(client, deps, stripe_emulator, stripe_webhooks, stripe_connect_webhooks)
    composition.override_deps(world.deps)
    yield world
    composition.override_deps(None)


def worked_week(client, paying, *, entries=((24, 9, 10), (25, 9, 11)), **offer):
    """A hire on Monday of 2026-W48 with time logged that week; the clock then at Monday 12:30 of
    W49, the week locked. Returns the hire."""
    hired = hire(client, paying.deps, **offer)
    someone, cid = hired["agent"], hired["contract"]["id"]
    paying.deps.clock.now = at(27, 20)
    sign_in(client, someone)
    for day, start, end in entries:
        response = log(client, someone, cid, at(day, start), at(day, end))
        assert response.status_code == 201, response.json
    paying.deps.clock.now = at(30, 12, 30)
    for person in (someone, hired["owner"], hired["ops"]):
        sign_in(client, person)
    return hired


def payout_day(paying):
    """Wednesday 00:00 UTC of W50: 2026-W48's review closed on the Saturday before."""
    paying.deps.clock.now = at(9, 14, month=12)
    return paying.deps.clock.now - timedelta(0)


def block_hire(client, paying, *, minutes=600, card="pm_card_visa", **offer):
    """A block contract of `minutes` at 20.00 USD an hour, hired on Monday of 2026-W48 by a new
    business whose card is `card` (the block is charged on acceptance)."""
    paying.deps.clock.now = MONDAY
    owner = business(client)
    paying.add_card(owner, card=card)
    return hire(
        client,
        paying.deps,
        owner=owner,
        kind="block",
        weekly_cap_minutes=None,
        block_minutes=minutes,
        rate={"amount": 2000, "currency": "usd"},
        **offer,
    )
