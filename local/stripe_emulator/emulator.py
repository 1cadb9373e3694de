"""The emulator object: state, HTTP server, webhook thread, and the test controls' Python API.

    emu = Emulator(webhook_url=..., connect_webhook_url=..., webhook_secret="whsec_...")
    emu.start(port=0)           # a free port; emu.url is "http://127.0.0.1:<port>"
    ...                          # point stripe.StripeClient at emu.url
    emu.stop()

Every method here is safe to call from any thread: state sits behind one lock.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from types import EllipsisType
from typing import Any

from . import money, views
from .context import Ctx
from .errors import no_such
from .faults import Faults
from .resources import balance as balance_module
from .resources import build_router
from .resources import connect as connect_module
from .resources import invoices as invoices_module
from .resources import payments as payments_module
from .resources import payouts as payouts_module
from .resources import setup_intents as setup_intents_module
from .server import make_server
from .store import Store
from .webhooks import Dispatcher

DEFAULT_WEBHOOK_SECRET = "whsec_emulator_secret"
DEFAULT_RETRY_DELAYS = (5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0)


class Emulator:
    def __init__(
        self,
        *,
        webhook_url: str | None = None,
        connect_webhook_url: str | None = None,
        webhook_secret: str = DEFAULT_WEBHOOK_SECRET,
        connect_webhook_secret: str | None = None,
        data_file: str | Path | None = None,
        public_url: str | None = None,
        host: str = "127.0.0.1",
        api_key: str | None = None,
        funds_delay: int = 0,
        webhook_retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS,
        webhook_timeout: float = 10.0,
        platform_name: str = "deskhire (emulator)",
        platform_country: str = "US",
        platform_currency: str | None = None,
        settlement_currencies: Iterable[str] | None = None,
        platform_account_id: str = "acct_emulatorplatform",
        statement_descriptor: str = "DESKHIRE",
        verbose: bool = False,
    ):
        self.webhook_url = webhook_url
        self.connect_webhook_url = connect_webhook_url
        self.webhook_secret = webhook_secret
        self.connect_webhook_secret = connect_webhook_secret or webhook_secret
        self.data_file = Path(data_file) if data_file else None
        self._public_url = public_url.rstrip("/") if public_url else None
        self.host = host
        # None accepts any test key (sk_test_... / rk_test_...); a value accepts only that key.
        self.api_key = api_key
        # Seconds before a card payment's funds become available (Stripe: days; here 0 by default).
        self.funds_delay = funds_delay
        self.webhook_retry_delays = tuple(webhook_retry_delays)
        self.webhook_timeout = webhook_timeout
        self.platform_name = platform_name
        self.platform_country = platform_country.upper()
        # The platform account's default currency: its country's, as Stripe sets it (US: usd).
        self.platform_currency = (
            platform_currency or money.COUNTRY_CURRENCY.get(self.platform_country, "usd")
        ).lower()
        # The currencies the platform's balance holds; a charge in any other lands converted into
        # platform_currency (Stripe's settlement currencies, set up per bank account).
        self.settlement_currencies = frozenset(c.lower() for c in settlement_currencies or ()) | {
            self.platform_currency
        }
        self.platform_account_id = platform_account_id
        self.statement_descriptor = statement_descriptor
        self.verbose = verbose

        self.lock = threading.RLock()
        self.store = Store()
        self.router = build_router()
        self.faults = Faults()
        self.webhooks = Dispatcher(self)
        self._requests: list[dict[str, Any]] = []
        self._requests_lock = threading.Lock()
        self.flushing = False
        self._server = None
        self._thread: threading.Thread | None = None
        if self.data_file:
            self.store.load_file(self.data_file)
            for delivery in self.store.deliveries:
                delivery.pop("_in_flight", None)

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self, port: int = 0) -> Emulator:
        self._server = make_server(self, self.host, port)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="stripe-emulator-http",
            daemon=True,
        )
        self._thread.start()
        self.webhooks.start()
        return self

    def stop(self) -> None:
        self.webhooks.stop()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread:
            self._thread.join(timeout=5)
            self._thread = None
        with self.lock:
            self.persist()

    def __enter__(self) -> Emulator:
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def public_url(self) -> str:
        """The address pages are reached at (hosted invoice page, onboarding links)."""
        return self._public_url or self.url

    # -- plumbing used by the modules ------------------------------------------------------------

    def now(self) -> int:
        return int(time.time()) + self.store.clock_offset

    def endpoint_url(self, endpoint: str) -> str | None:
        return self.connect_webhook_url if endpoint == "connect" else self.webhook_url

    def endpoint_secret(self, endpoint: str) -> str:
        return self.connect_webhook_secret if endpoint == "connect" else self.webhook_secret

    def persist(self) -> None:
        """Save state (call with the lock held)."""
        if self.data_file:
            self.store.save(self.data_file)

    def render_stored(self, obj: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            return views.render(Ctx(self), obj)

    def log(self, message: str) -> None:
        print(f"[stripe-emulator] {message}", file=sys.stderr, flush=True)

    def log_request(self, entry: dict[str, Any]) -> None:
        with self._requests_lock:
            self._requests.append(entry)

    def run_automations_locked(self) -> None:
        invoices_module.run_automations(Ctx(self))
        payments_module.release_pending_refunds(Ctx(self))

    def run_automations(self) -> None:
        with self.lock:
            before = self.store.seq
            self.run_automations_locked()
            if self.store.seq != before:
                self.persist()

    def _control(self, fn, *args, **kwargs):
        with self.lock:
            ctx = Ctx(self)
            result = fn(ctx, *args, **kwargs)
            self.persist()
            return views.render(ctx, result) if views.is_stored(result) else result

    # -- test controls -----------------------------------------------------------------------------

    def fail_next(self, method: str, path: str, *, status: int = 500, count: int = 1) -> None:
        """The next `count` requests matching `method` (or "*") and the path prefix answer `status`
        (500 or 429) without being processed."""
        self.faults.add(method, path, action="error", status=status, count=count)

    def drop_next_response(self, method: str, path: str, *, count: int = 1) -> None:
        """The next `count` matching requests are applied, then the connection closes unanswered."""
        self.faults.add(method, path, action="drop", count=count)

    def clear_faults(self) -> None:
        self.faults.clear()

    def pending_faults(self) -> list[dict[str, Any]]:
        return self.faults.pending()

    def expire_idempotency_keys(self) -> None:
        """Forget every idempotency key, as Stripe does once a key is 24 hours old."""
        with self.lock:
            self.store.idempotency.clear()
            self.persist()

    def set_available_balance(self, account: str | None, amount: int, currency: str | None = None) -> dict:
        """Make `account`'s (None: the platform's) available balance exactly `amount` in `currency`
        (default: its default currency) through an adjustment balance transaction."""

        def apply(ctx: Ctx):
            if account is not None:
                connect_module.get_account(ctx, account)
            balance_module.set_available(ctx, account, amount, currency)
            return balance_module.balance(ctx, account)

        return self._control(apply)

    def drain_balance(self, account: str | None, currency: str | None = None) -> dict:
        """An agent who already paid everything out: available balance 0."""
        return self.set_available_balance(account, 0, currency)

    def fail_next_charge(
        self, customer: str, *, decline_code: str = "generic_decline", count: int = 1
    ) -> None:
        """The customer's next `count` charges decline (card_declined with `decline_code`, or that
        code's own error such as expired_card), whatever the card."""
        with self.lock:
            plans = self.store.forced_failures.setdefault(customer, [])
            plans.extend({"decline_code": decline_code} for _ in range(count))
            self.persist()

    def complete_onboarding(self, account: str, *, verified: bool = True) -> dict:
        """What the onboarding page's "complete" button does, for tests that skip the page."""

        def apply(ctx: Ctx):
            acct = connect_module.get_account(ctx, account)
            connect_module.complete_onboarding(ctx, acct, verified=verified)
            return acct

        return self._control(apply)

    def create_payout(self, account: str, *, amount: int | None = None, currency: str | None = None) -> dict:
        """What Stripe's payout schedule does: pay `amount` (default: all) of the connected account's
        available balance in `currency` (default: its own) to its bank account (`payout.created`)."""
        result = self._control(payouts_module.create, account, amount=amount, currency=currency)
        self.webhooks.kick()
        return result

    def fail_payout(self, payout: str, *, failure_code: str = "account_closed") -> dict:
        """The bank sends a payout on its way back: `payout.failed` (Connect), the money back in the
        account's balance, its bank account `errored` and asked for again (`account.updated`)."""
        result = self._control(payouts_module.fail, payout, failure_code=failure_code)
        self.webhooks.kick()
        return result

    def pay_payout(self, payout: str) -> dict:
        """The bank has a payout on its way: `payout.paid` (Connect)."""
        result = self._control(payouts_module.pay, payout)
        self.webhooks.kick()
        return result

    def authenticate(self, intent: str, *, succeed: bool = True) -> dict:
        """What the customer does on the 3-D Secure page for a SetupIntent or PaymentIntent in
        `requires_action` (for an invoice's PaymentIntent the payment then goes on)."""

        def apply(ctx: Ctx):
            obj = ctx.store.get(intent)
            if obj is None or obj.get("object") not in ("setup_intent", "payment_intent"):
                raise no_such("intent", intent)
            ctx.account = obj["_account"]
            if obj["object"] == "setup_intent":
                setup_intents_module.authenticate(ctx, obj, succeed=succeed)
            else:
                invoices_module.authenticate_payment(ctx, obj, succeed=succeed)
            return obj

        result = self._control(apply)
        self.webhooks.kick()
        return result

    def advance_time(self, seconds: int) -> int:
        """Move the emulator's clock forward (ages idempotency keys and account links, makes funds
        available, runs due invoice automations). Returns the new emulated time."""
        with self.lock:
            self.store.clock_offset += int(seconds)
            self.run_automations_locked()
            self.persist()
        self.webhooks.kick()
        return self.now()

    def wait_for_webhooks(self, timeout: float = 10.0) -> bool:
        """Wait until no delivery is pending (delivered, or given up after its retries)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                pending = any(d["status"] == "pending" for d in self.store.deliveries)
            if not pending:
                return True
            time.sleep(0.01)
        return False

    def flush_webhooks(self, timeout: float = 10.0) -> bool:
        """Deliver everything pending now, ignoring retry backoff, and wait until nothing is pending."""
        self.flushing = True
        try:
            with self.lock:
                for delivery in self.store.deliveries:
                    if delivery["status"] == "pending":
                        delivery["next_at"] = 0.0
            self.webhooks.kick()
            return self.wait_for_webhooks(timeout)
        finally:
            self.flushing = False

    def deliveries(self, *, type: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [
                {k: v for k, v in d.items() if not k.startswith("_")}
                for d in self.store.deliveries
                if (type is None or d["type"] == type) and (status is None or d["status"] == status)
            ]

    def requests(self, *, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """Every API request received, oldest first: method, path, params, idempotency_key,
        stripe_account, status, replayed, fault."""
        with self._requests_lock:
            return [
                dict(r)
                for r in self._requests
                if (method is None or r["method"] == method) and (path is None or r["path"].startswith(path))
            ]

    def clear_requests(self) -> None:
        with self._requests_lock:
            self._requests.clear()

    def events(
        self, *, type: str | None = None, account: str | None | EllipsisType = ...
    ) -> list[dict[str, Any]]:
        """Recorded events, oldest first (all accounts unless `account` is given)."""
        with self.lock:
            ctx = Ctx(self)
            return [
                views.render(ctx, e)
                for e in self.store.all("event", account)
                if type is None or e["type"] == type
            ]

    def reset(self) -> None:
        """Forget all state, faults, requests and pending deliveries."""
        with self.lock:
            self.store.reset()
            self.faults.clear()
            self.clear_requests()
            self.persist()
