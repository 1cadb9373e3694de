"""SetupIntents: create, retrieve, update, confirm (with a PaymentMethod or a test id), cancel, list.

Confirming attaches the card to the SetupIntent's customer and succeeds, or, for a card Stripe
declines at setup, leaves the intent in `requires_payment_method` with `last_setup_error` and
answers 402. The emulator's card page (pages.py) confirms through the same code.
"""

from __future__ import annotations

from typing import Any

from .. import views
from ..context import Ctx
from ..errors import DOCS, StripeError, card_error, invalid
from ..params import BOOL, LIST, METADATA, Enum
from ..store import random_token
from .payment_methods import check_reusable, resolve, test_card

CREATE = {
    "customer": str,
    "description": str,
    "metadata": METADATA,
    "payment_method": str,
    "payment_method_types": [str],
    "automatic_payment_methods": {"enabled": bool, "allow_redirects": Enum(("always", "never"))},
    "usage": Enum(("off_session", "on_session")),
    "confirm": BOOL,
    "return_url": str,
    "use_stripe_sdk": bool,
}
UPDATE = {
    "customer": str,
    "description": str,
    "metadata": METADATA,
    "payment_method": str,
    "payment_method_types": [str],
}
CONFIRM = {"payment_method": str, "return_url": str, "use_stripe_sdk": bool}


def _unexpected_state(seti: dict[str, Any], action: str) -> StripeError:
    status = seti["status"]
    detail = "it has already succeeded" if status == "succeeded" else f"it has a status of {status}"
    return StripeError(
        400,
        "invalid_request_error",
        f"You cannot {action} this SetupIntent because {detail}.",
        code="setup_intent_unexpected_state",
        extra={"setup_intent": views.public(seti)},
    )


def create(ctx: Ctx):
    p = ctx.params
    store = ctx.store
    if p.get("customer"):
        views.get(ctx, "customer", p["customer"], param="customer", status=400)
    types = p.get("payment_method_types")
    if types and any(t != "card" for t in types):
        bad = next(t for t in types if t != "card")
        raise invalid(
            f"The payment method type provided: {bad} is invalid. The emulator supports only card.",
            param="payment_method_types",
        )
    automatic = None if types else {"allow_redirects": "always", "enabled": True}
    seti_id = store.new_id("seti")
    seti = {
        "id": seti_id,
        "object": "setup_intent",
        "application": None,
        "automatic_payment_methods": automatic,
        "cancellation_reason": None,
        "client_secret": f"{seti_id}_secret_{random_token(32)}",
        "created": ctx.now,
        "customer": p.get("customer"),
        "customer_account": None,
        "description": p.get("description"),
        "excluded_payment_method_types": None,
        "flow_directions": None,
        "last_setup_error": None,
        "latest_attempt": None,
        "livemode": False,
        "mandate": None,
        "metadata": p["metadata"].apply({}) if p.get("metadata") else {},
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": None,
        "payment_method_configuration_details": None,
        "payment_method_options": {
            "card": {"mandate_options": None, "network": None, "request_three_d_secure": "automatic"}
        },
        "payment_method_types": types or ["card"],
        "single_use_mandate": None,
        "status": "requires_payment_method",
        "usage": p.get("usage") or "off_session",
    }
    store.add(seti, account=ctx.account)
    ctx.emit("setup_intent.created", seti)
    if p.get("payment_method"):
        pm = resolve(ctx, p["payment_method"], param="payment_method")
        seti["payment_method"] = pm["id"]
        seti["status"] = "requires_confirmation"
    if p.get("confirm"):
        return confirm_intent(ctx, seti, None)
    return seti


def retrieve(ctx: Ctx):
    return views.get(ctx, "setup_intent", ctx.path["id"], param="intent")


def update(ctx: Ctx):
    seti = views.get(ctx, "setup_intent", ctx.path["id"], param="intent")
    p = ctx.params
    if seti["status"] in ("succeeded", "canceled"):
        raise _unexpected_state(seti, "update")
    if "customer" in p and p["customer"]:
        views.get(ctx, "customer", p["customer"], param="customer", status=400)
        seti["customer"] = p["customer"]
    for key in ("description",):
        if key in p:
            seti[key] = p[key]
    if "metadata" in p:
        seti["metadata"] = p["metadata"].apply(seti["metadata"])
    if p.get("payment_method"):
        pm = resolve(ctx, p["payment_method"], param="payment_method")
        seti["payment_method"] = pm["id"]
        seti["status"] = "requires_confirmation"
    return seti


