"""Collecting an open invoice: the card on file charged once (dunning retries it), or the invoice
sent with net terms; then what Stripe says of it: paid (the ledger books the cash, the invoice is
listed for its payout), failed, waiting for the cardholder's authentication, void or
uncollectible."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.composition import Deps
from chalicelib.domain import billing as rules
from chalicelib.domain import ledger
from chalicelib.domain.errors import Conflict
from chalicelib.domain.time import BillingWeek, week_words, when
from chalicelib.mail import Subject
from chalicelib.services.invoicing import invoices
from chalicelib.store import ledger as ledger_store
from chalicelib.store import platform_metrics
from chalicelib.store.billing import SETTLE_SHARDS, InvoiceRecord, settle_index
from chalicelib.store.contracts import shard_of, stamp
from chalicelib.store.transactions import transaction

if TYPE_CHECKING:
    from chalicelib.services.zones import Written


def _ready(record: InvoiceRecord, due: datetime | None) -> Written:
    """The invoice-ready mail: the billing week it bills (on UTC, said so) and when it is due on
    the owner's clock, with the zone named (issue 14, item 8)."""
    billed = "" if record.invoice_kind == "block" else f" for {week_words(BillingWeek.parse(record.week))}"
    return lambda zone: (
        f"Your deskhire invoice {record.number}{billed} is ready"
        + (f", due {when(due, zone)}" if due is not None else "")
        + f": {record.hosted_url}"
    )


def start(record: InvoiceRecord, *, deps: Deps) -> None:
    """Charge the card on file once (dunning retries), or send the invoice (net terms)."""
    from chalicelib.payments.gateway import (
        PaymentDeclined,
        PaymentNeedsAction,
        PaymentsError,
        PaymentsUnavailable,
    )
    from chalicelib.services import dunning

    gateway, stripe_id = deps.stripe, record.require_stripe_invoice_id()
    if record.collection == "send_invoice":
        gateway.send_invoice(record.invoice_id, stripe_id)
        due = None
        for _attempt in range(3):
            current = record.reloaded()
            if current.sent_at:
                return  # sent and mailed by a run that raced this one
            # listed for the dunning job from its due date: overdue, it is treated as a failed
            # card is (past due, then the contracts paused), without charging anything
            now = deps.now()
            current.sent_at = now
            current.due_at = now + timedelta(days=int(current.days_until_due or 0))
            current.gsi2pk = dunning.dunning_index(shard_of(current.invoice_id) % SETTLE_SHARDS)
            current.gsi2sk = f"{stamp(current.due_at)}#{current.invoice_id}"
            try:
                current.save_checked()
                due = current.due_at
                break
            except Conflict:
                continue
        invoices.mail_owners(
            record,
            Subject.INVOICE_READY.line(week=BillingWeek.parse(record.week)),
            _ready(record, due),
            deps=deps,
        )
        return
    attempt = int(record.attempts) + 1
    try:
        paid = gateway.pay_invoice(record.invoice_id, stripe_id, attempt=attempt)
    except PaymentNeedsAction:
        count = gateway.retrieve_invoice(stripe_id).get("attempt_count")
        record_action_required(record, attempts=count, deps=deps)
        return
    except PaymentDeclined as error:
        count = gateway.retrieve_invoice(stripe_id).get("attempt_count")
        record_failure(record, reason=error.reason, attempts=count, deps=deps)
        return
    except PaymentsUnavailable:
        raise
    except PaymentsError as error:
        # no card on file, or Stripe refuses for another reason the business must fix
        current = gateway.retrieve_invoice(stripe_id)
        if current.get("status") == "paid":
            mark_paid(record.reloaded(), current, deps=deps)
            return
        record_failure(record, reason=error.message, deps=deps)
        return
    if paid.get("status") == "paid":
        mark_paid(record.reloaded(), paid, deps=deps)


