"""The weekly invoice: one per business and billing week, built when the week locks, carried to
Stripe step by step, and collected (the card on file, or a sent invoice with net terms).

An invoice's item (`T#<tenant>`, `INVOICE#<week>`) is created under `attribute_not_exists`, so
there is one per business and week however often or concurrently the run fires (PROMISES P1).
From there each step is a Stripe call with a key made from the invoice's id, then a write of the
new status under the item's version:

    planned -> drafted (a draft at Stripe) -> itemized (every line on it) -> open (finalized:
    the business owes it; the ledger books the receivable) -> paid (the ledger books the cash)

A run that crashes between the Stripe call and the write runs the step again with the same key
and gets the same object back; after Stripe's key window it finds the object by its metadata
before creating one. No step is ever taken twice at Stripe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.composition import Deps
from chalicelib.domain import billing as rules
from chalicelib.domain import ledger
from chalicelib.domain.errors import Conflict, Forbidden
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.ids import new_id
from chalicelib.mail import Mail, Subject, SubjectLine
from chalicelib.services import bonuses
from chalicelib.store import keys
from chalicelib.store import ledger as ledger_store
from chalicelib.store.billing import SETTLE_SHARDS, InvoiceRecord, invoice_key, settle_index
from chalicelib.store.contracts import shard_of, stamp
from chalicelib.store.identity import MemberRecord, TenantRecord
from chalicelib.store.transactions import transaction


class InvoiceMismatch(Exception):
    """Stripe's invoice does not say what deskhire's does: stop and show a person (not a race)."""


def fees() -> rules.FeeSchedule:
    """The schedule a new invoice is billed under (operators set it: services/fees.py)."""
    from chalicelib.services import fees as fee_schedule

    return fee_schedule.current()


def fees_of(record: InvoiceRecord) -> rules.FeeSchedule:
    """The schedule `record` was billed under: its payouts and refunds use it, whatever the fees
    are now."""
    return rules.FeeSchedule.from_json(record.fee_schedule)


def payout_due(week: BillingWeek) -> datetime:
    """Wednesday 00:00 UTC of W+2: the review of W closed the Saturday before."""
    return week.ends_at + timedelta(days=9)


def worked_weeks(tenant: TenantId, week: BillingWeek) -> list[rules.WorkedWeek]:
    """The hourly contracts' minutes of a business's week, from the locked timesheets."""
    from chalicelib.services import timesheets

    return [
        rules.WorkedWeek(
            contract_id=line.contract_id,
            agent_id=line.agent_id,
            title=line.title,
            agent_name=line.agent_name,
            rate_minor=line.rate_minor,
            billed=line.minutes.billed,
            payable=line.minutes.payable,
            disputed=line.minutes.disputed,
            upheld=line.minutes.upheld,
        )
        for line in timesheets.week_minutes(tenant, week)
        if line.kind == "hourly" and line.status in ("locked", "closed")
    ]


# Stripe keeps idempotency keys at least 24 hours. While every key an invoice's steps sent is
# younger than this, a retried step resends its key and Stripe answers with the first result, so
# nothing needs looking up first; after it, each step reads Stripe before acting.
KEY_WINDOW = timedelta(hours=23)


def _keys_fresh(record: InvoiceRecord, now: datetime) -> bool:
    return now - record.created_at < KEY_WINDOW


def bill_week(
    tenant: TenantId, week: BillingWeek, *, deps: Deps, schedule: rules.FeeSchedule | None = None
) -> InvoiceRecord | None:
    """The business's invoice for `week`, created if there is time to bill, and carried as far as
    it can go now. Safe to run any number of times. `schedule`: the fees to bill under (the
    billing run reads them once for all its businesses); None reads the current ones."""
    now = deps.now()
    if now < week.locks_at:
        raise Conflict(
            f"week {week} is billed when it locks, {week.locks_at:%a %d %b %H:%M} UTC", code="week_open"
        )
    record = InvoiceRecord.find(*invoice_key(tenant, week), consistent=True)
    if record is None:
        from chalicelib.services import timesheets

        contract_ids = timesheets.lock_week(tenant, week, now=now)
        business = TenantRecord.find(keys.tenant_pk(tenant), "TENANT", consistent=True)
        schedule = schedule or fees()
        plan = rules.plan_invoice(
            worked_weeks(tenant, week),
            bonuses.for_week(tenant, contract_ids, week),
            currency=business.currency,
            fees=schedule,
            week_label=str(week),
        )
        if plan is None:
            return None
        from chalicelib.services.billing_accounts import account_of

        account = account_of(tenant)
        record = InvoiceRecord(
            *invoice_key(tenant, week),
            invoice_id=new_id(),
            week=str(week),
            business_name=business.name,
            status=str(rules.InvoiceStatus.PLANNED),
            currency=plan.currency,
            lines=[line.to_json() for line in plan.lines],
            subtotal=plan.subtotal,
            client_fee=plan.client_fee,
            total=plan.total,
            collection=account.collection,
            fee_schedule=schedule.to_json(),
            created_at=now,
            notes=bonuses.performance_notes(_contracts(tenant, contract_ids)),
            gsi2pk=unbilled_index(shard_of(tenant.value) % SETTLE_SHARDS),
            gsi2sk=stamp(now),
        )
        try:
            record.save_new()
        except Conflict:
            record = InvoiceRecord.find(*invoice_key(tenant, week), consistent=True)
    return advance(record, deps=deps)


def _contracts(tenant: TenantId, contract_ids: list[str]):
    from chalicelib.store.base import Entity
    from chalicelib.store.contracts import contract_key

    wanted = [contract_key(tenant, cid) for cid in contract_ids]
    return [item for item in Entity.batch_get(wanted, consistent_read=True)] if wanted else []


def unbilled_index(shard: int) -> str:
    """Invoices not yet finalized at Stripe (a run that stopped half-way): `advance-invoices`
    carries them on."""
    return keys.platform_pk("UNBILLED", str(shard))


def bill_block(tenant: TenantId, contract_id: str, *, deps: Deps) -> InvoiceRecord | None:
    """A block contract's invoice: the whole block, when the agent accepts (once, by key)."""
    from chalicelib.services.billing_accounts import account_of
    from chalicelib.services.contracts import records
    from chalicelib.store.billing import block_invoice_key

    record = InvoiceRecord.find(*block_invoice_key(tenant, contract_id), consistent=True)
    if record is None:
        contract = records.find_for_system(tenant, contract_id)
        if contract is None or contract.contract_kind != "block" or not contract.periods:
            return None
        now = deps.now()
        schedule = fees()
        plan = rules.plan_block(
            contract_id=contract_id,
            agent_id=contract.agent_id,
            title=contract.title,
            agent_name=contract.agent_name,
            # the first block: what the offer said (further blocks paid since add to block_minutes)
            minutes=int(contract.block_minutes) - int(contract.added_minutes or 0),
            rate_minor=int(contract.rate_minor),
            currency=contract.currency,
            fees=schedule,
        )
        record = InvoiceRecord(
            *block_invoice_key(tenant, contract_id),
            invoice_id=new_id(),
            invoice_kind="block",
            contract_id=contract_id,
            block_number=1,
            week=str(BillingWeek.containing(now)),
            business_name=contract.business_name,
            status=str(rules.InvoiceStatus.PLANNED),
            currency=plan.currency,
            lines=[line.to_json() for line in plan.lines],
            subtotal=plan.subtotal,
            client_fee=plan.client_fee,
            total=plan.total,
            collection=account_of(tenant).collection,
            fee_schedule=schedule.to_json(),
            created_at=now,
            gsi2pk=unbilled_index(shard_of(tenant.value) % SETTLE_SHARDS),
            gsi2sk=stamp(now),
        )
        try:
            record.save_new()
        except Conflict:
            record = InvoiceRecord.find(*block_invoice_key(tenant, contract_id), consistent=True)
    return advance(record, deps=deps)


