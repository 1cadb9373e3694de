"""One-off invoices through Stripe's lifecycle: draft -> open -> paid | void | uncollectible.

On this API version an invoice carries no `charge` or `payment_intent`: finalizing an invoice with
something to pay creates a PaymentIntent and an InvoicePayment (`inpay_...`, status open) that
points at it, and paying confirms that PaymentIntent. The charge is reached through
`GET /v1/invoice_payments?invoice=in_...` -> `payment.payment_intent` -> `latest_charge`.

The refusals for illegal transitions use Stripe's own messages (see docs/stripe-emulator.md for
the ones that could not be confirmed).
"""

from __future__ import annotations

from typing import Any

from .. import cards, views
from ..context import Ctx
from ..errors import StripeError, card_error, invalid, no_such
from ..events import emit_update
from ..params import CURRENCY, LIST, METADATA, Enum, Range, in_range, require
from ..search import search_response
from ..store import random_token
from . import invoiceitems, payments
from .payment_methods import attach_to, resolve

COLLECTION = Enum(("charge_automatically", "send_invoice"))
STATUS = Enum(("draft", "open", "void", "paid", "uncollectible"))
EDITABLE = {
    "auto_advance": bool,
    "collection_method": COLLECTION,
    "days_until_due": int,
    "due_date": int,
    "default_payment_method": str,
    "description": str,
    "footer": str,
    "metadata": METADATA,
    "statement_descriptor": str,
}
CREATE = {
    **EDITABLE,
    "customer": str,
    "currency": CURRENCY,
    "pending_invoice_items_behavior": Enum(("exclude", "include")),
}
# "Once an invoice is finalized, monetary values, as well as collection_method, become uneditable"
# (Stripe's API reference, Update an invoice); the SDK's docstrings add that days_until_due and
# due_date "can only be updated on draft invoices". The rest of what the emulator models stays
# editable (description, footer, metadata, default_payment_method, statement_descriptor, ...).
DRAFT_ONLY = {"collection_method", "days_until_due", "due_date"}
DAY = 86400


def _isnt_open() -> StripeError:
    return invalid("You can only pass in open invoices. This invoice isn't open.")


# -- rendering ---------------------------------------------------------------------------------


def _render(ctx: Ctx, obj: dict, out: dict) -> None:
    items = sorted(invoiceitems.items_of(ctx, obj["id"]), key=lambda i: i["_seq"], reverse=True)
    lines = [invoiceitems.line_item(ctx, i) for i in items]
    out["lines"] = {
        "object": "list",
        "data": lines[:10],
        "has_more": len(lines) > 10,
        "total_count": len(lines),
        "url": f"/v1/invoices/{obj['id']}/lines",
    }
    if obj["status"] == "draft":
        # Until finalization the customer fields follow the customer, as on Stripe.
        out.update(_customer_snapshot(ctx.store.get(obj["customer"])))
    if obj["status"] == "uncollectible":
        out["status_details"] = {"uncollectible": {"reason": "user_forgiven"}}


def _customer_snapshot(customer: dict[str, Any] | None) -> dict[str, Any]:
    customer = customer or {}
    return {
        "customer_address": customer.get("address"),
        "customer_email": customer.get("email"),
        "customer_name": customer.get("name"),
        "customer_phone": customer.get("phone"),
        "customer_shipping": customer.get("shipping"),
        "customer_tax_exempt": customer.get("tax_exempt", "none"),
    }


def _payments_of(ctx: Ctx, invoice_id: str) -> list[dict[str, Any]]:
    return [p for p in ctx.store.all("invoice_payment", ctx.account) if p["invoice"] == invoice_id]


def _include_payments(ctx: Ctx, out: dict) -> dict:
    return views.embedded_list(ctx, _payments_of(ctx, out["id"]), f"/v1/invoice_payments?invoice={out['id']}")


# -- state helpers -----------------------------------------------------------------------------


def recompute(ctx: Ctx, inv: dict[str, Any]) -> None:
    total = sum(i["amount"] for i in invoiceitems.items_of(ctx, inv["id"]))
    due = max(total, 0)
    inv.update(
        {
            "subtotal": total,
            "subtotal_excluding_tax": total,
            "total": total,
            "total_excluding_tax": total,
            "amount_due": due,
            "amount_remaining": max(due - inv["amount_paid"], 0),
        }
    )


