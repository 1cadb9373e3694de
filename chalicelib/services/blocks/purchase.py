"""Buying a further block: the business buys one ("Buy more hours"), sets the automatic top-up, or
an entry that leaves the balance under the top-up's threshold buys one inside its own diary write.

A further block's invoice is created under `attribute_not_exists` in one transaction with the
contract's counter (`blocks_bought`) and pending mark (`block_pending`), the contract under its
version: two requests or two entries racing for the same block make one invoice, and a request
naming its block (the portal's form does) answers that block when it comes again. It is carried to
Stripe and collected as the first block is (`invoicing.drafting.advance`, the Stripe keys made
from the invoice's id)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from chalicelib.composition import Deps
from chalicelib.domain import billing as billing_rules
from chalicelib.domain import blocks as rules
from chalicelib.domain.contracts import Kind
from chalicelib.domain.errors import Conflict
from chalicelib.domain.identity import Principal
from chalicelib.domain.time import BillingWeek
from chalicelib.ids import new_id
from chalicelib.services.blocks import hours
from chalicelib.services.contracts import records
from chalicelib.store.billing import SETTLE_SHARDS, InvoiceRecord, block_invoice_key
from chalicelib.store.contracts import ContractRecord, shard_of, stamp
from chalicelib.store.identity import AuditRecord
from chalicelib.store.transactions import transaction


def new_block(
    contract: ContractRecord,
    *,
    number: int,
    minutes: int,
    now: datetime,
    collection: str = "charge_automatically",
) -> InvoiceRecord:
    """A further block's invoice, planned (nothing at Stripe yet), listed for `advance-invoices`."""
    from chalicelib.services.invoicing import planning

    schedule = planning.fees()
    plan = billing_rules.plan_further_block(
        number=number,
        contract_id=contract.contract_id,
        agent_id=contract.agent_id,
        title=contract.title,
        agent_name=contract.agent_name,
        minutes=minutes,
        rate_minor=int(contract.rate_minor),
        currency=contract.currency,
        fees=schedule,
    )
    tenant = hours.tenant_of(contract)
    return InvoiceRecord(
        *block_invoice_key(tenant, contract.contract_id, number),
        invoice_id=new_id(),
        invoice_kind="block",
        contract_id=contract.contract_id,
        block_number=number,
        week=str(BillingWeek.containing(now)),
        business_name=contract.business_name,
        status=str(billing_rules.InvoiceStatus.PLANNED),
        currency=plan.currency,
        lines=[line.to_json() for line in plan.lines],
        subtotal=plan.subtotal,
        client_fee=plan.client_fee,
        total=plan.total,
        # the draft adopts Stripe's collection method (from the business's account) in any case
        collection=collection,
        fee_schedule=schedule.to_json(),
        created_at=now,
        gsi2pk=planning.unbilled_index(shard_of(tenant.value) % SETTLE_SHARDS),
        gsi2sk=stamp(now),
    )


def ordered(number: int) -> list:
    """The contract's side of ordering block `number`: counted, and pending until paid."""
    return [ContractRecord.blocks_bought.set(number), ContractRecord.block_pending.set(number)]


def next_number(contract: ContractRecord) -> int:
    return int(contract.blocks_bought or 1) + 1


def _pending_minutes(contract: ContractRecord) -> int | None:
    if contract.block_pending is None:
        return None
    pending = InvoiceRecord.find(
        *block_invoice_key(hours.tenant_of(contract), contract.contract_id, int(contract.block_pending)),
        consistent=True,
    )
    return hours.minutes_of(pending) if pending else None


