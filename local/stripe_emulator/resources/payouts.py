"""Payouts: a connected account's balance paid to its bank account.

On Stripe an Express account is paid out on an automatic schedule: Stripe creates the payout
(`automatic: true`) from the account's available balance to its default bank account, and sends
`payout.created`, then `payout.paid` when the bank has it or `payout.failed` when the bank sends it
back, each to the platform's Connect endpoint with `account` set on the event. Read with the
account's `Stripe-Account` header (`GET /v1/payouts/{id}`, `GET /v1/payouts`); without it the
payout is not found, as on Stripe.

The emulator has no schedule: a test control makes the payout (`Emulator.create_payout`, from the
account's available balance), then pays it or makes it fail with one of Stripe's failure codes,
as Stripe's test bank account numbers do (000111111113 `account_closed`, 000111111116
`no_account`, ...). A failed payout gives the money back to the account's balance (its
`failure_balance_transaction`, type `payout_failure`), the bank account it went to becomes
`errored` (the SDK: "If a payout fails, the status is set to `errored` and scheduled payouts are
stopped until account details are updated") and the account asks for a bank account again
(`external_account` in `requirements.currently_due`, with `account.updated`: Stripe's support
article "Managing Connect payout failures" lists such accounts as needing a "bank account or debit
card"). Finishing onboarding again (an account link) replaces the errored bank account.
"""

from __future__ import annotations

from typing import Any

from .. import views
from ..context import Ctx
from ..errors import invalid, no_such
from ..events import emit_update
from ..params import LIST, in_range
from . import balance

# Stripe's payout failure codes and their messages (docs.stripe.com/api/payouts/failures; the
# wording of Stripe's support pages on payout failures)
FAILURES = {
    "account_closed": "The bank account has been closed.",
    "account_frozen": "The bank account has been frozen.",
    "bank_account_restricted": "The bank account has restrictions on either the type, or the number, of "
    "payouts allowed. This normally indicates that the bank account is a savings or other non-checking "
    "account.",
    "could_not_process": "The bank could not process this payout.",
    "declined": "The bank has declined this transfer. Please contact the bank before retrying.",
    "incorrect_account_holder_name": "Your bank notified us that the bank account holder name on file is "
    "incorrect.",
    "insufficient_funds": "Your Stripe account has insufficient funds to cover the payout.",
    "invalid_account_number": "The routing number seems correct, but the account number is invalid.",
    "invalid_currency": "The bank was unable to process this payout because of its currency. This is "
    "probably because the bank account cannot accept payments in that currency.",
    "no_account": "The bank account details on file are probably incorrect. No bank account could be "
    "located with those details.",
}
ARRIVAL_DELAY = 2 * 24 * 3600  # a standard payout arrives in about two business days


def _account(ctx: Ctx, account_id: str) -> dict[str, Any]:
    acct = ctx.store.get(account_id)
    if acct is None or acct.get("object") != "account" or acct.get("_deleted"):
        raise no_such("account", account_id, param="account")
    return acct


def create(ctx: Ctx, account_id: str, *, amount: int | None = None, currency: str | None = None) -> dict:
    """An automatic payout of `amount` (default: all of it) of the account's available balance in
    `currency` (default: its default currency) to its bank account."""
    acct = _account(ctx, account_id)
    currency = str(currency or acct["default_currency"]).lower()
    banks = [b for b in acct.get("_external_accounts", []) if b["currency"] == currency]
    bank = next((b for b in banks if b["status"] != "errored"), None)
    if bank is None:
        raise invalid(
            f"The account {account_id} has no bank account for {currency} that payouts can go to.",
            param="destination",
        )
    available = balance.available_amount(ctx, account_id, currency)
    amount = available if amount is None else int(amount)
    if amount < 1 or amount > available:
        raise invalid(
            f"The account {account_id} has {available} {currency} available: a payout must be 1 to that.",
            param="amount",
            code="balance_insufficient",
        )
    payout = {
        "id": ctx.store.new_id("po"),
        "object": "payout",
        "amount": amount,
        "application_fee": None,
        "application_fee_amount": None,
        "arrival_date": ctx.now + ARRIVAL_DELAY,
        "automatic": True,
        "balance_transaction": None,
        "created": ctx.now,
        "currency": currency,
        "description": "STRIPE PAYOUT",
        "destination": bank["id"],
        "failure_balance_transaction": None,
        "failure_code": None,
        "failure_message": None,
        "livemode": False,
        "metadata": {},
        "method": "standard",
        "original_payout": None,
        "payout_method": None,
        "reconciliation_status": "in_progress",
        "reversed_by": None,
        "source_type": "card",
        "statement_descriptor": None,
        "status": "in_transit",
        "trace_id": {"status": "pending", "value": None},
        "type": "bank_account",
    }
    ctx.store.add(payout, account=account_id)
    txn = balance.add_txn(
        ctx, account=account_id, amount=-amount, currency=currency, type_="payout", source=payout["id"]
    )
    payout["balance_transaction"] = txn["id"]
    ctx.emit("payout.created", payout)
    return payout