def changed_draft(ctx: Ctx, inv: dict[str, Any]) -> None:
    before = views.render(ctx, inv)
    recompute(ctx, inv)
    emit_update(ctx, "invoice.updated", inv, before)


def _check_due(collection: str, days: int | None, due_date: int | None) -> None:
    if collection == "send_invoice" and days is None and due_date is None:
        raise invalid(
            "If invoice collection method is 'send_invoice', you must specify 'due_date' or 'days_until_due'."
        )
    if collection == "charge_automatically" and (days is not None or due_date is not None):
        raise invalid(
            "You can only specify 'due_date' or 'days_until_due' if invoice collection method is 'send_invoice'."
        )


def _customer_pm(ctx: Ctx, customer_id: str, pm_id: str, param: str) -> str:
    pm = resolve(ctx, pm_id, param=param)
    if pm.get("customer") != customer_id:
        raise invalid(
            f"The PaymentMethod {pm['id']} does not belong to the Customer {customer_id}. Please use a PaymentMethod "
            "belonging to this Customer.",
            param=param,
        )
    return pm["id"]


def _window(inv: dict[str, Any]) -> None:
    # Stripe finalizes an auto-advancing draft about an hour after creation (recorded: +3601 s, and
    # the first payment attempt at +3600 s for charge_automatically).
    if inv["status"] != "draft":
        return
    auto = inv["auto_advance"]
    inv["automatically_finalizes_at"] = inv["created"] + 3601 if auto else None
    automatic = auto and inv["collection_method"] == "charge_automatically"
    inv["next_payment_attempt"] = inv["created"] + 3600 if automatic else None


def finalize_invoice(ctx: Ctx, inv: dict[str, Any], auto_advance: bool | None = None) -> None:
    store = ctx.store
    customer = store.linked(inv["customer"])
    number = f"{customer['invoice_prefix']}-{customer['next_invoice_sequence']:04d}"
    customer["next_invoice_sequence"] += 1
    token = "invst_" + random_token(32)
    store.invoice_tokens[token] = inv["id"]
    recompute(ctx, inv)
    inv.update(_customer_snapshot(customer))
    inv.update(
        {
            "status": "open",
            "number": number,
            "effective_at": ctx.now,
            "hosted_invoice_url": f"{ctx.public_url}/_pages/invoice/{token}",
            "invoice_pdf": f"{ctx.public_url}/_pages/invoice/{token}/pdf",
            "automatically_finalizes_at": None,
            "next_payment_attempt": None,
            "_token": token,
        }
    )
    if auto_advance is not None:
        inv["auto_advance"] = auto_advance
    inv["status_transitions"]["finalized_at"] = ctx.now
    if inv["amount_due"] > 0:
        pi = payments.create_payment_intent(
            ctx,
            customer=inv["customer"],
            amount=inv["amount_due"],
            currency=inv["currency"],
            description="Payment for Invoice",
        )
        inpay = {
            "id": store.new_id("inpay"),
            "object": "invoice_payment",
            "amount_paid": None,
            "amount_requested": inv["amount_due"],
            "created": ctx.now,
            "currency": inv["currency"],
            "invoice": inv["id"],
            "is_default": True,
            "livemode": False,
            "payment": {"payment_intent": pi["id"], "type": "payment_intent"},
            "status": "open",
            "status_transitions": {"canceled_at": None, "paid_at": None},
        }
        store.add(inpay, account=ctx.account)
        inv["_payment_intent"] = pi["id"]
        inv["_invoice_payment"] = inpay["id"]
    ctx.emit("invoice.finalized", inv)
    if inv["amount_due"] == 0:
        inv["attempted"] = True
        _mark_paid(ctx, inv)
        ctx.emit("invoice.payment_succeeded", inv)


def _mark_paid(ctx: Ctx, inv: dict[str, Any]) -> None:
    inv.update(
        {
            "status": "paid",
            "amount_paid": inv["amount_due"],
            "amount_remaining": 0,
            "auto_advance": False,
            "next_payment_attempt": None,
        }
    )
    inv["status_transitions"]["paid_at"] = ctx.now
    ctx.emit("invoice.paid", inv)