def buy(
    actor: Principal, contract_id: str, *, minutes: int | None, number: int | None = None, deps: Deps
) -> hours.Balance:
    """The business buys another block: its invoice is created once and collected now, as the
    first block is when the agent accepts. Its minutes may be logged when it is paid.

    `number` names the block the buyer means (the portal's form sends the one it showed): sent
    again, the request answers that block rather than buying another, however late it comes."""
    from chalicelib.payments.gateway import PaymentsUnavailable
    from chalicelib.services.billing_accounts import account_of
    from chalicelib.services.invoicing import drafting

    contract = hours.business_contract(actor, contract_id)
    tenant = hours.tenant_of(contract)
    rules.check_block_kind(Kind(contract.contract_kind))
    size = rules.check_block_size(minutes)
    for _attempt in range(hours.ATTEMPTS):
        now = deps.now()
        target = rules.block_to_buy(number, bought=int(contract.blocks_bought or 1))
        if target is None:  # bought already: answer it
            named = cast(int, number)  # block_to_buy answers None only for a block the request names
            bought = InvoiceRecord.find(*block_invoice_key(tenant, contract_id, named), consistent=True)
            rules.check_same_block(named, asked=size, bought=hours.minutes_of(bought) if bought else 0)
            return hours.Balance(contract, hours.blocks_of(contract))
        rules.check_can_buy(
            Kind(contract.contract_kind),
            records.status_of(contract, now),
            pending=contract.block_pending,
            pending_minutes=_pending_minutes(contract),
        )
        record = new_block(
            contract, number=target, minutes=size, now=now, collection=account_of(tenant).collection
        )
        try:
            with transaction(conflict_message="the contract changed meanwhile") as tx:
                tx.save(record, condition=InvoiceRecord.pk.does_not_exist())
                tx.update(contract, actions=ordered(target))
                tx.save(
                    hours.audit_entry(
                        contract, actor, "block.bought", {"block": target, "minutes": size}, now
                    )
                )
        except Conflict:
            # a second click, or time logged meanwhile: read again (a block now pending says so)
            contract = contract.reloaded()
            continue
        break
    else:
        raise Conflict("the contract kept changing; try again", code="contended")
    try:
        drafting.advance(record, deps=deps)
    except PaymentsUnavailable:
        # the invoice is there (planned or part way): advance-invoices carries it on within the hour
        from chalicelib.web.observability import logger

        logger.warning("block invoice left for advance-invoices: Stripe unavailable")
    current = contract.reloaded()
    return hours.Balance(current, hours.blocks_of(current))


def set_top_up(
    actor: Principal,
    contract_id: str,
    *,
    enabled: bool,
    threshold_minutes: int | None,
    block_minutes: int | None,
    deps: Deps,
) -> hours.Balance:
    """Turn the automatic top-up on (the threshold and the block's size) or off."""
    contract = hours.business_contract(actor, contract_id)
    setting = None
    for _attempt in range(hours.ATTEMPTS):
        now = deps.now()
        rules.check_block_contract(
            Kind(contract.contract_kind), records.status_of(contract, now), field="threshold_minutes"
        )
        setting = setting or rules.top_up(threshold_minutes, block_minutes, enabled=enabled)
        action = ContractRecord.top_up.set(setting.to_json()) if setting else ContractRecord.top_up.remove()
        try:
            with transaction(conflict_message="the contract changed meanwhile") as tx:
                tx.update(contract, actions=[action])
                tx.save(
                    hours.audit_entry(
                        contract,
                        actor,
                        "block.top_up_set",
                        setting.to_json() if setting else {"top_up": "off"},
                        now,
                    )
                )
        except Conflict:
            contract = contract.reloaded()
            continue
        break
    else:
        raise Conflict("the contract kept changing; try again", code="contended")
    current = contract.reloaded()
    return hours.Balance(current, hours.blocks_of(current))


@dataclass(frozen=True)
class TopUpOrder:
    """What a diary write adds to its own transaction when it sets off a top-up."""

    invoice: InvoiceRecord
    contract_actions: list
    audit: AuditRecord


def top_up_order(contract: ContractRecord, *, adding: int, now: datetime) -> TopUpOrder | None:
    """The block an entry of `adding` minutes buys, if it leaves the balance under the threshold.
    No request of its own: the diary writes the invoice, the counter and the pending mark in the
    entry's transaction, under the contract's version, so two entries cannot both buy one."""
    setting = rules.TopUp.from_json(contract.top_up)
    remaining = int(contract.block_minutes or 0) - int(contract.used_minutes or 0) - adding
    if setting is None or not rules.top_up_due(
        setting,
        status=records.status_of(contract, now),
        remaining_after=remaining,
        adding=adding,
        pending=contract.block_pending,
    ):
        return None
    number = next_number(contract)
    # The Stripe part is left to `advance-invoices` (hourly; it carries every planned invoice on):
    # the agent's entry must not wait on, or fail with, the business's card. A block bought by
    # hand or on acceptance is collected at once, as the business is there to see the answer.
    return TopUpOrder(
        invoice=new_block(contract, number=number, minutes=setting.block_minutes, now=now),
        contract_actions=ordered(number),
        audit=hours.audit_entry(
            contract,
            hours.SYSTEM,
            "block.top_up",
            {"block": number, "minutes": setting.block_minutes, "remaining": max(remaining, 0)},
            now,
        ),
    )
