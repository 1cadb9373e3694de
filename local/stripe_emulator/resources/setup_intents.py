"""SetupIntents: create, retrieve, update, confirm (with a PaymentMethod or a test id), cancel, list.

Confirming attaches the card to the SetupIntent's customer and succeeds, or, for a card Stripe
declines at setup, leaves the intent in `requires_payment_method` with `last_setup_error` and
answers 402. The emulator's card page (pages.py) confirms through the same code.

Payment method types, as on API 2026-09-30.endive and later: `payment_method_types` is no longer
writable (400 `payment_method_types_no_longer_supported`); `allowed_payment_method_types` lists the
types to allow and Stripe silently keeps the compatible ones, `excluded_payment_method_types` takes
types out of the dynamic set, and the object's read-only `payment_method_types` shows the result.
The emulator's account has only `card` enabled, so that is the one type that can remain.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from .. import cards, views
from ..context import Ctx
from ..errors import DOCS, StripeError, card_error, invalid
from ..params import BOOL, LIST, METADATA, Enum
from ..store import random_token
from .payment_methods import check_reusable, resolve, test_card

TYPES = [str]  # the SDK's enum of payment method types; the emulator keeps `card` and drops the rest
CREATE = {
    "customer": str,
    "description": str,
    "metadata": METADATA,
    "payment_method": str,
    "allowed_payment_method_types": TYPES,
    "excluded_payment_method_types": TYPES,
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
    "allowed_payment_method_types": TYPES,
    "excluded_payment_method_types": TYPES,
}
CONFIRM = {
    "payment_method": str,
    "return_url": str,
    "use_stripe_sdk": bool,
    "allowed_payment_method_types": TYPES,
}
# The emulator's account has one payment method type enabled (Dashboard settings on Stripe).
ENABLED_TYPES = ("card",)
# Stripe's answer on this API version (changelog 2026-09-30.endive: "Removes the payment method
# types parameter from Payment Intents and Setup Intents"); the message is the emulator's wording.
REMOVED = {
    "payment_method_types": (
        "payment_method_types_no_longer_supported",
        "The `payment_method_types` parameter is no longer supported on this API version. Use "
        "`allowed_payment_method_types` to choose the payment method types, or "
        "`excluded_payment_method_types` to leave some out of the dynamic payment methods.",
    )
}


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


def _exclusive(p: dict[str, Any]) -> None:
    """`allowed_payment_method_types` is mutually exclusive with `excluded_payment_method_types`,
    `automatic_payment_methods` and `payment_method_configuration` (changelog 2026-07-29.dahlia)."""
    if p.get("allowed_payment_method_types") is None:
        return
    for other in ("excluded_payment_method_types", "automatic_payment_methods"):
        if p.get(other) is not None:
            raise invalid(
                f"You may only specify one of these parameters: allowed_payment_method_types, {other}.",
                param=other,
                code="parameters_exclusive",
            )


def _types(seti: dict[str, Any]) -> None:
    """The read-only `payment_method_types`: the allowed (or dynamic) types the account can use,
    less the excluded ones."""
    allowed = seti["allowed_payment_method_types"]
    candidates = [t for t in (allowed if allowed is not None else ENABLED_TYPES) if t in ENABLED_TYPES]
    excluded = seti["excluded_payment_method_types"] or []
    types = [t for t in candidates if t not in excluded]
    if not types:
        param = "allowed_payment_method_types" if allowed is not None else "excluded_payment_method_types"
        raise invalid(
            "None of the payment method types this SetupIntent allows is available: the emulator's account "
            f"has {', '.join(ENABLED_TYPES)} enabled.",
            param=param,
        )
    seti["payment_method_types"] = types


def _apply_types(seti: dict[str, Any], p: dict[str, Any]) -> None:
    _exclusive(p)
    seti.setdefault("allowed_payment_method_types", None)  # intents saved by an older emulator
    for key in ("allowed_payment_method_types", "excluded_payment_method_types"):
        if key in p:
            seti[key] = p[key] or None
    if seti["allowed_payment_method_types"] is not None:
        seti["automatic_payment_methods"] = None
    _types(seti)


def create(ctx: Ctx):
    p = ctx.params
    store = ctx.store
    if p.get("customer"):
        views.get(ctx, "customer", p["customer"], param="customer", status=400)
    automatic = p.get("automatic_payment_methods") or {}
    automatic = {
        "allow_redirects": automatic.get("allow_redirects") or "always",
        "enabled": automatic.get("enabled", True),
    }
    seti_id = store.new_id("seti")
    seti = {
        "id": seti_id,
        "object": "setup_intent",
        "allowed_payment_method_types": None,
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
        "payment_method_types": list(ENABLED_TYPES),
        "single_use_mandate": None,
        "status": "requires_payment_method",
        "usage": p.get("usage") or "off_session",
    }
    _apply_types(seti, p)
    store.add(seti, account=ctx.account)
    ctx.emit("setup_intent.created", seti)
    if p.get("payment_method"):
        pm = resolve(ctx, p["payment_method"], param="payment_method")
        seti["payment_method"] = pm["id"]
        seti["status"] = "requires_confirmation"
    if p.get("confirm"):
        return confirm_intent(ctx, seti, None, p.get("return_url"))
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
    _apply_types(seti, p)
    if p.get("payment_method"):
        pm = resolve(ctx, p["payment_method"], param="payment_method")
        seti["payment_method"] = pm["id"]
        seti["status"] = "requires_confirmation"
    return seti


def confirm(ctx: Ctx):
    seti = views.get(ctx, "setup_intent", ctx.path["id"], param="intent")
    if "allowed_payment_method_types" in ctx.params:
        _apply_types(seti, ctx.params)
    return confirm_intent(ctx, seti, ctx.params.get("payment_method"), ctx.params.get("return_url"))


def confirm_intent(
    ctx: Ctx, seti: dict[str, Any], pm_ref: str | dict[str, Any] | None, return_url: str | None = None
) -> dict[str, Any]:
    if seti["status"] not in ("requires_payment_method", "requires_confirmation", "requires_action"):
        raise _unexpected_state(seti, "confirm")
    if isinstance(pm_ref, dict):
        pm = pm_ref
    elif pm_ref:
        pm = resolve(ctx, pm_ref, param="payment_method")
    elif seti["payment_method"]:
        pm = ctx.store.linked(seti["payment_method"])
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
    if cards.needs_authentication(card, setup=True):
        # 3-D Secure: the customer authenticates on the page next_action names (Stripe.js opens
        # it; the emulator's card page redirects there), then the intent succeeds or fails.
        seti["status"] = "requires_action"
        seti["payment_method"] = pm["id"]
        seti["last_setup_error"] = None
        seti["next_action"] = next_action(ctx, seti["id"], return_url)
        ctx.emit("setup_intent.requires_action", seti)
        return seti
    return _succeed(ctx, seti, pm)


def next_action(ctx: Ctx, intent_id: str, return_url: str | None) -> dict[str, Any]:
    """Stripe's next_action for 3-D Secure: a redirect when the confirmation gave a return_url,
    else one for Stripe.js (`use_stripe_sdk`); both lead to the emulator's authentication page."""
    url = f"{ctx.public_url}/_pages/authenticate/{intent_id}"
    if return_url:
        return {
            "redirect_to_url": {
                "return_url": return_url,
                "url": f"{url}?{urlencode({'return_url': return_url})}",
            },
            "type": "redirect_to_url",
        }
    return {
        "type": "use_stripe_sdk",
        "use_stripe_sdk": {
            "source": f"src_{random_token(24)}",
            "stripe_js": url,
            "type": "three_d_secure_redirect",
        },
    }


