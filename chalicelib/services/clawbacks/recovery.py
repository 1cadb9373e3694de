"""Stripe's part of a clawback, safe to run again (at once, and by the daily payout run for those
left pending):

- the refund to the business (key from the clawback's id; after Stripe's key window it is looked
  up on the charge by its metadata first);
- the reversal of the agent's net from their transfers for the invoice, newest first (each looked
  up on its transfer by metadata first). Stripe reverses from the agent's available balance: while
  the money the transfer brought is still pending there (card funds take days), the reversal
  waits and the daily payout run tries it again; when the balance cannot cover it otherwise,
  what is left is booked as owed by the agent and kept back from their next transfers (PROMISES
  P12)."""

from __future__ import annotations

from datetime import timedelta

from pynamodb.expressions.update import Action

from chalicelib.composition import Deps
from chalicelib.domain import ledger
from chalicelib.domain.errors import Conflict
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.payments.gateway import PaymentsError, PaymentsUnavailable
from chalicelib.services import payouts
from chalicelib.store import keys
from chalicelib.store import ledger as ledger_store
from chalicelib.store.billing import (
    ClawbackRecord,
    InvoiceRecord,
    TransferRecord,
    clawback_key,
    invoice_key,
    invoice_partition,
    list_owing,
    pending_clawbacks_index,
)
from chalicelib.store.transactions import transaction

SHARDS = 8


INSUFFICIENT = "balance_insufficient"  # Stripe's code when the connected account cannot cover it


def _invoice_of(item: ClawbackRecord) -> InvoiceRecord:
    return InvoiceRecord.load(*invoice_key(TenantId(item.tenant_id), BillingWeek.parse(item.week)))


def carry_out(item: ClawbackRecord, *, deps: Deps) -> ClawbackRecord:
    """Stripe's part of a clawback: the refund, then the reversal. Safe to run again."""
    if item.status != "pending":
        return item
    record = _invoice_of(item)
    if not item.stripe_refund_id:
        _send_refund(item, record, deps=deps)
    _reverse(item, record, deps=deps)
    return item.reloaded()


def _send_refund(item: ClawbackRecord, record: InvoiceRecord, *, deps: Deps) -> None:
    charge = record.require_stripe_charge_id()  # only a paid-out invoice is clawed back
    existing = next(
        (
            r
            for r in deps.stripe.refunds_of(charge)
            if (r.get("metadata") or {}).get("deskhire_refund") == item.clawback_id
        ),
        None,
    )
    try:
        made = existing or deps.stripe.create_refund(
            item.clawback_id,
            charge=charge,
            amount=int(item.refund),
            reason=item.reason,
            tenant=item.tenant_id,
        )
    except PaymentsUnavailable:
        raise
    except PaymentsError as error:  # refused: kept for the billing page and the operators; retried daily
        _refund_refused(item, error, deps=deps)
        raise
    tenant = TenantId(item.tenant_id)
    now = deps.now()
    with transaction() as tx:
        tx.update(
            item,
            actions=[
                ClawbackRecord.stripe_refund_id.set(made["id"]),
                ClawbackRecord.refunded_at.set(now),
                ClawbackRecord.refund_status.set(str(made.get("status") or "succeeded")),
                ClawbackRecord.refund_failure.remove(),
                ClawbackRecord.refund_failure_code.remove(),
                ClawbackRecord.refund_failed_at.remove(),
            ],
            condition=ClawbackRecord.stripe_refund_id.does_not_exist(),
            on_conflict=Conflict("the refund was recorded meanwhile", code="contended"),
            add_version_condition=False,
        )
        ledger_store.add(
            tx,
            tenant,
            item.invoice_id,
            ledger.move(
                "refund.sent",
                item.currency,
                int(item.refund),
                debit=f"held:{item.invoice_id}",
                credit="stripe",
            ),
            at=now,
        )
    item.stripe_refund_id = made["id"]
    item.refunded_at, item.refund_status = now, str(made.get("status") or "succeeded")
    item.refund_failure = item.refund_failure_code = item.refund_failed_at = None