def _close_payment(ctx: Ctx, inv: dict[str, Any], reason: str | None) -> None:
    pi = ctx.store.get(inv.get("_payment_intent"))
    if pi:
        payments.cancel_intent(ctx, pi, reason)
    inpay = ctx.store.get(inv.get("_invoice_payment"))
    if inpay and inpay["status"] == "open":
        inpay["status"] = "canceled"
        inpay["status_transitions"]["canceled_at"] = ctx.now


def default_payment_method(ctx: Ctx, inv: dict[str, Any]) -> dict[str, Any] | None:
    """The invoice's default, else the customer's invoice_settings default (Stripe's order)."""
    customer = ctx.store.linked(inv["customer"])
    for pm_id in (inv["default_payment_method"], customer["invoice_settings"]["default_payment_method"]):
        pm = ctx.store.get(pm_id)
        if pm is not None and pm.get("customer") == customer["id"]:
            return pm
    return None


def collect(
    ctx: Ctx,
    inv: dict[str, Any],
    pm: dict[str, Any],
    *,
    authenticated: bool = False,
    return_url: str | None = None,
) -> cards.Decline | payments.ActionRequired | None:
    """One payment attempt on an open invoice. Returns the decline if the card declined, or
    payments.REQUIRES_ACTION when the card asks for 3-D Secure: the PaymentIntent then waits in
    `requires_action`, and Stripe sends `invoice.payment_failed` ("the PaymentIntent status changes
    to requires_action") and `invoice.payment_action_required`; the customer authenticates on the
    hosted invoice page. Completing that authentication continues the same attempt."""
    pi = ctx.store.linked(inv["_payment_intent"])
    outcome = payments.attempt(ctx, pi, pm, authenticated=authenticated, return_url=return_url)
    inv["attempted"] = True
    if not authenticated:
        inv["attempt_count"] += 1
    if outcome is payments.REQUIRES_ACTION:
        ctx.emit("invoice.payment_failed", inv)
        ctx.emit("invoice.payment_action_required", inv)
        return outcome
    decline = outcome
    if decline:
        ctx.emit("invoice.payment_failed", inv)
        return decline
    inpay = ctx.store.linked(inv["_invoice_payment"])
    inpay["status"] = "paid"
    inpay["amount_paid"] = pi["amount"]
    inpay["status_transitions"]["paid_at"] = ctx.now
    ctx.emit("invoice_payment.paid", inpay)
    _mark_paid(ctx, inv)
    ctx.emit("invoice.payment_succeeded", inv)
    return None


def no_payment_method_error() -> StripeError:
    return invalid(
        "This customer has no attached payment source or default payment method. Please consider adding a default "
        "payment method. For more information, visit "
        "https://stripe.com/docs/billing/subscriptions/payment-methods-setting#payment-method-priority."
    )


def action_required_error(ctx: Ctx, inv: dict[str, Any]) -> StripeError:
    """Paying an invoice whose card asks for 3-D Secure: Stripe's
    `invoice_payment_intent_requires_action` (a 402); the PaymentIntent, in `requires_action`, is in
    the error body."""
    pi = ctx.store.linked(inv["_payment_intent"])
    return card_error(
        "This payment requires additional user action before it can be completed successfully. Payment can be "
        "completed using the PaymentIntent associated with the invoice. For more details see: "
        "https://docs.stripe.com/billing/subscriptions/overview#requires-action",
        "invoice_payment_intent_requires_action",
        None,
        extra={"payment_intent": views.render(ctx, pi)},
    )


def decline_error(ctx: Ctx, inv: dict[str, Any], decline: cards.Decline, pm: dict[str, Any]) -> StripeError:
    pi = ctx.store.linked(inv["_payment_intent"])
    return card_error(
        decline.message,
        decline.code,
        decline.decline_code,
        extra={
            "charge": pi["latest_charge"],
            "payment_intent": views.render(ctx, pi),
            "payment_method": views.render(ctx, pm),
        },
    )


