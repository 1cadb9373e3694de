"""The audit log as people read it: one sentence per entry, with names instead of ids, and the time
in the viewer's zone beside it ("Olivia Owner invited ana@example.com as a manager").

Each action the services write (`store.audit.entry(..., action, target, summary)`) has a phrase
here; an action without one still reads as a sentence ("Olivia Owner: kb article published"),
so a new action never shows a Python dict. Names come from the business's own lists, read once
per page (its members, contracts and openings: three queries whatever the page holds)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.domain.identity import Principal


@dataclass(frozen=True)
class Line:
    """One entry of the log as the page shows it."""

    at: datetime
    actor: str
    sentence: str  # begins with the actor's name


class Names:
    """What the ids in a business's log stand for, read on first need and once per page."""

    def __init__(self, principal: Principal):
        self._principal = principal
        self.actor_kind = ""  # the entry being written's actor: an agent needs no "with <agent>"

    @functools.cached_property
    def members(self) -> dict[str, str]:
        from chalicelib.services import team

        return {m.member_id: m.name for m in team.members(self._principal)}

    @functools.cached_property
    def contracts(self) -> dict[str, Any]:
        from chalicelib.services.contracts import records

        return {c.contract_id: c for c in records.listed(self._principal)}

    @functools.cached_property
    def openings(self) -> dict[str, str]:
        from chalicelib.services import openings

        return {o.opening_id: o.title for o in openings.listed(self._principal)}

    def contract(self, target: str) -> str:
        record = self.contracts.get(_id(target))
        if record is None:
            return "a contract"
        return (
            f'"{record.title}"'
            if self.actor_kind == "agent"
            else f'"{record.title}" with {record.agent_name}'
        )

    def currency(self, target: str) -> str | None:
        record = self.contracts.get(_id(target))
        return record.currency if record is not None else None

    def opening(self, opening_id: str) -> str:
        title = self.openings.get(_id(opening_id))
        return f'the opening "{title}"' if title else "an opening"

    def member(self, target: str) -> str:
        return self.members.get(_id(target)) or "a former member"


def _id(target: str) -> str:
    """'contract:01J…' -> '01J…'; an id already bare stays as it is."""
    return target.split(":", 1)[1] if ":" in target else target


def _a(role: object) -> str:
    text = str(role or "member")
    return ("an " if text[:1] in "aeiou" else "a ") + text


def _hm(minutes: object) -> str:
    from chalicelib.domain.diary import hours_and_minutes

    return hours_and_minutes(int(minutes or 0))  # pyright: ignore[reportArgumentType]


def _money(minor: object, currency: str | None) -> str:
    from chalicelib.domain.money import format_amount

    if currency is None:
        return f"{int(minor or 0)} (minor units)"  # pyright: ignore[reportArgumentType]
    return f"{format_amount(int(minor or 0), currency)} {currency.upper()}"  # pyright: ignore[reportArgumentType]


Phrase = Callable[[str, Mapping[str, Any], Mapping[str, Any], Names], str]

STATUS_VERBS = {
    "publish": "published",
    "pause": "paused",
    "close": "closed",
    "resume": "resumed",
    "end": "ended",
    "shortlist": "shortlisted",
    "decline": "declined",
    "withdraw": "withdrew",
}


def _transition(noun: str) -> Phrase:
    def phrase(target, before, after, names):
        what = names.contract(target) if noun == "contract" else noun
        reason = f" (reason: {after['reason']})" if after.get("reason") else ""
        return f"{what}{reason}"

    return phrase


