"""Stripe's webhooks: verified on the raw body, handled once, in any order.

Each event is checked against the endpoint's signing secret (300 seconds of tolerance), then
claimed by a conditional put of its id, so a delivery that comes twice has one effect (P10). The
handler never trusts the event's copy of the object: it fetches the object again and moves
deskhire's state towards what Stripe holds now, so events arriving out of order converge (P11).

The claim is a lease: it says "handling" until the handler is done, then "done". A delivery that
finds it done answers `duplicate`; one that finds it handling answers 409, so Stripe delivers it
again later; and a claim whose handler died (a timeout, a crash) expires after a few minutes, so
the next delivery handles the event instead of calling it a duplicate forever."""

from __future__ import annotations

from datetime import timedelta

from pynamodb.exceptions import PutError

from chalicelib.composition import Deps
from chalicelib.domain.errors import Conflict
from chalicelib.store.base import is_condition_failure
from chalicelib.store.billing import WebhookEvent, event_key

KEEP_EVENTS = timedelta(days=30)
LEASE = timedelta(minutes=5)


def receive(payload: bytes, signature: str | None, *, connect: bool, deps: Deps) -> str:
    """'handled', 'duplicate' or 'ignored'; raises WebhookInvalid for a bad signature."""
    secret = deps.settings.stripe_connect_webhook_secret if connect else deps.settings.stripe_webhook_secret
    event = deps.stripe.verify_webhook(payload, signature, secret)
    now = deps.now()
    obj = (event.get("data") or {}).get("object") or {}
    claim = WebhookEvent(
        *event_key(event["id"]),
        event_type=event.get("type", ""),
        object_id=obj.get("id"),
        received_at=now,
        status="handling",
        lease_until=now + LEASE,
        expires_at=int((now + KEEP_EVENTS).timestamp()),
    )
    try:
        claim.save(
            condition=WebhookEvent.pk.does_not_exist()
            | ((WebhookEvent.status == "handling") & (WebhookEvent.lease_until < now))
        )
    except PutError as error:
        if not is_condition_failure(error):
            raise
        seen = WebhookEvent.find(*event_key(event["id"]), consistent=True)
        if seen is not None and seen.status == "done":
            return "duplicate"
        raise Conflict(
            "this event is being handled right now; deliver it again later", code="in_progress"
        ) from None
    try:
        outcome = handle(event, deps=deps, connect=connect)
    except Exception:
        claim.delete()  # let Stripe's retry handle it again
        raise
    claim.update(actions=[WebhookEvent.status.set("done")])
    return outcome


def handle(event: dict, *, deps: Deps, connect: bool = False) -> str:
    kind = event.get("type", "")
    obj = (event.get("data") or {}).get("object") or {}
    gateway = deps.stripe
    account = event.get("account") if connect else None
    if account and kind in ("payout.failed", "payout.paid"):
        # the agent's Stripe balance paid to their bank, or sent back by it (services/bank_payouts.py)
        from chalicelib.services import bank_payouts

        return bank_payouts.apply(
            gateway.retrieve_payout(obj["id"], stripe_account=account), account, deps=deps
        )
    if account and kind != "account.updated":
        return _connected_account_event(kind, obj, account, deps=deps)
    if kind in (
        "invoice.paid",
        "invoice.payment_succeeded",
        "invoice.payment_failed",
        "invoice.payment_action_required",
        "invoice.voided",
        "invoice.marked_uncollectible",
        "invoice.finalized",
    ):
        from chalicelib.services.invoicing import collection, invoices

        current = gateway.retrieve_invoice(obj["id"])
        record = invoices.by_stripe_invoice(current)
        if record is None:
            return "ignored"
        if current.get("status") == "paid":
            collection.mark_paid(record, current, deps=deps)
        elif current.get("status") == "open" and kind == "invoice.payment_action_required":
            collection.record_action_required(record, attempts=current.get("attempt_count"), deps=deps)
        elif current.get("status") == "open" and kind == "invoice.payment_failed":
            collection.record_failure(
                record,
                reason=f"the payment failed (attempt {current.get('attempt_count') or 1})",
                attempts=current.get("attempt_count"),
                deps=deps,
            )
        elif current.get("status") in ("void", "uncollectible"):
            collection.mark_closed_unpaid(record, current, deps=deps)
        return "handled"
    if kind == "account.updated":
        from chalicelib.services import payouts

        account = gateway.retrieve_account(event.get("account") or obj["id"])
        return "handled" if payouts.apply_account_update(account, deps=deps) else "ignored"
    if kind == "transfer.reversed":
        return _transfer_reversed(gateway.retrieve_transfer(obj["id"]), deps=deps)
    if kind == "charge.refunded":
        return _charge_refunded(gateway.retrieve_charge(obj["id"]), deps=deps)
    if kind in ("refund.updated", "refund.failed"):
        from chalicelib.services.clawbacks import recovery

        return "handled" if recovery.apply_refund_update(gateway.retrieve_refund(obj["id"])) else "ignored"
    if kind == "setup_intent.succeeded":
        from chalicelib.services import billing_accounts

        return "handled" if billing_accounts.adopt_setup_intent(obj["id"], deps=deps) else "ignored"
    return "ignored"