def run_automations(ctx: Ctx) -> None:
    """What Stripe does on its own clock: finalize auto-advancing drafts once their hour is up and
    make the first collection attempt for charge_automatically. (No retry schedule: a failed
    automatic attempt leaves the invoice open.)"""
    for inv in ctx.store.all("invoice"):
        if inv.get("_deleted") or inv["status"] != "draft" or not inv["auto_advance"]:
            continue
        due = inv["automatically_finalizes_at"]
        if due is None or due > ctx.now:
            continue
        ctx.account = inv["_account"]
        finalize_invoice(ctx, inv)
        if inv["status"] == "open" and inv["collection_method"] == "charge_automatically":
            pm = default_payment_method(ctx, inv)
            if pm is None:
                inv["attempted"] = True
                inv["attempt_count"] += 1
                ctx.emit("invoice.payment_failed", inv)
            else:
                collect(ctx, inv, pm)


# -- handlers ----------------------------------------------------------------------------------


def create(ctx: Ctx):
    p = ctx.params
    require(p, "customer")
    customer = views.get(ctx, "customer", p["customer"], param="customer", status=400)
    collection = p.get("collection_method") or "charge_automatically"
    _check_due(collection, p.get("days_until_due"), p.get("due_date"))
    pm_id = p.get("default_payment_method")
    if pm_id:
        pm_id = _customer_pm(ctx, customer["id"], pm_id, "default_payment_method")
    currency = p.get("currency") or customer["currency"] or ctx.emu.platform_currency
    store = ctx.store
    now = ctx.now
    due_date = p.get("due_date")
    if collection == "send_invoice" and due_date is None:
        due_date = now + p["days_until_due"] * DAY
    inv = {
        "id": store.new_id("in"),
        "object": "invoice",
        "account_country": ctx.emu.platform_country,
        "account_name": ctx.emu.platform_name,
        "account_tax_ids": None,
        "amount_due": 0,
        "amount_overpaid": 0,
        "amount_paid": 0,
        "amount_remaining": 0,
        "amount_shipping": 0,
        "application": None,
        "attempt_count": 0,
        "attempted": False,
        "auto_advance": bool(p.get("auto_advance")),
        "automatic_tax": {
            "disabled_reason": None,
            "enabled": False,
            "liability": None,
            "provider": None,
            "status": None,
        },
        "automatically_finalizes_at": None,
        "billing_reason": "manual",
        "collection_method": collection,
        "created": now,
        "currency": currency,
        "custom_fields": None,
        "customer": customer["id"],
        "customer_account": None,
        **_customer_snapshot(customer),
        "customer_tax_ids": [],
        "default_payment_method": pm_id,
        "default_source": None,
        "default_tax_rates": [],
        "description": p.get("description"),
        "discounts": [],
        "due_date": due_date if collection == "send_invoice" else None,
        "effective_at": None,
        "ending_balance": None,
        "footer": p.get("footer") or customer["invoice_settings"]["footer"],
        "from_invoice": None,
        "hosted_invoice_url": None,
        "invoice_pdf": None,
        "issuer": {"type": "self"},
        "last_finalization_error": None,
        "latest_revision": None,
        "livemode": False,
        "metadata": p["metadata"].apply({}) if p.get("metadata") else {},
        "next_payment_attempt": None,
        "number": None,
        "on_behalf_of": None,
        "parent": None,
        "payment_settings": {
            "default_mandate": None,
            "payment_method_options": None,
            "payment_method_types": None,
        },
        "period_end": now,
        "period_start": now,
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "receipt_number": None,
        "rendering": None,
        "shipping_cost": None,
        "shipping_details": None,
        "starting_balance": 0,
        "statement_descriptor": p.get("statement_descriptor"),
        "status": "draft",
        "status_transitions": {
            "finalized_at": None,
            "marked_uncollectible_at": None,
            "paid_at": None,
            "voided_at": None,
        },
        # Gone from invoices since API 2025-03-31 (see `parent`); Stripe's fixtures still list it, null.
        "subscription": None,
        "subtotal": 0,
        "subtotal_excluding_tax": 0,
        "test_clock": None,
        "total": 0,
        "total_discount_amounts": [],
        "total_excluding_tax": 0,
        "total_pretax_credit_amounts": [],
        "total_taxes": [],
        "webhooks_delivered_at": now,
        "_days_until_due": p.get("days_until_due"),
    }
    store.add(inv, account=ctx.account)
    if p.get("pending_invoice_items_behavior") == "include":
        for item in ctx.store.all("invoiceitem", ctx.account):
            if (
                item["customer"] == customer["id"]
                and item["invoice"] is None
                and not item.get("_deleted")
                and item["currency"] == currency
            ):
                item["invoice"] = inv["id"]
    if customer["currency"] is None:
        customer["currency"] = currency
    recompute(ctx, inv)
    _window(inv)
    ctx.emit("invoice.created", inv)
    return inv