def plan_of(record: InvoiceRecord) -> rules.InvoicePlan:
    return rules.InvoicePlan(record.currency, tuple(rules.Line.from_json(line) for line in record.lines))


def _tenant(record: InvoiceRecord) -> TenantId:
    return TenantId(record.pk.removeprefix(keys.TENANT_PREFIX))


def _reload(record: InvoiceRecord) -> InvoiceRecord:
    return InvoiceRecord.find(record.pk, record.sk, consistent=True)


def advance(record: InvoiceRecord, *, deps: Deps) -> InvoiceRecord:
    """Take every step the invoice can take now (each at most once at Stripe). A further block
    whose contract ended before it was paid is never charged: void here while only planned, else
    carried to open (a draft cannot be voided; finalizing charges nothing) and voided there."""
    from chalicelib.services import blocks

    ended = blocks.ended_unpaid(record, deps=deps)
    for _step in range(8):
        status = rules.InvoiceStatus(record.status)
        try:
            if ended is not None and status in (rules.InvoiceStatus.PLANNED, rules.InvoiceStatus.OPEN):
                blocks.withdraw(ended, blocks.number_of(record), actor=blocks.SYSTEM, deps=deps)
                return _reload(record)
            if status is rules.InvoiceStatus.PLANNED:
                _draft(record, deps=deps)
            elif status is rules.InvoiceStatus.DRAFTED:
                _itemize(record, deps=deps)
            elif status is rules.InvoiceStatus.ITEMIZED:
                _finalize(record, deps=deps)
            elif (
                status is rules.InvoiceStatus.OPEN
                and record.attempts == 0
                and not record.last_failure
                and not record.sent_at
            ):
                _collect(record, deps=deps)
                return _reload(record)
            else:
                return record
        except Conflict:
            pass  # another run took this step meanwhile: read where it stands and go on
        record = _reload(record)
    return record