# action -> the sentence after the actor's name, from the target and the before/after summary
PHRASES: dict[str, Phrase] = {
    "business.signed_up": lambda t, b, a, n: f"signed up the business {a.get('name', '')}".strip(),
    "session.created": lambda t, b, a, n: "signed in",
    "session.ended": lambda t, b, a, n: "signed out",
    "session.login_failed": lambda t, b, a, n: "failed to sign in (a wrong password)",
    "password.reset": lambda t, b, a, n: "reset their password; every session was signed out",
    "invite.created": lambda t, b, a, n: f"invited {a.get('email', 'someone')} as {_a(a.get('role'))}",
    "invite.accepted": lambda t, b, a, n: f"accepted an invitation and joined as {_a(a.get('role'))}",
    "invite.revoked": lambda t, b, a, n: f"withdrew the invitation to {b.get('email', 'someone')}",
    "member.role_changed": lambda t, b, a, n: (
        f"changed {n.member(t)}'s role from {b.get('role')} to {a.get('role')}"
    ),
    "member.removed": lambda t, b, a, n: (
        f"removed {b.get('email', 'a member')} ({b.get('role')}) from the team"
    ),
    "api_key.created": lambda t, b, a, n: f'created the API key "{a.get("name")}" ({a.get("prefix")}…)',
    "api_key.revoked": lambda t, b, a, n: f'revoked the API key "{b.get("name")}"',
    "opening.created": lambda t, b, a, n: f'posted the opening "{a.get("title")}"',
    "opening.revised": lambda t, b, a, n: f'revised the opening "{a.get("title")}"',
    "application.submitted": lambda t, b, a, n: f"applied to {n.opening(str(a.get('opening', '')))}",
    "invitation.sent": lambda t, b, a, n: (
        f"invited an agent to apply to {n.opening(str(a.get('opening', '')))}"
    ),
    "offer.sent": lambda t, b, a, n: f"offered the contract {n.contract(t)}",
    "offer.accepted": lambda t, b, a, n: f"accepted the offer {n.contract(t)}",
    "offer.declined": lambda t, b, a, n: f"declined the offer {n.contract(t)}",
    "offer.withdrawn": lambda t, b, a, n: f"withdrew the offer {n.contract(t)}",
    "offer.expired": lambda t, b, a, n: f"let the offer {n.contract(t)} expire after 7 days",
    "amendment.proposed": lambda t, b, a, n: f"proposed a change to the contract {n.contract(t)}",
    "amendment.accepted": lambda t, b, a, n: f"accepted a change to the contract {n.contract(t)}",
    "amendment.declined": lambda t, b, a, n: f"declined a change to the contract {n.contract(t)}",
    "amendment.withdrawn": lambda t, b, a, n: f"withdrew a proposed change to the contract {n.contract(t)}",
    "entry.logged": lambda t, b, a, n: f"logged {_hm(a.get('minutes'))} on {n.contract(t)}",
    "entry.revised": lambda t, b, a, n: (
        f"changed an entry on {n.contract(t)} from {_hm(b.get('minutes'))} to {_hm(a.get('minutes'))}"
    ),
    "entry.deleted": lambda t, b, a, n: f"deleted an entry of {_hm(b.get('minutes'))} on {n.contract(t)}",
    "timesheet.approved": lambda t, b, a, n: (
        f"approved {_hm(a.get('minutes'))} of week {a.get('week')} on {n.contract(t)}"
    ),
    "dispute.filed": lambda t, b, a, n: (
        f"disputed {_hm(a.get('minutes'))} on {n.contract(t)}"
        + (f": “{a['reason']}”" if a.get("reason") else "")
    ),
    "dispute.contested": lambda t, b, a, n: f"contested a dispute on {n.contract(t)}: deskhire decides",
    "dispute.upheld": lambda t, b, a, n: (
        f"upheld a dispute on {n.contract(t)}: {_hm(a.get('upheld'))} refunded to the business, "
        f"{_hm(a.get('released'))} paid to the agent"
    ),
    "dispute.rejected": lambda t, b, a, n: (
        f"rejected a dispute on {n.contract(t)}: {_hm(a.get('released'))} paid to the agent"
    ),
    "dispute.conceded": lambda t, b, a, n: (
        f"settled a dispute on {n.contract(t)}: {_hm(a.get('upheld'))} refunded to the business"
    ),
    "dispute.withdrawn": lambda t, b, a, n: (
        f"withdrew a dispute on {n.contract(t)}; the agent is paid for it"
    ),
    "bonus.granted": lambda t, b, a, n: (
        f"granted a bonus of {_money(a.get('amount'), n.currency(t))} on {n.contract(t)} (week {a.get('week')})"
    ),
    "block.bought": lambda t, b, a, n: (
        f"bought block {a.get('block')} of {_hm(a.get('minutes'))} on {n.contract(t)}"
    ),
    "block.cancelled": lambda t, b, a, n: f"cancelled block {a.get('block')} on {n.contract(t)}",
    "block.top_up": lambda t, b, a, n: (
        f"topped up {n.contract(t)} with block {a.get('block')} of {_hm(a.get('minutes'))}"
    ),
    "block.top_up_set": lambda t, b, a, n: (
        f"turned off the automatic top-up on {n.contract(t)}"
        if a.get("top_up") == "off"
        else f"set the automatic top-up on {n.contract(t)}: {_hm(a.get('block_minutes'))} "
        f"when less than {_hm(a.get('threshold_minutes'))} is left"
    ),
    "billing.card_saved": lambda t, b, a, n: f"saved the card {a.get('card', '')} for invoices".replace(
        "  ", " "
    ),
    "billing.collection_changed": lambda t, b, a, n: (
        f"set invoices to be paid by invoice, net {a.get('days')} days"
        if a.get("collection") == "send_invoice"
        else "set invoices to be charged to the card on file"
    ),
    "kb_article.created": lambda t, b, a, n: f'wrote the help article "{a.get("title")}" (a draft)',
    "kb_article.published": lambda t, b, a, n: f'published the help article "{a.get("title")}"',
    "kb_article.unpublished": lambda t, b, a, n: (
        f'took the help article "{a.get("title")}" off the help centre'
    ),
    "kb_article.revised": lambda t, b, a, n: f'revised the help article "{a.get("title") or b.get("title")}"',
    "kb_article.deleted": lambda t, b, a, n: f'deleted the help article "{b.get("title")}"',
    "kb_category.created": lambda t, b, a, n: f'made the help category "{a.get("name")}"',
    "kb_category.deleted": lambda t, b, a, n: f'deleted the help category "{b.get("name")}"',
    "billing.refunded_after_payout": lambda t, b, a, n: (
        f"refunded {_hm(a.get('minutes'))} on {n.contract(str(a.get('contract_id', '')))} after payout"
    ),
}


