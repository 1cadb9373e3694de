"""Invoice items: one-off amounts for a customer, pending until an invoice takes them.

`invoice=in_...` puts the item straight onto that draft (the way to build a one-off invoice now that
`pending_invoice_items_behavior` defaults to `exclude`). Items on a finalized invoice are frozen.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .. import views
from ..context import Ctx
from ..errors import invalid
from ..params import BOOL, CURRENCY, DECIMAL, LIST, METADATA, in_range, require

PERIOD = {"start": int, "end": int}
CREATE = {
    "customer": str,
    "amount": int,
    "currency": CURRENCY,
    "description": str,
    "metadata": METADATA,
    "invoice": str,
    "quantity": int,
    "unit_amount_decimal": DECIMAL,
    "period": PERIOD,
    "discountable": BOOL,
}
UPDATE = {
    "amount": int,
    "description": str,
    "metadata": METADATA,
    "quantity": int,
    "unit_amount_decimal": DECIMAL,
    "period": PERIOD,
    "discountable": BOOL,
}


# invoices.py imports this module; the way back (`changed_draft`) is imported where used.


def not_editable() -> Exception:
    return invalid(
        "Invalid invoice: This invoice is no longer editable", param="invoice", code="invoice_not_editable"
    )


def _pricing(ctx: Ctx, item: dict[str, Any], unit: Decimal) -> dict[str, Any]:
    # Stripe mints a one-off price and product behind an amount-based item; the emulator keeps the
    # ids stable per item but does not serve /v1/prices or /v1/products.
    return {
        "price_details": {"price": item["_price"], "product": item["_product"]},
        "type": "price_details",
        "unit_amount_decimal": _decimal_text(unit),
    }


def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _amounts(p: dict[str, Any], quantity: int) -> tuple[int, Decimal]:
    if p.get("amount") is not None and p.get("unit_amount_decimal") is not None:
        raise invalid(
            "You may only specify one of these parameters: amount, unit_amount_decimal.", param="amount"
        )
    if p.get("amount") is not None:
        amount = p["amount"]
        return amount, Decimal(amount) / quantity if quantity else Decimal(amount)
    if p.get("unit_amount_decimal") is not None:
        unit = p["unit_amount_decimal"]
        return int((unit * quantity).quantize(Decimal(1), rounding=ROUND_HALF_UP)), unit
    raise invalid(
        "You must specify either `amount`, `pricing[price]`, `price_data` or `unit_amount_decimal` to create an "
        "invoice item.",
        param="amount",
    )


def create(ctx: Ctx):
    p = ctx.params
    require(p, "customer")
    customer = views.get(ctx, "customer", p["customer"], param="customer", status=400)
    quantity = p.get("quantity")
    quantity = 1 if quantity is None else quantity
    if quantity < 0:
        raise invalid("This value must be greater than or equal to 0.", param="quantity")
    amount, unit = _amounts(p, quantity)
    invoice = None
    if p.get("invoice"):
        invoice = views.get(ctx, "invoice", p["invoice"], param="invoice", status=400)
        if invoice["status"] != "draft":
            raise not_editable()
        if invoice["customer"] != customer["id"]:
            raise invalid(
                f"The invoice {invoice['id']} belongs to another customer ({invoice['customer']}).",
                param="invoice",
            )
    currency = (
        p.get("currency")
        or (invoice and invoice["currency"])
        or customer["currency"]
        or ctx.emu.platform_currency
    )
    if invoice and currency != invoice["currency"]:
        raise invalid(
            f"The currency of this invoice item ({currency}) does not match the currency of the invoice "
            f"({invoice['currency']}).",
            param="currency",
        )
    period = p.get("period") or {}
    store = ctx.store
    item = {
        "id": store.new_id("ii"),
        "object": "invoiceitem",
        "amount": amount,
        "currency": currency,
        "customer": customer["id"],
        "customer_account": None,
        "date": ctx.now,
        "description": p.get("description"),
        "discountable": True if p.get("discountable") is None else p["discountable"],
        "discounts": [],
        "invoice": invoice["id"] if invoice else None,
        "livemode": False,
        "metadata": p["metadata"].apply({}) if p.get("metadata") else {},
        "net_amount": amount,
        "parent": None,
        "period": {"end": period.get("end", ctx.now), "start": period.get("start", ctx.now)},
        "pricing": None,
        "proration": False,
        "quantity": quantity,
        "quantity_decimal": str(quantity),
        "tax_rates": [],
        "test_clock": None,
        "_price": store.new_id("price"),
        "_product": store.new_id("prod", 14),
        "_line": store.new_id("il"),
    }
    item["pricing"] = _pricing(ctx, item, unit)
    store.add(item, account=ctx.account)
    ctx.emit("invoiceitem.created", item)
    if invoice:
        from .invoices import changed_draft

        changed_draft(ctx, invoice)
    return item


def _editable(ctx: Ctx, item: dict[str, Any]) -> dict[str, Any] | None:
    if not item["invoice"]:
        return None
    invoice = ctx.store.get(item["invoice"])
    if invoice is None or invoice.get("_deleted") or invoice["status"] != "draft":
        raise invalid(
            "Can't update an invoice item that is attached to an invoice that is no longer editable",
            code="invoice_not_editable",
        )
    return invoice


def retrieve(ctx: Ctx):
    return views.get(ctx, "invoiceitem", ctx.path["id"], param="invoiceitem")


def update(ctx: Ctx):
    item = views.get(ctx, "invoiceitem", ctx.path["id"], param="invoiceitem")
    invoice = _editable(ctx, item)
    p = ctx.params
    if any(p.get(k) is not None for k in ("amount", "unit_amount_decimal", "quantity")):
        quantity = p["quantity"] if p.get("quantity") is not None else item["quantity"]
        unit = Decimal(item["pricing"]["unit_amount_decimal"])
        amount, unit = _amounts(
            {
                "amount": p.get("amount"),
                "unit_amount_decimal": p.get("unit_amount_decimal")
                if p.get("amount") is not None or p.get("unit_amount_decimal") is not None
                else unit,
            },
            quantity,
        )
        item.update(
            {"amount": amount, "net_amount": amount, "quantity": quantity, "quantity_decimal": str(quantity)}
        )
        item["pricing"] = _pricing(ctx, item, unit)
    for key in ("description", "discountable"):
        if key in p:
            item[key] = p[key]
    if p.get("period"):
        item["period"] = {
            "end": p["period"].get("end", item["period"]["end"]),
            "start": p["period"].get("start", item["period"]["start"]),
        }
    if "metadata" in p:
        item["metadata"] = p["metadata"].apply(item["metadata"])
    if invoice:
        from .invoices import changed_draft

        changed_draft(ctx, invoice)
    return item


def delete(ctx: Ctx):
    item = views.get(ctx, "invoiceitem", ctx.path["id"], param="invoiceitem")
    invoice = _editable(ctx, item)
    item["_deleted"] = True
    ctx.emit("invoiceitem.deleted", item)
    if invoice:
        from .invoices import changed_draft

        changed_draft(ctx, invoice)
    return {"id": item["id"], "object": "invoiceitem", "deleted": True}


def items_of(ctx: Ctx, invoice_id: str) -> list[dict[str, Any]]:
    return [
        i
        for i in ctx.store.all("invoiceitem", ctx.account)
        if i["invoice"] == invoice_id and not i.get("_deleted")
    ]


def list_(ctx: Ctx):
    p = ctx.params
    items = [
        i
        for i in ctx.store.all("invoiceitem", ctx.account)
        if not i.get("_deleted")
        and (p.get("customer") is None or i["customer"] == p["customer"])
        and (p.get("invoice") is None or i["invoice"] == p["invoice"])
        and (p.get("pending") is None or (i["invoice"] is None) == p["pending"])
        and in_range(i["date"], p.get("created"))
    ]
    return views.list_object(ctx, items)


def line_item(ctx: Ctx, item: dict[str, Any]) -> dict[str, Any]:
    """The invoice's view of an item: a `line_item` with the item as its parent."""
    return {
        "id": item["_line"],
        "object": "line_item",
        "amount": item["amount"],
        "currency": item["currency"],
        "description": item["description"],
        "discount_amounts": [],
        "discountable": item["discountable"],
        "discounts": [],
        "invoice": item["invoice"],
        "livemode": False,
        "metadata": dict(item["metadata"]),
        "parent": {
            "invoice_item_details": {
                "invoice_item": item["id"],
                "proration": False,
                "proration_details": {"credited_items": None},
                "subscription": None,
            },
            "subscription_item_details": None,
            "type": "invoice_item_details",
        },
        "period": dict(item["period"]),
        "pretax_credit_amounts": [],
        "pricing": dict(item["pricing"]),
        "quantity": item["quantity"],
        "quantity_decimal": item["quantity_decimal"],
        "subscription": None,
        "subtotal": item["amount"],
        "taxes": [],
    }


def routes(router) -> None:
    router.add("POST", "/v1/invoiceitems", create, CREATE, sdk="InvoiceItemCreateParams")
    router.add(
        "GET",
        "/v1/invoiceitems",
        list_,
        {**LIST, "customer": str, "invoice": str, "pending": BOOL},
        sdk="InvoiceItemListParams",
    )
    router.add("GET", "/v1/invoiceitems/{id}", retrieve, sdk="InvoiceItemRetrieveParams")
    router.add("POST", "/v1/invoiceitems/{id}", update, UPDATE, sdk="InvoiceItemUpdateParams")
    router.add("DELETE", "/v1/invoiceitems/{id}", delete, sdk="InvoiceItemDeleteParams")


views.register("invoiceitem", "invoiceitem", expandable={"customer", "invoice", "test_clock"})
