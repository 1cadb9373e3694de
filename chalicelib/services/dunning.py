"""When a business's card fails: retry the charge once a day for 5 days, with a mail each time;
then pause the business's contracts until it pays, and resume them when it does. A card saved
meanwhile is charged at once (`charge_new_card`). A payment the bank wants authenticated (3-D
Secure) is not retried off-session, where it would be asked again: the business confirms it on
the invoice's page, and the contracts pause after the same 5 days if it has not.

The pause is the contracts' own system pause (reason "payment overdue"), so agents see why and
no time can be logged meanwhile; paying the invoice (or any later payment) resumes exactly the
contracts that were paused for it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.composition import Deps
from chalicelib.domain import billing as rules
from chalicelib.domain.errors import Conflict
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek, when
from chalicelib.mail import Subject
from chalicelib.store import keys
from chalicelib.store.billing import BillingAccount, InvoiceRecord, billing_key

if TYPE_CHECKING:
    from chalicelib.services.zones import Written

RETRY_EVERY = timedelta(days=1)


def next_retry(failed_at):
    """The next day's run retries it: listed from 00:00 UTC of the next day, so the daily job
    (10:00 UTC) takes it the day after the failure, not two days later."""
    from datetime import time

    return datetime.combine((failed_at + RETRY_EVERY).date(), time(0), tzinfo=failed_at.tzinfo)


GRACE = timedelta(days=5)
PAUSE_REASON = "payment overdue"
OVERDUE = "overdue: not paid by its due date"
DUNNING = "DUNNING"


def dunning_index(shard: int) -> str:
    return keys.platform_pk(DUNNING, str(shard))


def mark_past_due(tenant: TenantId, *, deps: Deps) -> BillingAccount:
    from chalicelib.services.billing_accounts import account_of

    for _attempt in range(3):
        account = account_of(tenant)
        if account.status == "past_due":
            return account
        account.status, account.past_due_since, account.updated_at = "past_due", deps.now(), deps.now()
        try:
            account.save_checked()
            return account
        except Conflict:
            continue
    return account_of(tenant)


def clear_past_due(tenant: TenantId, *, paid_invoice: str | None = None, deps: Deps) -> None:
    """Paid (or voided): unless another invoice is still unpaid, the account is in good standing
    again and the contracts paused for it resume."""
    from chalicelib.services.billing_accounts import account_of

    account = account_of(tenant)
    if account.status != "past_due":
        return
    unpaid = [
        r
        for r in InvoiceRecord.query(
            keys.tenant_pk(tenant), InvoiceRecord.sk.startswith("INVOICE#"), consistent_read=True
        )
        if isinstance(r, InvoiceRecord)
        and r.invoice_id != paid_invoice
        and r.status == rules.InvoiceStatus.OPEN
        and (
            (r.last_failure and r.collection != "send_invoice")  # a card that failed
            or (r.collection == "send_invoice" and r.due_at is not None and r.due_at <= deps.now())
        )
    ]
    if unpaid:
        return
    account.status, account.past_due_since, account.updated_at = "ok", None, deps.now()
    try:
        account.save_checked()
    except Conflict:
        return
    _resume_paused_for_billing(tenant, deps=deps)


def _resume_paused_for_billing(tenant: TenantId, *, deps: Deps) -> int:
    from chalicelib.domain.identity import SYSTEM
    from chalicelib.services.contracts import lifecycle
    from chalicelib.store.contracts import ContractRecord

    resumed = 0
    for record in ContractRecord.query(keys.tenant_pk(tenant), ContractRecord.sk.startswith("CONTRACT#")):
        if (
            isinstance(record, ContractRecord)
            and record.status == "paused"
            and record.pause_reason == PAUSE_REASON
        ):
            try:
                lifecycle.resume_for_system(record, system=SYSTEM, deps=deps)
                resumed += 1
            except Conflict:
                continue
    return resumed


def pause_contracts(tenant: TenantId, *, deps: Deps) -> int:
    from chalicelib.domain.identity import SYSTEM
    from chalicelib.services.contracts import lifecycle, records
    from chalicelib.store.billing import block_invoice_key
    from chalicelib.store.contracts import ContractRecord

    paused = 0
    for record in ContractRecord.query(keys.tenant_pk(tenant), ContractRecord.sk.startswith("CONTRACT#")):
        if not isinstance(record, ContractRecord) or records.status_of(record, deps.now()).value != "active":
            continue
        if record.contract_kind == "block":
            block = InvoiceRecord.find(*block_invoice_key(tenant, record.contract_id), consistent=True)
            if block is not None and block.status == rules.InvoiceStatus.PAID:
                continue  # prepaid: nothing is owed for it
        try:
            lifecycle.pause_for_system(record, reason=PAUSE_REASON, system=SYSTEM, deps=deps)
            paused += 1
        except Conflict:
            continue
    return paused


def _overdue(record: InvoiceRecord, *, deps: Deps) -> str:
    """Net terms: nothing is charged. Listed from its due date, an invoice still unpaid makes the
    business past due (mailed once), and 5 days later its contracts pause, as for a failed card;
    paying it on its page resumes them."""
    from chalicelib.services.invoicing import invoices

    now = deps.now()
    due = record.due_at
    if due is None or now < due:
        return "nothing"
    tenant = TenantId(record.pk.removeprefix(keys.TENANT_PREFIX))
    account = mark_past_due(tenant, deps=deps)
    if now - (account.past_due_since or now) >= GRACE:
        if pause_contracts(tenant, deps=deps):
            invoices.mail_owners(
                record,
                Subject.CONTRACTS_PAUSED_UNPAID,
                f"Invoice {record.number} is still unpaid 5 days after it was due, so your contracts "
                f"are paused. They resume as soon as it is paid: {record.hosted_url}",
                deps=deps,
            )
            return "paused"
        return "nothing"
    if record.last_failure == OVERDUE:
        return "nothing"  # mailed already; the pause comes after the grace
    for _attempt in range(3):
        current = record.reloaded()
        if current.status != rules.InvoiceStatus.OPEN or current.last_failure == OVERDUE:
            return "nothing"
        current.last_failure = OVERDUE
        try:
            current.save_checked()
        except Conflict:
            continue
        invoices.mail_owners(
            current,
            Subject.INVOICE_OVERDUE.line(week=BillingWeek.parse(current.week)),
            _overdue_words(current, due),
            deps=deps,
        )
        return "overdue"
    return "nothing"


def _overdue_words(record: InvoiceRecord, due: datetime) -> Written:
    """The overdue mail, when it was due on the owner's clock with the zone named (issue 14, item 8)."""
    return lambda zone: (
        f"Your deskhire invoice {record.number} was due {when(due, zone)}. Please pay it on its page; "
        f"5 days from now your contracts pause until it is paid: {record.hosted_url}"
    )


