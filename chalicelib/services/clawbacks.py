"""Refunds after payout (domain/clawbacks.py has the arithmetic).

An operator upholds a complaint about minutes an agent has already been paid for. Like every
movement of money here, it is an intent first and Stripe's part second:

1. one transaction: the invoice's running totals (under its version), the clawback item, and the
   ledger journal committing it (the platform returns its fees, the agent's net becomes due back,
   the refund becomes owed to the business);
2. the refund to the business (key from the clawback's id; after Stripe's key window it is looked
   up on the charge by its metadata first);
3. the reversal of the agent's net from their transfers for the invoice, newest first (each looked
   up on its transfer by metadata first). Stripe reverses from the agent's available balance: while
   the money the transfer brought is still pending there (card funds take days), the reversal
   waits and the daily payout run tries it again; when the balance cannot cover it otherwise,
   what is left is booked as owed by the agent and kept back from their next transfers (PROMISES
   P12).

A crash anywhere leaves the clawback pending on an index; the daily payout run finishes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from chalicelib.composition import Deps
from chalicelib.domain import billing as billing_rules
from chalicelib.domain import clawbacks as rules
from chalicelib.domain import ledger
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.money import format_amount
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.mail import Mail, Subject
from chalicelib.payments.gateway import PaymentsError, PaymentsUnavailable
from chalicelib.services import payouts, settlement
from chalicelib.services.invoicing import invoices, planning
from chalicelib.store import audit, keys
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
from chalicelib.store.contracts import ContractRecord, contract_key, shard_of, stamp
from chalicelib.store.transactions import transaction

SHARDS = 8
INSUFFICIENT = "balance_insufficient"  # Stripe's code when the connected account cannot cover it


def _operator(actor: Principal) -> None:
    if actor.kind is not PrincipalKind.OPERATOR:
        raise Forbidden("only platform operators refund after payout")


def _invoice(tenant_id: str, week: str) -> tuple[TenantId, InvoiceRecord]:
    try:
        tenant, billing_week = TenantId(tenant_id), BillingWeek.parse(week)
    except ValueError:
        raise NotFound("no such invoice") from None
    record = InvoiceRecord.find(*invoice_key(tenant, billing_week), consistent=True)
    if record is None:
        raise NotFound("no such invoice")
    return tenant, record


def paid_out_lines(record: InvoiceRecord) -> list[dict]:
    """What an operator may refund on a settled weekly invoice: per hours line, the minutes paid
    out and not refunded yet (for the page's form)."""
    if not record.settled_at or record.invoice_kind == "block":
        return []
    tenant = TenantId(record.pk.removeprefix(keys.TENANT_PREFIX))
    weeks = {w.contract_id: w for w in planning.worked_weeks(tenant, BillingWeek.parse(record.week))}
    out = []
    for line in settlement.rules_lines(record):
        worked = weeks.get(line.contract_id)
        done = int((record.clawed_back or {}).get(line.contract_id, {}).get("minutes", 0))
        if worked is not None:
            out.append({"line": line, "agent_name": worked.agent_name, "minutes": worked.payable - done})
    return out


def _paid_out(record: InvoiceRecord, contract_id: str) -> tuple[billing_rules.Line, rules.PaidOut]:
    if record.invoice_kind == "block":
        raise Conflict(
            "a block's unused and upheld minutes are refunded when it ends; refund a weekly invoice",
            code="block_invoice",
        )
    if record.status != billing_rules.InvoiceStatus.PAID or not record.settled_at:
        raise Conflict(
            "this invoice has not been paid out yet: resolve the complaint as a dispute on its timesheet",
            code="not_paid_out",
        )
    line = next((x for x in settlement.rules_lines(record) if x.contract_id == contract_id), None)
    if line is None:
        raise InvalidInput("the invoice has no hours for this contract", field="contract_id")
    tenant = TenantId(record.pk.removeprefix(keys.TENANT_PREFIX))
    worked = next(
        (
            w
            for w in planning.worked_weeks(tenant, BillingWeek.parse(record.week))
            if w.contract_id == contract_id
        ),
        None,
    )
    if worked is None:
        raise InvalidInput("the invoice has no hours for this contract", field="contract_id")
    clawed = dict(record.clawed_back or {})
    moved = dict(record.transferred or {})
    agent_id = line.agent_id

    def clawed_gross(agent: str | None = None) -> int:
        return sum(int(v["gross"]) for v in clawed.values() if agent is None or v["agent_id"] == agent)

    return line, rules.PaidOut(
        currency=record.currency,
        rate_minor=int(worked.rate_minor),
        payable_minutes=worked.payable - int(clawed.get(contract_id, {}).get("minutes", 0)),
        agent_gross=int(moved.get(agent_id, {}).get("gross", 0)) - clawed_gross(agent_id),
        fee_base=sum(int(v["gross"]) for v in moved.values()) - clawed_gross(),
        tier=int((record.agent_tiers or {}).get(agent_id, 1)),
        client_fee_charged=int(record.client_fee) > 0,
    )


def refund_after_payout(
    actor: Principal,
    tenant_id: str,
    week: str,
    *,
    contract_id: str,
    minutes: int,
    reason: str,
    number: int | None = None,
    deps: Deps,
) -> ClawbackRecord:
    """Refund `minutes` of a contract's paid-out week to the business, taking the agent's share back.

    `number` names the refund the operator means (1 for the invoice's first; the page's form sends
    the next one it showed): sent again (a double click, a retry after a timeout), the request
    answers that refund instead of making a second one."""
    _operator(actor)
    reason = rules.check_reason(reason)
    tenant, record = _invoice(tenant_id, week)
    for _attempt in range(4):
        made = rules.refund_to_make(number, made=int(record.clawbacks or 0))
        if made is not None:  # made already: answer it
            existing = ClawbackRecord.find(*clawback_key(tenant, record.invoice_id, made), consistent=True)
            rules.check_same_refund(made, existing.contract_id, int(existing.minutes), contract_id, minutes)
            return existing
        line, paid_out = _paid_out(record, contract_id)
        step = rules.claw_back(minutes, paid_out, fees=invoices.fees_of(record))
        now = deps.now()
        seq = int(record.clawbacks or 0) + 1
        clawed = dict(record.clawed_back or {})
        so_far = clawed.get(contract_id) or {"minutes": 0, "gross": 0, "agent_id": line.agent_id}
        clawed[contract_id] = {
            "minutes": int(so_far["minutes"]) + step.minutes,
            "gross": int(so_far["gross"]) + step.gross,
            "agent_id": line.agent_id,
        }
        record.clawed_back, record.clawbacks = clawed, seq
        clawback_id = f"{record.invoice_id}-clawback-{seq}"
        item = ClawbackRecord(
            *clawback_key(tenant, record.invoice_id, seq),
            clawback_id=clawback_id,
            invoice_id=record.invoice_id,
            tenant_id=tenant.value,
            week=record.week,
            contract_id=contract_id,
            agent_id=line.agent_id,
            minutes=step.minutes,
            gross=step.gross,
            agent_fee=step.agent_fee,
            client_fee=step.client_fee,
            refund=step.refund,
            reversal=step.reversal,
            currency=record.currency,
            reason=reason,
            operator_id=actor.id,
            created_at=now,
            gsi2pk=pending_clawbacks_index(shard_of(tenant.value) % SHARDS),
            gsi2sk=f"{stamp(now)}#{clawback_id}",
        )
        # the platform gives back its fees, the agent's net becomes due back, and the refund is
        # owed to the business until it leaves (held goes negative, refund.sent brings it back)
        journal = ledger.Journal(
            "clawback.committed",
            (
                ledger.Posting("revenue", step.revenue_returned, record.currency),
                ledger.Posting(f"reversal:{line.agent_id}", step.reversal, record.currency),
                ledger.Posting(f"held:{record.invoice_id}", -step.refund, record.currency),
            ),
        )
        try:
            with transaction(conflict_message="the invoice changed meanwhile") as tx:
                tx.save(record)
                tx.save(item, condition=ClawbackRecord.pk.does_not_exist())
                ledger_store.add(tx, tenant, record.invoice_id, journal, at=now, memo=reason)
                tx.save(
                    audit.entry(
                        tenant,
                        actor,
                        "billing.refunded_after_payout",
                        f"invoice {record.invoice_id}",
                        {"contract_id": contract_id, "minutes": step.minutes, "refund": step.refund},
                        at=now,
                    )
                )
        except Conflict:
            record = InvoiceRecord.find(record.pk, record.sk, consistent=True)
            continue
        # Committed: from here nothing may answer as if the refund had not been made (the operator
        # would make it again). Whatever fails now, Stripe's part is finished by the payout run
        # (and reported there if it keeps failing); the operator sees the refund pending.
        from chalicelib.web.observability import logger

        try:
            _tell(item, deps=deps)
            return carry_out(item, deps=deps)
        except PaymentsError as error:
            logger.warning(
                "refund after payout left pending", extra={"clawback": item.clawback_id, "error": str(error)}
            )
        except Exception:
            logger.exception("refund after payout left pending", extra={"clawback": item.clawback_id})
        return ClawbackRecord.find(item.pk, item.sk, consistent=True)
    raise Conflict("the invoice kept changing; try again", code="contended")


def _tell(item: ClawbackRecord, *, deps: Deps) -> None:
    from chalicelib.services.contracts import notices

    record = InvoiceRecord.find(*invoice_key(TenantId(item.tenant_id), BillingWeek.parse(item.week)))
    money = f"{format_amount(int(item.refund), item.currency)} {item.currency.upper()}"
    invoices.mail_owners(
        record,
        Subject.REFUND_FOR_WEEK.line(week=BillingWeek.parse(item.week)),
        f"We are refunding {money} for {int(item.minutes)} minutes of week {item.week}: {item.reason}.",
        deps=deps,
    )
    contract = ContractRecord.find(*contract_key(TenantId(item.tenant_id), item.contract_id))
    if contract is not None and contract.agent_email:
        taken = f"{format_amount(int(item.reversal), item.currency)} {item.currency.upper()}"
        deps.mailer.send(
            Mail(
                to=contract.agent_email,
                subject=Subject.MINUTES_REFUNDED.line(
                    minutes=int(item.minutes), week=BillingWeek.parse(item.week)
                ),
                text=(
                    f"After a complaint from the business, deskhire refunded {int(item.minutes)} "
                    f"minutes of week {item.week} ({item.reason}). {taken} of what you were paid is taken "
                    "back from your Stripe balance, or from your next payouts if it cannot cover it.\n\n"
                    + notices.quoted(contract)
                    + "\n"
                ),
            ),
            now=deps.now(),
        )


def _invoice_of(item: ClawbackRecord) -> InvoiceRecord:
    return InvoiceRecord.find(
        *invoice_key(TenantId(item.tenant_id), BillingWeek.parse(item.week)), consistent=True
    )


def carry_out(item: ClawbackRecord, *, deps: Deps) -> ClawbackRecord:
    """Stripe's part of a clawback: the refund, then the reversal. Safe to run again."""
    if item.status != "pending":
        return item
    record = _invoice_of(item)
    if not item.stripe_refund_id:
        _send_refund(item, record, deps=deps)
    _reverse(item, record, deps=deps)
    return ClawbackRecord.find(item.pk, item.sk, consistent=True)


def _send_refund(item: ClawbackRecord, record: InvoiceRecord, *, deps: Deps) -> None:
    existing = next(
        (
            r
            for r in deps.payments.refunds_of(record.stripe_charge_id)
            if (r.get("metadata") or {}).get("deskhire_refund") == item.clawback_id
        ),
        None,
    )
    made = existing or deps.payments.create_refund(
        item.clawback_id, charge=record.stripe_charge_id, amount=int(item.refund), reason=item.reason
    )
    tenant = TenantId(item.tenant_id)
    with transaction() as tx:
        tx.update(
            item,
            actions=[ClawbackRecord.stripe_refund_id.set(made["id"])],
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
            at=deps.now(),
        )
    item.stripe_refund_id = made["id"]


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
        if reversal_id in (item.booked or []):
            continue  # counted already (in `left`)
        existing = next(
            (
                r
                for r in deps.payments.reversals_of(transfer.stripe_transfer_id)
                if (r.get("metadata") or {}).get("deskhire_reversal") == reversal_id
            ),
            None,
        )
        if existing is None:
            try:
                existing = deps.payments.create_reversal(
                    reversal_id, transfer=transfer.stripe_transfer_id, amount=part
                )
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
    until = deps.payments.funds_pending_until(transfer.stripe_transfer_id)
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


@dataclass(frozen=True)
class Owing:
    agent_id: str
    name: str
    owed: dict[str, int]


def agents_owing(actor: Principal) -> list[Owing]:
    """Agents who owe a reversal their balance could not cover, for the operators: their next
    transfers recover it; one who never earns again needs a person."""
    from chalicelib.store.billing import PayoutAccount, owing_index
    from chalicelib.store.identity import AgentRecord

    _operator(actor)
    found = []
    for shard in range(SHARDS):
        for account in PayoutAccount.gsi2.query(owing_index(shard)):
            if isinstance(account, PayoutAccount) and account.owed:
                agent = AgentRecord.find(keys.agent_pk(AgentId(account.gsi2sk)), "AGENT")
                name = agent.name if agent else account.gsi2sk
                found.append(Owing(account.gsi2sk, name, {c: int(v) for c, v in account.owed.items()}))
    return sorted(found, key=lambda o: o.name)


def pending(shard: int) -> list[ClawbackRecord]:
    return [
        c for c in ClawbackRecord.gsi2.query(pending_clawbacks_index(shard)) if isinstance(c, ClawbackRecord)
    ]


def find(tenant_id: str, invoice_id: str, clawback_sk: str) -> ClawbackRecord | None:
    return ClawbackRecord.find(
        invoice_partition(TenantId(tenant_id), invoice_id), clawback_sk, consistent=True
    )


def of_invoice(record: InvoiceRecord) -> list[ClawbackRecord]:
    tenant = TenantId(record.pk.removeprefix(keys.TENANT_PREFIX))
    return [
        c
        for c in ClawbackRecord.query(
            invoice_partition(tenant, record.invoice_id), ClawbackRecord.sk.startswith("CLAWBACK#")
        )
        if isinstance(c, ClawbackRecord)
    ]


def paid_out_invoices(actor: Principal, tenant: TenantId, *, weeks: int = 8) -> list[dict]:
    """A business's recent paid-out weekly invoices, for the operator's page: each with its lines'
    refundable minutes and the refunds after payout made so far."""
    _operator(actor)
    found = []
    for record in InvoiceRecord.query(
        keys.tenant_pk(tenant),
        InvoiceRecord.sk.between("INVOICE#0", "INVOICE#9~"),
        scan_index_forward=False,
        limit=weeks,
    ):
        if isinstance(record, InvoiceRecord) and record.settled_at:
            found.append(
                {"invoice": record, "lines": paid_out_lines(record), "clawbacks": of_invoice(record)}
            )
    return found