def _in_transit(ctx: Ctx, payout_id: str) -> dict[str, Any]:
    payout = ctx.store.get(payout_id)
    if payout is None or payout.get("object") != "payout":
        raise no_such("payout", payout_id)
    if payout["status"] not in ("pending", "in_transit"):
        raise invalid(
            f"The payout {payout_id} is {payout['status']}: only one on its way can be paid or fail."
        )
    return payout


def pay(ctx: Ctx, payout_id: str) -> dict[str, Any]:
    """The bank has the money."""
    payout = _in_transit(ctx, payout_id)
    payout.update(
        {
            "status": "paid",
            "reconciliation_status": "completed",
            "trace_id": {"status": "unsupported", "value": None},
        }
    )
    ctx.emit("payout.paid", payout)
    return payout


def fail(ctx: Ctx, payout_id: str, *, failure_code: str = "account_closed") -> dict[str, Any]:
    """The bank sent the money back: `failure_code` is one of Stripe's (FAILURES)."""
    if failure_code not in FAILURES:
        raise invalid(f"failure_code must be one of {', '.join(sorted(FAILURES))}.", param="failure_code")
    payout = _in_transit(ctx, payout_id)
    account_id = payout["_account"]
    back = balance.add_txn(
        ctx,
        account=account_id,
        amount=payout["amount"],
        currency=payout["currency"],
        type_="payout_failure",
        source=payout["id"],
    )
    payout.update(
        {
            "status": "failed",
            "failure_code": failure_code,
            "failure_message": FAILURES[failure_code],
            "failure_balance_transaction": back["id"],
            "reconciliation_status": "completed",
            "trace_id": {"status": "unsupported", "value": None},
        }
    )
    acct = _account(ctx, account_id)
    before = views.render(ctx, acct)
    for bank in acct.get("_external_accounts", []):
        if bank["id"] == payout["destination"]:
            bank["status"] = "errored"
    due = acct["requirements"]["currently_due"]
    if "external_account" not in due:
        due.append("external_account")
        acct["requirements"]["eventually_due"] = sorted(
            {*acct["requirements"]["eventually_due"], "external_account"}
        )
    emit_update(ctx, "account.updated", acct, before, account=account_id)
    ctx.emit("payout.failed", payout)
    return payout


# -- the API -------------------------------------------------------------------------------------


def retrieve(ctx: Ctx):
    return views.get(ctx, "payout", ctx.path["id"], param="id")


def list_(ctx: Ctx):
    p = ctx.params
    items = [
        po
        for po in ctx.store.all("payout", ctx.account)
        if (p.get("status") is None or po["status"] == p["status"])
        and (p.get("destination") is None or po["destination"] == p["destination"])
        and in_range(po["created"], p.get("created"))
    ]
    return views.list_object(ctx, items)


def routes(router) -> None:
    router.add(
        "GET", "/v1/payouts", list_, {**LIST, "status": str, "destination": str}, sdk="PayoutListParams"
    )
    router.add("GET", "/v1/payouts/{id}", retrieve, sdk="PayoutRetrieveParams")


views.register("payout", "payout", expandable={"balance_transaction", "failure_balance_transaction"})