def retry(record: InvoiceRecord, *, deps: Deps) -> str:
    """One day's step for an unpaid invoice: charge again, or after 5 days pause the contracts.
    Returns what happened (for the job's report)."""
    from chalicelib.services.invoicing import invoices

    if record.status != rules.InvoiceStatus.OPEN:
        return "nothing"
    if record.collection == "send_invoice":
        return _overdue(record, deps=deps)
    if not record.last_failure:
        return "nothing"
    from chalicelib.services.blocks import hours, withdrawal

    ended = withdrawal.ended_unpaid(record, deps=deps)
    if ended is not None:  # hours that can no longer be logged: withdrawn, never charged again
        withdrawal.withdraw(ended, hours.number_of(record), actor=hours.SYSTEM, deps=deps)
        return "withdrawn"
    tenant = TenantId(record.pk.removeprefix(keys.TENANT_PREFIX))
    account = mark_past_due(tenant, deps=deps)
    since = account.past_due_since or deps.now()
    if deps.now() - since >= GRACE:
        if pause_contracts(tenant, deps=deps):
            invoices.mail_owners(
                record,
                Subject.CONTRACTS_PAUSED_UNPAID,
                f"Invoice {record.number} is still unpaid after 5 days, so your contracts are paused. "
                "We no longer retry the card. They resume as soon as it is paid: replace your card "
                f"({deps.link('/app/billing')}) and we charge it at once, or pay the invoice on its "
                f"page: {record.hosted_url or deps.link('/app/billing')}",
                deps=deps,
            )
            return "paused"
        return "nothing"
    if record.needs_action_at:
        # charged off-session, the bank would ask for the authentication again: the business
        # confirms it on the invoice's page (mailed when it was asked for); only the pause is left
        return "nothing"
    return charge(record, deps=deps)


