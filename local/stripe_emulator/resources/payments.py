"""Payment intents, charges and refunds, and the charging engine invoices use.

Charging a card makes what Stripe makes: the PaymentIntent moves to `succeeded` with a Charge
(`latest_charge`) and a balance transaction carrying the fee, or stays in
`requires_payment_method` with a failed Charge and `last_payment_error` when the card (or a test
control) declines.
"""

from __future__ import annotations

import enum
from typing import Any, Final

from .. import cards, money, views
from ..context import Ctx
from ..errors import DOCS, invalid, no_such
from ..events import emit_update
from ..params import LIST, METADATA, PAGE, Enum, in_range
from ..search import search_response
from ..store import random_token
from . import balance
from .payment_methods import test_card

_NULL_ADDRESS = dict.fromkeys(("city", "country", "line1", "line2", "postal_code", "state"))


def create_payment_intent(
    ctx: Ctx,
    *,
    customer: str | None,
    amount: int,
    currency: str,
    description: str | None = None,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    store = ctx.store
    pi_id = store.new_id("pi")
    pi = {
        "id": pi_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": 0,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic",
        "client_secret": f"{pi_id}_secret_{random_token(25)}",
        "confirmation_method": "automatic",
        "created": ctx.now,
        "currency": currency,
        "customer": customer,
        "customer_account": None,
        "description": description,
        "excluded_payment_method_types": None,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "managed_payments": None,
        "metadata": dict(metadata or {}),
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": None,
        "payment_method_configuration_details": None,
        "payment_method_options": {
            "card": {
                "installments": None,
                "mandate_options": None,
                "network": None,
                "request_three_d_secure": "automatic",
            }
        },
        "payment_method_types": ["card"],
        "processing": None,
        "receipt_email": None,
        "review": None,
        "setup_future_usage": None,
        "shipping": None,
        "source": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "requires_payment_method",
        "transfer_data": None,
        "transfer_group": None,
    }
    store.add(pi, account=ctx.account)
    ctx.emit("payment_intent.created", pi)
    return pi


def _card_details(pm: dict[str, Any], amount: int) -> dict[str, Any]:
    card = pm["card"]
    return {
        "card": {
            "amount_authorized": amount,
            "authorization_code": None,
            "brand": card["brand"],
            "checks": dict(card["checks"]),
            "country": card["country"],
            "exp_month": card["exp_month"],
            "exp_year": card["exp_year"],
            "extended_authorization": {"status": "disabled"},
            "fingerprint": card["fingerprint"],
            "funding": card["funding"],
            "incremental_authorization": {"status": "unavailable"},
            "installments": None,
            "last4": card["last4"],
            "mandate": None,
            "multicapture": {"status": "unavailable"},
            "network": card["brand"],
            "network_token": {"used": False},
            "network_transaction_id": random_token(15),
            "overcapture": {"maximum_amount_capturable": amount, "status": "unavailable"},
            "regulated_status": "unregulated",
            "three_d_secure": None,
            "wallet": None,
        },
        "type": "card",
    }


def new_charge(
    ctx: Ctx,
    *,
    charge_id: str,
    amount: int,
    currency: str,
    customer: str | None = None,
    payment_intent: str | None = None,
    payment_method: str | None = None,
    payment_method_details: dict[str, Any] | None = None,
    billing_details: dict[str, Any] | None = None,
    description: str | None = None,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A Charge in Stripe's shape; also used for a transfer's destination payment (`py_...`)."""
    return {
        "id": charge_id,
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": 0,
        "application": None,
        "application_fee": None,
        "application_fee_amount": None,
        "balance_transaction": None,
        "billing_details": billing_details
        or {"address": dict(_NULL_ADDRESS), "email": None, "name": None, "phone": None, "tax_id": None},
        "calculated_statement_descriptor": ctx.emu.statement_descriptor,
        "captured": True,
        "created": ctx.now,
        "currency": currency,
        "customer": customer,
        "description": description,
        "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": None,
        "failure_message": None,
        "fraud_details": {},
        "livemode": False,
        "metadata": dict(metadata or {}),
        "on_behalf_of": None,
        "outcome": {
            "advice_code": None,
            "network_advice_code": None,
            "network_decline_code": None,
            "network_status": "approved_by_network",
            "reason": None,
            "risk_level": "normal",
            "risk_score": 20,
            "seller_message": "Payment complete.",
            "type": "authorized",
        },
        "paid": True,
        "payment_intent": payment_intent,
        "payment_method": payment_method,
        "payment_method_details": payment_method_details,
        "receipt_email": None,
        "receipt_number": None,
        "receipt_url": f"{ctx.public_url}/_pages/receipts/{charge_id}",
        "refunded": False,
        "review": None,
        "shipping": None,
        "source": None,
        "source_transfer": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "succeeded",
        "transfer_data": None,
        "transfer_group": None,
    }


def forced_decline(ctx: Ctx, customer: str | None) -> cards.Decline | None:
    """A decline planned by the fail_next_charge test control, whatever the card."""
    key = customer or ""
    forced = ctx.store.forced_failures.get(key)
    if forced:
        plan = forced.pop(0)
        if not forced:
            ctx.store.forced_failures.pop(key, None)
        return cards.DECLINES.get(plan["decline_code"], cards.GENERIC)
    return None


class ActionRequired(enum.Enum):
    """The outcome of a payment attempt that needs the customer to authenticate (3-D Secure). An
    enum's one member, so that `outcome is REQUIRES_ACTION` narrows the outcome for a type checker."""

    REQUIRES_ACTION = "REQUIRES_ACTION"

    def __repr__(self) -> str:
        return "REQUIRES_ACTION"


REQUIRES_ACTION: Final = ActionRequired.REQUIRES_ACTION


def needs_authentication(pm: dict[str, Any]) -> bool:
    return cards.needs_authentication(
        test_card(pm), setup=False, authenticated_setup=bool(pm.get("_authenticated_setup"))
    )


def attempt(
    ctx: Ctx,
    pi: dict[str, Any],
    pm: dict[str, Any],
    *,
    authenticated: bool = False,
    return_url: str | None = None,
) -> cards.Decline | ActionRequired | None:
    """Confirm `pi` with `pm`: one Charge, succeeded or failed, and the decline if it failed; or,
    for a card that asks for 3-D Secure, no charge yet: the PaymentIntent waits in
    `requires_action` with a `next_action` (REQUIRES_ACTION)."""
    decline = forced_decline(ctx, pi["customer"])
    if decline is None and not authenticated and needs_authentication(pm):
        return _require_action(ctx, pi, pm, return_url)
    decline = decline or test_card(pm).charge_decline
    pi["next_action"] = None
    charge = new_charge(
        ctx,
        charge_id=ctx.store.new_id("ch"),
        amount=pi["amount"],
        currency=pi["currency"],
        customer=pi["customer"],
        payment_intent=pi["id"],
        payment_method=pm["id"],
        payment_method_details=_card_details(pm, pi["amount"]),
        billing_details=dict(pm["billing_details"]),
        description=pi["description"],
        metadata=pi["metadata"],
    )
    ctx.store.add(charge, account=ctx.account)
    pi["payment_method"] = pm["id"]
    pi["latest_charge"] = charge["id"]
    if decline:
        charge.update(
            {
                "amount_captured": 0,
                "captured": False,
                "paid": False,
                "status": "failed",
                "failure_code": decline.code,
                "failure_message": decline.message,
                "receipt_url": None,
                "outcome": {
                    **charge["outcome"],
                    "network_decline_code": "05" if decline.code == "card_declined" else None,
                    "network_status": "declined_by_network",
                    "reason": decline.decline_code,
                    "seller_message": "The bank did not return any further details with this decline.",
                    "type": "issuer_declined",
                },
            }
        )
        charge["payment_method_details"]["card"]["amount_authorized"] = None
        pi["status"] = "requires_payment_method"
        pi["last_payment_error"] = {
            "charge": charge["id"],
            "code": decline.code,
            "decline_code": decline.decline_code,
            "doc_url": DOCS + decline.code.replace("_", "-"),
            "message": decline.message,
            "payment_method": views.render(ctx, pm),
            "type": "card_error",
        }
        ctx.emit("charge.failed", charge)
        ctx.emit("payment_intent.payment_failed", pi)
        return decline
    # The charge lands in a currency the account settles in, converted when it is another one
    # (the balance transaction then carries the exchange rate); the fee is in that currency.
    settled_in = balance.settlement_currency(ctx, ctx.account, pi["currency"])
    settled = money.convert(pi["amount"], pi["currency"], settled_in)
    txn = balance.add_txn(
        ctx,
        account=ctx.account,
        amount=settled,
        currency=settled_in,
        type_="charge",
        source=charge["id"],
        fee=money.card_fee(settled),
        description=pi["description"],
        exchange_rate=money.exchange_rate(pi["currency"], settled_in),
        available_on=ctx.now + ctx.emu.funds_delay,
    )
    charge["balance_transaction"] = txn["id"]
    pi["status"] = "succeeded"
    pi["amount_received"] = pi["amount"]
    pi["last_payment_error"] = None
    ctx.emit("charge.succeeded", charge)
    ctx.emit("payment_intent.succeeded", pi)
    return None


def _require_action(
    ctx: Ctx, pi: dict[str, Any], pm: dict[str, Any], return_url: str | None
) -> ActionRequired:
    from .setup_intents import next_action

    pi["payment_method"] = pm["id"]
    pi["status"] = "requires_action"
    pi["next_action"] = next_action(ctx, pi["id"], return_url)
    # Off-session, the issuer's answer is an authentication_required decline (Stripe's
    # "authentication_required" decline code); the customer must come back on session.
    need = cards.AUTHENTICATION_REQUIRED
    pi["last_payment_error"] = {
        "code": need.code,
        "decline_code": need.decline_code,
        "doc_url": DOCS + need.code.replace("_", "-"),
        "message": need.message,
        "payment_method": views.render(ctx, pm),
        "type": "card_error",
    }
    ctx.emit("payment_intent.requires_action", pi)
    return REQUIRES_ACTION


def fail_authentication(ctx: Ctx, pi: dict[str, Any]) -> None:
    """The customer failed (or abandoned) 3-D Secure: the PaymentIntent needs another payment method."""
    pm = ctx.store.get(pi["payment_method"])
    pi["status"] = "requires_payment_method"
    pi["next_action"] = None
    pi["last_payment_error"] = {
        "code": "payment_intent_authentication_failure",
        "doc_url": DOCS + "payment-intent-authentication-failure",
        "message": "We are unable to authenticate your payment method. Please choose a different payment method "
        "and try again.",
        "payment_method": views.render(ctx, pm) if pm else None,
        "type": "invalid_request_error",
    }
    ctx.emit("payment_intent.payment_failed", pi)


def cancel_intent(ctx: Ctx, pi: dict[str, Any], reason: str | None = None) -> None:
    if pi["status"] in ("succeeded", "canceled"):
        return
    pi["status"] = "canceled"
    pi["canceled_at"] = ctx.now
    pi["cancellation_reason"] = reason
    ctx.emit("payment_intent.canceled", pi)


# -- payment intents ---------------------------------------------------------------------------


def retrieve_pi(ctx: Ctx):
    return views.get(ctx, "payment_intent", ctx.path["id"], param="intent")


def list_pi(ctx: Ctx):
    p = ctx.params
    items = [
        pi
        for pi in ctx.store.all("payment_intent", ctx.account)
        if (p.get("customer") is None or pi["customer"] == p["customer"])
        and in_range(pi["created"], p.get("created"))
    ]
    return views.list_object(ctx, items)


PI_SEARCH = {
    "amount": "number",
    "created": "number",
    "currency": "string",
    "customer": "string",
    "metadata": "metadata",
    "status": "string",
}


def search_pi(ctx: Ctx):
    return search_response(ctx, ctx.store.all("payment_intent", ctx.account), PI_SEARCH, "payment_intents")


# -- charges -----------------------------------------------------------------------------------


def _include_refunds(ctx: Ctx, out: dict) -> dict:
    """`refunds` on a charge: only with `expand[]=refunds`, as on API versions since 2022-11-15."""
    charge = ctx.store.linked(out["id"])
    refunds = [r for r in ctx.store.all("refund", charge["_account"]) if r["charge"] == charge["id"]]
    return views.embedded_list(ctx, refunds, f"/v1/charges/{charge['id']}/refunds")


def retrieve_charge(ctx: Ctx):
    return views.get(ctx, "charge", ctx.path["id"], param="charge")


def update_charge(ctx: Ctx):
    charge = views.get(ctx, "charge", ctx.path["id"], param="charge")
    before = views.render(ctx, charge)
    if "description" in ctx.params:
        charge["description"] = ctx.params["description"]
    if "metadata" in ctx.params:
        charge["metadata"] = ctx.params["metadata"].apply(charge["metadata"])
    if ctx.params.get("transfer_group"):
        # "transfer_group may only be provided if it has not been set" (Stripe's API reference).
        if charge["transfer_group"] and charge["transfer_group"] != ctx.params["transfer_group"]:
            raise invalid(
                f"The transfer_group of charge {charge['id']} is already set ({charge['transfer_group']}) and "
                "cannot be changed.",
                param="transfer_group",
            )
        charge["transfer_group"] = ctx.params["transfer_group"]
    emit_update(ctx, "charge.updated", charge, before)
    return charge


def list_charges(ctx: Ctx):
    p = ctx.params
    items = [
        c
        for c in ctx.store.all("charge", ctx.account)
        if (p.get("customer") is None or c["customer"] == p["customer"])
        and (p.get("payment_intent") is None or c["payment_intent"] == p["payment_intent"])
        and (p.get("transfer_group") is None or c["transfer_group"] == p["transfer_group"])
        and in_range(c["created"], p.get("created"))
    ]
    return views.list_object(ctx, items)


CHARGE_SEARCH = {**PI_SEARCH, "payment_intent": "string", "refunded": "string"}


def search_charges(ctx: Ctx):
    return search_response(ctx, ctx.store.all("charge", ctx.account), CHARGE_SEARCH, "charges")


# -- refunds -----------------------------------------------------------------------------------


def create_refund(ctx: Ctx):
    p = ctx.params
    if not p.get("charge") and not p.get("payment_intent"):
        raise invalid(
            "One of the following params should be provided for this request: payment_intent or charge."
        )
    if p.get("charge"):
        charge = views.get(ctx, "charge", p["charge"], param="charge", status=400)
        if p.get("payment_intent") and charge["payment_intent"] != p["payment_intent"]:
            raise invalid(
                f"Charge {charge['id']} does not belong to PaymentIntent {p['payment_intent']}.",
                param="charge",
            )
    else:
        pi = views.get(ctx, "payment_intent", p["payment_intent"], param="payment_intent", status=400)
        if pi["status"] != "succeeded" or not pi["latest_charge"]:
            raise invalid(
                f"This PaymentIntent ({pi['id']}) does not have a successful charge to refund.",
                param="payment_intent",
                code="charge_not_refundable",
            )
        charge = ctx.store.linked(pi["latest_charge"])
    if charge["status"] != "succeeded":
        raise invalid(
            f"Charge {charge['id']} has not succeeded and cannot be refunded.", code="charge_not_refundable"
        )
    remaining = charge["amount"] - charge["amount_refunded"]
    if remaining <= 0:
        raise invalid(f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded")
    amount = p.get("amount")
    amount = remaining if amount is None else amount
    if amount < 1:
        raise invalid("This value must be greater than or equal to 1.", param="amount")
    if amount > remaining:
        currency = charge["currency"]
        what = "charge amount" if charge["amount_refunded"] == 0 else "unrefunded amount on charge"
        raise invalid(
            f"Refund amount ({money.display(amount, currency)}) is greater than {what} "
            f"({money.display(remaining, currency)})",
            param="amount",
        )
    return refund_charge(ctx, charge, amount, reason=p.get("reason"), metadata=p.get("metadata"))


def settled_refunds(ctx: Ctx, charge: dict[str, Any]) -> int:
    """What the charge's refunds took from the balance, in the charge's settlement currency."""
    total = 0
    for refund in ctx.store.all("refund", charge["_account"]):
        if refund["charge"] == charge["id"]:
            txn = ctx.store.get(refund["balance_transaction"])
            total += -txn["amount"] if txn else 0
    return total


def settled_refund(ctx: Ctx, charge: dict[str, Any], amount: int) -> tuple[int, str, float | None]:
    """A refund of `amount` (charge currency) in the currency the charge settled in: converted at
    the emulator's fixed rate, and the last refund takes exactly what is left (no rounding drift)."""
    txn = ctx.store.get(charge["balance_transaction"])
    if txn is None or txn["currency"] == charge["currency"]:
        return amount, charge["currency"], None
    if charge["amount_refunded"] + amount >= charge["amount"]:
        settled = txn["amount"] - settled_refunds(ctx, charge)
    else:
        settled = money.convert(amount, charge["currency"], txn["currency"])
    return settled, txn["currency"], money.exchange_rate(charge["currency"], txn["currency"])


def refund_charge(ctx: Ctx, charge: dict[str, Any], amount: int, *, reason=None, metadata=None, prefix="re"):
    store = ctx.store
    owner = charge["_account"]
    refund = {
        "id": store.new_id(prefix),
        "object": "refund",
        "amount": amount,
        "balance_transaction": None,
        "charge": charge["id"],
        "created": ctx.now,
        "currency": charge["currency"],
        "customer": charge["customer"],
        "customer_account": None,
        "destination_details": {
            "card": {
                "reference": random_token(16),
                "reference_status": "available",
                "reference_type": "acquirer_reference_number",
                "type": "refund",
            },
            "type": "card",
        }
        if charge["payment_method_details"] and charge["payment_method_details"]["type"] == "card"
        else None,
        "metadata": metadata.apply({}) if metadata else {},
        "payment_intent": charge["payment_intent"],
        "payment_method": charge["payment_method"],
        "pending_reason": None,
        "reason": reason,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "succeeded",
        "transfer_reversal": None,
    }
    store.add(refund, account=owner)
    settled_amount, settled_in, rate = settled_refund(ctx, charge, amount)
    txn = balance.add_txn(
        ctx,
        account=owner,
        amount=-settled_amount,
        currency=settled_in,
        exchange_rate=rate,
        type_="refund" if prefix == "re" else "payment_refund",
        source=refund["id"],
        description="REFUND FOR CHARGE" + (f" ({charge['description']})" if charge["description"] else ""),
    )
    refund["balance_transaction"] = txn["id"]
    if prefix == "re" and balance.total_amount(ctx, owner, settled_in) < 0:
        # Refunds draw on the whole balance, pending funds included; one that leaves it negative
        # waits ("Pending refunds due to insufficient funds", Stripe support) until it is covered.
        refund["status"] = "pending"
        refund["pending_reason"] = "insufficient_funds"
    before = views.render(ctx, charge)
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
    ctx.emit("refund.created", refund)
    if prefix == "re":
        previous = {"amount_refunded": before["amount_refunded"]}
        if charge["refunded"] != before["refunded"]:
            previous["refunded"] = before["refunded"]
        ctx.emit("charge.refunded", charge, previous)
    return refund


def release_pending_refunds(ctx: Ctx) -> None:
    """Pending refunds go out once the balance covers them again (new charges, a top-up)."""
    for refund in ctx.store.all("refund"):
        if refund["status"] != "pending" or refund["pending_reason"] != "insufficient_funds":
            continue
        txn = ctx.store.linked(refund["balance_transaction"])
        if balance.total_amount(ctx, refund["_account"], txn["currency"]) >= 0:
            before = views.render(ctx, refund)
            refund["status"] = "succeeded"
            refund["pending_reason"] = None
            emit_update(ctx, "refund.updated", refund, before)


def retrieve_refund(ctx: Ctx):
    return views.get(ctx, "refund", ctx.path["id"], param="refund")


def update_refund(ctx: Ctx):
    refund = views.get(ctx, "refund", ctx.path["id"], param="refund")
    before = views.render(ctx, refund)
    if "metadata" in ctx.params:
        refund["metadata"] = ctx.params["metadata"].apply(refund["metadata"])
    emit_update(ctx, "refund.updated", refund, before)
    return refund


def list_refunds(ctx: Ctx):
    p = ctx.params
    items = [
        r
        for r in ctx.store.all("refund", ctx.account)
        if (p.get("charge") is None or r["charge"] == p["charge"])
        and (p.get("payment_intent") is None or r["payment_intent"] == p["payment_intent"])
        and in_range(r["created"], p.get("created"))
    ]
    return views.list_object(ctx, items)


def list_charge_refunds(ctx: Ctx):
    charge = views.get(ctx, "charge", ctx.path["charge"], param="charge")
    items = [r for r in ctx.store.all("refund", ctx.account) if r["charge"] == charge["id"]]
    return views.list_object(ctx, items)


def retrieve_charge_refund(ctx: Ctx):
    charge = views.get(ctx, "charge", ctx.path["charge"], param="charge")
    refund = views.get(ctx, "refund", ctx.path["id"], param="refund")
    if refund["charge"] != charge["id"]:
        raise no_such("refund", refund["id"], param="refund")
    return refund


SEARCH = {"query": str, "limit": int, "page": str}


def routes(router) -> None:
    router.add(
        "GET", "/v1/payment_intents", list_pi, {**LIST, "customer": str}, sdk="PaymentIntentListParams"
    )
    router.add("GET", "/v1/payment_intents/search", search_pi, SEARCH, sdk="PaymentIntentSearchParams")
    router.add(
        "GET",
        "/v1/payment_intents/{id}",
        retrieve_pi,
        {"client_secret": str},
        sdk="PaymentIntentRetrieveParams",
    )
    router.add(
        "GET",
        "/v1/charges",
        list_charges,
        {**LIST, "customer": str, "payment_intent": str, "transfer_group": str},
        sdk="ChargeListParams",
    )
    router.add("GET", "/v1/charges/search", search_charges, SEARCH, sdk="ChargeSearchParams")
    router.add("GET", "/v1/charges/{id}", retrieve_charge, sdk="ChargeRetrieveParams")
    router.add(
        "POST",
        "/v1/charges/{id}",
        update_charge,
        {"description": str, "metadata": METADATA, "transfer_group": str},
        sdk="ChargeUpdateParams",
    )
    router.add(
        "GET", "/v1/charges/{charge}/refunds", list_charge_refunds, PAGE, sdk="ChargeListRefundsParams"
    )
    router.add(
        "GET", "/v1/charges/{charge}/refunds/{id}", retrieve_charge_refund, sdk="ChargeRetrieveRefundParams"
    )
    router.add(
        "POST",
        "/v1/refunds",
        create_refund,
        {
            "charge": str,
            "payment_intent": str,
            "amount": int,
            "reason": Enum(("duplicate", "fraudulent", "requested_by_customer")),
            "metadata": METADATA,
        },
        sdk="RefundCreateParams",
    )
    router.add(
        "GET",
        "/v1/refunds",
        list_refunds,
        {**LIST, "charge": str, "payment_intent": str},
        sdk="RefundListParams",
    )
    router.add("GET", "/v1/refunds/{id}", retrieve_refund, sdk="RefundRetrieveParams")
    router.add("POST", "/v1/refunds/{id}", update_refund, {"metadata": METADATA}, sdk="RefundUpdateParams")


views.register(
    "payment_intent",
    "payment_intent",
    expandable={"customer", "latest_charge", "payment_method", "application", "on_behalf_of", "review"},
)
views.register(
    "charge",
    "charge",
    includable={"refunds": _include_refunds},
    expandable={
        "balance_transaction",
        "customer",
        "payment_intent",
        "payment_method",
        "source_transfer",
        "application",
        "application_fee",
        "failure_balance_transaction",
        "on_behalf_of",
        "review",
        "transfer",
    },
)
views.register(
    "refund",
    "refund",
    expandable={
        "balance_transaction",
        "charge",
        "payment_intent",
        "source_transfer_reversal",
        "transfer_reversal",
    },
)