def _metadata(record: InvoiceRecord) -> dict[str, str]:
    # the item's sort key finds it again from a webhook (weekly and block invoices alike)
    return {"deskhire_tenant": _tenant(record).value, "deskhire_week": record.week, "deskhire_sk": record.sk}


def _draft(record: InvoiceRecord, *, deps: Deps) -> None:
    from chalicelib.services.billing_accounts import ensure_customer

    account = ensure_customer(_tenant(record), email=None, deps=deps)
    gateway = deps.payments
    # Stripe's search is eventually consistent and rate-limited; within the key window the
    # create's own key finds an earlier creation, so search only after it
    found = None if _keys_fresh(record, deps.now()) else gateway.find_invoice(record.invoice_id)
    stripe_invoice = found or gateway.create_invoice(
        record.invoice_id,
        customer=account.customer_id,
        currency=record.currency,
        description=f"deskhire support, week {record.week}"
        if record.invoice_kind != "block"
        else f"deskhire prepaid block ({record.week})",
        send_invoice_days=int(account.days_until_due) if account.collection == "send_invoice" else None,
        metadata=_metadata(record),
    )
    rules.check_transition(rules.InvoiceStatus(record.status), rules.InvoiceStatus.DRAFTED)
    record.stripe_invoice_id = stripe_invoice["id"]
    record.stripe_customer_id = stripe_invoice["customer"]
    record.collection = stripe_invoice.get("collection_method") or record.collection
    # the terms the draft was made with (Stripe's invoice shows a due date, not the days)
    if record.collection == "send_invoice":
        record.days_until_due = int(account.days_until_due or 0) or None
    record.status = str(rules.InvoiceStatus.DRAFTED)
    record.save_checked()


