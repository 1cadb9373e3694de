"""Transfers to connected accounts and their reversals.

A transfer moves money from the platform's balance to a connected account: a `transfer`
balance transaction on the platform, and on the account a destination payment (`py_...`, a Charge
owned by the account) whose balance transaction is in the account's default currency, converted at
the emulator's fixed rate with `exchange_rate` set when the currencies differ. A reversal undoes
some or all of it, refunding the destination payment (`pyr_...`) out of the account's available
balance.
"""

from __future__ import annotations

from typing import Any

from .. import countries, money, views
from ..context import Ctx
from ..errors import StripeError, invalid, no_such
from ..events import emit_update
from ..params import CURRENCY, LIST, METADATA, PAGE, Enum, in_range, require
from . import balance
from .payments import new_charge, refund_charge, settled_refunds

# A recipient account's transferred money is available a day after a full-agreement account's.
RECIPIENT_EXTRA_DELAY = 24 * 3600

CREATE = {
    "amount": int,
    "currency": CURRENCY,
    "destination": str,
    "transfer_group": str,
    "source_transaction": str,
    "source_type": Enum(("bank_account", "card", "fpx")),
    "metadata": METADATA,
    "description": str,
}


def _insufficient_platform_funds() -> StripeError:
    return invalid(
        "You have insufficient available funds in your Stripe account. Try adding funds directly to your "
        "available balance by creating Charges using the 4000000000000077 test card. See: "
        "https://stripe.com/docs/testing#available-balance",
        code="balance_insufficient",
    )


def transferable_from(ctx: Ctx, charge: dict[str, Any], txn: dict[str, Any]) -> int:
    """What is left of a charge for transfers, in the currency of its balance transaction: what it
    brought into the balance (before fees) less refunds and earlier, unreversed transfers."""
    used = sum(
        t["amount"] - t["amount_reversed"]
        for t in ctx.store.all("transfer", None)
        if t["source_transaction"] == charge["id"]
    )
    return txn["amount"] - settled_refunds(ctx, charge) - used


def _group_of(ctx: Ctx, charge: dict[str, Any], asked: str | None) -> str:
    """A transfer made with `source_transaction` belongs to the charge's transfer group; when the
    charge has none, Stripe generates `group_<PaymentIntent id>` and sets it on the charge and its
    PaymentIntent too (Stripe's separate charges and transfers guide, "Transfer availability").
    A `transfer_group` passed alongside that differs is refused: whether Stripe refuses it or
    files the transfer under the charge's group anyway could not be confirmed, and code that leaves
    it out (or passes the charge's own) works on Stripe whichever it does."""
    group = charge["transfer_group"] or f"group_{charge['payment_intent'] or charge['id']}"
    if asked is not None and asked != group:
        raise invalid(
            f"A transfer from source_transaction {charge['id']} belongs to that charge's transfer group "
            f"({group}); leave transfer_group out or pass that group, not {asked}.",
            param="transfer_group",
        )
    if charge["transfer_group"]:
        return group
    charge["transfer_group"] = group
    pi = ctx.store.get(charge["payment_intent"])
    if pi is not None:
        pi["transfer_group"] = group
    return group


