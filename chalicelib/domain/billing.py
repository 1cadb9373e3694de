"""Billing as arithmetic: an invoice for a business's week, and how the money it collected is
settled between the agents, refunds and the platform.

Money is integer minor units in one currency (DESIGN.md "Money"):

- a contract's line = round-half-even(billed minutes x rate / 60), rounded once per line;
- the client fee = basis points of the invoice's hours and bonuses, added to the invoice;
- a contract's performance bonus, when the agent earned it that week (`Performance`) =
  round-half-even(its basis points x the contract's line), rounded once, a bonus line of its own;
- an agent's share of a line = the line recomputed for the minutes that are payable (approved or
  released), less the agent fee (basis points by tier), kept by the platform;
- minutes upheld in a dispute are refunded: the line minus the line recomputed without them, and
  the client fee on that difference;
- minutes still disputed are held until the dispute ends.

For every invoice, to the cent: paid = transfers + refunds + platform revenue + held, where held is
zero once every dispute has ended. `settle` computes the target split from the minutes as they
stand; the payout run moves money only by the difference between that target and what has moved
already, so a second run, or a run after a dispute ended, pays exactly what is still owed.

Why one module of this length: the invoice and its settlement are one piece of arithmetic. The
identity above holds only because both halves round the same lines the same way, and a reader
checking it (or the money oracle's rules) needs both side by side; split, each half would import
the other's rounding."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, TypeVar

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.money import Money, basis_points, line_amount

DEFAULT_CLIENT_FEE_BPS = 500
DEFAULT_AGENT_FEE_BPS = {1: 1000, 2: 800, 3: 500}


AGENT_TIERS = (1, 2, 3)
# Ceilings an operator's change must stay under: a typo (5000 for 500) must not reach an invoice.
MAX_CLIENT_FEE_BPS = 2_000
MAX_AGENT_FEE_BPS = 3_000


@dataclass(frozen=True)
class FeeSchedule:
    """The platform's fees in basis points: the client fee added to an invoice, and the agent fee
    kept from an agent's share, by their tier. Operators change it; each invoice keeps the schedule
    it was billed under, so a change never moves money already invoiced."""

    client_fee_bps: int = DEFAULT_CLIENT_FEE_BPS
    agent_fee_bps: dict[int, int] = field(default_factory=lambda: dict(DEFAULT_AGENT_FEE_BPS))

    def agent_fee(self, tier: int) -> int:
        return self.agent_fee_bps.get(int(tier), self.agent_fee_bps[1])

    def check(self) -> FeeSchedule:
        """A schedule an operator may set: each fee from 0 to its ceiling, one per tier, and a
        higher tier never keeps more of the agent's share than a lower one (tiers are earned)."""
        if not 0 <= self.client_fee_bps <= MAX_CLIENT_FEE_BPS:
            raise InvalidInput(
                f"the client fee is 0 to {MAX_CLIENT_FEE_BPS} basis points ({MAX_CLIENT_FEE_BPS // 100}%)",
                field="client_fee_bps",
            )
        if sorted(self.agent_fee_bps) != list(AGENT_TIERS):
            raise InvalidInput("give an agent fee for tiers 1, 2 and 3", field="agent_fee_bps")
        for tier in AGENT_TIERS:
            if not 0 <= self.agent_fee_bps[tier] <= MAX_AGENT_FEE_BPS:
                raise InvalidInput(
                    f"an agent fee is 0 to {MAX_AGENT_FEE_BPS} basis points ({MAX_AGENT_FEE_BPS // 100}%)",
                    field=f"agent_fee_bps.{tier}",
                )
        for lower, higher in zip(AGENT_TIERS, AGENT_TIERS[1:], strict=False):
            if self.agent_fee_bps[higher] > self.agent_fee_bps[lower]:
                raise InvalidInput(
                    f"tier {higher} may not pay a higher fee than tier {lower}",
                    field=f"agent_fee_bps.{higher}",
                )
        return self

    def to_json(self) -> dict[str, Any]:
        return {
            "client_fee_bps": self.client_fee_bps,
            "agent_fee_bps": {str(tier): bps for tier, bps in sorted(self.agent_fee_bps.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> FeeSchedule:
        """None: the defaults (invoices billed before fees could be changed were billed with them)."""
        if not data:
            return cls()
        return cls(
            client_fee_bps=int(data["client_fee_bps"]),
            agent_fee_bps={int(tier): int(bps) for tier, bps in data["agent_fee_bps"].items()},
        )


@dataclass(frozen=True)
class WorkedWeek:
    """One hourly contract's week as billing needs it (from the locked timesheet)."""

    contract_id: str
    agent_id: str
    title: str
    agent_name: str
    rate_minor: int
    billed: int
    payable: int = 0
    disputed: int = 0
    upheld: int = 0

    def __post_init__(self):
        if min(self.billed, self.payable, self.disputed, self.upheld) < 0:
            raise InvalidInput("minutes cannot be negative", field="minutes")
        if self.payable + self.disputed + self.upheld > self.billed:
            raise InvalidInput("more minutes reviewed than billed", field="minutes")


@dataclass(frozen=True)
class Bonus:
    bonus_id: str
    contract_id: str
    agent_id: str
    amount: int
    description: str


@dataclass(frozen=True)
class Performance:
    """A contract's performance-bonus rule and the agent's CSAT in the week billed, at this
    business (DESIGN.md "Money": +10% of the week when CSAT that week is at least 90% over at least
    10 ratings). `good` of `ratings` were 4 or 5 (CSAT's share), counted from the ratings the
    customers gave that week."""

    contract_id: str
    percent_bps: int
    min_csat_bps: int
    min_ratings: int
    good: int
    ratings: int

    @property
    def earned(self) -> bool:
        """At least `min_ratings` ratings, and good / ratings >= min_csat_bps / 10,000, in integers."""
        return self.ratings >= self.min_ratings and self.good * 10_000 >= self.min_csat_bps * self.ratings

    def csat_label(self) -> str:
        if not self.ratings:
            return "no ratings"
        share = self.good * 100 / self.ratings
        return f"CSAT {share:.0f}% over {self.ratings} rating{'s' if self.ratings != 1 else ''}"

    def amount(self, hours_line: int, currency: str) -> int:
        """The bonus on a week's line: its percent, rounded half-even once (0 when not earned)."""
        if not self.earned:
            return 0
        return basis_points(Money(hours_line, currency), self.percent_bps).minor


@dataclass(frozen=True)
class Line:
    line_id: str
    kind: str  # hours, bonus, block, client_fee
    description: str
    amount: int
    contract_id: str | None = None
    agent_id: str | None = None
    minutes: int | None = None
    rate_minor: int | None = None

    @property
    def agent(self) -> str:
        """The agent an hours, bonus or block line pays (a client-fee line pays none)."""
        return _given(self.agent_id, "agent_id", self)

    @property
    def contract(self) -> str:
        """The contract an hours, bonus or block line bills (a client-fee line bills none)."""
        return _given(self.contract_id, "contract_id", self)

    @property
    def billed_minutes(self) -> int:
        """The minutes an hours line bills, or a block holds."""
        return _given(self.minutes, "minutes", self)

    @property
    def rate(self) -> int:
        """The hourly rate (minor units) of an hours or block line."""
        return _given(self.rate_minor, "rate_minor", self)

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Line:
        return cls(**data)


_T = TypeVar("_T")


def _given(value: _T | None, name: str, line: Line) -> _T:
    # A line of the wrong kind read as another kind is a bug in the caller, never a user's input.
    if value is None:
        raise ValueError(f"a {line.kind} line ({line.line_id}) has no {name}")
    return value


@dataclass(frozen=True)
class InvoicePlan:
    currency: str
    lines: tuple[Line, ...]

    @property
    def subtotal(self) -> int:
        return sum(line.amount for line in self.lines if line.kind != "client_fee")

    @property
    def client_fee(self) -> int:
        return sum(line.amount for line in self.lines if line.kind == "client_fee")

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


def hours_amount(minutes: int, rate_minor: int, currency: str) -> int:
    """`minutes` at an hourly rate, rounded once (half to even) to the currency's minor unit."""
    return line_amount(minutes, Money(rate_minor, currency)).minor


def hours_label(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


def plan_invoice(
    weeks: list[WorkedWeek],
    bonuses: list[Bonus],
    *,
    currency: str,
    fees: FeeSchedule,
    week_label: str,
    performance: list[Performance] | None = None,
) -> InvoicePlan | None:
    """The invoice for a business's week: a line per contract with time, a line per bonus (a
    one-off, or a contract's performance bonus when its agent earned it that week: its percent of
    the contract's line), and the client fee; None when there is nothing to bill."""
    earned = {p.contract_id: p for p in performance or [] if p.earned}
    lines: list[Line] = []
    for week in sorted(weeks, key=lambda w: w.contract_id):
        if week.billed <= 0:
            continue
        amount = hours_amount(week.billed, week.rate_minor, currency)
        lines.append(
            Line(
                line_id=f"hours-{week.contract_id}",
                kind="hours",
                description=f"{week.title}: {week.agent_name}, {hours_label(week.billed)} in {week_label}",
                amount=amount,
                contract_id=week.contract_id,
                agent_id=week.agent_id,
                minutes=week.billed,
                rate_minor=week.rate_minor,
            )
        )
        rule = earned.get(week.contract_id)
        bonus_amount = rule.amount(amount, currency) if rule is not None else 0
        if rule is not None and bonus_amount > 0:
            lines.append(
                Line(
                    line_id=f"performance-{week.contract_id}",
                    kind="bonus",
                    description=f"Performance bonus: {week.agent_name}, {rule.csat_label()} in "
                    f"{week_label} (+{rule.percent_bps / 100:g}% of the week)",
                    amount=bonus_amount,
                    contract_id=week.contract_id,
                    agent_id=week.agent_id,
                )
            )
    for bonus in sorted(bonuses, key=lambda b: b.bonus_id):
        if bonus.amount <= 0:
            raise InvalidInput("a bonus is above zero", field="amount")
        lines.append(
            Line(
                line_id=f"bonus-{bonus.bonus_id}",
                kind="bonus",
                description=bonus.description,
                amount=bonus.amount,
                contract_id=bonus.contract_id,
                agent_id=bonus.agent_id,
            )
        )
    if not lines:
        return None
    subtotal = sum(line.amount for line in lines)
    fee = basis_points(Money(subtotal, currency), fees.client_fee_bps).minor
    if fee:
        lines.append(
            Line(line_id="client-fee", kind="client_fee", description="deskhire service fee", amount=fee)
        )
    return InvoicePlan(currency=currency, lines=tuple(lines))


@dataclass(frozen=True)
class AgentShare:
    agent_id: str
    gross: int  # the agent's lines for payable minutes, and bonuses
    fee: int  # kept by the platform

    @property
    def net(self) -> int:
        return self.gross - self.fee


@dataclass(frozen=True)
class Settlement:
    """Where an invoice's money goes, as the minutes stand."""

    paid: int
    shares: tuple[AgentShare, ...]
    refunds: int
    client_fee_kept: int
    held: int
    # the part of `refunds` that gives back agents' lines (minutes upheld, a block's minutes
    # unused), by agent: labour the business is no longer charged for (the client fee on it is the
    # rest of `refunds`); the support metrics take it off labour cost and the agent's earnings
    labour_refunded: dict[str, int] = field(default_factory=lambda: {})

    @property
    def transfers(self) -> int:
        return sum(share.net for share in self.shares)

    @property
    def revenue(self) -> int:
        return self.client_fee_kept + sum(share.fee for share in self.shares)

    def balanced(self) -> bool:
        return self.paid == self.transfers + self.refunds + self.revenue + self.held

    def labour_refunded_since(self, before: Mapping[str, int]) -> dict[str, int]:
        """The agents' lines this split refunds beyond `before` (what was refunded already), by
        agent, those that moved only."""
        agents = sorted(set(before) | set(self.labour_refunded))
        moved = {a: self.labour_refunded.get(a, 0) - int(before.get(a, 0)) for a in agents}
        return {agent: amount for agent, amount in moved.items() if amount}


def settle(
    plan: InvoicePlan, weeks: dict[str, WorkedWeek], *, tiers: dict[str, int], fees: FeeSchedule
) -> Settlement:
    """Split what an invoice collected. `weeks` gives each hours line's contract its minutes now
    (payable, still disputed, upheld); `tiers` each agent's tier (their fee).

    The client fee follows its minutes: the fee on upheld minutes is refunded, the fee on minutes
    still disputed is held with them, and only the fee on the rest is the platform's. So every
    part only grows as disputes end (upheld minutes move from held to refunds, released ones from
    held to the agent and the platform), and a later run never has to take revenue back."""
    currency = plan.currency
    gross: dict[str, int] = {}
    returned: dict[str, int] = {}
    refunds = held = pool = settled = 0
    for line in plan.lines:
        if line.kind == "hours":
            week = weeks[line.contract]
            if week.billed != line.minutes:
                raise Conflict(
                    "the week's billed minutes differ from the invoice line", code="billed_mismatch"
                )
            after_refund = hours_amount(week.billed - week.upheld, week.rate_minor, currency)
            undisputed = hours_amount(week.billed - week.upheld - week.disputed, week.rate_minor, currency)
            payable = hours_amount(week.payable, week.rate_minor, currency)
            refunds += line.amount - after_refund
            if line.amount != after_refund:
                returned[line.agent] = returned.get(line.agent, 0) + line.amount - after_refund
            held += after_refund - payable
            gross[line.agent] = gross.get(line.agent, 0) + payable
            pool += after_refund
            settled += undisputed
        elif line.kind == "bonus":
            gross[line.agent] = gross.get(line.agent, 0) + line.amount
            pool += line.amount
            settled += line.amount

    def fee_on(base: int) -> int:
        return basis_points(Money(base, currency), fees.client_fee_bps).minor if plan.client_fee else 0

    client_fee_kept = fee_on(settled)
    refunds += plan.client_fee - fee_on(pool)
    held += fee_on(pool) - client_fee_kept
    shares = tuple(
        AgentShare(
            agent_id,
            amount,
            basis_points(Money(amount, currency), fees.agent_fee(tiers.get(agent_id, 1))).minor,
        )
        for agent_id, amount in sorted(gross.items())
    )
    return Settlement(
        paid=plan.total,
        shares=shares,
        refunds=refunds,
        client_fee_kept=client_fee_kept,
        held=held,
        labour_refunded=returned,
    )


# -- prepaid blocks ---------------------------------------------------------------------------------


def plan_block(
    *,
    contract_id: str,
    agent_id: str,
    title: str,
    agent_name: str,
    minutes: int,
    rate_minor: int,
    currency: str,
    fees: FeeSchedule,
) -> InvoicePlan:
    """A block contract is invoiced in full when the agent accepts: the block's line and the fee."""
    amount = hours_amount(minutes, rate_minor, currency)
    lines = [
        Line(
            line_id=f"block-{contract_id}",
            kind="block",
            description=f"{title}: a block of {hours_label(minutes)} with {agent_name}",
            amount=amount,
            contract_id=contract_id,
            agent_id=agent_id,
            minutes=minutes,
            rate_minor=rate_minor,
        )
    ]
    fee = basis_points(Money(amount, currency), fees.client_fee_bps).minor
    if fee:
        lines.append(
            Line(line_id="client-fee", kind="client_fee", description="deskhire service fee", amount=fee)
        )
    return InvoicePlan(currency=currency, lines=tuple(lines))


def settle_block(
    plan: InvoicePlan, *, drawn: int, finished: bool, tier: int, fees: FeeSchedule, disputed: int = 0
) -> Settlement:
    """Where a block's money goes once `drawn` minutes (payable, in weeks whose payout day came)
    are used. The agent's share is the block line recomputed for all minutes drawn so far, so the
    weekly draw-downs add up to one line rounded once (never more than the block). When the
    contract has ended and its last week is paid out, what is left (minutes unused or upheld in a
    dispute, and the client fee on them) is refunded; until then it is held."""
    (block,) = [line for line in plan.lines if line.kind == "block"]
    if drawn + disputed > block.billed_minutes:
        raise Conflict("more minutes drawn than the block holds", code="block_overdrawn")
    finished = finished and disputed == 0  # minutes still disputed are held, never refunded yet
    gross = hours_amount(drawn, block.rate, plan.currency)
    share = AgentShare(
        block.agent, gross, basis_points(Money(gross, plan.currency), fees.agent_fee(tier)).minor
    )
    if finished:
        kept = basis_points(Money(gross, plan.currency), fees.client_fee_bps).minor if plan.client_fee else 0
        unused = {block.agent: block.amount - gross} if block.amount != gross else {}
        return Settlement(
            paid=plan.total,
            shares=(share,),
            refunds=plan.total - gross - kept,
            client_fee_kept=kept,
            held=0,
            labour_refunded=unused,
        )
    return Settlement(paid=plan.total, shares=(share,), refunds=0, client_fee_kept=0, held=plan.total - gross)


# -- the invoice's life, after Stripe's ---------------------------------------------------------------


class InvoiceStatus(StrEnum):
    PLANNED = "planned"  # written by deskhire; nothing at Stripe yet
    DRAFTED = "drafted"  # a draft invoice exists at Stripe
    ITEMIZED = "itemized"  # every line is on it
    OPEN = "open"  # finalized: the business owes it
    PAID = "paid"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


# Stripe's lifecycle (draft -> open -> paid | void | uncollectible; uncollectible -> paid | void),
# with deskhire's own steps before finalization. Anything else is refused.
TRANSITIONS: dict[InvoiceStatus, frozenset[InvoiceStatus]] = {
    # a further block withdrawn before it reached Stripe is void here alone (services/blocks.py)
    InvoiceStatus.PLANNED: frozenset({InvoiceStatus.DRAFTED, InvoiceStatus.VOID}),
    InvoiceStatus.DRAFTED: frozenset({InvoiceStatus.ITEMIZED}),
    InvoiceStatus.ITEMIZED: frozenset({InvoiceStatus.OPEN}),
    InvoiceStatus.OPEN: frozenset({InvoiceStatus.PAID, InvoiceStatus.VOID, InvoiceStatus.UNCOLLECTIBLE}),
    InvoiceStatus.UNCOLLECTIBLE: frozenset({InvoiceStatus.PAID, InvoiceStatus.VOID}),
    InvoiceStatus.PAID: frozenset(),
    InvoiceStatus.VOID: frozenset(),
}


def check_transition(current: InvoiceStatus, target: InvoiceStatus) -> None:
    if target not in TRANSITIONS[current]:
        raise Conflict(f"an invoice that is {current} cannot become {target}", code="illegal_transition")


def stripe_status(status: str) -> InvoiceStatus:
    """Our status for a Stripe invoice's `status` (draft is ours until every line is on it)."""
    return {
        "open": InvoiceStatus.OPEN,
        "paid": InvoiceStatus.PAID,
        "void": InvoiceStatus.VOID,
        "uncollectible": InvoiceStatus.UNCOLLECTIBLE,
    }.get(status, InvoiceStatus.DRAFTED)


# -- several blocks on one contract -------------------------------------------------------------------


def plan_further_block(
    *,
    number: int,
    contract_id: str,
    agent_id: str,
    title: str,
    agent_name: str,
    minutes: int,
    rate_minor: int,
    currency: str,
    fees: FeeSchedule,
) -> InvoicePlan:
    """Another block for a block contract (number 2, 3, ...): invoiced like the first, with a line
    of its own name."""
    plan = plan_block(
        contract_id=contract_id,
        agent_id=agent_id,
        title=title,
        agent_name=agent_name,
        minutes=minutes,
        rate_minor=rate_minor,
        currency=currency,
        fees=fees,
    )
    lines = tuple(
        replace(
            line, line_id=f"block-{contract_id}-{number}", description=f"{line.description} (block {number})"
        )
        if line.kind == "block"
        else line
        for line in plan.lines
    )
    return InvoicePlan(currency=plan.currency, lines=lines)


@dataclass(frozen=True)
class BlockDraw:
    """The part of a contract's minutes one of its blocks carries."""

    minutes: int  # the block's size
    drawn: int
    disputed: int

    @property
    def exhausted(self) -> bool:
        return self.drawn == self.minutes


def draw_block(*, offset: int, minutes: int, drawn: int, disputed: int) -> BlockDraw:
    """A contract's blocks lie end to end in the order they were paid for: the first at offset 0,
    each further one at the minutes bought before it. The contract's drawn minutes (payable, in
    weeks whose payout day came) fill them in that order, and its minutes still disputed come
    right after: the block at `offset` carries clamp(drawn - offset, 0, minutes) drawn minutes and
    the disputed ones that fall in it after those. Both only grow as drawn minutes grow, so a
    block's share never has to be taken back."""
    if min(offset, minutes, drawn, disputed) < 0:
        raise InvalidInput("minutes cannot be negative", field="minutes")

    def clamp(value: int) -> int:
        return min(max(value - offset, 0), minutes)

    carried = clamp(drawn)
    return BlockDraw(minutes=minutes, drawn=carried, disputed=clamp(drawn + disputed) - carried)


def settle_block_part(
    plan: InvoicePlan,
    *,
    offset: int,
    drawn: int,
    disputed: int,
    finished: bool,
    tier: int,
    fees: FeeSchedule,
) -> Settlement:
    """`settle_block` for one of a contract's blocks, from the whole contract's drawn and disputed
    minutes (`draw_block`). A block whose every minute is drawn is finished at once (it refunds
    nothing and keeps its fee), so it leaves the payout run instead of being read every day until
    the contract ends; the others refund their own unused minutes when the contract has ended."""
    (block,) = [line for line in plan.lines if line.kind == "block"]
    part = draw_block(offset=offset, minutes=block.billed_minutes, drawn=drawn, disputed=disputed)
    return settle_block(
        plan,
        drawn=part.drawn,
        disputed=part.disputed,
        finished=finished or part.exhausted,
        tier=tier,
        fees=fees,
    )
