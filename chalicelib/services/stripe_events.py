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
    event = deps.payments.verify_webhook(payload, signature, secret)
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
        outcome = handle(event, deps=deps)
    except Exception:
        claim.delete()  # let Stripe's retry handle it again
        raise
    claim.update(actions=[WebhookEvent.status.set("done")])
    return outcome


def handle(event: dict, *, deps: Deps) -> str:
    kind = event.get("type", "")
    obj = (event.get("data") or {}).get("object") or {}
    gateway = deps.payments
    if kind in (
        "invoice.paid",
        "invoice.payment_succeeded",
        "invoice.payment_failed",
        "invoice.voided",
        "invoice.marked_uncollectible",
        "invoice.finalized",
    ):
        from chalicelib.services import invoicing

        current = gateway.retrieve_invoice(obj["id"])
        record = invoicing.by_stripe_invoice(current)
        if record is None:
            return "ignored"
        if current.get("status") == "paid":
            invoicing.mark_paid(record, current, deps=deps)
        elif current.get("status") == "open" and kind == "invoice.payment_failed":
            invoicing.record_failure(
                record,
                reason=f"the payment failed (attempt {current.get('attempt_count') or 1})",
                attempts=current.get("attempt_count"),
                deps=deps,
            )
        elif current.get("status") in ("void", "uncollectible"):
            invoicing.mark_closed_unpaid(record, current, deps=deps)
        return "handled"
    if kind == "account.updated":
        from chalicelib.services import payouts

        account = gateway.retrieve_account(event.get("account") or obj["id"])
        return "handled" if payouts.apply_account_update(account, deps=deps) else "ignored"
    if kind == "setup_intent.succeeded":
        from chalicelib.services import billing_accounts

        return "handled" if billing_accounts.adopt_setup_intent(obj["id"], deps=deps) else "ignored"
    return "ignored"