def charge(record: InvoiceRecord, *, deps: Deps) -> str:
    """Charge an open invoice's card once more (the next attempt's key): paid, failed (counted,
    with the bank's reason) or needs_action (3-D Secure: the business confirms it on its page)."""
    from chalicelib.payments.gateway import (
        PaymentDeclined,
        PaymentNeedsAction,
        PaymentsError,
        PaymentsUnavailable,
    )
    from chalicelib.services.invoicing import collection

    attempt, stripe_id = int(record.attempts) + 1, record.require_stripe_invoice_id()
    try:
        paid = deps.stripe.pay_invoice(record.invoice_id, stripe_id, attempt=attempt)
    except PaymentNeedsAction:
        count = deps.stripe.retrieve_invoice(stripe_id).get("attempt_count")
        collection.record_action_required(record, attempts=count, deps=deps)
        return "needs_action"
    except PaymentDeclined as error:
        count = deps.stripe.retrieve_invoice(stripe_id).get("attempt_count")
        collection.record_failure(record, reason=error.reason, attempts=count, deps=deps)
        return "failed"
    except PaymentsUnavailable:
        raise
    except PaymentsError as error:
        current = deps.stripe.retrieve_invoice(stripe_id)
        if current.get("status") == "paid":  # paid meanwhile (its webhook is late): not a failure
            collection.mark_paid(record, current, deps=deps)
            return "paid"
        collection.record_failure(record, reason=error.message, deps=deps)
        return "failed"
    if paid.get("status") == "paid":
        collection.mark_paid(record, paid, deps=deps)
        return "paid"
    return "nothing"


def unpaid_card_invoices(tenant: TenantId) -> list[InvoiceRecord]:
    """The business's open invoices whose card charge failed or asked for authentication."""
    return [
        r
        for r in InvoiceRecord.query(
            keys.tenant_pk(tenant), InvoiceRecord.sk.startswith("INVOICE#"), consistent_read=True
        )
        if isinstance(r, InvoiceRecord)
        and r.status == rules.InvoiceStatus.OPEN
        and r.collection != "send_invoice"
        and (r.last_failure or r.needs_action_at)
    ]


def charge_new_card(tenant: TenantId, *, deps: Deps) -> dict[str, str]:
    """A card saved while payments are owed: the open invoices are charged to it at once (not at
    the next daily run), so a business that fixed its card is not left paused; paying the last of
    them resumes what the non-payment paused. Each invoice's outcome, by its number (or week)."""
    from chalicelib.payments.gateway import PaymentsUnavailable

    outcomes: dict[str, str] = {}
    for record in unpaid_card_invoices(tenant):
        name = record.number or record.week
        try:
            outcomes[name] = charge(record, deps=deps)
        except PaymentsUnavailable:
            outcomes[name] = "unavailable"  # the daily run tries it again
    return outcomes


def is_past_due(tenant: TenantId) -> bool:
    account = BillingAccount.find(*billing_key(tenant), consistent=True)
    return account is not None and account.status == "past_due"
