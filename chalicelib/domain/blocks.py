"""More hours for a block contract (DESIGN.md section 3: "optional automatic top-up when the
balance runs low"): a further block the business buys by hand, or one bought for it when an entry
leaves fewer minutes than it asked to keep.

- A further block is 1 to 2,000 hours, the limit of the block a contract starts with, and is bought
  while the contract runs or is paused; an hourly contract has no block, an ended one takes none.
- One further block waits for its payment at a time: a second click, or a retried job, finds it
  pending and buys nothing more.
- Its minutes may be logged once it is paid, never before; a void or unpaid block adds none.
- The automatic top-up buys a block of its size when an entry leaves the balance under its
  threshold and no block is pending; after that block is paid, the next entry still under the
  threshold buys another. The arithmetic of several blocks is in `billing.draw_block`.
- What a block gives back when its contract ends (`unused_refund`): its minutes never logged or
  upheld in a dispute, at the block's rate, and the client fee on them; said on the business's
  billing page before the payout run refunds it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.domain.billing import FeeSchedule, InvoicePlan, draw_block, hours_label, settle_block
from chalicelib.domain.contracts import LIVE, MAX_BLOCK_MINUTES, Kind, Status
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound

MIN_BLOCK_MINUTES = 60
MIN_THRESHOLD_MINUTES = 15


def check_block_size(minutes: int | None, *, field: str = "block_minutes") -> int:
    """A block is 1 to 2,000 hours, as the offer's first block is."""
    if minutes is None:
        raise InvalidInput("say how many hours the block holds", field=field)
    if not MIN_BLOCK_MINUTES <= minutes <= MAX_BLOCK_MINUTES:
        raise InvalidInput("a block is 1 to 2,000 hours", field=field)
    return minutes


def check_block_kind(kind: Kind, *, field: str = "block_minutes") -> None:
    if kind is not Kind.BLOCK:
        raise Conflict(
            "an hourly contract has no block; its time is invoiced week by week",
            code="not_a_block_contract",
            field=field,
        )


def check_block_contract(kind: Kind, status: Status, *, field: str = "block_minutes") -> None:
    """Blocks are bought, and their top-up set, on a block contract that runs or is paused."""
    check_block_kind(kind, field=field)
    if status not in LIVE:
        raise Conflict(
            f"a contract that is {status} takes no more hours", code="illegal_transition", field=field
        )


def check_can_buy(
    kind: Kind, status: Status, *, pending: int | None, pending_minutes: int | None = None
) -> None:
    check_block_contract(kind, status)
    if pending is not None:
        size = f" of {hours_label(pending_minutes)}" if pending_minutes else ""
        raise Conflict(
            f"block {pending}{size} is still waiting for its payment; buy another once it is paid",
            code="block_pending",
            field="block_minutes",
        )


def block_to_buy(number: int | None, *, bought: int) -> int | None:
    """The number of the block a request buys: the next one, or the one the request names (the
    form names the block it was showing). None: the block it names is bought already (a second
    click, a request sent again), so the answer is that block and nothing more is bought."""
    following = bought + 1
    if number is None:
        return following
    if number < 2:
        raise InvalidInput("further blocks are numbered from 2", field="number")
    if number <= bought:
        return None
    if number > following:
        raise Conflict(f"block {following} is the next one to buy", code="stale_or_duplicate", field="number")
    return number


def check_same_block(number: int, *, asked: int, bought: int) -> None:
    """A request naming a block bought already must ask for what was bought."""
    if asked != bought:
        raise Conflict(
            f"block {number} was bought already, of {hours_label(bought)}",
            code="block_bought",
            field="number",
        )


@dataclass(frozen=True)
class TopUp:
    """Buy a block of `block_minutes` when an entry leaves fewer than `threshold_minutes`."""

    threshold_minutes: int
    block_minutes: int

    def check(self) -> TopUp:
        if not MIN_THRESHOLD_MINUTES <= self.threshold_minutes <= MAX_BLOCK_MINUTES:
            raise InvalidInput("top up when 15 minutes to 2,000 hours are left", field="threshold_minutes")
        check_block_size(self.block_minutes)
        return self

    def to_json(self) -> dict[str, Any]:
        return {"threshold_minutes": self.threshold_minutes, "block_minutes": self.block_minutes}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> TopUp | None:
        return cls(int(data["threshold_minutes"]), int(data["block_minutes"])) if data else None


