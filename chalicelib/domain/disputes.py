"""Disputes over logged time, and how they end.

From the week's lock until Friday 23:59 UTC of W+1 the business may dispute an entry, with a
reason. The agent answers, concedes part or all of it (amends the entry downwards), or contests
it to the operator; the business may withdraw it. The operator resolves a dispute as upheld (with
the minutes upheld) or rejected. Each ending splits the entry's minutes in two:

- *upheld* minutes are refunded to the business and never paid to the agent;
- *released* minutes are paid to the agent like approved ones.

A dispute nobody has settled when the review window closes goes to the operator."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from chalicelib.domain import billing
from chalicelib.domain.contracts import Side
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput

MAX_REASON = 2000
MAX_MESSAGE = 2000


class DisputeStatus(StrEnum):
    OPEN = "open"  # filed; the agent has not taken it to the operator
    CONTESTED = "contested"  # with the operator (the agent contested, or the window closed)
    RESOLVED = "resolved"


class Outcome(StrEnum):
    WITHDRAWN = "withdrawn"  # the business took it back: all minutes released
    CONCEDED = "conceded"  # the agent amended the entry downwards: the cut is upheld
    UPHELD = "upheld"  # the operator found for the business (some or all minutes)
    REJECTED = "rejected"  # the operator found for the agent: all minutes released


UNRESOLVED = frozenset({DisputeStatus.OPEN, DisputeStatus.CONTESTED})


@dataclass(frozen=True)
class Split:
    upheld: int
    released: int


def check_reason(text: str) -> str:
    reason = text.strip()
    if not reason:
        raise InvalidInput("say what is wrong with this time", field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"at most {MAX_REASON} characters", field="reason")
    return reason


def check_message(text: str) -> str:
    body = text.strip()
    if not body:
        raise InvalidInput("write something", field="body")
    if len(body) > MAX_MESSAGE:
        raise InvalidInput(f"at most {MAX_MESSAGE} characters", field="body")
    return body


def check_note(text: str) -> str:
    """The operator's reasons: required, since both sides read them in the outcome's mail."""
    note = text.strip()
    if not note:
        raise InvalidInput("write the reasons for the decision: both sides read them", field="note")
    if len(note) > MAX_MESSAGE:
        raise InvalidInput(f"at most {MAX_MESSAGE} characters", field="note")
    return note


def _unresolved(status: DisputeStatus) -> None:
    if status not in UNRESOLVED:
        raise Conflict(f"this dispute is {status}", code="illegal_transition")


def contest(status: DisputeStatus, *, side: Side) -> DisputeStatus:
    if side is not Side.AGENT:
        raise Forbidden("the agent contests a dispute", code="wrong_party")
    if status is not DisputeStatus.OPEN:
        raise Conflict(f"this dispute is {status}", code="illegal_transition")
    return DisputeStatus.CONTESTED


def withdraw(status: DisputeStatus, *, side: Side, minutes: int) -> Split:
    if side is not Side.BUSINESS:
        raise Forbidden("the business withdraws its own dispute", code="wrong_party")
    _unresolved(status)
    return Split(upheld=0, released=minutes)


def concede(status: DisputeStatus, *, side: Side, minutes: int, keep: int) -> Split:
    """The agent amends the entry downwards to `keep` minutes: the rest is upheld."""
    if side is not Side.AGENT:
        raise Forbidden("the agent amends their own entry", code="wrong_party")
    _unresolved(status)
    if not 0 <= keep < minutes:
        raise InvalidInput(
            f"amend downwards: keep 0 to {minutes - 1} of the {minutes} minutes", field="keep_minutes"
        )
    return Split(upheld=minutes - keep, released=keep)


def resolve(status: DisputeStatus, *, outcome: Outcome, minutes: int, upheld_minutes: int | None) -> Split:
    """The operator's decision: upheld with the minutes found (1 to all), or rejected."""
    _unresolved(status)
    if outcome is Outcome.REJECTED:
        return Split(upheld=0, released=minutes)
    if outcome is not Outcome.UPHELD:
        raise InvalidInput("decide upheld or rejected", field="outcome")
    if upheld_minutes is None or not 1 <= upheld_minutes <= minutes:
        raise InvalidInput(f"uphold 1 to {minutes} minutes", field="upheld_minutes")
    return Split(upheld=upheld_minutes, released=minutes - upheld_minutes)


# -- the money a dispute's ending moves -------------------------------------------------------------


@dataclass(frozen=True)
class EndingMoney:
    """What a dispute's ending moves on a weekly invoice, found by settling the invoice
    (`billing.settle`, the payout run's own arithmetic) with the dispute's minutes still disputed,
    and again as the ending leaves them: the difference is what the payout run will move.

    `refund` goes back to the business (`refund_hours` for the minutes, `refund_fee` the client fee
    on them); `agent_net` is paid to the agent for the released minutes (after `agent_fee`);
    `agent_forgoes` is what the agent would have received for the upheld minutes had they been
    released, and `agent_fee_forgone` the agent fee the platform does not keep on them."""

    currency: str
    refund: int
    refund_hours: int
    refund_fee: int
    agent_net: int
    agent_fee: int
    agent_forgoes: int
    agent_fee_forgone: int


def ending_money(
    plan: billing.InvoicePlan,
    weeks: dict[str, billing.WorkedWeek],
    *,
    contract_id: str,
    split: Split,
    tiers: dict[str, int],
    fees: billing.FeeSchedule,
) -> EndingMoney:
    """The money of ending a dispute of `split.upheld + split.released` minutes, still disputed
    in `weeks[contract_id]`, as `split` says."""
    week = weeks[contract_id]
    minutes = split.upheld + split.released
    if minutes > week.disputed:
        raise Conflict("the week holds fewer disputed minutes than the dispute", code="stale_or_duplicate")

    def ended(upheld: int, released: int) -> billing.Settlement:
        changed = replace(
            week,
            disputed=week.disputed - upheld - released,
            upheld=week.upheld + upheld,
            payable=week.payable + released,
        )
        return billing.settle(plan, {**weeks, contract_id: changed}, tiers=tiers, fees=fees)

    def share(settlement: billing.Settlement) -> billing.AgentShare:
        found = [s for s in settlement.shares if s.agent_id == week.agent_id]
        return found[0] if found else billing.AgentShare(week.agent_id, 0, 0)

    before = billing.settle(plan, weeks, tiers=tiers, fees=fees)
    after = ended(split.upheld, split.released)
    all_released = ended(0, minutes)
    currency = plan.currency
    refund = after.refunds - before.refunds
    refund_hours = billing.hours_amount(
        week.billed - week.upheld, week.rate_minor, currency
    ) - billing.hours_amount(week.billed - week.upheld - split.upheld, week.rate_minor, currency)
    return EndingMoney(
        currency=currency,
        refund=refund,
        refund_hours=refund_hours,
        refund_fee=refund - refund_hours,
        agent_net=share(after).net - share(before).net,
        agent_fee=share(after).fee - share(before).fee,
        agent_forgoes=share(all_released).net - share(after).net,
        agent_fee_forgone=share(all_released).fee - share(after).fee,
    )
