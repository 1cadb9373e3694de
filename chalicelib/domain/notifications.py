"""Which mail a person may turn off (issue 14, item 6).

Each kind of notice is news of something in deskhire that the person can also see in the portal
(their home page lists it): a new application, an interview booked, an offer, a vetting decision,
a dispute filed, its messages and its outcome. A person turns a kind off on their Settings page;
the choice is kept on their own record (a member's for that business, an agent's), as the set of
kinds turned off, so that a kind added later starts on.

Mail about the account itself is never a notice: password resets, team invitations, payment
failures and anything about money that moves. It is sent whatever the settings say, since a
person who turned it off could lose their account or money without knowing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.identity import PrincipalKind


class Notice(StrEnum):
    NEW_APPLICATION = "new_application"
    INTERVIEW = "interview"
    OFFER = "offer"
    VETTING = "vetting"
    DISPUTE = "dispute"


@dataclass(frozen=True)
class Kind:
    notice: Notice
    label: str
    detail: str


# What each kind of person can turn off, in the order the Settings page lists them.
KINDS: dict[PrincipalKind, tuple[Kind, ...]] = {
    PrincipalKind.MEMBER: (
        Kind(Notice.NEW_APPLICATION, "New applications", "An agent applies to an opening you posted"),
        Kind(Notice.INTERVIEW, "Interviews booked", "An agent picks one of the interview slots you offered"),
        Kind(
            Notice.DISPUTE,
            "Disputes",
            "Messages in a dispute over your time sheets, an agent contesting it and its outcome",
        ),
    ),
    PrincipalKind.AGENT: (
        Kind(Notice.OFFER, "Contract offers", "A business sends you an offer to accept or decline"),
        Kind(Notice.INTERVIEW, "Interviews booked", "Your interview's time and its calendar file"),
        Kind(Notice.VETTING, "Vetting decisions", "deskhire approves or declines your agent account"),
        Kind(
            Notice.DISPUTE,
            "Disputes",
            "A business disputes your time, writes in the dispute, and the dispute's outcome",
        ),
    ),
}

ALWAYS_SENT = (
    "Mail about your account and money is always sent: password resets, team invitations, "
    "invoices, payments and payouts."
)


def kinds_for(kind: PrincipalKind) -> tuple[Kind, ...]:
    return KINDS.get(kind, ())


def turned_off(kind: PrincipalKind, chosen: Iterable[str]) -> set[Notice]:
    """The kinds this person turns off from the values ticked to stay on: every kind of theirs not
    ticked (a form leaves unticked boxes out). A value that is not one of theirs is ignored."""
    on = set(chosen)
    return {k.notice for k in kinds_for(kind) if str(k.notice) not in on}


def wants(off: Iterable[str] | None, notice: Notice) -> bool:
    return str(notice) not in set(off or ())
