"""A small stateful Stripe emulator for deskhire's local runs and tests.

It speaks the Stripe endpoints deskhire's billing uses (customers, setup intents, payment methods,
invoice items, invoices and invoice payments, payment intents, charges, refunds, Connect accounts
and account links, transfers and reversals, balance, events) with Stripe's form encoding, error
shapes, idempotency keys and signed webhooks, so code written against it runs against Stripe. See
docs/stripe-emulator.md.
"""

from .emulator import DEFAULT_WEBHOOK_SECRET, Emulator
from .events import API_VERSION

__all__ = ["API_VERSION", "DEFAULT_WEBHOOK_SECRET", "Emulator"]
