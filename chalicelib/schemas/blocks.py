"""Models of the routes of a block contract's hours: the balance, further blocks, the top-up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast

from pydantic import Field

from chalicelib.schemas import contracts
from chalicelib.schemas.base import Command, View
from chalicelib.schemas.marketplace import MoneyView

if TYPE_CHECKING:
    from chalicelib.services.blocks.hours import Balance
    from chalicelib.store.billing import InvoiceRecord

# A stored state becomes the view's Literal through a cast; pydantic checks it when the view is made.
InvoiceStatus = Literal["planned", "drafted", "itemized", "open", "paid", "void", "uncollectible"]


class BlockBody(Command):
    block_minutes: int = Field(description="another block: 60 (1 hour) to 120000 (2,000 hours)")
    number: int | None = Field(
        default=None,
        description="the block you mean to buy (2, 3, ...): sent again, the request answers that "
        "block instead of buying another; left out, the next block is bought",
    )


class TopUpBody(Command):
    enabled: bool = Field(description="false turns the automatic top-up off")
    threshold_minutes: int | None = Field(
        default=None, description="buy a block when an entry leaves fewer minutes than this"
    )
    block_minutes: int | None = Field(default=None, description="the block it buys: 60 to 120000")


class BlockView(View):
    number: int = Field(description="1 the block the contract started with, then 2, 3, ...")
    minutes: int
    invoice_id: str
    status: InvoiceStatus
    total: MoneyView = Field(description="the block's line and the service fee")
    starts_at_minute: int | None = Field(
        description="where its minutes start in the contract's balance, once paid (0 for the first)"
    )
    hosted_url: str | None = Field(description="Stripe's page to pay it")
    last_failure: str | None = Field(description="why the last charge failed")


class TopUpView(View):
    threshold_minutes: int
    block_minutes: int


class BlockBalanceView(View):
    contract_id: str
    block_minutes: int = Field(description="minutes that may be logged: the first block and every block paid")
    used_minutes: int
    remaining_minutes: int
    pending: BlockView | None = Field(description="a block bought and waiting for its payment")
    top_up: TopUpView | None = Field(description="the automatic top-up; null: off")
    blocks: list[BlockView]


def block_view(record: InvoiceRecord) -> BlockView:
    from chalicelib.services.blocks import hours

    number = hours.number_of(record)
    return BlockView(
        number=number,
        minutes=hours.minutes_of(record),
        invoice_id=record.invoice_id,
        status=cast(InvoiceStatus, record.status),
        total=contracts.money_view(record.total, record.currency),
        starts_at_minute=0
        if number == 1
        else (int(record.block_offset) if record.block_offset is not None else None),
        hosted_url=record.hosted_url,
        last_failure=record.last_failure,
    )


def block_balance_view(balance: Balance) -> BlockBalanceView:
    pending = balance.pending
    top_up = balance.top_up
    return BlockBalanceView(
        contract_id=balance.contract.contract_id,
        block_minutes=balance.block_minutes,
        used_minutes=balance.used_minutes,
        remaining_minutes=balance.remaining_minutes,
        pending=block_view(pending) if pending else None,
        top_up=TopUpView(threshold_minutes=top_up.threshold_minutes, block_minutes=top_up.block_minutes)
        if top_up
        else None,
        blocks=[block_view(b) for b in balance.blocks],
    )
