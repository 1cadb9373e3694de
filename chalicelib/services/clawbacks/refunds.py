"""An operator refunds after payout: minutes of a contract's paid-out week, after a complaint the
operator upheld (domain/clawbacks.py has the arithmetic). Like every movement of money here, it is
an intent first and Stripe's part second:

1. one transaction: the invoice's running totals (under its version), the clawback item, and the
   ledger journal committing it (the platform returns its fees, the agent's net becomes due back,
   the refund becomes owed to the business), with the fees returned taken off the platform's
   revenue of the day (store/platform_metrics.py), and the line's part refunded off the
   business's labour cost and the agent's earnings of the week it bills (metrics/recording.py):
   a retry that the transaction refuses, or a request sent again (answered with the refund
   made), counts nothing more;
2. Stripe's part, the refund and the reversal (recovery.py), at once; a crash anywhere leaves the
   clawback pending on an index, and the daily payout run finishes it."""

from __future__ import annotations

from chalicelib.composition import Deps
from chalicelib.domain import billing as billing_rules
from chalicelib.domain import clawbacks as rules
from chalicelib.domain import ledger
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.identity import Principal
from chalicelib.domain.money import format_amount
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek, week_words
from chalicelib.mail import Mail, Subject
from chalicelib.payments.gateway import PaymentsError
from chalicelib.services import settlement
from chalicelib.services.clawbacks import overview, recovery
from chalicelib.services.invoicing import invoices, planning
from chalicelib.services.metrics import recording
from chalicelib.store import audit, keys, platform_metrics
from chalicelib.store import ledger as ledger_store
from chalicelib.store.billing import (
    ClawbackRecord,
    InvoiceRecord,
    clawback_key,
    invoice_key,
    pending_clawbacks_index,
)
from chalicelib.store.contracts import ContractRecord, contract_key, shard_of, stamp
from chalicelib.store.transactions import transaction


def _invoice(tenant_id: str, week: str) -> tuple[TenantId, InvoiceRecord]:
    try:
        tenant, billing_week = TenantId(tenant_id), BillingWeek.parse(week)
    except ValueError:
        raise NotFound("no such invoice") from None
    record = InvoiceRecord.find(*invoice_key(tenant, billing_week), consistent=True)
    if record is None:
        raise NotFound("no such invoice")
    return tenant, record


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
    overview.require_operator(actor)
    reason = rules.check_reason(reason)
    tenant, record = _invoice(tenant_id, week)
    for _attempt in range(4):
        made = rules.refund_to_make(number, made=int(record.clawbacks or 0))
        if made is not None:  # made already: answer it
            # written in the transaction that counted it
            existing = ClawbackRecord.load(*clawback_key(tenant, record.invoice_id, made))
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
            gsi2pk=pending_clawbacks_index(shard_of(tenant.value) % recovery.SHARDS),
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
                # the fees given back come off the platform's revenue today (marketplace health)
                platform_metrics.revenue_booked(tx, record.invoice_id, [journal], at=now)
                # the line's part off the labour cost and the agent's earnings, where the invoice
                # counted them: the Monday of the week it bills
                recording.labour_refunded(
                    tx,
                    tenant,
                    BillingWeek.parse(record.week).starts_at.date(),
                    record.currency,
                    {line.agent: step.gross},
                )
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
            record = record.reloaded()
            continue
        # Committed: from here nothing may answer as if the refund had not been made (the operator
        # would make it again). Whatever fails now, Stripe's part is finished by the payout run
        # (and reported there if it keeps failing); the operator sees the refund pending.
        from chalicelib.web.observability import logger

        try:
            _tell(item, deps=deps)
            return recovery.carry_out(item, deps=deps)
        except PaymentsError as error:
            logger.warning(
                "refund after payout left pending", extra={"clawback": item.clawback_id, "error": str(error)}
            )
        except Exception:
            logger.exception("refund after payout left pending", extra={"clawback": item.clawback_id})
        return item.reloaded()
    raise Conflict("the invoice kept changing; try again", code="contended")


def _tell(item: ClawbackRecord, *, deps: Deps) -> None:
    from chalicelib.services.contracts import notices

    record = InvoiceRecord.load(*invoice_key(TenantId(item.tenant_id), BillingWeek.parse(item.week)))
    money = f"{format_amount(int(item.refund), item.currency)} {item.currency.upper()}"
    invoices.mail_owners(
        record,
        Subject.REFUND_FOR_WEEK.line(week=BillingWeek.parse(item.week)),
        f"We are refunding {money} for {int(item.minutes)} minutes of {week_words(BillingWeek.parse(item.week))}: "
        f"{item.reason}.",
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
                    f"After a complaint from the business, deskhire refunded {int(item.minutes)} minutes "
                    f"of {week_words(BillingWeek.parse(item.week))}: {item.reason}. {taken} of what you were paid is taken "
                    "back from your Stripe balance, or from your next payouts if it cannot cover it.\n\n"
                    + notices.quoted(contract)
                    + "\n"
                ),
            ),
            now=deps.now(),
        )
