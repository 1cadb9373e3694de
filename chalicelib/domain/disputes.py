"""Disputes over logged time, and how they end.

From the week's lock until Friday 23:59 UTC of W+1 the business may dispute an entry, with a
reason. The agent answers, concedes part or all of it (amends the entry downwards), or contests
it to the operator; the business may withdraw it. The operator resolves a dispute as upheld (with
the minutes upheld) or rejected. Each ending splits the entry's minutes in two:

- *upheld* minutes are refunded to the business and never paid to the agent;
- *released* minutes are paid to the agent like approved ones.

A dispute nobody has settled when the review window closes goes to the operator."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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
