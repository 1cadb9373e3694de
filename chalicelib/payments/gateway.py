"""deskhire's side of Stripe: every call it makes, through the official SDK's StripeClient.

Rules kept here for every caller:

- Every call goes through the SDK's typed method with a literal of its params TypedDict, so the
  type checker (`make lint`: pyright, strict, over this package) refuses a parameter the pinned API
  version does not declare (PROMISES P15). No wrapper forwards keyword arguments to the SDK: the
  only shared piece is `_calling`, a context manager that adds the idempotency key and maps errors.
- Every call that creates or changes something carries an idempotency key made from deskhire's
  own ids (`key("invoice", invoice_id)`), never a random one, so that a retried job sends the same
  key and Stripe answers with the first result instead of acting twice (Stripe keeps keys at
  least 24 hours). The SDK's own random keys only cover its in-process retries.
- For a retry later than that, callers look the object up first (`find_*`, by metadata, or a
  transfer by its destination and metadata) and create it only when it is not there.
- Results come back as plain dicts (`to_dict()`), and failures as the errors of this module: a
  declined card is `PaymentDeclined` with Stripe's decline code (read from the error object:
  `CardError` has no `decline_code` attribute in the pinned SDK); a payment that needs the
  customer to authenticate (3-D Secure) is `PaymentNeedsAction`; a fault worth retrying later
  (5xx, 429, a lost connection) is `PaymentsUnavailable`; anything else is `PaymentsError`.

Why one module of this length: it is the list of every call deskhire makes to Stripe, each a few
lines, so that the rules above (a typed params literal, a key from our ids, one error mapping) are
checked in one place and a Stripe audit reads one file. Split by resource, each file would repeat
`_calling` and the review would have to find them all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # the SDK loads on first use (a request that never pays never imports it)
    from stripe import StripeClient
    from stripe._request_options import RequestOptions
    from stripe.params import (
        AccountCreateParams,
        InvoiceCreateParams,
        InvoiceItemListParams,
        TransferListParams,
        TransferReversalListParams,
    )

KEY_PREFIX = "deskhire"
# Stripe's codes for an off-session payment the cardholder must authenticate (3-D Secure): the
# error's code, or a card error's decline code.
ACTION_CODES = frozenset({"authentication_required", "invoice_payment_intent_requires_action"})
# What a decline code means, in the business's words (Stripe's message is kept beside it).
DECLINE_REASONS = {
    "insufficient_funds": "the card has insufficient funds",
    "expired_card": "the card has expired",
    "lost_card": "the card was reported lost",
    "stolen_card": "the card was reported stolen",
    "incorrect_cvc": "the card's security code is incorrect",
    "processing_error": "the card could not be processed; it may work if tried again",
    "generic_decline": "the bank declined the card without saying why",
    "do_not_honor": "the bank declined the card without saying why",
    "card_velocity_exceeded": "the card's limit was reached",
    "card_not_supported": "the card does not support this kind of payment",
    "fraudulent": "the bank declined the card",
}


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
    """The card was declined: Stripe's `decline_code` says why (insufficient_funds, expired_card)."""

    def __init__(self, message: str, *, decline_code: str | None, code: str | None = None):
        super().__init__(message, code=code)
        self.decline_code = decline_code

    @property
    def reason(self) -> str:
        """What to tell the business: what the decline code means, and the code itself."""
        if not self.decline_code:
            return self.message
        meaning = DECLINE_REASONS.get(self.decline_code, self.message.rstrip("."))
        return f"{meaning} ({self.decline_code})"


class PaymentNeedsAction(PaymentsError):
    """The bank wants the cardholder to authenticate this payment (3-D Secure): it cannot be made
    off-session; the business pays it on the invoice's hosted page, where it can authenticate."""


class PaymentsUnavailable(PaymentsError):
    """Stripe could not be reached or answered 5xx/429: try again later (with the same key)."""


class WebhookInvalid(Exception):
    """A webhook whose signature is missing, wrong or older than the tolerance."""


