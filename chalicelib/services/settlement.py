"""Settling a paid invoice: refunds to the business for minutes upheld in disputes, transfers to
the agents for payable minutes less their fee, and the platform's revenue, booked in the ledger.

The target split comes from `domain.billing.settle` on the minutes as they stand; a run moves only
the difference between the target and what has moved already (kept on the invoice), so running it
twice moves nothing more, and a run after a late dispute ending moves just what it changed.

Each movement is written first as an intent (a transfer or refund item, with the ledger postings
that commit the money) and then carried out at Stripe with a key made from that item's id; a crash
between the two is finished by the next run, which finds the object at Stripe (by the key, or after
the key window by its metadata: a transfer among those to its destination, a refund on the charge)
before creating it. A transfer never leaves before the invoice is paid, always names the invoice's
charge as `source_transaction` and no group of its own (Stripe files it under the charge's transfer
group, which is kept on the transfer's record as Stripe reports it), and goes only to an agent whose account has
transfers active and payouts enabled; the others wait for a later run (PROMISES P5-P7)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from chalicelib.composition import Deps
from chalicelib.domain import billing as rules
from chalicelib.domain import clawbacks as clawback_rules
from chalicelib.domain import ledger
from chalicelib.domain.errors import Conflict
from chalicelib.domain.money import format_amount
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.mail import Subject
from chalicelib.payments.gateway import PaymentsError, PaymentsUnavailable
from chalicelib.services import payouts
from chalicelib.services.invoicing import invoices, labour_metrics, planning
from chalicelib.services.metrics import recording
from chalicelib.store import keys, platform_metrics
from chalicelib.store import ledger as ledger_store
from chalicelib.store.billing import (
    InvoiceRecord,
    RefundRecord,
    TransferRecord,
    agent_transfers_index,
    invoice_partition,
    list_owing,
    refund_key,
    transfer_key,
    waiting_index,
)
from chalicelib.store.contracts import TimesheetRecord, shard_of, stamp, timesheet_key
from chalicelib.store.identity import AgentRecord
from chalicelib.store.transactions import transaction


@dataclass
class Outcome:
    refunded: int = 0
    committed: int = 0
    sent: int = 0
    waiting: int = 0
    settled: bool = False


def _tenant(record: InvoiceRecord) -> TenantId:
    return TenantId(record.pk.removeprefix(keys.TENANT_PREFIX))


def _tiers(record: InvoiceRecord, *, deps: Deps) -> InvoiceRecord:
    """Each agent's fee tier is fixed at the invoice's first settlement: a block draws down for
    months, and a fee recomputed at another tier could take back more than a week adds."""
    if record.agent_tiers:
        return record
    agents = {line.agent_id for line in invoices.plan_of(record).lines if line.agent_id}
    tiers = {}
    for agent_id in sorted(agents):
        agent = AgentRecord.find(keys.agent_pk(AgentId(agent_id)), "AGENT", consistent=True)
        tiers[agent_id] = int(agent.tier or 1) if agent else 1
    record.agent_tiers = tiers
    with contextlib.suppress(Conflict):  # a racing run fixed them first: read them back
        record.save_checked()
    return record.reloaded()


def target(record: InvoiceRecord, *, deps: Deps) -> rules.Settlement:
    if record.invoice_kind == "block":
        return _block_target(record, deps=deps)[0]
    tenant = _tenant(record)
    week = BillingWeek.parse(record.week)
    from chalicelib.services import timesheets

    for line in rules_lines(record):
        timesheets.close(tenant, line.contract, week, now=deps.now())  # the review is over by now
    weeks = {w.contract_id: w for w in planning.worked_weeks(tenant, week)}
    return rules.settle(
        invoices.plan_of(record), weeks, tiers=dict(record.agent_tiers), fees=invoices.fees_of(record)
    )


def _block_target(record: InvoiceRecord, *, deps: Deps) -> tuple[rules.Settlement, str | None]:
    """A block draws down the payable minutes of every week whose payout day has come; minutes
    still disputed are held; once the contract has ended, its last week is paid out and no dispute
    is open, the rest is refunded. With it, the latest week whose minutes are drawn: a draw-down's
    transfer is listed under the week it pays for, not the week the block was bought."""
    from chalicelib.services import timesheets
    from chalicelib.services.contracts import records

    tenant, now = _tenant(record), deps.now()
    contract_id = record.require_contract_id()
    contract = records.load_for_system(tenant, contract_id)
    periods = records.periods_of(contract).periods
    week = BillingWeek.containing(periods[0].start)
    last = BillingWeek.containing(now)
    drawn = disputed = 0
    paid_week: str | None = None
    last_worked = week
    while week <= last:
        if invoices.payout_due(week) <= now:
            timesheets.close(tenant, contract_id, week, now=now)
            sheet = TimesheetRecord.find(*timesheet_key(tenant, contract_id, week), consistent=True)
            minutes = timesheets.minutes_of(sheet)
            drawn += minutes.payable
            disputed += minutes.disputed
            if minutes.payable:
                paid_week = str(week)
        week = week.next()
    ended = records.status_of(contract, now).value == "ended"
    if ended:
        stop = max((p.end for p in periods if p.end), default=contract.ends_at or now)
        last_worked = BillingWeek.containing(stop)
    finished = ended and invoices.payout_due(last_worked) <= now
    # a contract may have several blocks (services/blocks/): each carries its own part of the
    # minutes, from where it starts (0 for the first, the minutes bought before it for the others)
    split = rules.settle_block_part(
        invoices.plan_of(record),
        offset=int(record.block_offset or 0),
        drawn=drawn,
        disputed=disputed,
        finished=finished,
        tier=int((record.agent_tiers or {}).get(contract.agent_id, 1)),
        fees=invoices.fees_of(record),
    )
    return split, paid_week


def rules_lines(record: InvoiceRecord) -> list[rules.Line]:
    return [line for line in invoices.plan_of(record).lines if line.kind == "hours"]


def settle_invoice(record: InvoiceRecord, *, deps: Deps) -> Outcome:
    """Move what is owed for one paid invoice whose payout day has come."""
    outcome = Outcome()
    if record.status != rules.InvoiceStatus.PAID or not record.stripe_charge_id:
        return outcome  # P6: nothing leaves before the invoice is paid and its charge known
    if record.invoice_kind != "block" and deps.now() < invoices.payout_due(BillingWeek.parse(record.week)):
        return outcome
    if record.earnings_pending:  # its finalisation stopped before counting every agent
        record = labour_metrics.finish(record)
    record = _tiers(record, deps=deps)
    if record.invoice_kind == "block":
        split, paid_week = _block_target(record, deps=deps)
    else:
        split, paid_week = target(record, deps=deps), record.week
    record = _commit_invoice_part(record, split, deps=deps)
    for share in split.shares:
        record = _commit_share(record, share, week=paid_week or record.week, deps=deps, outcome=outcome)
    _send_refunds(record, deps=deps, outcome=outcome)
    _send_transfers(record, deps=deps, outcome=outcome)
    _mark_settled_if_done(record, split, deps=deps, outcome=outcome)
    return outcome


def _commit_invoice_part(record: InvoiceRecord, split: rules.Settlement, *, deps: Deps) -> InvoiceRecord:
    """The refund and the client fee the target adds: an intent (a refund item) and the ledger, in
    one transaction under the invoice's version, with the agents' lines refunded off the labour
    cost and their earnings, a chunk of agents a transaction (labour_metrics.refunded_now)."""
    refused = 0
    while refused < 4:
        tenant, now = _tenant(record), deps.now()
        held = f"held:{record.invoice_id}"
        refund_delta = split.refunds - int(record.refunded or 0)
        fee_delta = split.client_fee_kept - int(record.fee_kept or 0)
        labour_delta = labour_metrics.refunded_now(record, split)  # and kept on the invoice
        if refund_delta <= 0 and fee_delta == 0 and not labour_delta:
            return record
        journals = []
        if fee_delta > 0:
            journals.append(
                ledger.move("client_fee.earned", record.currency, fee_delta, debit=held, credit="revenue")
            )
        elif fee_delta < 0:  # never by the rules (settle only grows it); kept honest if it happens
            journals.append(
                ledger.move("client_fee.returned", record.currency, -fee_delta, debit="revenue", credit=held)
            )
        refund = None
        if refund_delta > 0:
            seq = _next_refund_seq(record)
            refund = RefundRecord(
                *refund_key(tenant, record.invoice_id, seq),
                refund_id=f"{record.invoice_id}-refund-{seq}",
                invoice_id=record.invoice_id,
                amount=refund_delta,
                currency=record.currency,
                reason="minutes upheld in a dispute"
                if record.invoice_kind != "block"
                else "the block's unused minutes",
                created_at=now,
            )
            record.refunded = split.refunds
        record.fee_kept = split.client_fee_kept
        try:
            with transaction(conflict_message="the invoice changed meanwhile") as tx:
                tx.save(record)
                if refund is not None:
                    tx.save(refund, condition=RefundRecord.pk.does_not_exist())
                for journal in journals:
                    ledger_store.add(tx, tenant, record.invoice_id, journal, at=now)
                platform_metrics.revenue_booked(tx, record.invoice_id, journals, at=now)
                # the agents' lines refunded come off the labour cost and their earnings
                monday = BillingWeek.parse(record.week).starts_at.date()
                recording.labour_refunded(tx, tenant, monday, record.currency, labour_delta)
        except Conflict:
            refused += 1
        record = record.reloaded()
    raise Conflict("the invoice kept changing while it was settled; run the payouts again", code="contended")


def _commit_share(
    record: InvoiceRecord, share: rules.AgentShare, *, week: str, deps: Deps, outcome: Outcome
) -> InvoiceRecord:
    """One agent's addition to what they are owed: a transfer intent and its ledger postings, in a
    transaction of its own (so a business with many agents stays within DynamoDB's 100 writes).
    `week`: the week whose minutes it pays (a block's draw-down: the latest week drawn)."""
    for _attempt in range(4):
        tenant, now = _tenant(record), deps.now()
        moved = dict(record.transferred or {})
        before = moved.get(share.agent_id) or {"gross": 0, "fee": 0, "net": 0, "count": 0}
        gross, fee = share.gross - before["gross"], share.fee - before["fee"]
        net = gross - fee
        if gross <= 0:
            return record  # nothing new (a smaller target would be a reversal: no path leads there)
        held = f"held:{record.invoice_id}"
        # what the agent owes back (a reversal their balance could not cover) is kept back from
        # this transfer, in the same transaction that lowers what they owe
        account = payouts.account_of(AgentId(share.agent_id))
        owed = dict(account.owed or {})
        recovered = clawback_rules.recover(int(owed.get(record.currency, 0)), net)
        sent = net - recovered
        seq = int(before["count"]) + (1 if sent > 0 else 0)
        moved[share.agent_id] = {"gross": share.gross, "fee": share.fee, "net": share.net, "count": seq}
        record.transferred = moved
        record.agent_fees = sum(v["fee"] for v in moved.values())
        transfer = None
        if sent > 0:
            transfer_id = f"{record.invoice_id}-{share.agent_id}-{seq}"
            transfer = TransferRecord(
                *transfer_key(tenant, record.invoice_id, share.agent_id, seq),
                transfer_id=transfer_id,
                invoice_id=record.invoice_id,
                tenant_id=tenant.value,
                agent_id=share.agent_id,
                week=week,
                business_name=record.business_name,
                gross=gross,
                fee=fee,
                amount=sent,
                recovered=recovered,
                currency=record.currency,
                status="waiting",
                source_charge=record.stripe_charge_id,
                created_at=now,
                gsi1pk=agent_transfers_index(AgentId(share.agent_id)),
                gsi1sk=f"{stamp(now)}#{transfer_id}",
                gsi2pk=waiting_index(shard_of(share.agent_id)),
                gsi2sk=f"{stamp(now)}#{transfer_id}",
            )
        # what deskhire holds for the invoice falls by the gross (a debit of the liability): the
        # agent is owed the net until the transfer leaves (less what they owed back), the platform
        # keeps the fee
        journal = ledger.Journal(
            "transfer.committed",
            (
                ledger.Posting(held, gross, record.currency),
                ledger.Posting(f"payable:{share.agent_id}", -sent, record.currency),
                ledger.Posting("revenue", -fee, record.currency),
                ledger.Posting(f"agent_receivable:{share.agent_id}", -recovered, record.currency),
            ),
        )
        if recovered:
            owed[record.currency] = int(owed[record.currency]) - recovered
            account.owed = {c: v for c, v in owed.items() if v}
            list_owing(account, share.agent_id)
        try:
            with transaction(conflict_message="the invoice changed meanwhile") as tx:
                tx.save(record)
                if recovered:
                    tx.save(account)  # under its version: two runs never recover the same debt
                if transfer is not None:
                    tx.save(transfer, condition=TransferRecord.pk.does_not_exist())
                ledger_store.add(tx, tenant, record.invoice_id, journal, at=now)
                platform_metrics.revenue_booked(tx, record.invoice_id, [journal], at=now)
        except Conflict:
            record = record.reloaded()
            continue
        outcome.committed += max(sent, 0)
        return record.reloaded()
    raise Conflict("the invoice kept changing while it was settled; run the payouts again", code="contended")


def _next_refund_seq(record: InvoiceRecord) -> int:
    tenant = _tenant(record)
    existing = [
        r
        for r in RefundRecord.query(
            invoice_partition(tenant, record.invoice_id), RefundRecord.sk.startswith("REFUND#")
        )
        if isinstance(r, RefundRecord)
    ]
    return len(existing) + 1


def _send_refunds(record: InvoiceRecord, *, deps: Deps, outcome: Outcome) -> None:
    tenant = _tenant(record)
    for refund in RefundRecord.query(
        invoice_partition(tenant, record.invoice_id),
        RefundRecord.sk.startswith("REFUND#"),
        consistent_read=True,
    ):
        if not isinstance(refund, RefundRecord) or refund.stripe_refund_id:
            continue
        # a refund whose answer was lost is found on the charge (by its id in the metadata)
        # before another is made: after Stripe's key window the key alone would not stop it
        existing = next(
            (
                r
                for r in deps.stripe.refunds_of(record.require_stripe_charge_id())
                if (r.get("metadata") or {}).get("deskhire_refund") == refund.refund_id
            ),
            None,
        )
        made = existing or deps.stripe.create_refund(
            refund.refund_id,
            charge=record.require_stripe_charge_id(),
            amount=int(refund.amount),
            reason=refund.reason,
        )
        now = deps.now()
        with transaction() as tx:
            tx.update(
                refund,
                actions=[RefundRecord.stripe_refund_id.set(made["id"])],
                condition=RefundRecord.stripe_refund_id.does_not_exist(),
                on_conflict=Conflict("the refund was recorded meanwhile", code="contended"),
            )
            ledger_store.add(
                tx,
                tenant,
                record.invoice_id,
                ledger.move(
                    "refund.sent",
                    record.currency,
                    int(refund.amount),
                    debit=f"held:{record.invoice_id}",
                    credit="stripe",
                ),
                at=now,
            )
        outcome.refunded += int(refund.amount)
        invoices.mail_owners(
            record,
            Subject.REFUND_FOR_WEEK.line(week=BillingWeek.parse(record.week)),
            f"We refunded {format_amount(int(refund.amount), record.currency)} {record.currency.upper()}"
            f" ({refund.reason}).",
            deps=deps,
        )


def transfers_of(record: InvoiceRecord) -> list[TransferRecord]:
    tenant = _tenant(record)
    return [
        t
        for t in TransferRecord.query(
            invoice_partition(tenant, record.invoice_id),
            TransferRecord.sk.startswith("TRANSFER#"),
            consistent_read=True,
        )
        if isinstance(t, TransferRecord)
    ]


def _send_transfers(record: InvoiceRecord, *, deps: Deps, outcome: Outcome) -> None:
    for transfer in transfers_of(record):
        if transfer.status == "waiting":
            sent = send_transfer(transfer, charge=record.require_stripe_charge_id(), deps=deps)
            if sent:
                outcome.sent += int(transfer.amount)
            else:
                outcome.waiting += int(transfer.amount)


def send_transfer(transfer: TransferRecord, *, charge: str, deps: Deps) -> bool:
    """Send one waiting transfer if the agent can receive it; False if it must wait."""
    account = payouts.account_of(AgentId(transfer.agent_id))
    if not payouts.can_receive(account):
        return False  # P7: it waits for the agent's payouts to be enabled
    gateway, destination = deps.stripe, account.require_account_id()
    # after Stripe's key window the key alone would not stop a second transfer: look for it among
    # the transfers to this account, by the id in its metadata (not by group: Stripe files a
    # transfer made with source_transaction under its charge's group)
    existing = gateway.find_transfer(transfer.transfer_id, destination=destination)
    try:
        made = existing or gateway.create_transfer(
            transfer.transfer_id,
            amount=int(transfer.amount),
            currency=transfer.currency,
            destination=destination,
            source_transaction=charge,
            description=f"deskhire {transfer.week}: {transfer.business_name}",
            tenant_id=transfer.tenant_id,
            invoice_id=transfer.invoice_id,
        )
    except PaymentsUnavailable:
        raise  # Stripe not reached: the run's next attempt sends it with the same key
    except PaymentsError as error:
        # Stripe refused it (the account lost its transfers capability, funds not there): it
        # waits, and the operators' payouts page says why and what to do (services/payout_issues.py)
        transfer.update(
            actions=[
                TransferRecord.failure.set(error.message[:500]),
                TransferRecord.failure_code.set(error.code),
                TransferRecord.failed_at.set(deps.now()),
            ],
            condition=TransferRecord.status == "waiting",
            add_version_condition=False,
        )
        from chalicelib.web.observability import logger

        logger.warning(
            "transfer refused by Stripe",
            extra={"transfer": transfer.transfer_id, "code": error.code, "alert": "transfer_refused"},
        )
        return False
    received = None
    if account.currency and account.currency != transfer.currency:
        received = gateway.destination_amount(made)
    now = deps.now()
    tenant = TenantId(transfer.tenant_id)
    actions = [
        TransferRecord.status.set("sent"),
        TransferRecord.stripe_transfer_id.set(made["id"]),
        TransferRecord.destination.set(destination),
        TransferRecord.transfer_group.set(made.get("transfer_group") or None),
        TransferRecord.sent_at.set(now),
        TransferRecord.failure.remove(),
        TransferRecord.failure_code.remove(),
        TransferRecord.failed_at.remove(),
        TransferRecord.gsi2pk.remove(),
        TransferRecord.gsi2sk.remove(),
    ]
    if received:
        actions += [
            TransferRecord.received_amount.set(received[0]),
            TransferRecord.received_currency.set(received[1]),
        ]
    try:
        with transaction() as tx:
            tx.update(
                transfer,
                actions=actions,
                condition=TransferRecord.status == "waiting",
                on_conflict=Conflict("the transfer was recorded meanwhile", code="contended"),
            )
            ledger_store.add(
                tx,
                tenant,
                transfer.invoice_id,
                ledger.move(
                    "transfer.sent",
                    transfer.currency,
                    int(transfer.amount),
                    debit=f"payable:{transfer.agent_id}",
                    credit="stripe",
                ),
                at=now,
            )
    except Conflict:
        return True  # sent and recorded by a run that raced this one
    return True


def _mark_settled_if_done(
    record: InvoiceRecord, split: rules.Settlement, *, deps: Deps, outcome: Outcome
) -> None:
    current = record.reloaded()
    waiting = [t for t in transfers_of(current) if t.status == "waiting"]
    if split.held == 0 and not waiting and not current.settled_at:
        current.settled_at = deps.now()
        current.gsi2pk = current.gsi2sk = None
        try:
            current.save_checked()
            outcome.settled = True
        except Conflict:
            pass


def waiting_transfer(tenant_id: str, invoice_id: str, transfer_id: str) -> TransferRecord | None:
    """A transfer's record from its ids (`<invoice>-<agent>-<n>`); None if they do not fit."""
    if not transfer_id.startswith(f"{invoice_id}-") or transfer_id.count("-") < 2:
        return None
    agent_id, seq = transfer_id.removeprefix(f"{invoice_id}-").rsplit("-", 1)
    return TransferRecord.find(
        *transfer_key(TenantId(tenant_id), invoice_id, agent_id, int(seq)), consistent=True
    )


def agent_transfers(agent: AgentId) -> list[TransferRecord]:
    return [
        t
        for t in TransferRecord.gsi1.query(agent_transfers_index(agent), scan_index_forward=False)
        if isinstance(t, TransferRecord)
    ]
