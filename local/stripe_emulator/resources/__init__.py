"""The Stripe endpoints the emulator speaks, one module per resource family."""

from __future__ import annotations

from ..routing import Router
from . import (
    balance,
    connect,
    customers,
    events_api,
    invoiceitems,
    invoices,
    payment_methods,
    payments,
    payouts,
    setup_intents,
    transfers,
)

MODULES = (
    customers,
    payment_methods,
    setup_intents,
    invoiceitems,
    invoices,
    payments,
    balance,
    connect,
    transfers,
    payouts,
    events_api,
)


def build_router() -> Router:
    router = Router()
    for module in MODULES:
        module.routes(router)
    router.load_schemas()
    return router
