"""Card PaymentMethods: made from a test card (on the card page) or from one of Stripe's test ids
(`pm_card_visa`, `pm_card_chargeCustomerFail`, ...), then retrieved, attached, detached, listed.

The PaymentMethod remembers which test card it came from (privately) so later charges behave like
that card on Stripe.
"""

from __future__ import annotations

from typing import Any

from .. import cards, views
from ..context import Ctx
from ..errors import card_error, invalid, no_such
from ..events import emit_update
from ..params import METADATA, PAGE, Enum, require

_NULL_ADDRESS = dict.fromkeys(("city", "country", "line1", "line2", "postal_code", "state"))


def create_from_card(
    ctx: Ctx,
    card: cards.TestCard,
    *,
    exp_month: int = 12,
    exp_year: int | None = None,
    name: str | None = None,
    email: str | None = None,
    postal_code: str | None = None,
) -> dict[str, Any]:
    store = ctx.store
    pm = {
        "id": store.new_id("pm"),
        "object": "payment_method",
        "allow_redisplay": "unspecified",
        "billing_details": {
            "address": {**_NULL_ADDRESS, "postal_code": postal_code},
            "email": email,
            "name": name,
            "phone": None,
            "tax_id": None,
        },
        "card": {
            "brand": card.brand,
            "checks": {
                "address_line1_check": None,
                "address_postal_code_check": "pass" if postal_code else None,
                "cvc_check": "pass",
            },
            "country": card.country,
            "display_brand": card.brand,
            "exp_month": exp_month,
            "exp_year": exp_year or (_year(ctx) + 3),
            "fingerprint": "emu" + card.number[-8:] + card.brand[:3],
            "funding": card.funding,
            "generated_from": None,
            "last4": card.last4,
            "networks": {"available": [card.brand], "preferred": None},
            "regulated_status": "unregulated",
            "three_d_secure_usage": {"supported": True},
            "wallet": None,
        },
        "created": ctx.now,
        "customer": None,
        "customer_account": None,
        "livemode": False,
        "metadata": {},
        "type": "card",
        "_card": card.number,
    }
    return store.add(pm, account=ctx.account)


def _year(ctx: Ctx) -> int:
    import time

    return time.gmtime(ctx.now).tm_year


def test_card(pm: dict[str, Any]) -> cards.TestCard:
    return cards.CARDS[pm["_card"]]


def resolve(ctx: Ctx, pm_id: str, *, param: str, status: int = 400) -> dict[str, Any]:
    """An existing PaymentMethod of this account, or a fresh one for a test id such as
    `pm_card_visa` (Stripe mints a new PaymentMethod each time one is used)."""
    if pm_id in cards.TEST_PAYMENT_METHODS:
        return create_from_card(ctx, cards.CARDS[cards.TEST_PAYMENT_METHODS[pm_id]])
    pm = ctx.store.get(pm_id)
    if pm is None or pm.get("object") != "payment_method" or pm.get("_account") != ctx.account:
        raise no_such("PaymentMethod", pm_id, param=param, status=status)
    return pm


def check_reusable(pm: dict[str, Any], param: str | None = None) -> None:
    if pm.get("_detached"):
        raise invalid(
            "This PaymentMethod was previously used without being attached to a Customer or was detached from "
            "a Customer, and may not be used again.",
            param=param,
        )


def attach_to(
    ctx: Ctx, pm_ref: str | dict[str, Any], customer: dict[str, Any], *, param: str
) -> dict[str, Any]:
    pm = resolve(ctx, pm_ref, param=param) if isinstance(pm_ref, str) else pm_ref
    if pm.get("customer") == customer["id"]:
        return pm
    check_reusable(pm, param)
    if pm.get("customer"):
        raise invalid("The payment method you provided has already been attached to a customer.", param=param)
    card = test_card(pm)
    if card.setup_decline:
        decline = card.setup_decline
        raise card_error(decline.message, decline.code, decline.decline_code, param="")
    pm["customer"] = customer["id"]
    ctx.emit("payment_method.attached", pm)
    return pm


# -- handlers ----------------------------------------------------------------------------------


def retrieve(ctx: Ctx):
    return views.get(ctx, "payment_method", ctx.path["id"], param="payment_method")