def create(ctx: Ctx):
    p = ctx.params
    require(p, "amount", "currency", "destination")
    amount, currency = p["amount"], p["currency"]
    if amount < 1:
        raise invalid("This value must be greater than or equal to 1.", param="amount")
    if ctx.account:
        raise invalid("Transfers to other accounts can only be made by the platform.", param="destination")
    acct = ctx.store.get(p["destination"])
    if acct is None or acct.get("object") != "account" or acct.get("_deleted"):
        raise no_such("destination", p["destination"], param="destination", status=400)
    if acct["capabilities"].get("transfers") != "active":
        raise invalid(
            "Your destination account needs to have at least one of the following capabilities enabled: "
            "transfers, crypto_transfers, legacy_payments",
            param="destination",
            code="insufficient_capabilities_for_transfer",
        )
    agreement = acct["tos_acceptance"].get("service_agreement") or "full"
    if not countries.can_pay(ctx.emu.platform_country, acct["country"], agreement):
        # Outside the platform's region only the recipient service agreement receives transfers
        # (cross-border payouts); the message is the one Stripe returned (see countries.py).
        raise invalid(
            f"Funds can't be sent to accounts located in {acct['country']} when the account is under the "
            f"`{agreement}` service agreement.",
            param="destination",
        )
    source = None
    available_on = ctx.now
    if p.get("source_transaction"):
        source = views.get(ctx, "charge", p["source_transaction"], param="source_transaction", status=400)
        if source["status"] != "succeeded":
            raise invalid(
                f"The source_transaction {source['id']} has not succeeded, so it cannot fund a transfer.",
                param="source_transaction",
            )
        txn = ctx.store.linked(source["balance_transaction"])  # a succeeded charge has settled
        if txn["currency"] != currency:
            # A charge in a currency the platform does not settle in lands converted: the transfer
            # must be in the currency of the charge's balance transaction.
            raise invalid(
                f"The currency of source_transaction's balance transaction ({txn['currency']}) must be the same "
                f"as the transfer currency ({currency}).",
                param="currency",
            )
        left = transferable_from(ctx, source, txn)
        if amount > left:
            raise invalid(
                f"The transfer amount ({money.display(amount, currency)}) exceeds the amount of the "
                f"source_transaction {source['id']} still available for transfers ({money.display(left, currency)}).",
                param="amount",
                code="balance_insufficient",
            )
        # Funds from a source transaction move when that charge's funds become available.
        available_on = max(ctx.now, txn["available_on"])
    elif balance.available_amount(ctx, None, currency) < amount:
        raise _insufficient_platform_funds()
    group = _group_of(ctx, source, p.get("transfer_group")) if source else p.get("transfer_group")

    store = ctx.store
    transfer = {
        "id": store.new_id("tr"),
        "object": "transfer",
        "amount": amount,
        "amount_reversed": 0,
        "balance_transaction": None,
        "created": ctx.now,
        "currency": currency,
        "description": p.get("description"),
        "destination": acct["id"],
        "destination_payment": None,
        "livemode": False,
        "metadata": p["metadata"].apply({}) if p.get("metadata") else {},
        "reversed": False,
        "source_transaction": source["id"] if source else None,
        "source_type": p.get("source_type") or "card",
        "transfer_group": group,
    }
    store.add(transfer)
    platform_txn = balance.add_txn(
        ctx,
        account=None,
        amount=-amount,
        currency=currency,
        type_="transfer",
        source=transfer["id"],
        description=p.get("description"),
        available_on=available_on,
    )
    transfer["balance_transaction"] = platform_txn["id"]

    target = acct["default_currency"]
    landed = money.convert(amount, currency, target)
    # "Transfers to recipient accounts take an extra 24 hours to become available in the connected
    # account's balance" (Stripe's "Service agreement types"): the platform's side is unchanged.
    arrives_on = available_on + (RECIPIENT_EXTRA_DELAY if agreement == "recipient" else 0)
    payment = new_charge(
        ctx,
        charge_id=store.new_id("py"),
        amount=landed,
        currency=target,
        payment_method_details={"stripe_account": {}, "type": "stripe_account"},
    )
    payment.update(
        {
            "outcome": None,
            "receipt_url": None,
            "source_transfer": transfer["id"],
            "transfer_group": group,
        }
    )
    payment["calculated_statement_descriptor"] = None
    store.add(payment, account=acct["id"])
    account_txn = balance.add_txn(
        ctx,
        account=acct["id"],
        amount=landed,
        currency=target,
        type_="payment",
        source=payment["id"],
        exchange_rate=money.exchange_rate(currency, target),
        available_on=arrives_on,
    )
    payment["balance_transaction"] = account_txn["id"]
    transfer["destination_payment"] = payment["id"]
    ctx.emit("transfer.created", transfer)
    return transfer


def _render(ctx: Ctx, obj: dict, out: dict) -> None:
    reversals = [r for r in ctx.store.all("transfer_reversal") if r["transfer"] == obj["id"]]
    out["reversals"] = views.embedded_list(ctx, reversals, f"/v1/transfers/{obj['id']}/reversals")


def _get(ctx: Ctx, object_id: str) -> dict[str, Any]:
    return views.get(ctx, "transfer", object_id, param="transfer")


def retrieve(ctx: Ctx):
    return _get(ctx, ctx.path["id"])


def update(ctx: Ctx):
    transfer = _get(ctx, ctx.path["id"])
    before = views.render(ctx, transfer)
    if "description" in ctx.params:
        transfer["description"] = ctx.params["description"]
    if "metadata" in ctx.params:
        transfer["metadata"] = ctx.params["metadata"].apply(transfer["metadata"])
    emit_update(ctx, "transfer.updated", transfer, before)
    return transfer


def list_(ctx: Ctx):
    p = ctx.params
    items = [
        t
        for t in ctx.store.all("transfer", ctx.account)
        if (p.get("destination") is None or t["destination"] == p["destination"])
        and (p.get("transfer_group") is None or t["transfer_group"] == p["transfer_group"])
        and in_range(t["created"], p.get("created"))
    ]
    return views.list_object(ctx, items)


# -- reversals ---------------------------------------------------------------------------------


