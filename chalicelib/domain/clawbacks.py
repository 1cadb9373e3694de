"""A refund after payout: an operator upholds a complaint about minutes the agent has already been
paid for (the review window closed, the week was settled and the transfer left).

The arithmetic mirrors a dispute upheld before payout, applied to what has moved:

- the business gets back the line's part for those minutes (the line for the payable minutes left
  minus the line without them, so repeated refunds add up to the line rounded once) and the client
  fee on that part;
- the agent gives back that part less the agent fee on it (a transfer reversal);
- the platform gives back both fees it kept on it.

So an invoice still balances, to the cent: paid = transfers + refunds + revenue, once the reversal
has come back. A reversal the agent's Stripe balance cannot cover is owed by the agent (a
receivable) and recovered from their next transfers, so for a while: paid = transfers + refunds +
revenue - owed by the agent."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.billing import FeeSchedule, hours_amount
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.money import Money, basis_points

MAX_REASON = 500


@dataclass(frozen=True)
class PaidOut:
    """Where one contract's line of a settled invoice stands, net of earlier refunds after payout."""

    currency: str
    rate_minor: int
    payable_minutes: int  # paid out and not refunded yet
    agent_gross: int  # the agent's gross on the invoice not refunded yet (all their lines)
    fee_base: int  # what the client fee kept is still computed on (every agent's gross)
    tier: int  # the agent's tier, fixed on the invoice at its first settlement
    client_fee_charged: bool  # the invoice carried a client fee


@dataclass(frozen=True)
class Clawback:
    minutes: int
    gross: int  # the line's part for those minutes
    agent_fee: int  # the agent fee on it: the platform returns it
    client_fee: int  # the client fee on it: refunded with it

    @property
    def refund(self) -> int:
        """What the business gets back."""
        return self.gross + self.client_fee

    @property
    def reversal(self) -> int:
        """What the agent gives back (their net)."""
        return self.gross - self.agent_fee

    @property
    def revenue_returned(self) -> int:
        return self.agent_fee + self.client_fee


def check_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(
            "say why the minutes are refunded: the business and the agent see it", field="reason"
        )
    if len(text) > MAX_REASON:
        raise InvalidInput(f"a reason is at most {MAX_REASON} characters", field="reason")
    return text


def claw_back(minutes: int, line: PaidOut, *, fees: FeeSchedule) -> Clawback:
    """What refunding `minutes` of a paid-out line moves, and from whom."""
    if type(minutes) is not int or minutes < 1:
        raise InvalidInput("refund at least one minute", field="minutes")
    if minutes > line.payable_minutes:
        raise InvalidInput(
            f"only {line.payable_minutes} minutes of this line were paid out and not refunded yet",
            field="minutes",
        )
    currency = line.currency
    before = hours_amount(line.payable_minutes, line.rate_minor, currency)
    gross = before - hours_amount(line.payable_minutes - minutes, line.rate_minor, currency)
    if gross > line.agent_gross or gross > line.fee_base:
        raise InvalidInput("the line was paid out for less than this refund", field="minutes")

    def agent_fee_on(amount: int) -> int:
        return basis_points(Money(amount, currency), fees.agent_fee(line.tier)).minor

    def client_fee_on(amount: int) -> int:
        return (
            basis_points(Money(amount, currency), fees.client_fee_bps).minor if line.client_fee_charged else 0
        )

    return Clawback(
        minutes=minutes,
        gross=gross,
        agent_fee=agent_fee_on(line.agent_gross) - agent_fee_on(line.agent_gross - gross),
        client_fee=client_fee_on(line.fee_base) - client_fee_on(line.fee_base - gross),
    )


def recover(owed: int, net: int) -> int:
    """How much of what an agent owes is kept back from a transfer of `net`."""
    return max(0, min(owed, net))


def refund_to_make(number: int | None, *, made: int) -> int | None:
    """Which refund a request makes: None, a new one (the next); or the number of one made already
    that the request names (sent again), to be answered instead. A number past the next is stale."""
    if number is None or number == made + 1:
        return None
    if number < 1:
        raise InvalidInput("refunds are numbered from 1", field="number")
    if number > made + 1:
        raise Conflict(
            f"refund {made + 1} is the next one on this invoice; reload the page",
            code="stale_or_duplicate",
            field="number",
        )
    return number


def check_same_refund(
    number: int, made_contract: str, made_minutes: int, contract_id: str, minutes: int
) -> None:
    """A request naming a refund made already must ask for what was made."""
    if (made_contract, made_minutes) != (contract_id, minutes):
        raise Conflict(
            f"refund {number} on this invoice was made already, for other minutes; reload the page",
            code="stale_or_duplicate",
            field="number",
        )