def attach(ctx: Ctx):
    require(ctx.params, "customer")
    customer = views.get(ctx, "customer", ctx.params["customer"], param="customer", status=400)
    pm = resolve(ctx, ctx.path["id"], param="payment_method", status=404)
    return attach_to(ctx, pm, customer, param="payment_method")


def detach(ctx: Ctx):
    pm = views.get(ctx, "payment_method", ctx.path["id"], param="payment_method")
    if not pm.get("customer"):
        raise invalid(
            "The payment method you provided is not attached to a customer so detachment is impossible."
        )
    customer = ctx.store.get(pm["customer"])
    previous_customer = pm["customer"]
    pm["customer"] = None
    pm["_detached"] = True
    ctx.emit("payment_method.detached", pm, {"customer": previous_customer})
    # Stripe drops a detached card from the customer's invoice defaults.
    if customer and customer["invoice_settings"]["default_payment_method"] == pm["id"]:
        before = views.render(ctx, customer)
        customer["invoice_settings"]["default_payment_method"] = None
        emit_update(ctx, "customer.updated", customer, before)
    return pm


def update(ctx: Ctx):
    pm = views.get(ctx, "payment_method", ctx.path["id"], param="payment_method")
    p = ctx.params
    before = views.render(ctx, pm)
    if "metadata" in p:
        pm["metadata"] = p["metadata"].apply(pm["metadata"])
    if "allow_redisplay" in p:
        pm["allow_redisplay"] = p["allow_redisplay"]
    billing = p.get("billing_details") or {}
    for key in ("email", "name", "phone"):
        if key in billing:
            pm["billing_details"][key] = billing[key]
    card = p.get("card") or {}
    for key in ("exp_month", "exp_year"):
        if card.get(key) is not None:
            pm["card"][key] = card[key]
    emit_update(ctx, "payment_method.updated", pm, before)
    return pm


def _for_customer(ctx: Ctx, customer_id: str | None, kind: str | None):
    return [
        pm
        for pm in ctx.store.all("payment_method", ctx.account)
        if (customer_id is None or pm.get("customer") == customer_id) and (kind in (None, pm["type"]))
    ]


def list_(ctx: Ctx):
    p = ctx.params
    if p.get("customer"):
        views.get(ctx, "customer", p["customer"], param="customer", status=400)
    return views.list_object(ctx, _for_customer(ctx, p.get("customer"), p.get("type")))


def list_for_customer(ctx: Ctx):
    customer = views.get(ctx, "customer", ctx.path["customer"], param="customer")
    return views.list_object(ctx, _for_customer(ctx, customer["id"], ctx.params.get("type")))


def retrieve_for_customer(ctx: Ctx):
    customer = views.get(ctx, "customer", ctx.path["customer"], param="customer")
    pm = views.get(ctx, "payment_method", ctx.path["id"], param="payment_method")
    if pm.get("customer") != customer["id"]:
        raise no_such("PaymentMethod", pm["id"], param="payment_method")
    return pm


TYPE = Enum(("card",))
UPDATE = {
    "metadata": METADATA,
    "allow_redisplay": Enum(("always", "limited", "unspecified")),
    "billing_details": {"email": str, "name": str, "phone": str},
    "card": {"exp_month": int, "exp_year": int},
}


def routes(router) -> None:
    router.add(
        "GET",
        "/v1/payment_methods",
        list_,
        {**PAGE, "customer": str, "type": TYPE},
        sdk="PaymentMethodListParams",
    )
    router.add("GET", "/v1/payment_methods/{id}", retrieve, sdk="PaymentMethodRetrieveParams")
    router.add("POST", "/v1/payment_methods/{id}", update, UPDATE, sdk="PaymentMethodUpdateParams")
    router.add(
        "POST", "/v1/payment_methods/{id}/attach", attach, {"customer": str}, sdk="PaymentMethodAttachParams"
    )
    router.add("POST", "/v1/payment_methods/{id}/detach", detach, sdk="PaymentMethodDetachParams")
    router.add(
        "GET",
        "/v1/customers/{customer}/payment_methods",
        list_for_customer,
        {**PAGE, "type": TYPE},
        sdk="CustomerPaymentMethodListParams",
    )
    router.add(
        "GET",
        "/v1/customers/{customer}/payment_methods/{id}",
        retrieve_for_customer,
        sdk="CustomerPaymentMethodRetrieveParams",
    )


views.register("payment_method", "PaymentMethod", expandable={"customer"})