def _connected_account_event(kind: str, obj: dict, account: str, *, deps: Deps) -> str:
    """An event about an object a connected account owns (the payment a transfer made on an
    agent's account, its refund after a reversal): read, like every object, from Stripe, with the
    account's Stripe-Account header (without it Stripe answers 404). deskhire books its own side
    when it transfers and reverses, so there is nothing more to do."""
    if kind.startswith("charge.") and obj.get("id"):
        deps.stripe.retrieve_charge(obj["id"], stripe_account=account)
    return "ignored"


def _transfer_reversed(transfer: dict, *, deps: Deps) -> str:
    """deskhire's own reversals are booked as they are made (services/clawbacks/recovery.py). One it did not
    make (from Stripe's dashboard) is not booked silently: the business's invoices are reconciled
    now, so the operators' report shows it with both sides' figures."""
    from chalicelib.services import reconciliation, settlement

    metadata = transfer.get("metadata") or {}
    tenant_id, transfer_id = metadata.get("deskhire_tenant"), metadata.get("deskhire_transfer")
    if not tenant_id or not transfer_id:
        return "ignored"
    # found by deskhire's own ids (its metadata), never by the transfer's group: Stripe files a
    # transfer made with source_transaction under its charge's group, not the invoice's id
    invoice_id = metadata.get("deskhire_invoice") or transfer_id.split("-", 1)[0]
    try:
        record = settlement.waiting_transfer(tenant_id, invoice_id, transfer_id)
    except ValueError:
        return "ignored"
    if record is None or record.stripe_transfer_id not in (None, transfer["id"]):
        return "ignored"
    ours = all(
        (r.get("metadata") or {}).get("deskhire_reversal") for r in deps.stripe.reversals_of(transfer["id"])
    )
    if ours:
        return "handled"  # booked as it was made (or by the payout run, if its answer was lost)
    _report(f"transfer {transfer['id']} reversed outside deskhire", transfer["id"])
    from chalicelib.domain.tenancy import TenantId

    reconciliation.reconcile_tenant(TenantId(tenant_id), deps=deps)
    return "reported"


def _charge_refunded(charge: dict, *, deps: Deps) -> str:
    """Refunds deskhire makes carry their id in metadata and are booked as they are made. One made
    elsewhere is reported (logged now; the daily reconciliation names the invoice and amounts)."""
    outside = [
        r
        for r in deps.stripe.refunds_of(charge["id"])
        if not (r.get("metadata") or {}).get("deskhire_refund") and r.get("status") != "failed"
    ]
    if not outside:
        return "handled"
    _report(f"charge {charge['id']} refunded outside deskhire", charge["id"])
    return "reported"


def _report(message: str, stripe_id: str) -> None:
    from chalicelib.web.observability import logger

    logger.warning(message, extra={"stripe_id": stripe_id, "alert": "money_moved_outside_deskhire"})