def _refund_refused(item: ClawbackRecord, error: PaymentsError, *, deps: Deps) -> None:
    """Stripe refused the business's refund (the charge refunded in full elsewhere, a disputed
    charge): said on the business's billing page and the operators' payouts page while it lasts."""
    now = deps.now()
    item.update(
        actions=[
            ClawbackRecord.refund_failure.set(error.message[:500]),
            ClawbackRecord.refund_failure_code.set(error.code or "refused"),
            ClawbackRecord.refund_failed_at.set(now),
        ],
        add_version_condition=False,
    )  # a refund made meanwhile wins: the page reads `stripe_refund_id` first


def apply_refund_update(refund: dict) -> bool:
    """`refund.updated` / `refund.failed`: the business's refund as Stripe holds it now (one it
    kept pending while deskhire's balance was short has gone through, or it failed), kept on the
    clawback for the billing page. False: not a refund after payout of deskhire's."""
    metadata = refund.get("metadata") or {}
    clawback_id, tenant_id = metadata.get("deskhire_refund") or "", metadata.get("deskhire_tenant")
    invoice_id, _, seq = clawback_id.rpartition("-clawback-")
    if not tenant_id or not invoice_id or not seq.isdigit():
        return False
    try:
        key = clawback_key(TenantId(tenant_id), invoice_id, int(seq))
    except ValueError:
        return False
    item = ClawbackRecord.find(*key, consistent=True)
    if item is None or item.stripe_refund_id != refund.get("id"):
        return False
    status = str(refund.get("status") or "")
    actions: list[Action] = [ClawbackRecord.refund_status.set(status)]
    if status in ("failed", "canceled"):
        reason = str(refund.get("failure_reason") or "").replace("_", " ")
        actions.append(
            ClawbackRecord.refund_failure.set(f"Stripe could not send it back ({reason or status})")
        )
    item.update(actions=actions, add_version_condition=False)
    return True


def _sent_transfers(item: ClawbackRecord) -> list[TransferRecord]:
    found = [
        t
        for t in TransferRecord.query(
            invoice_partition(TenantId(item.tenant_id), item.invoice_id),
            TransferRecord.sk.startswith(keys.sort_key("TRANSFER", item.agent_id) + "#"),
            consistent_read=True,
        )
        if isinstance(t, TransferRecord) and t.status == "sent" and t.stripe_transfer_id
    ]
    return sorted(found, key=lambda t: t.sk, reverse=True)  # newest first


def _reverse(item: ClawbackRecord, record: InvoiceRecord, *, deps: Deps) -> None:
    left = int(item.reversal) - int(item.reversed or 0)
    for transfer in _sent_transfers(item):
        if left <= 0:
            break
        room = int(transfer.amount) - int(transfer.amount_reversed or 0)
        part = min(left, room)
        if part <= 0:
            continue
        reversal_id = f"{item.clawback_id}-{transfer.sk.rsplit('#', 1)[-1]}"
        stripe_transfer = transfer.require_stripe_transfer_id()  # a sent transfer
        if reversal_id in (item.booked or []):
            continue  # counted already (in `left`)
        existing = next(
            (
                r
                for r in deps.stripe.reversals_of(stripe_transfer)
                if (r.get("metadata") or {}).get("deskhire_reversal") == reversal_id
            ),
            None,
        )
        if existing is None:
            try:
                existing = deps.stripe.create_reversal(reversal_id, transfer=stripe_transfer, amount=part)
            except PaymentsUnavailable:
                raise
            except PaymentsError as error:
                if error.code != INSUFFICIENT:
                    raise
                if _wait_for_pending_funds(item, transfer, deps=deps):
                    return  # left pending: the payout run reverses it once the funds are there
                break  # the agent's balance cannot cover it: the rest is owed (below)
        _book_reversal(item, transfer, reversal_id, int(existing["amount"]), deps=deps)
        left -= int(existing["amount"])
    _finish(item, left, deps=deps)


# How long a reversal may wait for the funds of its transfer to become available on the agent's
# account (Stripe's card funds are pending a few days; 7 business days for a new account).
PENDING_FUNDS_WAIT = timedelta(days=14)