def _get(ctx: Ctx, param: str = "invoice") -> dict[str, Any]:
    return views.get(ctx, "invoice", ctx.path["id"], param=param)


def retrieve(ctx: Ctx):
    return _get(ctx)


def update(ctx: Ctx):
    inv = _get(ctx, "id")
    p = ctx.params
    if inv["status"] != "draft":
        for key in p:
            if key in DRAFT_ONLY:
                raise invalid("Finalized invoices can't be updated in this way", param=key)
    before = views.render(ctx, inv)
    collection = p.get("collection_method") or inv["collection_method"]
    if {"collection_method", "days_until_due", "due_date"} & p.keys():
        if "days_until_due" in p or "due_date" in p:
            days, due = p.get("days_until_due"), p.get("due_date")
        elif collection == "send_invoice":
            days, due = inv.get("_days_until_due"), inv["due_date"]
        else:
            days = due = None
        _check_due(collection, days, due)
        inv["collection_method"] = collection
        inv["_days_until_due"] = days
        if collection != "send_invoice":
            inv["due_date"] = None
        elif due is not None:
            inv["due_date"] = due
        elif days is not None:  # _check_due refused a send_invoice with neither
            inv["due_date"] = inv["created"] + days * DAY
    if p.get("default_payment_method"):
        inv["default_payment_method"] = _customer_pm(
            ctx, inv["customer"], p["default_payment_method"], "default_payment_method"
        )
    elif "default_payment_method" in p:
        inv["default_payment_method"] = None
    for key in ("description", "footer", "statement_descriptor"):
        if key in p:
            inv[key] = p[key]
    if "auto_advance" in p:
        inv["auto_advance"] = bool(p["auto_advance"])
        _window(inv)
    if "metadata" in p:
        inv["metadata"] = p["metadata"].apply(inv["metadata"])
    emit_update(ctx, "invoice.updated", inv, before)
    return inv


def delete(ctx: Ctx):
    inv = _get(ctx)
    if inv["status"] != "draft":
        raise invalid("You can only delete draft invoices.")
    ctx.emit("invoice.deleted", inv)
    inv["_deleted"] = True
    return {"id": inv["id"], "object": "invoice", "deleted": True}


def finalize(ctx: Ctx):
    inv = _get(ctx, "id")
    if inv["status"] != "draft":
        raise invalid("This invoice is already finalized, you can't re-finalize a non-draft invoice.")
    finalize_invoice(ctx, inv, ctx.params.get("auto_advance"))
    return inv


def pay(ctx: Ctx):
    inv = _get(ctx, "id")
    p = ctx.params
    if inv["status"] == "paid":
        raise invalid("Invoice is already paid")
    if inv["status"] == "void":
        raise invalid("Voided invoices cannot be paid.")
    pm = None
    if not p.get("paid_out_of_band"):
        if p.get("payment_method"):
            customer = ctx.store.linked(inv["customer"])
            pm = resolve(ctx, p["payment_method"], param="payment_method")
            if pm.get("customer") is None and pm["id"] != p["payment_method"]:
                attach_to(ctx, pm, customer, param="payment_method")  # a test id such as pm_card_visa
            if pm.get("customer") != customer["id"]:
                _customer_pm(ctx, customer["id"], pm["id"], "payment_method")
        else:
            pm = default_payment_method(ctx, inv)
        if pm is None and inv["amount_due"] > 0:
            raise no_payment_method_error()
    if inv["status"] == "draft":
        finalize_invoice(ctx, inv)
        if inv["status"] == "paid":
            return inv
    if p.get("paid_out_of_band"):
        _close_payment(ctx, inv, None)
        _mark_paid(ctx, inv)
        return inv
    if pm is None:  # only for an amount due of 0, which finalization has already paid
        raise no_payment_method_error()
    outcome = collect(ctx, inv, pm)
    if outcome is payments.REQUIRES_ACTION:
        raise action_required_error(ctx, inv)
    if outcome:
        raise decline_error(ctx, inv, outcome, pm)
    return inv


