"""A further block's minutes may be logged only once it is paid: `invoicing.collection.mark_paid`
adds them to the contract's `block_minutes` in the transaction that marks the invoice paid, keeping
on the invoice the minutes bought before it (`block_offset`), so it happens once; a void or unpaid
block adds nothing. Settlement draws a contract's blocks in that order
(`domain.billing.draw_block`)."""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.expressions.update import Action

from chalicelib.composition import Deps
from chalicelib.domain.contracts import LIVE
from chalicelib.domain.tenancy import TenantId
from chalicelib.mail import Mail, Subject
from chalicelib.services.blocks import hours
from chalicelib.services.contracts import notices, records
from chalicelib.store.billing import InvoiceRecord
from chalicelib.store.contracts import ContractRecord, contract_key


@dataclass(frozen=True)
class Grant:
    """A further block's minutes, added to its contract in the transaction that marks it paid."""

    contract: ContractRecord
    offset: int
    minutes: int
    actions: list[Action]
    condition: object


def grant_on_payment(record: InvoiceRecord) -> Grant | None:
    """For a further block about to be marked paid: the contract's update (its minutes added after
    every minute bought before, its pending mark cleared) and the offset to keep on the invoice.
    The condition is on the minutes read, not the version, so the agent's entries (which change
    the version) do not make the payment retry; the invoice's own version makes it happen once."""
    if record.invoice_kind != "block" or hours.number_of(record) < 2 or record.block_offset is not None:
        return None
    tenant = TenantId(record.pk.removeprefix("T#"))
    contract = ContractRecord.find(*contract_key(tenant, record.require_contract_id()), consistent=True)
    if contract is None:
        return None
    offset, minutes = int(contract.block_minutes or 0), hours.minutes_of(record)
    actions: list[Action] = [
        ContractRecord.block_minutes.add(minutes),
        ContractRecord.added_minutes.add(minutes),
    ]
    condition = ContractRecord.block_minutes == offset
    if contract.block_pending is not None and int(contract.block_pending) == hours.number_of(record):
        actions.append(ContractRecord.block_pending.remove())
        condition &= ContractRecord.block_pending == hours.number_of(record)
    return Grant(contract, offset, minutes, actions, condition)


def tell_agent(record: InvoiceRecord, grant: Grant, *, deps: Deps) -> None:
    from chalicelib.domain.diary import hours_and_minutes

    contract = grant.contract
    if records.status_of(contract, deps.now()) not in LIVE:
        return  # paid after the contract ended: refunded in full by the payout run, nothing to log
    left = grant.offset + grant.minutes - int(contract.used_minutes or 0)
    deps.mailer.send(
        Mail(
            to=contract.agent_email,
            subject=Subject.BLOCK_TOPPED_UP,
            text=f"The business bought {hours_and_minutes(grant.minutes)} more on a block contract: "
            f"{hours_and_minutes(max(left, 0))} left to log.\n\n"
            + notices.quoted(contract)
            + f"\n\n{deps.link('/agent/contracts/' + contract.contract_id)}\n",
        ),
        now=deps.now(),
    )
