"""The ledger: every money movement is a balance transaction (`txn_...`) on the platform or on a
connected account, and a balance is the sum of their nets, `available` once `available_on` has
passed and `pending` before. Card charges settle after the emulator's funds delay (`funds_delay`;
Stripe holds card funds for days; the test fixtures use two days), and what a transfer from a
source transaction moves (on both sides) settles with that charge; other transfers, refunds,
reversals and adjustments count at once.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .. import views
from ..context import Ctx
from ..params import LIST, in_range

REPORTING = {
    "charge": "charge",
    "payment": "charge",
    "refund": "refund",
    "payment_refund": "refund",
    "transfer": "transfer",
    "transfer_refund": "transfer_reversal",
    "adjustment": "other_adjustment",
    "payout": "payout",
    "payout_failure": "payout_reversal",
}


def default_currency(ctx: Ctx, account: str | None) -> str:
    if account is None:
        return ctx.emu.platform_currency
    acct = ctx.store.get(account)
    return acct["default_currency"] if acct else ctx.emu.platform_currency


def settlement_currency(ctx: Ctx, account: str | None, currency: str) -> str:
    """The currency a charge in `currency` lands in: itself when the account settles in it, else
    the account's default currency, converted (Stripe's settlement currencies)."""
    if account is None:
        return currency if currency in ctx.emu.settlement_currencies else ctx.emu.platform_currency
    return default_currency(ctx, account)


def add_txn(
    ctx: Ctx,
    *,
    account: str | None,
    amount: int,
    currency: str,
    type_: str,
    source: str | None,
    fee: int = 0,
    description: str | None = None,
    exchange_rate: float | None = None,
    available_on: int | None = None,
) -> dict[str, Any]:
    fee_details = (
        [
            {
                "amount": fee,
                "application": None,
                "currency": currency,
                "description": "Stripe processing fees",
                "type": "stripe_fee",
            }
        ]
        if fee
        else []
    )
    txn = {
        "id": ctx.store.new_id("txn"),
        "object": "balance_transaction",
        "amount": amount,
        "available_on": ctx.now if available_on is None else available_on,
        "balance_type": "payments",
        "created": ctx.now,
        "currency": currency,
        "description": description,
        "exchange_rate": exchange_rate,
        "fee": fee,
        "fee_details": fee_details,
        "net": amount - fee,
        "reporting_category": REPORTING[type_],
        "source": source,
        "status": "available",
        "type": type_,
    }
    return ctx.store.add(txn, account=account)


def _render_txn(ctx: Ctx, obj: dict, out: dict) -> None:
    out["status"] = "available" if obj["available_on"] <= ctx.now else "pending"


def totals(ctx: Ctx, account: str | None) -> tuple[dict[str, int], dict[str, int]]:
    available: dict[str, int] = defaultdict(int)
    pending: dict[str, int] = defaultdict(int)
    for txn in ctx.store.all("balance_transaction", account):
        bucket = available if txn["available_on"] <= ctx.now else pending
        bucket[txn["currency"]] += txn["net"]
    return available, pending


def available_amount(ctx: Ctx, account: str | None, currency: str) -> int:
    return totals(ctx, account)[0].get(currency, 0)


def total_amount(ctx: Ctx, account: str | None, currency: str) -> int:
    """Available and pending together: what refunds draw on."""
    available, pending = totals(ctx, account)
    return available.get(currency, 0) + pending.get(currency, 0)


def balance(ctx: Ctx, account: str | None) -> dict[str, Any]:
    available, pending = totals(ctx, account)
    currencies = sorted(set(available) | set(pending) | {default_currency(ctx, account)})

    def entries(bucket):
        return [
            {"amount": bucket.get(c, 0), "currency": c, "source_types": {"card": bucket.get(c, 0)}}
            for c in currencies
        ]

    result = {
        "object": "balance",
        "available": entries(available),
        "livemode": False,
        "pending": entries(pending),
    }
    # Reserves for connected accounts' negative balances: the platform's (none held here); a
    # connected account has none.
    result["connect_reserved"] = (
        [{"amount": 0, "currency": c} for c in currencies] if account is None else None
    )
    return result


def set_available(ctx: Ctx, account: str | None, amount: int, currency: str | None = None) -> dict[str, Any]:
    """A test control: make the available balance in `currency` exactly `amount`, through an
    adjustment transaction so the ledger still adds up."""
    currency = currency or default_currency(ctx, account)
    delta = amount - available_amount(ctx, account, currency)
    return add_txn(
        ctx,
        account=account,
        amount=delta,
        currency=currency,
        type_="adjustment",
        source=None,
        description="Emulator test control: balance set",
    )


# -- handlers ----------------------------------------------------------------------------------


def retrieve_balance(ctx: Ctx):
    return balance(ctx, ctx.account)


def list_txns(ctx: Ctx):
    p = ctx.params
    items = [
        t
        for t in ctx.store.all("balance_transaction", ctx.account)
        if (p.get("type") is None or t["type"] == p["type"])
        and (p.get("source") is None or t["source"] == p["source"])
        and (p.get("currency") is None or t["currency"] == p["currency"])
        and in_range(t["created"], p.get("created"))
    ]
    return views.list_object(ctx, items)


def retrieve_txn(ctx: Ctx):
    return views.get(ctx, "balance_transaction", ctx.path["id"])


def routes(router) -> None:
    router.add("GET", "/v1/balance", retrieve_balance, sdk="BalanceRetrieveParams")
    router.add(
        "GET",
        "/v1/balance_transactions",
        list_txns,
        {**LIST, "type": str, "source": str, "currency": str, "payout": str},
        sdk="BalanceTransactionListParams",
    )
    router.add("GET", "/v1/balance_transactions/{id}", retrieve_txn, sdk="BalanceTransactionRetrieveParams")


views.register("balance_transaction", "balance transaction", render=_render_txn, expandable={"source"})
