"""Applications to openings, the invitations that prompt them, and the messages between a
business's team and the agent."""

from __future__ import annotations

from enum import StrEnum

from chalicelib.domain.bounds import check_rate
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.money import Money

MAX_MESSAGE = 4000
MAX_COVER_NOTE = 3000


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    SHORTLISTED = "shortlisted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    OFFERED = "offered"  # the business sent an offer from it (contracts)
    HIRED = "hired"  # the agent accepted that offer


LIVE = {ApplicationStatus.SUBMITTED, ApplicationStatus.SHORTLISTED}
# action -> (who may take it, from which statuses, to which status)
STEPS = {
    "shortlist": ("business", {ApplicationStatus.SUBMITTED}, ApplicationStatus.SHORTLISTED),
    "decline": ("business", LIVE, ApplicationStatus.DECLINED),
    "withdraw": ("agent", LIVE, ApplicationStatus.WITHDRAWN),
}


def check_can_apply(*, agent_status: str, opening_status: str, already_applied: bool) -> None:
    """Why an agent may not apply, as a 409 naming the reason."""
    if agent_status != "approved":
        raise Conflict(
            "only approved agents can apply; your account is " + agent_status, code="agent_not_approved"
        )
    if opening_status != "open":
        raise Conflict(f"this opening is {opening_status}, not open", code="opening_not_open")
    if already_applied:
        raise Conflict("you have already applied to this opening", code="already_applied")


def check_proposal(rate: Money, *, currency: str) -> None:
    if rate.currency != currency:
        raise InvalidInput(f"this opening pays in {currency}", field="proposed_rate.currency")
    check_rate(rate, field="proposed_rate.amount")


def next_status(current: ApplicationStatus, action: str, *, side: str) -> ApplicationStatus:
    if action not in STEPS:
        raise InvalidInput(f"unknown action {action!r}", field="action")
    who, allowed, target = STEPS[action]
    if who != side:
        raise Conflict(f"only the {who} can {action} an application", code="wrong_party")
    if current not in allowed:
        raise Conflict(f"an application that is {current} cannot be {target}", code="illegal_transition")
    return target


def check_message(text: str) -> str:
    body = text.strip()
    if not body:
        raise InvalidInput("write something", field="body")
    if len(body) > MAX_MESSAGE:
        raise InvalidInput(f"at most {MAX_MESSAGE} characters", field="body")
    return body