def _succeed(
    ctx: Ctx, seti: dict[str, Any], pm: dict[str, Any], *, authenticated: bool = False
) -> dict[str, Any]:
    customer_id = seti["customer"]
    if authenticated:
        pm["_authenticated_setup"] = True
    if customer_id and pm.get("customer") != customer_id:
        pm["customer"] = customer_id
        ctx.emit("payment_method.attached", pm)
    seti["status"] = "succeeded"
    seti["payment_method"] = pm["id"]
    seti["last_setup_error"] = None
    seti["next_action"] = None
    ctx.emit("setup_intent.succeeded", seti)
    return seti


def authenticate(ctx: Ctx, seti: dict[str, Any], *, succeed: bool) -> dict[str, Any]:
    """The customer completed (or failed) 3-D Secure for a SetupIntent in `requires_action`."""
    if seti["status"] != "requires_action":
        raise _unexpected_state(seti, "authenticate")
    pm = ctx.store.linked(seti["payment_method"])  # an intent waits for 3-D Secure with its card
    if succeed:
        return _succeed(ctx, seti, pm, authenticated=True)
    seti["status"] = "requires_payment_method"
    seti["payment_method"] = None
    seti["next_action"] = None
    seti["last_setup_error"] = {
        "code": "setup_intent_authentication_failure",
        "doc_url": DOCS + "setup-intent-authentication-failure",
        "message": "We are unable to authenticate your payment method. Please choose a different payment method "
        "and try again.",
        "payment_method": views.render(ctx, pm),
        "type": "invalid_request_error",
    }
    ctx.emit("setup_intent.setup_failed", seti)
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
    router.add("POST", "/v1/setup_intents", create, CREATE, sdk="SetupIntentCreateParams", removed=REMOVED)
    router.add(
        "GET",
        "/v1/setup_intents",
        list_,
        {**LIST, "customer": str, "payment_method": str},
        sdk="SetupIntentListParams",
    )
    router.add(
        "GET", "/v1/setup_intents/{id}", retrieve, {"client_secret": str}, sdk="SetupIntentRetrieveParams"
    )
    router.add(
        "POST", "/v1/setup_intents/{id}", update, UPDATE, sdk="SetupIntentUpdateParams", removed=REMOVED
    )
    router.add("POST", "/v1/setup_intents/{id}/confirm", confirm, CONFIRM, sdk="SetupIntentConfirmParams")
    router.add(
        "POST",
        "/v1/setup_intents/{id}/cancel",
        cancel,
        {"cancellation_reason": Enum(("abandoned", "duplicate", "requested_by_customer"))},
        sdk="SetupIntentCancelParams",
    )


views.register(
    "setup_intent",
    "setupintent",
    expandable={"customer", "payment_method", "latest_attempt", "mandate", "application"},
)
