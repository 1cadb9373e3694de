"""deskhire's side of Stripe: every call it makes, through the official SDK's StripeClient.

Rules kept here for every caller:

- Every call that creates or changes something carries an idempotency key made from deskhire's
  own ids (`key("invoice", invoice_id)`), never a random one, so that a retried job sends the same
  key and Stripe answers with the first result instead of acting twice (Stripe keeps keys at
  least 24 hours). The SDK's own random keys only cover its in-process retries.
- For a retry later than that, callers look the object up first (`find_*`, by metadata or
  `transfer_group`) and create it only when it is not there.
- Results come back as plain dicts (`to_dict()`), and failures as the errors of this module: a
  declined card is `PaymentDeclined` with Stripe's decline code; a fault worth retrying later
  (5xx, 429, a lost connection) is `PaymentsUnavailable`; anything else is `PaymentsError`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

KEY_PREFIX = "deskhire"


def key(action: str, *ids: str) -> str:
    """The idempotency key of one action on deskhire's objects: the same inputs, the same key."""
    for part in ids:
        if not part or ":" in part:
            raise ValueError(f"idempotency key part {part!r} is empty or contains ':'")
    return ":".join((KEY_PREFIX, action, *ids))


class PaymentsError(Exception):
    """Stripe refused the request (a bug or a state we did not expect); not worth retrying as is."""

    def __init__(self, message: str, *, code: str | None = None, param: str | None = None):
        super().__init__(message)
        self.message, self.code, self.param = message, code, param


class PaymentDeclined(PaymentsError):
    """The card was declined: Stripe's `decline_code` says why (generic_decline, insufficient_funds)."""

    def __init__(self, message: str, *, decline_code: str | None, code: str | None = None):
        super().__init__(message, code=code)
        self.decline_code = decline_code

    @property
    def reason(self) -> str:
        """What to tell the business: Stripe's message, and its decline code when it gave one."""
        return f"{self.message} ({self.decline_code})" if self.decline_code else self.message


class PaymentsUnavailable(PaymentsError):
    """Stripe could not be reached or answered 5xx/429: try again later (with the same key)."""


class WebhookInvalid(Exception):
    """A webhook whose signature is missing, wrong or older than the tolerance."""