def _itemize(record: InvoiceRecord, *, deps: Deps) -> None:
    gateway = deps.payments
    # within the key window an item added by an earlier try is answered again by its key
    on_it = (
        set()
        if _keys_fresh(record, deps.now())
        else {
            (item.get("metadata") or {}).get("deskhire_line")
            for item in gateway.invoice_items(record.stripe_invoice_id)
        }
    )
    customer = record.stripe_customer_id or gateway.retrieve_invoice(record.stripe_invoice_id)["customer"]
    for line in plan_of(record).lines:
        if line.line_id in on_it:
            continue
        gateway.add_invoice_item(
            record.invoice_id,
            line.line_id,
            stripe_invoice=record.stripe_invoice_id,
            customer=customer,
            amount=line.amount,
            currency=record.currency,
            description=line.description,
        )
    rules.check_transition(rules.InvoiceStatus(record.status), rules.InvoiceStatus.ITEMIZED)
    record.status = str(rules.InvoiceStatus.ITEMIZED)
    record.save_checked()


def _finalize(record: InvoiceRecord, *, deps: Deps) -> None:
    # Stripe may have finalized it already (a run died after the call; a retry after the key
    # window would be refused "already finalized"): read it first and adopt what it says.
    stripe_invoice = (
        {"status": "draft"}
        if _keys_fresh(record, deps.now())
        else deps.payments.retrieve_invoice(record.stripe_invoice_id)
    )
    if stripe_invoice.get("status") == "draft":
        stripe_invoice = deps.payments.finalize_invoice(record.invoice_id, record.stripe_invoice_id)
    if int(stripe_invoice.get("total", -1)) != int(record.total):
        raise InvoiceMismatch(
            f"Stripe's invoice totals {stripe_invoice.get('total')}, deskhire's {record.total}; not collected"
        )
    now = deps.now()
    rules.check_transition(rules.InvoiceStatus(record.status), rules.InvoiceStatus.OPEN)
    record.status = str(rules.InvoiceStatus.OPEN)
    # it stays on the unbilled list until collection has been tried (a charge that never got an
    # answer is tried again by advance-invoices); mark_paid or record_failure re-index it
    record.number = stripe_invoice.get("number")
    record.hosted_url = stripe_invoice.get("hosted_invoice_url")
    record.pdf_url = stripe_invoice.get("invoice_pdf")
    record.finalized_at = now
    tenant = _tenant(record)
    with transaction(conflict_message="the invoice changed meanwhile") as tx:
        tx.save(record)
        ledger_store.add(
            tx,
            tenant,
            record.invoice_id,
            ledger.move(
                "invoice.finalized",
                record.currency,
                int(record.total),
                debit=f"receivable:{tenant.value}",
                credit=f"held:{record.invoice_id}",
            ),
            at=now,
        )
    if stripe_invoice.get("status") == "paid":  # nothing to collect
        mark_paid(_reload(record), stripe_invoice, deps=deps)


def _collect(record: InvoiceRecord, *, deps: Deps) -> None:
    """Charge the card on file once (dunning retries), or send the invoice (net terms)."""
    from chalicelib.payments.gateway import (
        PaymentDeclined,
        PaymentNeedsAction,
        PaymentsError,
        PaymentsUnavailable,
    )
    from chalicelib.services import dunning

    gateway = deps.payments
    if record.collection == "send_invoice":
        gateway.send_invoice(record.invoice_id, record.stripe_invoice_id)
        for _attempt in range(3):
            current = _reload(record)
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
                break
            except Conflict:
                continue
        _mail_business(
            record,
            Subject.INVOICE_READY.line(week=BillingWeek.parse(record.week)),
            f"Your deskhire invoice {record.number} is ready: {record.hosted_url}",
            deps=deps,
        )
        return
    attempt = int(record.attempts) + 1
    try:
        paid = gateway.pay_invoice(record.invoice_id, record.stripe_invoice_id, attempt=attempt)
    except PaymentNeedsAction:
        count = gateway.retrieve_invoice(record.stripe_invoice_id).get("attempt_count")
        record_action_required(record, attempts=count, deps=deps)
        return
    except PaymentDeclined as error:
        count = gateway.retrieve_invoice(record.stripe_invoice_id).get("attempt_count")
        record_failure(record, reason=error.reason, attempts=count, deps=deps)
        return
    except PaymentsUnavailable:
        raise
    except PaymentsError as error:
        # no card on file, or Stripe refuses for another reason the business must fix
        current = gateway.retrieve_invoice(record.stripe_invoice_id)
        if current.get("status") == "paid":
            mark_paid(_reload(record), current, deps=deps)
            return
        record_failure(record, reason=error.message, deps=deps)
        return
    if paid.get("status") == "paid":
        mark_paid(_reload(record), paid, deps=deps)