def create_reversal(ctx: Ctx):
    transfer = _get(ctx, ctx.path["id"])
    p = ctx.params
    remaining = transfer["amount"] - transfer["amount_reversed"]
    if remaining <= 0:
        raise invalid(f"Transfer {transfer['id']} has already been fully reversed.")
    amount = remaining if p.get("amount") is None else p["amount"]
    if amount < 1:
        raise invalid("This value must be greater than or equal to 1.", param="amount")
    currency = transfer["currency"]
    if amount > remaining:
        raise invalid(
            f"Reversal amount ({money.display(amount, currency)}) is greater than the amount of the transfer that "
            f"has not been reversed ({money.display(remaining, currency)}).",
            param="amount",
        )
    payment = ctx.store.linked(transfer["destination_payment"])
    acct_id = transfer["destination"]
    # The whole remainder takes exactly what is left on the destination payment (no rounding drift).
    if amount == remaining:
        debit = payment["amount"] - payment["amount_refunded"]
    else:
        debit = money.convert(amount, currency, payment["currency"])
    # "It's only possible to reverse a transfer if the connected account's available balance is
    # greater than the reversal amount" (Stripe's separate charges and transfers guide): funds that
    # are still pending on the account (a transfer from a charge not yet available) cannot be taken.
    available = balance.available_amount(ctx, acct_id, payment["currency"])
    if available < debit:
        raise invalid(
            f"The connected account {acct_id} has insufficient available funds to reverse this transfer: "
            f"{money.display(debit, payment['currency'])} is needed and {money.display(available, payment['currency'])} "
            "is available.",
            param="amount",
            code="balance_insufficient",
        )
    store = ctx.store
    reversal = {
        "id": store.new_id("trr"),
        "object": "transfer_reversal",
        "amount": amount,
        "balance_transaction": None,
        "created": ctx.now,
        "currency": currency,
        "destination_payment_refund": None,
        "metadata": p["metadata"].apply({}) if p.get("metadata") else {},
        "source_refund": None,
        "transfer": transfer["id"],
    }
    store.add(reversal)
    # What comes back settles no sooner than what went out (a transfer from a pending charge).
    out = ctx.store.get(transfer["balance_transaction"])
    txn = balance.add_txn(
        ctx,
        account=None,
        amount=amount,
        currency=currency,
        type_="transfer_refund",
        source=reversal["id"],
        description=p.get("description"),
        available_on=max(ctx.now, out["available_on"]) if out else ctx.now,
    )
    reversal["balance_transaction"] = txn["id"]
    refund = refund_charge(ctx, payment, debit, prefix="pyr")
    refund["transfer_reversal"] = reversal["id"]
    refund["destination_details"] = None
    reversal["destination_payment_refund"] = refund["id"]
    before = views.render(ctx, transfer)
    transfer["amount_reversed"] += amount
    transfer["reversed"] = transfer["amount_reversed"] >= transfer["amount"]
    previous = {"amount_reversed": before["amount_reversed"], "reversals": before["reversals"]}
    if transfer["reversed"] != before["reversed"]:
        previous["reversed"] = before["reversed"]
    ctx.emit("transfer.reversed", transfer, previous)
    return reversal


def list_reversals(ctx: Ctx):
    transfer = _get(ctx, ctx.path["id"])
    items = [r for r in ctx.store.all("transfer_reversal") if r["transfer"] == transfer["id"]]
    return views.list_object(ctx, items)


def retrieve_reversal(ctx: Ctx):
    transfer = _get(ctx, ctx.path["transfer"])
    reversal = views.get(ctx, "transfer_reversal", ctx.path["id"], param="id")
    if reversal["transfer"] != transfer["id"]:
        raise no_such("transfer_reversal", reversal["id"])
    return reversal


def update_reversal(ctx: Ctx):
    reversal = retrieve_reversal(ctx)
    if "metadata" in ctx.params:
        reversal["metadata"] = ctx.params["metadata"].apply(reversal["metadata"])
    return reversal


def routes(router) -> None:
    router.add("POST", "/v1/transfers", create, CREATE, sdk="TransferCreateParams")
    router.add(
        "GET",
        "/v1/transfers",
        list_,
        {**LIST, "destination": str, "transfer_group": str},
        sdk="TransferListParams",
    )
    router.add("GET", "/v1/transfers/{id}", retrieve, sdk="TransferRetrieveParams")
    router.add(
        "POST",
        "/v1/transfers/{id}",
        update,
        {"description": str, "metadata": METADATA},
        sdk="TransferUpdateParams",
    )
    router.add(
        "POST",
        "/v1/transfers/{id}/reversals",
        create_reversal,
        {"amount": int, "description": str, "metadata": METADATA, "refund_application_fee": bool},
        sdk="TransferReversalCreateParams",
    )
    router.add("GET", "/v1/transfers/{id}/reversals", list_reversals, PAGE, sdk="TransferReversalListParams")
    router.add(
        "GET",
        "/v1/transfers/{transfer}/reversals/{id}",
        retrieve_reversal,
        sdk="TransferReversalRetrieveParams",
    )
    router.add(
        "POST",
        "/v1/transfers/{transfer}/reversals/{id}",
        update_reversal,
        {"metadata": METADATA},
        sdk="TransferReversalUpdateParams",
    )


views.register(
    "transfer",
    "transfer",
    render=_render,
    expandable={"balance_transaction", "destination", "destination_payment", "source_transaction"},
)
views.register(
    "transfer_reversal",
    "transfer_reversal",
    expandable={"balance_transaction", "destination_payment_refund", "source_refund", "transfer"},
)