class StripeGateway:
    """The Stripe calls deskhire makes. `api_base` points the SDK elsewhere (the local emulator)."""

    def __init__(
        self, api_key: str, *, api_base: str | None = None, max_network_retries: int = 2, client=None
    ):
        self._api_key = api_key
        self._api_base = api_base
        self._retries = max_network_retries
        self._client = client
        # every key sent, for the tests that prove P2 (deterministic keys on every mutating call)
        self.sent_keys: list[tuple[str, str]] = []

    @property
    def client(self):
        if self._client is None:
            import stripe  # on first use: a request that never pays never loads the SDK

            bases = (
                {"api": self._api_base, "connect": self._api_base, "files": self._api_base}
                if self._api_base
                else None
            )
            self._client = stripe.StripeClient(
                self._api_key, base_addresses=bases, max_network_retries=self._retries
            )
        return self._client

    def _call(
        self, action: str, idempotency_key: str | None, fn: Callable[..., Any], *args, **kwargs
    ) -> dict:
        import stripe

        options = dict(kwargs.pop("options", {}) or {})
        if idempotency_key is not None:
            options["idempotency_key"] = idempotency_key
            self.sent_keys.append((action, idempotency_key))
        try:
            result = fn(*args, options=options, **kwargs) if options else fn(*args, **kwargs)
        except stripe.CardError as error:
            raise PaymentDeclined(
                error.user_message or str(error),
                decline_code=getattr(error, "decline_code", None) or error.code,
                code=error.code,
            ) from error
        except (stripe.RateLimitError, stripe.APIConnectionError) as error:
            raise PaymentsUnavailable(str(error)) from error
        except stripe.APIError as error:
            raise PaymentsUnavailable(str(error)) from error
        except stripe.StripeError as error:
            raise PaymentsError(
                str(error.user_message or error), code=error.code, param=getattr(error, "param", None)
            ) from error
        return result.to_dict() if hasattr(result, "to_dict") else result

    def _every(self, action: str, fn: Callable[..., Any], params: dict) -> list[dict]:
        """Every object of a list, page by page (`starting_after` the last one seen)."""
        found, page = [], dict(params, limit=100)
        while True:
            listed = self._call(action, None, fn, params=page)
            found.extend(listed["data"])
            if not listed.get("has_more") or not listed["data"]:
                return found
            page = dict(page, starting_after=listed["data"][-1]["id"])

    # -- customers and cards ----------------------------------------------------------------------

    def find_customer(self, tenant_id: str) -> dict | None:
        found = self._call(
            "search_customers",
            None,
            self.client.v1.customers.search,
            params={"query": f"metadata['deskhire_tenant']:'{tenant_id}'", "limit": 1},
        )
        return found["data"][0] if found["data"] else None

    def create_customer(self, tenant_id: str, *, name: str, email: str) -> dict:
        return self._call(
            "create_customer",
            key("customer", tenant_id),
            self.client.v1.customers.create,
            params={"name": name, "email": email, "metadata": {"deskhire_tenant": tenant_id}},
        )

    def retrieve_customer(self, customer: str) -> dict:
        return self._call("retrieve_customer", None, self.client.v1.customers.retrieve, customer)

    def create_setup_intent(self, customer: str, *, attempt_id: str) -> dict:
        return self._call(
            "create_setup_intent",
            key("setup_intent", attempt_id),
            self.client.v1.setup_intents.create,
            params={
                "customer": customer,
                "usage": "off_session",
                "payment_method_types": ["card"],
                "metadata": {"deskhire_attempt": attempt_id},
            },
        )

    def retrieve_setup_intent(self, setup_intent: str) -> dict:
        return self._call(
            "retrieve_setup_intent",
            None,
            self.client.v1.setup_intents.retrieve,
            setup_intent,
            params={"expand": ["payment_method"]},
        )

    def set_default_payment_method(self, customer: str, payment_method: str) -> dict:
        return self._call(
            "set_default_payment_method",
            key("default_payment_method", customer, payment_method),
            self.client.v1.customers.update,
            customer,
            params={"invoice_settings": {"default_payment_method": payment_method}},
        )

    def card_page(self, setup_intent: dict, *, return_url: str) -> str | None:
        """Where a browser enters a card for this SetupIntent: the emulator's card page locally;
        None against Stripe, where the portal's own page confirms it with Stripe.js."""
        if not self._api_base:
            return None
        from urllib.parse import quote

        return f"{self._api_base}/_pages/setup/{setup_intent['id']}?return_url={quote(return_url, safe='')}"

    # -- Connect (agents' payouts) ---------------------------------------------------------------

    def find_account(self, agent_id: str) -> dict | None:
        # Accounts have no search: list them and match the metadata (a rare lookup, only when a
        # creation may have been lost for longer than the idempotency window).
        for account in self._every("list_accounts", self.client.v1.accounts.list, {}):
            if (account.get("metadata") or {}).get("deskhire_agent") == agent_id:
                return account
        return None

    def create_express_account(self, agent_id: str, *, email: str, country: str) -> dict:
        return self._call(
            "create_account",
            key("account", agent_id),
            self.client.v1.accounts.create,
            params={
                "type": "express",
                "country": country,
                "email": email,
                "capabilities": {"transfers": {"requested": True}},
                "metadata": {"deskhire_agent": agent_id},
            },
        )

    def retrieve_account(self, account: str) -> dict:
        return self._call("retrieve_account", None, self.client.v1.accounts.retrieve, account)

    def create_account_link(
        self, account: str, *, attempt_id: str, refresh_url: str, return_url: str
    ) -> dict:
        return self._call(
            "create_account_link",
            key("account_link", attempt_id),
            self.client.v1.account_links.create,
            params={
                "account": account,
                "refresh_url": refresh_url,
                "return_url": return_url,
                "type": "account_onboarding",
            },
        )

    # -- invoices ---------------------------------------------------------------------------------

    def find_invoice(self, invoice_id: str) -> dict | None:
        found = self._call(
            "search_invoices",
            None,
            self.client.v1.invoices.search,
            params={"query": f"metadata['deskhire_invoice']:'{invoice_id}'", "limit": 1},
        )
        return found["data"][0] if found["data"] else None

    def create_invoice(
        self,
        invoice_id: str,
        *,
        customer: str,
        currency: str,
        description: str,
        send_invoice_days: int | None,
        metadata: dict[str, str],
    ) -> dict:
        params: dict[str, Any] = {
            "customer": customer,
            "currency": currency,
            "description": description,
            "auto_advance": False,  # deskhire finalizes and collects itself, step by step
            "pending_invoice_items_behavior": "exclude",
            "metadata": {"deskhire_invoice": invoice_id, **metadata},
        }
        if send_invoice_days is None:
            params["collection_method"] = "charge_automatically"
        else:
            params["collection_method"] = "send_invoice"
            params["days_until_due"] = send_invoice_days
        return self._call(
            "create_invoice", key("invoice", invoice_id), self.client.v1.invoices.create, params=params
        )

    def invoice_items(self, stripe_invoice: str) -> list[dict]:
        return self._every(
            "list_invoice_items", self.client.v1.invoice_items.list, {"invoice": stripe_invoice}
        )

    def add_invoice_item(
        self,
        invoice_id: str,
        line_id: str,
        *,
        stripe_invoice: str,
        customer: str,
        amount: int,
        currency: str,
        description: str,
    ) -> dict:
        return self._call(
            "create_invoice_item",
            key("invoice_item", invoice_id, line_id),
            self.client.v1.invoice_items.create,
            params={
                "customer": customer,
                "invoice": stripe_invoice,
                "amount": amount,
                "currency": currency,
                "description": description,
                "metadata": {"deskhire_invoice": invoice_id, "deskhire_line": line_id},
            },
        )

    def finalize_invoice(self, invoice_id: str, stripe_invoice: str) -> dict:
        return self._call(
            "finalize_invoice",
            key("finalize", invoice_id),
            self.client.v1.invoices.finalize_invoice,
            stripe_invoice,
        )

    def void_invoice(self, invoice_id: str, stripe_invoice: str) -> dict:
        return self._call(
            "void_invoice", key("void", invoice_id), self.client.v1.invoices.void_invoice, stripe_invoice
        )

    def pay_invoice(self, invoice_id: str, stripe_invoice: str, *, attempt: int) -> dict:
        return self._call(
            "pay_invoice", key("pay", invoice_id, str(attempt)), self.client.v1.invoices.pay, stripe_invoice
        )

    def send_invoice(self, invoice_id: str, stripe_invoice: str) -> dict:
        return self._call(
            "send_invoice", key("send", invoice_id), self.client.v1.invoices.send_invoice, stripe_invoice
        )

    def retrieve_invoice(self, stripe_invoice: str) -> dict:
        return self._call("retrieve_invoice", None, self.client.v1.invoices.retrieve, stripe_invoice)

    def invoice_charge(self, stripe_invoice: str) -> str | None:
        """The charge that paid an invoice: on current API versions an invoice has no `charge`;
        it is reached through its payments (InvoicePayment -> PaymentIntent -> latest_charge)."""
        payments = self._call(
            "list_invoice_payments",
            None,
            self.client.v1.invoice_payments.list,
            params={"invoice": stripe_invoice, "expand": ["data.payment.payment_intent"]},
        )
        for payment in payments["data"]:
            if payment.get("status") != "paid":
                continue
            intent = (payment.get("payment") or {}).get("payment_intent")
            if isinstance(intent, dict) and intent.get("latest_charge"):
                charge = intent["latest_charge"]
                return charge["id"] if isinstance(charge, dict) else charge
        return None

    # -- transfers, refunds, reversals ------------------------------------------------------------

    def transfers_in_group(self, transfer_group: str) -> list[dict]:
        listed = self._call(
            "list_transfers",
            None,
            self.client.v1.transfers.list,
            params={"transfer_group": transfer_group, "limit": 100},
        )
        return listed["data"]

    def create_transfer(
        self,
        transfer_id: str,
        *,
        amount: int,
        currency: str,
        destination: str,
        transfer_group: str,
        source_transaction: str,
        description: str,
        tenant_id: str,
    ) -> dict:
        return self._call(
            "create_transfer",
            key("transfer", transfer_id),
            self.client.v1.transfers.create,
            params={
                "amount": amount,
                "currency": currency,
                "destination": destination,
                "transfer_group": transfer_group,
                "source_transaction": source_transaction,
                "description": description,
                # the tenant finds the transfer's record again from a webhook (transfer.reversed)
                "metadata": {"deskhire_transfer": transfer_id, "deskhire_tenant": tenant_id},
            },
        )

    def destination_amount(self, transfer: dict) -> tuple[int, str] | None:
        """What the agent's account received for a transfer, in its own currency (Stripe converts
        a transfer in another currency): the destination payment's balance transaction."""
        payment = transfer.get("destination_payment")
        account = transfer.get("destination")
        if not payment or not account:
            return None
        charge = self._call(
            "retrieve_destination_payment",
            None,
            self.client.v1.charges.retrieve,
            payment if isinstance(payment, str) else payment["id"],
            params={"expand": ["balance_transaction"]},
            options={"stripe_account": account},
        )
        txn = charge.get("balance_transaction")
        if isinstance(txn, dict):
            return int(txn["amount"]), txn["currency"]
        return int(charge["amount"]), charge["currency"]

    def refunds_of(self, charge: str) -> list[dict]:
        return self._call(
            "list_refunds", None, self.client.v1.refunds.list, params={"charge": charge, "limit": 100}
        )["data"]

    def create_refund(self, refund_id: str, *, charge: str, amount: int, reason: str) -> dict:
        return self._call(
            "create_refund",
            key("refund", refund_id),
            self.client.v1.refunds.create,
            params={
                "charge": charge,
                "amount": amount,
                "metadata": {"deskhire_refund": refund_id, "reason": reason},
            },
        )

    def create_reversal(self, reversal_id: str, *, transfer: str, amount: int) -> dict:
        return self._call(
            "create_reversal",
            key("reversal", reversal_id),
            self.client.v1.transfers.reversals.create,
            transfer,
            params={"amount": amount, "metadata": {"deskhire_reversal": reversal_id}},
        )

    def reversals_of(self, transfer: str) -> list[dict]:
        return self._every(
            "list_reversals",
            lambda params: self.client.v1.transfers.reversals.list(transfer, params=params),
            {},
        )

    def retrieve_transfer(self, transfer: str) -> dict:
        return self._call("retrieve_transfer", None, self.client.v1.transfers.retrieve, transfer)

    def retrieve_charge(self, charge: str) -> dict:
        return self._call("retrieve_charge", None, self.client.v1.charges.retrieve, charge)

    # -- webhooks ---------------------------------------------------------------------------------

    @staticmethod
    def verify_webhook(payload: bytes, signature: str | None, secret: str, *, tolerance: int = 300) -> dict:
        """The event, if the signature over the raw body is good and younger than `tolerance`."""
        import stripe

        if not signature:
            raise WebhookInvalid("no Stripe-Signature header")
        try:
            event = stripe.Webhook.construct_event(payload, signature, secret, tolerance=tolerance)
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise WebhookInvalid(str(error)) from error
        return event.to_dict()