def record_failure(
    record: InvoiceRecord, *, reason: str, attempts: int | None = None, deps: Deps
) -> InvoiceRecord:
    """A collection attempt failed: count it (Stripe's `attempt_count` when known, so that our own
    answer and the `invoice.payment_failed` webhook count one failure once), keep why, list the
    invoice for the dunning job, and tell the business how to fix it."""
    from chalicelib.services import dunning

    for _attempt in range(3):
        current = _reload(record)
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
        dunning.mark_past_due(_tenant(current), deps=deps)
        _mail_business(
            current,
            Subject.PAYMENT_FAILED.line(week=BillingWeek.parse(current.week)),
            f"We could not charge your card for invoice {current.number} ({reason}). "
            f"Update your card: {deps.link('/app/billing')}",
            deps=deps,
        )
        return current
    return _reload(record)


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
        current = _reload(record)
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
        dunning.mark_past_due(_tenant(current), deps=deps)
        _mail_business(
            current,
            Subject.CONFIRM_PAYMENT.line(week=BillingWeek.parse(current.week)),
            f"Your bank asks you to confirm the payment of deskhire invoice {current.number} "
            f"(3-D Secure), so we could not charge your card. Confirm it on the invoice's page: "
            f"{current.hosted_url}\nIf it is not paid within 5 days, your contracts pause until it is.",
            deps=deps,
        )
        return current
    return _reload(record)


def mark_paid(record: InvoiceRecord, stripe_invoice: dict, *, deps: Deps) -> InvoiceRecord:
    """Stripe says the invoice is paid: keep the charge, book the cash, and list the invoice for
    the payout run. Idempotent: an invoice already paid stays as it is. A further block's minutes
    are added to its contract in the same transaction (services/blocks.py), so exactly once."""
    from chalicelib.services import blocks
    from chalicelib.services.dunning import clear_past_due

    for _attempt in range(3):
        if record.status == rules.InvoiceStatus.PAID:
            # a crash after the payment was recorded may have left the account past due
            clear_past_due(_tenant(record), paid_invoice=record.invoice_id, deps=deps)
            return record
        rules.check_transition(rules.InvoiceStatus(record.status), rules.InvoiceStatus.PAID)
        now = deps.now()
        amount = int(stripe_invoice.get("amount_paid") or 0)
        record.stripe_charge_id = deps.payments.invoice_charge(record.stripe_invoice_id) if amount else None
        record.status = str(rules.InvoiceStatus.PAID)
        record.amount_paid = amount
        record.paid_at = now
        record.last_failure = None
        record.needs_action_at = None
        week = BillingWeek.parse(record.week)
        record.gsi2pk = settle_index(shard_of(record.invoice_id) % SETTLE_SHARDS)
        # a weekly invoice settles on its payout day; a block draws down week by week from now on
        due = now if record.invoice_kind == "block" else payout_due(week)
        record.gsi2sk = f"{stamp(due)}#{record.invoice_id}"
        tenant = _tenant(record)
        grant = blocks.grant_on_payment(record)
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
        except Conflict:
            record = _reload(record)
            continue
        clear_past_due(tenant, paid_invoice=record.invoice_id, deps=deps)
        if grant is not None:
            blocks.tell_agent(record, grant, deps=deps)
        return record
    return _reload(record)