def authenticate_payment(ctx: Ctx, pi: dict[str, Any], *, succeed: bool) -> None:
    """The customer completed (or failed) 3-D Secure for a PaymentIntent in `requires_action`; for an
    invoice's PaymentIntent the attempt then goes on: charged (and the invoice paid) or declined."""
    if pi["status"] != "requires_action":
        raise invalid(
            f"You cannot authenticate this PaymentIntent because it has a status of {pi['status']}.",
            code="payment_intent_unexpected_state",
        )
    inv = next(
        (i for i in ctx.store.all("invoice", pi["_account"]) if i.get("_payment_intent") == pi["id"]), None
    )
    if not succeed:
        payments.fail_authentication(ctx, pi)
        if inv is not None:
            ctx.emit("invoice.payment_failed", inv)
        return
    pm = ctx.store.linked(pi["payment_method"])  # a PaymentIntent waits for 3-D Secure with its card
    if inv is not None:
        collect(ctx, inv, pm, authenticated=True)
    else:
        payments.attempt(ctx, pi, pm, authenticated=True)


def send(ctx: Ctx):
    inv = _get(ctx)
    if inv["status"] not in ("draft", "open"):
        raise invalid(
            "This invoice cannot be sent right now. Please contact us via https://support.stripe.com/contact with "
            "details, so we can help."
        )
    if inv["collection_method"] != "send_invoice":
        raise invalid("You can only manually send an invoice if its collection method is 'send_invoice'.")
    if inv["status"] == "draft":
        finalize_invoice(ctx, inv)
    inv["_sent_at"] = ctx.now
    ctx.emit("invoice.sent", inv)
    return inv


def void(ctx: Ctx):
    inv = _get(ctx, "id")
    if inv["status"] == "paid":
        raise invalid("Invoices with `paid` payments cannot be voided.")
    if inv["status"] not in ("open", "uncollectible"):
        raise _isnt_open()
    inv["status"] = "void"
    inv["status_transitions"]["voided_at"] = ctx.now
    inv["auto_advance"] = False
    inv["next_payment_attempt"] = None
    _close_payment(ctx, inv, "void_invoice")
    ctx.emit("invoice.voided", inv)
    return inv


def mark_uncollectible(ctx: Ctx):
    inv = _get(ctx, "id")
    if inv["status"] == "uncollectible":
        raise invalid("This invoice has already been marked uncollectible.")
    if inv["status"] != "open":
        raise _isnt_open()
    inv["status"] = "uncollectible"
    inv["status_transitions"]["marked_uncollectible_at"] = ctx.now
    inv["auto_advance"] = False
    inv["next_payment_attempt"] = None
    ctx.emit("invoice.marked_uncollectible", inv)
    return inv


def list_(ctx: Ctx):
    p = ctx.params
    items = [
        i
        for i in ctx.store.all("invoice", ctx.account)
        if not i.get("_deleted")
        and (p.get("customer") is None or i["customer"] == p["customer"])
        and (p.get("status") is None or i["status"] == p["status"])
        and (p.get("collection_method") is None or i["collection_method"] == p["collection_method"])
        and in_range(i["created"], p.get("created"))
        and in_range(i["due_date"], p.get("due_date"))
    ]
    return views.list_object(ctx, items)


SEARCH_FIELDS = {
    "created": "number",
    "currency": "string",
    "customer": "string",
    "metadata": "metadata",
    "number": "string",
    "receipt_number": "string",
    "status": "string",
    "subscription": "string",
    "total": "number",
}


def search(ctx: Ctx):
    items = [i for i in ctx.store.all("invoice", ctx.account) if not i.get("_deleted")]
    return search_response(ctx, items, SEARCH_FIELDS, "invoices")


def lines(ctx: Ctx):
    inv = _get(ctx)
    items = sorted(invoiceitems.items_of(ctx, inv["id"]), key=lambda i: i["_seq"], reverse=True)
    data = [invoiceitems.line_item(ctx, i) for i in items]
    limit = ctx.params.get("limit") or 10
    after, before = ctx.params.get("starting_after"), ctx.params.get("ending_before")
    ids = [line["id"] for line in data]
    for cursor in (after, before):
        if cursor and cursor not in ids:
            raise no_such(
                "line item",
                cursor,
                param="starting_after" if cursor == after else "ending_before",
                status=400,
            )
    if after:
        data = data[ids.index(after) + 1 :]
        page, has_more = data[:limit], len(data) > limit
    elif before:
        data = data[: ids.index(before)]
        page, has_more = data[-limit:], len(data) > limit
    else:
        page, has_more = data[:limit], len(data) > limit
    return {"object": "list", "data": page, "has_more": has_more, "url": f"/v1/invoices/{inv['id']}/lines"}