def record_failure(
    record: InvoiceRecord, *, reason: str, attempts: int | None = None, deps: Deps
) -> InvoiceRecord:
    """A collection attempt failed: count it (Stripe's `attempt_count` when known, so that our own
    answer and the `invoice.payment_failed` webhook count one failure once), keep why, list the
    invoice for the dunning job, and tell the business how to fix it."""
    from chalicelib.services import dunning

    for _attempt in range(3):
        current = record.reloaded()
        if current.status != rules.InvoiceStatus.OPEN:
            return current
        count = attempts if attempts is not None else int(current.attempts) + 1
        if count <= int(current.attempts) and current.last_failure:
            return current  # this failure is counted already (or it asked for authentication)
        current.attempts = max(count, int(current.attempts))
        current.last_failure = reason[:500]
        net_terms = current.collection == "send_invoice"
        if not net_terms:  # net terms: a try on the hosted page failed; it stays listed for its due date
            # the dunning job retries it the next day (and pauses the contracts after 5 days)
            current.gsi2pk = dunning.dunning_index(shard_of(current.invoice_id) % SETTLE_SHARDS)
            current.gsi2sk = f"{stamp(dunning.next_retry(deps.now()))}#{current.invoice_id}"
        try:
            current.save_checked()
        except Conflict:
            continue
        if net_terms:
            return current
        dunning.mark_past_due(invoices.tenant_of(current), deps=deps)
        invoices.mail_owners(
            current,
            Subject.PAYMENT_FAILED.line(week=BillingWeek.parse(current.week)),
            f"We could not charge your card for invoice {current.number} ({reason}). "
            f"Update your card: {deps.link('/app/billing')}",
            deps=deps,
        )
        return current
    return record.reloaded()


ACTION_REQUIRED = "your bank asks you to confirm this payment (3-D Secure)"


def record_action_required(
    record: InvoiceRecord, *, attempts: int | None = None, deps: Deps
) -> InvoiceRecord:
    """The bank wants the cardholder to authenticate the payment (3-D Secure: the charge answered
    `authentication_required`, or `invoice.payment_action_required` arrived). Charging the card
    again off-session would be asked the same, so dunning does not retry it: the business is sent
    the invoice's hosted page, where it confirms the payment (or pays another way), and, as for a
    failed card, the contracts pause 5 days later if it has not."""
    from chalicelib.services import dunning

    for _attempt in range(3):
        current = record.reloaded()
        if current.status != rules.InvoiceStatus.OPEN or current.needs_action_at:
            return current  # paid meanwhile, or told already
        count = attempts if attempts is not None else int(current.attempts) + 1
        current.attempts = max(count, int(current.attempts))
        current.last_failure = ACTION_REQUIRED
        current.needs_action_at = deps.now()
        if current.collection != "send_invoice":  # listed for the pause after the grace
            current.gsi2pk = dunning.dunning_index(shard_of(current.invoice_id) % SETTLE_SHARDS)
            current.gsi2sk = f"{stamp(dunning.next_retry(deps.now()))}#{current.invoice_id}"
        try:
            current.save_checked()
        except Conflict:
            continue
        if current.collection == "send_invoice":
            return current  # paid on its page already: the page asks for the authentication
        dunning.mark_past_due(invoices.tenant_of(current), deps=deps)
        invoices.mail_owners(
            current,
            Subject.CONFIRM_PAYMENT.line(week=BillingWeek.parse(current.week)),
            f"Your bank asks you to confirm the payment of deskhire invoice {current.number} "
            f"(3-D Secure), so we could not charge your card. Confirm it on the invoice's page: "
            f"{current.hosted_url}\nIf it is not paid within 5 days, your contracts pause until it is.",
            deps=deps,
        )
        return current
    return record.reloaded()