def _wait_for_pending_funds(item: ClawbackRecord, transfer: TransferRecord, *, deps: Deps) -> bool:
    """Stripe reverses a transfer from the connected account's available balance. Soon after the
    transfer, the money it brought is still pending there (funded by a card charge whose funds are
    pending), so the reversal is refused for now, not for good: it waits, and the daily payout run
    tries it again once the funds are available. Only a reversal still refused after that (the
    agent paid the money out) is booked as owed. True: it waits."""
    until = deps.stripe.funds_pending_until(transfer.require_stripe_transfer_id())
    if until is None or deps.now() - item.created_at > PENDING_FUNDS_WAIT:
        return False
    item.update(actions=[ClawbackRecord.funds_pending_until.set(until)], add_version_condition=False)
    item.funds_pending_until = until
    return True


def _book_reversal(
    item: ClawbackRecord, transfer: TransferRecord, reversal_id: str, amount: int, *, deps: Deps
) -> None:
    with transaction() as tx:
        tx.update(
            transfer,
            actions=[TransferRecord.amount_reversed.add(amount)],
            add_version_condition=False,
        )
        tx.update(
            item,
            actions=[
                ClawbackRecord.reversed.add(amount),
                ClawbackRecord.booked.set(ClawbackRecord.booked.append([reversal_id])),
            ],
            # once per reversal: the clawback's running total must be what this run read
            condition=ClawbackRecord.reversed == int(item.reversed or 0),
            on_conflict=Conflict("the reversal was recorded meanwhile", code="contended"),
            add_version_condition=False,
        )
        ledger_store.add(
            tx,
            TenantId(item.tenant_id),
            item.invoice_id,
            ledger.move(
                "reversal.received", item.currency, amount, debit="stripe", credit=f"reversal:{item.agent_id}"
            ),
            at=deps.now(),
        )
    item.reversed = int(item.reversed or 0) + amount
    item.booked = [*(item.booked or []), reversal_id]
    transfer.amount_reversed = int(transfer.amount_reversed or 0) + amount


def _finish(item: ClawbackRecord, left: int, *, deps: Deps) -> None:
    """Done: everything came back, or what did not is owed by the agent."""
    now = deps.now()
    for _attempt in range(4):
        account = payouts.account_of(AgentId(item.agent_id))
        owed = dict(account.owed or {})
        try:
            with transaction() as tx:
                tx.update(
                    item,
                    actions=[
                        ClawbackRecord.status.set("owed" if left > 0 else "done"),
                        ClawbackRecord.owed.set(max(left, 0)),
                        ClawbackRecord.done_at.set(now),
                        ClawbackRecord.gsi2pk.remove(),
                        ClawbackRecord.gsi2sk.remove(),
                    ],
                    condition=ClawbackRecord.status == "pending",
                    on_conflict=Conflict("finished meanwhile", code="finished"),
                    add_version_condition=False,
                )
                if left > 0:
                    owed[item.currency] = int(owed.get(item.currency, 0)) + left
                    account.owed = owed
                    list_owing(account, item.agent_id)
                    tx.save(account)  # under its version
                    ledger_store.add(
                        tx,
                        TenantId(item.tenant_id),
                        item.invoice_id,
                        ledger.move(
                            "reversal.owed",
                            item.currency,
                            left,
                            debit=f"agent_receivable:{item.agent_id}",
                            credit=f"reversal:{item.agent_id}",
                        ),
                        at=now,
                    )
        except Conflict as error:
            if error.code == "finished":
                return
            continue
        item.status = "owed" if left > 0 else "done"
        return
    raise Conflict("the agent's payout account kept changing; the payout run finishes it", code="contended")


def pending(shard: int) -> list[ClawbackRecord]:
    return [
        c for c in ClawbackRecord.gsi2.query(pending_clawbacks_index(shard)) if isinstance(c, ClawbackRecord)
    ]


def find(tenant_id: str, invoice_id: str, clawback_sk: str) -> ClawbackRecord | None:
    return ClawbackRecord.find(
        invoice_partition(TenantId(tenant_id), invoice_id), clawback_sk, consistent=True
    )