# -- invoice payments --------------------------------------------------------------------------


def retrieve_payment(ctx: Ctx):
    return views.get(ctx, "invoice_payment", ctx.path["id"], param="invoice_payment")


def list_payments(ctx: Ctx):
    p = ctx.params
    payment = p.get("payment") or {}
    items = [
        i
        for i in ctx.store.all("invoice_payment", ctx.account)
        if (p.get("invoice") is None or i["invoice"] == p["invoice"])
        and (p.get("status") is None or i["status"] == p["status"])
        and (
            payment.get("payment_intent") is None
            or i["payment"].get("payment_intent") == payment["payment_intent"]
        )
        and (payment.get("type") is None or i["payment"]["type"] == payment["type"])
        and in_range(i["created"], p.get("created"))
    ]
    return views.list_object(ctx, items)


def routes(router) -> None:
    router.add("POST", "/v1/invoices", create, CREATE, sdk="InvoiceCreateParams")
    router.add(
        "GET",
        "/v1/invoices",
        list_,
        {
            **LIST,
            "customer": str,
            "status": STATUS,
            "collection_method": COLLECTION,
            "due_date": Range(),
            "subscription": str,
        },
        sdk="InvoiceListParams",
    )
    router.add(
        "GET",
        "/v1/invoices/search",
        search,
        {"query": str, "limit": int, "page": str},
        sdk="InvoiceSearchParams",
    )
    router.add("GET", "/v1/invoices/{id}", retrieve, sdk="InvoiceRetrieveParams")
    router.add("POST", "/v1/invoices/{id}", update, EDITABLE, sdk="InvoiceUpdateParams")
    router.add("DELETE", "/v1/invoices/{id}", delete, sdk="InvoiceDeleteParams")
    router.add(
        "GET",
        "/v1/invoices/{id}/lines",
        lines,
        {"limit": int, "starting_after": str, "ending_before": str},
        sdk="InvoiceLineItemListParams",
    )
    router.add(
        "POST",
        "/v1/invoices/{id}/finalize",
        finalize,
        {"auto_advance": bool},
        sdk="InvoiceFinalizeInvoiceParams",
    )
    router.add(
        "POST",
        "/v1/invoices/{id}/pay",
        pay,
        {"paid_out_of_band": bool, "payment_method": str, "off_session": bool, "forgive": bool},
        sdk="InvoicePayParams",
    )
    router.add("POST", "/v1/invoices/{id}/send", send, sdk="InvoiceSendInvoiceParams")
    router.add("POST", "/v1/invoices/{id}/void", void, sdk="InvoiceVoidInvoiceParams")
    router.add(
        "POST",
        "/v1/invoices/{id}/mark_uncollectible",
        mark_uncollectible,
        sdk="InvoiceMarkUncollectibleParams",
    )
    router.add(
        "GET",
        "/v1/invoice_payments",
        list_payments,
        {
            **LIST,
            "invoice": str,
            "status": Enum(("canceled", "open", "paid")),
            "payment": {
                "type": Enum(("payment_intent", "payment_record")),
                "payment_intent": str,
                "payment_record": str,
            },
        },
        sdk="InvoicePaymentListParams",
    )
    router.add("GET", "/v1/invoice_payments/{id}", retrieve_payment, sdk="InvoicePaymentRetrieveParams")


views.register(
    "invoice",
    "invoice",
    render=_render,
    expandable={
        "customer",
        "default_payment_method",
        "default_source",
        "on_behalf_of",
        "latest_revision",
        "test_clock",
        "application",
        "account_tax_ids",
    },
    includable={"payments": _include_payments},
)
views.register(
    "invoice_payment",
    "invoice payment",
    expandable={"invoice", "payment.payment_intent", "payment.charge", "payment.payment_record"},
)
