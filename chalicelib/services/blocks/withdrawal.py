"""Withdrawing a further block that is not paid: the business cancels it, or its contract ends
(explicitly, or by an end date that came); void at Stripe if its invoice is open, void here alone
while it is only planned, and no longer pending, so another may be bought."""

from __future__ import annotations

from chalicelib.composition import Deps
from chalicelib.domain import billing as billing_rules
from chalicelib.domain import blocks as rules
from chalicelib.domain.contracts import LIVE, Kind
from chalicelib.domain.errors import Conflict
from chalicelib.domain.identity import Principal
from chalicelib.domain.tenancy import TenantId
from chalicelib.services.blocks import hours
from chalicelib.services.contracts import records
from chalicelib.store.billing import InvoiceRecord, block_invoice_key
from chalicelib.store.contracts import ContractRecord, contract_key
from chalicelib.store.transactions import transaction


def cancel(actor: Principal, contract_id: str, number: str, *, deps: Deps) -> hours.Balance:
    """The business withdraws a further block that is not paid (a card that keeps failing, hours
    no longer needed): void at Stripe if its invoice is open, void here alone while it is only
    planned. It is then no longer pending, so another may be bought. Sent again, nothing more."""
    contract = hours.business_contract(actor, contract_id)
    rules.check_block_kind(Kind(contract.contract_kind))
    withdraw(contract, rules.block_number(number), actor=actor, deps=deps)
    current = contract.reloaded()
    return hours.Balance(current, hours.blocks_of(current))


def withdraw(contract: ContractRecord, number: int, *, actor: Principal, deps: Deps) -> InvoiceRecord | None:
    """Void block `number` of `contract` unless it is paid (see `cancel`); also used when the
    contract ends, so a block bought for hours that can no longer be logged is never charged."""
    from chalicelib.payments.gateway import PaymentsError, PaymentsUnavailable
    from chalicelib.services.invoicing import collection

    if number < 2:
        rules.how_to_cancel(number, "")  # refused: the first block comes with the contract
    tenant = hours.tenant_of(contract)
    record = InvoiceRecord.find(*block_invoice_key(tenant, contract.contract_id, number), consistent=True)
    if record is None:
        from chalicelib.domain.errors import NotFound

        raise NotFound("no such block")
    for _attempt in range(hours.ATTEMPTS):
        how = rules.how_to_cancel(number, record.status)
        if how is None:
            release_pending(record)  # a crash may have come between the void and the release
            return record
        now = deps.now()
        if how == "here":
            record.status = str(billing_rules.InvoiceStatus.VOID)
            record.gsi2pk = record.gsi2sk = None  # off the list advance-invoices carries on
            try:
                with transaction(conflict_message="the block changed meanwhile") as tx:
                    tx.save(record)  # under its version: a run drafting it meanwhile loses, or we do
                    tx.save(hours.audit_entry(contract, actor, "block.cancelled", {"block": number}, now))
            except Conflict:
                record = record.reloaded()
                continue
            release_pending(record)
            return record
        stripe_id = record.require_stripe_invoice_id()  # open: drafted at Stripe
        try:
            voided = deps.stripe.void_invoice(record.invoice_id, stripe_id)
        except PaymentsUnavailable:
            raise
        except PaymentsError:
            # Stripe refuses to void a paid invoice: paid meanwhile (its webhook may be late)
            current = deps.stripe.retrieve_invoice(stripe_id)
            if current.get("status") != "paid":
                raise
            collection.mark_paid(record, current, deps=deps)
            record = record.reloaded()
            continue
        record = collection.mark_closed_unpaid(record, voided, deps=deps)
        hours.audit_entry(contract, actor, "block.cancelled", {"block": number}, now).save()
        return record
    raise Conflict("the block kept changing; try again", code="contended")


def ended_unpaid(record: InvoiceRecord, *, deps: Deps) -> ContractRecord | None:
    """For a further block not paid yet: its contract, if it has ended (by an end date that came,
    rather than an explicit end, which withdraws the block at once). None otherwise, or for any
    other invoice (no read)."""
    if record.invoice_kind != "block" or hours.number_of(record) < 2 or record.status == "paid":
        return None
    contract = ContractRecord.find(
        *contract_key(TenantId(record.pk.removeprefix("T#")), record.require_contract_id()), consistent=True
    )
    if contract is None or records.status_of(contract, deps.now()) in LIVE:
        return None
    return contract


def withdraw_pending_at_end(contract: ContractRecord, *, deps: Deps) -> None:
    """The contract ended: the block still waiting for its payment is withdrawn (never charged
    for hours that can no longer be logged). One paid meanwhile is refunded by the payout run."""
    if contract.contract_kind != "block" or contract.block_pending is None:
        return
    try:
        withdraw(contract, int(contract.block_pending), actor=hours.SYSTEM, deps=deps)
    except Conflict:
        pass  # paid meanwhile, or being issued: the payout run refunds it in full once paid
    except Exception:  # Stripe out of reach must not undo the end itself: logged, refunded if paid
        from chalicelib.web.observability import logger

        logger.exception("block left pending at the contract's end", extra={"contract": contract.contract_id})


def release_pending(record: InvoiceRecord) -> None:
    """A further block voided (or written off) unpaid: it is no longer pending, so the business,
    or the top-up, may buy another. Its minutes were never added."""
    if record.invoice_kind != "block" or hours.number_of(record) < 2:
        return
    from pynamodb.exceptions import UpdateError

    from chalicelib.store.base import is_condition_failure

    tenant = TenantId(record.pk.removeprefix("T#"))
    contract = ContractRecord.find(*contract_key(tenant, record.require_contract_id()), consistent=True)
    if (
        contract is None
        or contract.block_pending is None
        or int(contract.block_pending) != hours.number_of(record)
    ):
        return
    try:
        contract.update(
            actions=[ContractRecord.block_pending.remove()],
            condition=ContractRecord.block_pending == hours.number_of(record),
            add_version_condition=False,
        )
    except UpdateError as error:
        if not is_condition_failure(error):
            raise