def mark_closed_unpaid(record: InvoiceRecord, stripe_invoice: dict, *, deps: Deps) -> InvoiceRecord:
    """Stripe voided the invoice, or marked it uncollectible (an operator, in Stripe): keep it. A
    void invoice is no longer owed, so its receivable is reversed in the ledger."""
    from chalicelib.services import blocks

    target = rules.stripe_status(stripe_invoice.get("status", ""))
    if record.status == target:
        blocks.release_pending(record)  # a crash may have come between the two
        return record
    rules.check_transition(rules.InvoiceStatus(record.status), target)
    now = deps.now()
    tenant = _tenant(record)
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
    blocks.release_pending(record)
    from chalicelib.services.dunning import clear_past_due

    clear_past_due(tenant, paid_invoice=record.invoice_id, deps=deps)
    return record


def by_stripe_invoice(stripe_invoice: dict) -> InvoiceRecord | None:
    metadata = stripe_invoice.get("metadata") or {}
    try:
        tenant = TenantId(metadata["deskhire_tenant"])
        sort_key = (
            metadata.get("deskhire_sk")
            or invoice_key(tenant, BillingWeek.parse(metadata["deskhire_week"]))[1]
        )
    except (KeyError, ValueError):
        return None
    if not sort_key.startswith("INVOICE#"):
        return None
    record = InvoiceRecord.find(keys.tenant_pk(tenant), sort_key, consistent=True)
    if record is None or record.invoice_id != metadata.get("deskhire_invoice"):
        return None
    return record


def _mail_business(record: InvoiceRecord, subject: Subject | SubjectLine, text: str, *, deps: Deps) -> None:
    """Billing mail goes to the business's owners."""
    tenant = _tenant(record)
    owners = [
        m
        for m in MemberRecord.query(keys.tenant_pk(tenant), MemberRecord.sk.startswith("MEMBER#"))
        if isinstance(m, MemberRecord) and m.role == "owner" and m.status == "active"
    ]
    for owner in owners:
        deps.mailer.send(Mail(to=owner.email, subject=subject, text=text + "\n"), now=deps.now())


# -- what the business sees ---------------------------------------------------------------------


def invoices(actor: Principal) -> list[InvoiceRecord]:
    if actor.kind is not PrincipalKind.MEMBER:
        raise Forbidden("invoices are the business's")
    return [
        r
        for r in InvoiceRecord.query(
            keys.tenant_pk(actor.require_tenant()),
            InvoiceRecord.sk.startswith("INVOICE#"),
            scan_index_forward=False,
        )
        if isinstance(r, InvoiceRecord)
    ]


@dataclass(frozen=True)
class Estimate:
    week: BillingWeek
    lines: tuple[rules.Line, ...]
    total: int
    currency: str


def estimate(actor: Principal, *, deps: Deps) -> Estimate:
    """What this week would be invoiced if it locked now: its minutes logged so far."""
    from chalicelib.services import timesheets
    from chalicelib.services.contracts import records

    if actor.kind is not PrincipalKind.MEMBER:
        raise Forbidden("the estimate is the business's")
    tenant = actor.require_tenant()
    now = deps.now()
    week = BillingWeek.containing(now)
    business = TenantRecord.find(keys.tenant_pk(tenant), "TENANT", consistent=True)
    weeks = []
    for row in timesheets.overview(actor, week, deps=deps):
        if row.contract.contract_kind != "hourly" or not row.logged:
            continue
        from chalicelib.domain.contracts import terms_in_week

        rate = terms_in_week(records.history_of(row.contract), week).rate_minor
        weeks.append(
            rules.WorkedWeek(
                row.contract.contract_id,
                row.contract.agent_id,
                row.contract.title,
                row.contract.agent_name,
                rate,
                row.logged,
            )
        )
    from chalicelib.store.contracts import WeekMarker, marker_key

    marker = WeekMarker.find(*marker_key(tenant, week), consistent=True)
    granted = bonuses.for_week(
        tenant, sorted(marker.contract_ids) if marker and marker.contract_ids else [], week
    )
    plan = rules.plan_invoice(weeks, granted, currency=business.currency, fees=fees(), week_label=str(week))
    if plan is None:
        return Estimate(week, (), 0, business.currency)
    return Estimate(week, plan.lines, plan.total, plan.currency)