def _opening_step(verb: str) -> Phrase:
    return lambda t, b, a, n: f"{STATUS_VERBS[verb]} {n.opening(t)}"


def _application_step(verb: str) -> Phrase:
    return lambda t, b, a, n: f"{STATUS_VERBS[verb]} an application"


def _contract_step(verb: str) -> Phrase:
    return lambda t, b, a, n: f"{STATUS_VERBS[verb]} the contract {_transition('contract')(t, b, a, n)}"


for _verb in ("publish", "pause", "close"):
    PHRASES[f"opening.{_verb}"] = _opening_step(_verb)
for _verb in ("shortlist", "decline", "withdraw"):
    PHRASES[f"application.{_verb}"] = _application_step(_verb)
for _verb in ("pause", "resume", "end"):
    PHRASES[f"contract.{_verb}"] = _contract_step(_verb)


def _as_dict(value: Any) -> dict[str, Any]:
    if hasattr(value, "as_dict"):
        value = value.as_dict()
    return dict(value) if isinstance(value, Mapping) else {}


def sentence(entry: Any, names: Names) -> str:
    """An audit entry (actor_name, action, target, summary) as one sentence."""
    summary = _as_dict(entry.summary)
    before, after = _as_dict(summary.get("before")), _as_dict(summary.get("after"))
    if not before and not after:
        after = summary  # entries that keep their summary flat (a refund after payout)
    phrase = PHRASES.get(entry.action)
    if phrase is None:
        return f"{entry.actor_name}: {entry.action.replace('.', ' ').replace('_', ' ')}"
    names.actor_kind = str(getattr(entry, "actor_kind", "") or "")
    try:
        text = phrase(entry.target, before, after, names)
    except Exception:  # a summary older than its phrase: still a sentence, never a dict
        text = entry.action.replace(".", " ").replace("_", " ")
    return f"{entry.actor_name} {text}"


def lines(entries: list[Any], principal: Principal) -> list[Line]:
    names = Names(principal)
    return [Line(at=e.at, actor=e.actor_name, sentence=sentence(e, names)) for e in entries]