def mark_paid(record: InvoiceRecord, stripe_invoice: dict, *, deps: Deps) -> InvoiceRecord:
    """Stripe says the invoice is paid: keep the charge, book the cash, and list the invoice for
    the payout run. Idempotent: an invoice already paid stays as it is. A further block's minutes
    are added to its contract in the same transaction (services/blocks/payment.py), so exactly once."""
    from chalicelib.services.blocks import payment
    from chalicelib.services.dunning import clear_past_due

    for _attempt in range(3):
        if record.status == rules.InvoiceStatus.PAID:
            # a crash after the payment was recorded may have left the account past due
            clear_past_due(invoices.tenant_of(record), paid_invoice=record.invoice_id, deps=deps)
            return record
        rules.check_transition(rules.InvoiceStatus(record.status), rules.InvoiceStatus.PAID)
        now = deps.now()
        amount = int(stripe_invoice.get("amount_paid") or 0)
        record.stripe_charge_id = (
            deps.stripe.invoice_charge(record.require_stripe_invoice_id()) if amount else None
        )
        record.status = str(rules.InvoiceStatus.PAID)
        record.amount_paid = amount
        record.paid_at = now
        record.last_failure = None
        record.needs_action_at = None
        week = BillingWeek.parse(record.week)
        record.gsi2pk = settle_index(shard_of(record.invoice_id) % SETTLE_SHARDS)
        # a weekly invoice settles on its payout day; a block draws down week by week from now on
        due = now if record.invoice_kind == "block" else invoices.payout_due(week)
        record.gsi2sk = f"{stamp(due)}#{record.invoice_id}"
        tenant = invoices.tenant_of(record)
        grant = payment.grant_on_payment(record)
        if grant is not None:
            record.block_offset = grant.offset
        try:
            with transaction(conflict_message="the invoice changed meanwhile") as tx:
                tx.save(record)
                if grant is not None:
                    tx.update(
                        grant.contract,
                        actions=grant.actions,
                        condition=grant.condition,
                        add_version_condition=False,
                    )
                ledger_store.add(
                    tx,
                    tenant,
                    record.invoice_id,
                    ledger.move(
                        "invoice.paid",
                        record.currency,
                        amount,
                        debit="stripe",
                        credit=f"receivable:{tenant.value}",
                    ),
                    at=now,
                )
                platform_metrics.invoice_paid(
                    tx, record.invoice_id, at=now, currency=record.currency, amount=amount
                )
        except Conflict:
            record = record.reloaded()
            continue
        clear_past_due(tenant, paid_invoice=record.invoice_id, deps=deps)
        if grant is not None:
            payment.tell_agent(record, grant, deps=deps)
        return record
    return record.reloaded()


def mark_closed_unpaid(record: InvoiceRecord, stripe_invoice: dict, *, deps: Deps) -> InvoiceRecord:
    """Stripe voided the invoice, or marked it uncollectible (an operator, in Stripe): keep it. A
    void invoice is no longer owed, so its receivable is reversed in the ledger."""
    from chalicelib.services.blocks import withdrawal

    target = rules.stripe_status(stripe_invoice.get("status", ""))
    if record.status == target:
        withdrawal.release_pending(record)  # a crash may have come between the two
        return record
    rules.check_transition(rules.InvoiceStatus(record.status), target)
    now = deps.now()
    tenant = invoices.tenant_of(record)
    record.status = str(target)
    record.gsi2pk = record.gsi2sk = None
    with transaction(conflict_message="the invoice changed meanwhile") as tx:
        tx.save(record)
        if target is rules.InvoiceStatus.VOID:
            ledger_store.add(
                tx,
                tenant,
                record.invoice_id,
                ledger.move(
                    "invoice.voided",
                    record.currency,
                    int(record.total),
                    debit=f"held:{record.invoice_id}",
                    credit=f"receivable:{tenant.value}",
                ),
                at=now,
            )
    withdrawal.release_pending(record)
    from chalicelib.services.dunning import clear_past_due

    clear_past_due(tenant, paid_invoice=record.invoice_id, deps=deps)
    return record
