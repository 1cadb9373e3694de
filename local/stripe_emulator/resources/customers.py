"""Customers: create, retrieve, update (including invoice_settings.default_payment_method), list,
delete, search."""

from __future__ import annotations

from .. import views
from ..context import Ctx
from ..errors import invalid, no_such
from ..events import emit_update
from ..params import ADDRESS, LIST, METADATA, Enum, in_range
from ..search import search_response
from ..store import random_token
from .payment_methods import attach_to

INVOICE_SETTINGS = {"default_payment_method": str, "footer": str, "custom_fields": str}
FIELDS = {
    "email": str,
    "name": str,
    "description": str,
    "phone": str,
    "metadata": METADATA,
    "address": ADDRESS,
    "preferred_locales": [str],
    "invoice_prefix": str,
    "invoice_settings": INVOICE_SETTINGS,
    "tax_exempt": Enum(("exempt", "none", "reverse")),
}
CREATE = {**FIELDS, "payment_method": str}
UPDATE = dict(FIELDS)


def _address(value):
    if value is None:
        return None
    return {key: value.get(key) for key in ADDRESS}


def _default_payment_method(ctx: Ctx, customer_id: str, pm_id: str) -> str:
    param = "invoice_settings[default_payment_method]"
    pm = ctx.store.get(pm_id)
    if pm is None or pm.get("object") != "payment_method" or pm.get("_account") != ctx.account:
        raise no_such("PaymentMethod", pm_id, param=param, status=400)
    if pm.get("customer") != customer_id:
        raise invalid(
            f"The customer does not have a payment method with the ID {pm_id}. The payment method must be "
            "attached to the customer.",
            param=param,
        )
    return pm_id


def create(ctx: Ctx):
    p = ctx.params
    store = ctx.store
    customer = {
        "id": store.new_id("cus", 14),
        "object": "customer",
        "address": _address(p.get("address")),
        "balance": 0,
        "created": ctx.now,
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": p.get("description"),
        "discount": None,
        "email": p.get("email"),
        "invoice_prefix": p.get("invoice_prefix") or random_token(8).upper(),
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": (p.get("invoice_settings") or {}).get("footer"),
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": p["metadata"].apply({}) if p.get("metadata") else {},
        "name": p.get("name"),
        "next_invoice_sequence": 1,
        "phone": p.get("phone"),
        "preferred_locales": p.get("preferred_locales") or [],
        "shipping": None,
        "tax_exempt": p.get("tax_exempt") or "none",
        "test_clock": None,
    }
    store.add(customer, account=ctx.account)
    ctx.emit("customer.created", customer)
    if p.get("payment_method"):
        attach_to(ctx, p["payment_method"], customer, param="payment_method")
    default = (p.get("invoice_settings") or {}).get("default_payment_method")
    if default:
        before = views.render(ctx, customer)
        customer["invoice_settings"]["default_payment_method"] = _default_payment_method(
            ctx, customer["id"], default
        )
        emit_update(ctx, "customer.updated", customer, before)
    return customer


def retrieve(ctx: Ctx):
    obj = ctx.store.get(ctx.path["id"])
    if (
        obj is not None
        and obj.get("object") == "customer"
        and obj.get("_deleted")
        and obj["_account"] == ctx.account
    ):
        return {"id": obj["id"], "object": "customer", "deleted": True}
    return views.get(ctx, "customer", ctx.path["id"])


def update(ctx: Ctx):
    customer = views.get(ctx, "customer", ctx.path["id"])
    p = ctx.params
    before = views.render(ctx, customer)
    for key in ("email", "name", "description", "phone"):
        if key in p:
            customer[key] = p[key]
    if "preferred_locales" in p:
        customer["preferred_locales"] = p["preferred_locales"] or []
    if "tax_exempt" in p:
        customer["tax_exempt"] = p["tax_exempt"] or "none"
    if p.get("invoice_prefix"):
        customer["invoice_prefix"] = p["invoice_prefix"]
    if "address" in p:
        customer["address"] = _address(p["address"])
    if "metadata" in p:
        customer["metadata"] = p["metadata"].apply(customer["metadata"])
    if "invoice_settings" in p:
        settings = p["invoice_settings"] or {}
        if "default_payment_method" in settings:
            pm_id = settings["default_payment_method"]
            customer["invoice_settings"]["default_payment_method"] = (
                _default_payment_method(ctx, customer["id"], pm_id) if pm_id else None
            )
        if "footer" in settings:
            customer["invoice_settings"]["footer"] = settings["footer"]
    emit_update(ctx, "customer.updated", customer, before)
    return customer


def delete(ctx: Ctx):
    customer = views.get(ctx, "customer", ctx.path["id"])
    ctx.emit("customer.deleted", customer)
    customer["_deleted"] = True
    return {"id": customer["id"], "object": "customer", "deleted": True}


def list_(ctx: Ctx):
    p = ctx.params
    items = [
        c
        for c in ctx.store.all("customer", ctx.account)
        if not c.get("_deleted")
        and (p.get("email") is None or c.get("email") == p["email"])
        and in_range(c["created"], p.get("created"))
    ]
    return views.list_object(ctx, items)


SEARCH_FIELDS = {
    "created": "number",
    "email": "string",
    "metadata": "metadata",
    "name": "string",
    "phone": "string",
}


def search(ctx: Ctx):
    items = [c for c in ctx.store.all("customer", ctx.account) if not c.get("_deleted")]
    return search_response(ctx, items, SEARCH_FIELDS, "customers")


def routes(router) -> None:
    router.add("POST", "/v1/customers", create, CREATE, sdk="CustomerCreateParams")
    router.add(
        "GET", "/v1/customers", list_, {**LIST, "email": str, "test_clock": str}, sdk="CustomerListParams"
    )
    router.add(
        "GET",
        "/v1/customers/search",
        search,
        {"query": str, "limit": int, "page": str},
        sdk="CustomerSearchParams",
    )
    router.add("GET", "/v1/customers/{id}", retrieve, sdk="CustomerRetrieveParams")
    router.add("POST", "/v1/customers/{id}", update, UPDATE, sdk="CustomerUpdateParams")
    router.add("DELETE", "/v1/customers/{id}", delete, sdk="CustomerDeleteParams")


views.register(
    "customer",
    "customer",
    expandable={"default_source", "invoice_settings.default_payment_method", "test_clock"},
)