def confirm(ctx: Ctx):
    seti = views.get(ctx, "setup_intent", ctx.path["id"], param="intent")
    return confirm_intent(ctx, seti, ctx.params.get("payment_method"))


def confirm_intent(ctx: Ctx, seti: dict[str, Any], pm_ref: str | dict[str, Any] | None) -> dict[str, Any]:
    if seti["status"] not in ("requires_payment_method", "requires_confirmation", "requires_action"):
        raise _unexpected_state(seti, "confirm")
    if isinstance(pm_ref, dict):
        pm = pm_ref
    elif pm_ref:
        pm = resolve(ctx, pm_ref, param="payment_method")
    elif seti["payment_method"]:
        pm = ctx.store.get(seti["payment_method"])
    else:
        raise invalid(
            "You cannot confirm this SetupIntent because it's missing a payment method. Update the SetupIntent "
            "with a payment method and then confirm it again.",
            param="payment_method",
            code="setup_intent_unexpected_state",
        )
    check_reusable(pm, "payment_method")
    customer_id = seti["customer"]
    if pm.get("customer") and pm["customer"] != customer_id:
        raise invalid(
            "The payment method you provided has already been attached to a customer.", "payment_method"
        )
    card = test_card(pm)
    if card.setup_decline:
        decline = card.setup_decline
        seti["status"] = "requires_payment_method"
        seti["payment_method"] = None
        seti["last_setup_error"] = {
            "code": decline.code,
            "decline_code": decline.decline_code,
            "doc_url": DOCS + decline.code.replace("_", "-"),
            "message": decline.message,
            "payment_method": views.render(ctx, pm),
            "type": "card_error",
        }
        ctx.emit("setup_intent.setup_failed", seti)
        raise card_error(
            decline.message,
            decline.code,
            decline.decline_code,
            extra={"setup_intent": views.render(ctx, seti), "payment_method": views.render(ctx, pm)},
        )
    if customer_id and pm.get("customer") != customer_id:
        pm["customer"] = customer_id
        ctx.emit("payment_method.attached", pm)
    seti["status"] = "succeeded"
    seti["payment_method"] = pm["id"]
    seti["last_setup_error"] = None
    ctx.emit("setup_intent.succeeded", seti)
    return seti


def cancel(ctx: Ctx):
    seti = views.get(ctx, "setup_intent", ctx.path["id"], param="intent")
    if seti["status"] in ("succeeded", "canceled"):
        raise _unexpected_state(seti, "cancel")
    seti["status"] = "canceled"
    seti["cancellation_reason"] = ctx.params.get("cancellation_reason")
    ctx.emit("setup_intent.canceled", seti)
    return seti


def list_(ctx: Ctx):
    p = ctx.params
    items = [
        s
        for s in ctx.store.all("setup_intent", ctx.account)
        if (p.get("customer") is None or s["customer"] == p["customer"])
        and (p.get("payment_method") is None or s["payment_method"] == p["payment_method"])
    ]
    return views.list_object(ctx, items)


def routes(router) -> None:
    router.add("POST", "/v1/setup_intents", create, CREATE)
    router.add("GET", "/v1/setup_intents", list_, {**LIST, "customer": str, "payment_method": str})
    router.add("GET", "/v1/setup_intents/{id}", retrieve, {"client_secret": str})
    router.add("POST", "/v1/setup_intents/{id}", update, UPDATE)
    router.add("POST", "/v1/setup_intents/{id}/confirm", confirm, CONFIRM)
    router.add(
        "POST",
        "/v1/setup_intents/{id}/cancel",
        cancel,
        {"cancellation_reason": Enum(("abandoned", "duplicate", "requested_by_customer"))},
    )


views.register(
    "setup_intent",
    "setupintent",
    expandable={"customer", "payment_method", "latest_attempt", "mandate", "application"},
)