def top_up(threshold_minutes: int | None, block_minutes: int | None, *, enabled: bool) -> TopUp | None:
    """The setting a business asks for: None turns it off."""
    if not enabled:
        return None
    if threshold_minutes is None:
        raise InvalidInput("say below how many minutes to top up", field="threshold_minutes")
    return TopUp(threshold_minutes, check_block_size(block_minutes)).check()


def top_up_due(
    setting: TopUp | None, *, status: Status, remaining_after: int, adding: int, pending: int | None
) -> bool:
    """Whether an entry of `adding` minutes, leaving `remaining_after`, buys a block now: only an
    entry that draws minutes on a running contract (not an old entry fixed after a pause or the
    end), only under the threshold, and never while a block is pending (so a run of entries under
    the threshold buys one block, not one each)."""
    return (
        setting is not None
        and status is Status.ACTIVE
        and adding > 0
        and pending is None
        and remaining_after < setting.threshold_minutes
    )


def block_number(text: str) -> int:
    """A block's number from a path: anything but a plain number names no block."""
    if not text.isdigit() or len(text) > 4 or int(text) < 1:
        raise NotFound("no such block")
    return int(text)


def how_to_cancel(number: int, status: str) -> str | None:
    """How a further block waiting for its payment is withdrawn (the business changed its mind, or
    the contract ended): "here" while it is only planned (nothing at Stripe yet), "stripe" once its
    invoice is open (voided there), None when it is void or written off already (a second click).
    A paid block stays: its hours may be logged, and those unused are refunded at the end."""
    if number < 2:
        raise Conflict(
            "the first block comes with the contract; end the contract to stop it",
            code="illegal_transition",
            field="number",
        )
    if status in ("void", "uncollectible"):
        return None
    if status == "paid":
        raise Conflict(
            f"block {number} is paid: its hours can be logged, and hours not used are refunded when "
            "the contract ends",
            code="block_paid",
            field="number",
        )
    if status == "planned":
        return "here"
    if status == "open":
        return "stripe"
    raise Conflict(
        f"block {number} is being issued at Stripe just now; try again in a minute",
        code="block_issuing",
        field="number",
    )


@dataclass(frozen=True)
class UnusedRefund:
    """What one block gives back when its contract ends, as the contract's minutes stand now."""

    minutes: int  # the block's minutes not drawn: never logged, or upheld in a dispute
    amount: int  # their part of the block's line and the client fee on it
    disputed: int  # the block's minutes still in a dispute: refunded too if it is upheld

    @property
    def owed(self) -> bool:
        return self.minutes > 0 or self.disputed > 0


def unused_refund(
    plan: InvoicePlan, *, offset: int, logged: int, upheld: int, disputed: int, fees: FeeSchedule
) -> UnusedRefund:
    """The refund the payout run makes for a block once its contract has ended and its last week is
    paid out (`billing.settle_block_part` with every week's minutes drawn): the minutes logged less
    those upheld or still disputed are drawn, in block order from `offset`; what is left of the
    block comes back. Minutes still disputed are counted as drawn (the least the business gets
    back) and named apart, since their dispute decides."""
    if min(offset, logged, upheld, disputed) < 0:
        raise InvalidInput("minutes cannot be negative", field="minutes")
    (block,) = [line for line in plan.lines if line.kind == "block"]
    drawn = max(0, logged - upheld - disputed)
    part = draw_block(offset=offset, minutes=block.billed_minutes, drawn=drawn, disputed=disputed)
    used = part.drawn + part.disputed
    split = settle_block(plan, drawn=used, finished=True, tier=1, fees=fees)  # refunds need no tier
    return UnusedRefund(minutes=block.billed_minutes - used, amount=split.refunds, disputed=part.disputed)