class _Plain(Protocol):
    """A Stripe object (or a test's stand-in): what the gateway hands on is its plain dict."""

    def to_dict(self) -> dict[str, Any]: ...


def _plain(obj: _Plain) -> dict[str, Any]:
    return obj.to_dict()


def metadata_of(obj: dict[str, Any]) -> dict[str, str]:
    """A Stripe object's metadata (an empty dict when it has none)."""
    found: dict[str, str] | None = obj.get("metadata")
    return found or {}


def _declined(message: str, code: str | None, decline_code: str | None) -> PaymentsError:
    if code in ACTION_CODES or decline_code in ACTION_CODES:
        return PaymentNeedsAction(message, code=code)
    return PaymentDeclined(message, decline_code=decline_code or code, code=code)


class StripeGateway:
    """The Stripe calls deskhire makes. `api_base` points the SDK elsewhere (the local emulator)."""

    def __init__(
        self,
        api_key: str,
        *,
        api_base: str | None = None,
        max_network_retries: int = 2,
        client: StripeClient | None = None,
    ):
        self._api_key = api_key
        self._api_base = api_base
        self._retries = max_network_retries
        self._client = client
        # every key sent, for the tests that prove P2 (deterministic keys on every mutating call)
        self.sent_keys: list[tuple[str, str]] = []
        # told (action, seconds) after every call: the benchmark's meter
        self.observer: Callable[[str, float], None] | None = None

    @property
    def client(self) -> StripeClient:
        if self._client is None:
            import stripe

            self._client = stripe.StripeClient(
                self._api_key,
                base_addresses={"api": self._api_base, "connect": self._api_base, "files": self._api_base}
                if self._api_base
                else {},
                max_network_retries=self._retries,
            )
        return self._client

    @contextmanager
    def _calling(
        self, action: str, idempotency_key: str | None = None, *, stripe_account: str | None = None
    ) -> Generator[RequestOptions, None, None]:
        """The request options of one call (its key, the connected account it acts on), and
        Stripe's errors as this module's."""
        import stripe

        options: RequestOptions = {}
        if idempotency_key is not None:
            options["idempotency_key"] = idempotency_key
            self.sent_keys.append((action, idempotency_key))
        if stripe_account is not None:
            options["stripe_account"] = stripe_account
        begun = time.perf_counter()
        try:
            yield options
        except stripe.CardError as error:
            details = error.error
            raise _declined(
                error.user_message or str(error),
                error.code,
                details.decline_code if details is not None else None,
            ) from error
        except (stripe.RateLimitError, stripe.APIConnectionError, stripe.APIError) as error:
            raise PaymentsUnavailable(str(error)) from error
        except stripe.InvalidRequestError as error:
            if error.code in ACTION_CODES:
                raise PaymentNeedsAction(error.user_message or str(error), code=error.code) from error
            param: str | None = getattr(error, "param", None)
            raise PaymentsError(error.user_message or str(error), code=error.code, param=param) from error
        except stripe.StripeError as error:
            raise PaymentsError(error.user_message or str(error), code=error.code) from error
        finally:
            if self.observer is not None:
                self.observer(action, time.perf_counter() - begun)

    def _every(self, action: str, page: Callable[[str | None], _Plain]) -> list[dict[str, Any]]:
        """Every object of a list, page by page (`starting_after` the last one seen)."""
        return list(self._each(action, page))

    def _each(self, action: str, page: Callable[[str | None], _Plain]) -> Iterator[dict[str, Any]]:
        """The objects of a list one by one, reading the next page only when it is reached."""
        after: str | None = None
        while True:
            with self._calling(action):
                listed = _plain(page(after))
            data: list[dict[str, Any]] = listed["data"]
            yield from data
            if not listed.get("has_more") or not data:
                return
            after = data[-1]["id"]

    # -- customers and cards ----------------------------------------------------------------------

    def find_customer(self, tenant_id: str) -> dict[str, Any] | None:
        with self._calling("search_customers"):
            found = self.client.v1.customers.search(
                params={"query": f"metadata['deskhire_tenant']:'{tenant_id}'", "limit": 1}
            )
        return _plain(found.data[0]) if found.data else None

    def create_customer(self, tenant_id: str, *, name: str, email: str) -> dict[str, Any]:
        with self._calling("create_customer", key("customer", tenant_id)) as options:
            customer = self.client.v1.customers.create(
                params={"name": name, "email": email, "metadata": {"deskhire_tenant": tenant_id}},
                options=options,
            )
        return _plain(customer)

    def retrieve_customer(self, customer: str) -> dict[str, Any]:
        with self._calling("retrieve_customer"):
            return _plain(self.client.v1.customers.retrieve(customer))

    def create_setup_intent(self, customer: str, *, attempt_id: str) -> dict[str, Any]:
        with self._calling("create_setup_intent", key("setup_intent", attempt_id)) as options:
            intent = self.client.v1.setup_intents.create(
                params={
                    "customer": customer,
                    "usage": "off_session",
                    # this API version's name (`payment_method_types` is not one of its parameters)
                    "allowed_payment_method_types": ["card"],
                    "metadata": {"deskhire_attempt": attempt_id},
                },
                options=options,
            )
        return _plain(intent)

    def retrieve_setup_intent(self, setup_intent: str) -> dict[str, Any]:
        with self._calling("retrieve_setup_intent"):
            intent = self.client.v1.setup_intents.retrieve(
                setup_intent, params={"expand": ["payment_method"]}
            )
        return _plain(intent)

    def set_default_payment_method(self, customer: str, payment_method: str) -> dict[str, Any]:
        with self._calling(
            "set_default_payment_method", key("default_payment_method", customer, payment_method)
        ) as options:
            updated = self.client.v1.customers.update(
                customer,
                params={"invoice_settings": {"default_payment_method": payment_method}},
                options=options,
            )
        return _plain(updated)

    def card_page(self, setup_intent: dict[str, Any], *, return_url: str) -> str | None:
        """Where a browser enters a card for this SetupIntent: the emulator's card page locally;
        None against Stripe, where the portal's own page confirms it with Stripe.js."""
        if not self._api_base:
            return None
        from urllib.parse import quote

        return f"{self._api_base}/_pages/setup/{setup_intent['id']}?return_url={quote(return_url, safe='')}"

    # -- Connect (agents' payouts) ---------------------------------------------------------------

    def find_account(self, agent_id: str) -> dict[str, Any] | None:
        # Accounts have no search: list them and match the metadata (a rare lookup, only when a
        # creation may have been lost for longer than the idempotency window).
        def page(after: str | None):
            return self.client.v1.accounts.list(
                params={"limit": 100, "starting_after": after} if after else {"limit": 100}
            )

        for account in self._every("list_accounts", page):
            if metadata_of(account).get("deskhire_agent") == agent_id:
                return account
        return None

    def create_express_account(
        self, agent_id: str, *, email: str, country: str, recipient: bool
    ) -> dict[str, Any]:
        """An Express account for an agent. `recipient`: the recipient service agreement, which
        Stripe requires for cross-border payouts to a country outside the platform's region (only
        the transfers capability; such an account cannot take payments itself); else the full one."""
        params: AccountCreateParams = {
            "type": "express",
            "country": country,
            "email": email,
            "capabilities": {"transfers": {"requested": True}},
            "metadata": {"deskhire_agent": agent_id},
        }
        if recipient:
            params["tos_acceptance"] = {"service_agreement": "recipient"}
        with self._calling("create_account", key("account", agent_id)) as options:
            account = self.client.v1.accounts.create(params=params, options=options)
        return _plain(account)

    def retrieve_account(self, account: str) -> dict[str, Any]:
        with self._calling("retrieve_account"):
            return _plain(self.client.v1.accounts.retrieve(account))

    def create_account_link(
        self, account: str, *, attempt_id: str, refresh_url: str, return_url: str
    ) -> dict[str, Any]:
        with self._calling("create_account_link", key("account_link", attempt_id)) as options:
            link = self.client.v1.account_links.create(
                params={
                    "account": account,
                    "refresh_url": refresh_url,
                    "return_url": return_url,
                    "type": "account_onboarding",
                },
                options=options,
            )
        return _plain(link)

    def account_balance(self, account: str) -> dict[str, Any]:
        """A connected account's balance (available and pending, by currency)."""
        with self._calling("retrieve_balance", stripe_account=account) as options:
            return _plain(self.client.v1.balance.retrieve(options=options))

    # -- invoices ---------------------------------------------------------------------------------

    def find_invoice(self, invoice_id: str) -> dict[str, Any] | None:
        with self._calling("search_invoices"):
            found = self.client.v1.invoices.search(
                params={"query": f"metadata['deskhire_invoice']:'{invoice_id}'", "limit": 1}
            )
        return _plain(found.data[0]) if found.data else None

    def create_invoice(
        self,
        invoice_id: str,
        *,
        customer: str,
        currency: str,
        description: str,
        send_invoice_days: int | None,
        metadata: dict[str, str],
    ) -> dict[str, Any]:
        params: InvoiceCreateParams = {
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
        with self._calling("create_invoice", key("invoice", invoice_id)) as options:
            invoice = self.client.v1.invoices.create(params=params, options=options)
        return _plain(invoice)

    def invoice_items(self, stripe_invoice: str) -> list[dict[str, Any]]:
        def page(after: str | None):
            params: InvoiceItemListParams = {"invoice": stripe_invoice, "limit": 100}
            if after:
                params["starting_after"] = after
            return self.client.v1.invoice_items.list(params=params)

        return self._every("list_invoice_items", page)

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
    ) -> dict[str, Any]:
        with self._calling("create_invoice_item", key("invoice_item", invoice_id, line_id)) as options:
            item = self.client.v1.invoice_items.create(
                params={
                    "customer": customer,
                    "invoice": stripe_invoice,
                    "amount": amount,
                    "currency": currency,
                    "description": description,
                    "metadata": {"deskhire_invoice": invoice_id, "deskhire_line": line_id},
                },
                options=options,
            )
        return _plain(item)

    def finalize_invoice(self, invoice_id: str, stripe_invoice: str) -> dict[str, Any]:
        with self._calling("finalize_invoice", key("finalize", invoice_id)) as options:
            return _plain(self.client.v1.invoices.finalize_invoice(stripe_invoice, options=options))

    def void_invoice(self, invoice_id: str, stripe_invoice: str) -> dict[str, Any]:
        with self._calling("void_invoice", key("void", invoice_id)) as options:
            return _plain(self.client.v1.invoices.void_invoice(stripe_invoice, options=options))

    def pay_invoice(self, invoice_id: str, stripe_invoice: str, *, attempt: int) -> dict[str, Any]:
        with self._calling("pay_invoice", key("pay", invoice_id, str(attempt))) as options:
            return _plain(self.client.v1.invoices.pay(stripe_invoice, options=options))

    def send_invoice(self, invoice_id: str, stripe_invoice: str) -> dict[str, Any]:
        with self._calling("send_invoice", key("send", invoice_id)) as options:
            return _plain(self.client.v1.invoices.send_invoice(stripe_invoice, options=options))

    def retrieve_invoice(self, stripe_invoice: str) -> dict[str, Any]:
        with self._calling("retrieve_invoice"):
            return _plain(self.client.v1.invoices.retrieve(stripe_invoice))

    def invoice_charge(self, stripe_invoice: str) -> str | None:
        """The charge that paid an invoice: on current API versions an invoice has no `charge`;
        it is reached through its payments (InvoicePayment -> PaymentIntent -> latest_charge)."""
        with self._calling("list_invoice_payments"):
            listed = self.client.v1.invoice_payments.list(
                params={"invoice": stripe_invoice, "expand": ["data.payment.payment_intent"]}
            )
        payments: list[dict[str, Any]] = _plain(listed)["data"]
        for payment in payments:
            if payment.get("status") != "paid":
                continue
            paid_with: dict[str, Any] = payment.get("payment") or {}
            intent: dict[str, Any] | str | None = paid_with.get("payment_intent")
            if isinstance(intent, dict) and intent.get("latest_charge"):
                charge: dict[str, Any] | str = intent["latest_charge"]
                return str(charge["id"]) if isinstance(charge, dict) else charge
        return None

    # -- transfers, refunds, reversals ------------------------------------------------------------

    def transfers_in_group(self, transfer_group: str) -> list[dict[str, Any]]:
        def page(after: str | None):
            params: TransferListParams = {"transfer_group": transfer_group, "limit": 100}
            if after:
                params["starting_after"] = after
            return self.client.v1.transfers.list(params=params)

        return self._every("list_transfers", page)

    def find_transfer(self, transfer_id: str, *, destination: str) -> dict[str, Any] | None:
        """deskhire's transfer `transfer_id`, if Stripe has it: looked for among the transfers to
        its destination, newest first (a lost answer's transfer is among the latest), by the id in
        its metadata. Not by group: Stripe puts a transfer made with `source_transaction` in its
        charge's group, whatever group was asked for."""

        def page(after: str | None):
            params: TransferListParams = {"destination": destination, "limit": 100}
            if after:
                params["starting_after"] = after
            return self.client.v1.transfers.list(params=params)

        return next(
            (
                t
                for t in self._each("list_transfers", page)
                if metadata_of(t).get("deskhire_transfer") == transfer_id
            ),
            None,
        )

    def create_transfer(
        self,
        transfer_id: str,
        *,
        amount: int,
        currency: str,
        destination: str,
        source_transaction: str,
        description: str,
        tenant_id: str,
        invoice_id: str,
    ) -> dict[str, Any]:
        """A transfer funded by the invoice's charge. It sends no `transfer_group`: a transfer made
        with `source_transaction` belongs to the charge's transfer group (Stripe makes
        `group_<PaymentIntent>` when the charge has none), and another group named alongside could
        be refused or ignored (Stripe's documentation says which of the two it is nowhere), so it
        is never named. Callers keep the group the answer reports, and find the transfer again by
        its destination and metadata."""
        with self._calling("create_transfer", key("transfer", transfer_id)) as options:
            transfer = self.client.v1.transfers.create(
                params={
                    "amount": amount,
                    "currency": currency,
                    "destination": destination,
                    "source_transaction": source_transaction,
                    "description": description,
                    # a webhook (transfer.reversed) finds the transfer's record from these
                    "metadata": {
                        "deskhire_transfer": transfer_id,
                        "deskhire_tenant": tenant_id,
                        "deskhire_invoice": invoice_id,
                    },
                },
                options=options,
            )
        return _plain(transfer)

    def destination_amount(self, transfer: dict[str, Any]) -> tuple[int, str] | None:
        """What the agent's account received for a transfer, in its own currency (Stripe converts
        a transfer in another currency): the destination payment's balance transaction."""
        payment = transfer.get("destination_payment")
        account = transfer.get("destination")
        if not payment or not isinstance(account, str):
            return None
        payment_id: str = payment if isinstance(payment, str) else payment["id"]
        with self._calling("retrieve_destination_payment", stripe_account=account) as options:
            charge = _plain(
                self.client.v1.charges.retrieve(
                    payment_id, params={"expand": ["balance_transaction"]}, options=options
                )
            )
        txn: dict[str, Any] | str | None = charge.get("balance_transaction")
        if isinstance(txn, dict):
            return int(txn["amount"]), str(txn["currency"])
        return int(charge["amount"]), str(charge["currency"])

    def funds_pending_until(self, transfer: str) -> int | None:
        """When the money a transfer brought to its connected account becomes available there
        (Unix seconds), if it is still pending: the destination payment's balance transaction.
        None once it is available (or when Stripe does not say)."""
        with self._calling("retrieve_transfer"):
            found = _plain(self.client.v1.transfers.retrieve(transfer))
        payment: str | dict[str, Any] | None = found.get("destination_payment")
        account: str | None = found.get("destination")
        if not payment or not account:
            return None
        payment_id: str = payment if isinstance(payment, str) else payment["id"]
        with self._calling("retrieve_destination_payment", stripe_account=account) as options:
            charge = _plain(
                self.client.v1.charges.retrieve(
                    payment_id, params={"expand": ["balance_transaction"]}, options=options
                )
            )
        txn: dict[str, Any] | str | None = charge.get("balance_transaction")
        if isinstance(txn, dict) and txn.get("status") == "pending":
            return int(txn["available_on"])
        return None

    def refunds_of(self, charge: str) -> list[dict[str, Any]]:
        def page(after: str | None):
            return self.client.v1.refunds.list(
                params={"charge": charge, "limit": 100, "starting_after": after}
                if after
                else {"charge": charge, "limit": 100}
            )

        return self._every("list_refunds", page)

    def create_refund(
        self, refund_id: str, *, charge: str, amount: int, reason: str, tenant: str | None = None
    ) -> dict[str, Any]:
        """`tenant`: kept in the metadata, so that `refund.updated` finds deskhire's record of it."""
        metadata = {"deskhire_refund": refund_id, "reason": reason}
        if tenant is not None:
            metadata["deskhire_tenant"] = tenant
        with self._calling("create_refund", key("refund", refund_id)) as options:
            refund = self.client.v1.refunds.create(
                params={"charge": charge, "amount": amount, "metadata": metadata},
                options=options,
            )
        return _plain(refund)

    def retrieve_refund(self, refund: str) -> dict[str, Any]:
        with self._calling("retrieve_refund"):
            return _plain(self.client.v1.refunds.retrieve(refund))

    def create_reversal(self, reversal_id: str, *, transfer: str, amount: int) -> dict[str, Any]:
        with self._calling("create_reversal", key("reversal", reversal_id)) as options:
            reversal = self.client.v1.transfers.reversals.create(
                transfer,
                params={"amount": amount, "metadata": {"deskhire_reversal": reversal_id}},
                options=options,
            )
        return _plain(reversal)

    def reversals_of(self, transfer: str) -> list[dict[str, Any]]:
        def page(after: str | None):
            params: TransferReversalListParams = {"limit": 100}
            if after:
                params["starting_after"] = after
            return self.client.v1.transfers.reversals.list(transfer, params=params)

        return self._every("list_reversals", page)

    def retrieve_transfer(self, transfer: str) -> dict[str, Any]:
        with self._calling("retrieve_transfer"):
            return _plain(self.client.v1.transfers.retrieve(transfer))

    def retrieve_payout(self, payout: str, *, stripe_account: str) -> dict[str, Any]:
        """A payout of a connected account's balance to its bank: the account's own object, read
        with its Stripe-Account header (`payout.failed`, `payout.paid` on the Connect endpoint)."""
        with self._calling("retrieve_payout", stripe_account=stripe_account) as options:
            return _plain(self.client.v1.payouts.retrieve(payout, options=options))

    def retrieve_charge(self, charge: str, *, stripe_account: str | None = None) -> dict[str, Any]:
        """A charge: the platform's own, or with `stripe_account` one a connected account owns
        (a Connect webhook's object is read with the account's Stripe-Account header)."""
        with self._calling("retrieve_charge", stripe_account=stripe_account) as options:
            return _plain(self.client.v1.charges.retrieve(charge, options=options))

    # -- webhooks ---------------------------------------------------------------------------------

    @staticmethod
    def verify_webhook(
        payload: bytes, signature: str | None, secret: str, *, tolerance: int = 300
    ) -> dict[str, Any]:
        """The event, if the signature over the raw body is good and younger than `tolerance`."""
        import stripe

        if not signature:
            raise WebhookInvalid("no Stripe-Signature header")
        try:
            event = stripe.Webhook.construct_event(payload, signature, secret, tolerance=tolerance)
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise WebhookInvalid(str(error)) from error
        return _plain(event)
