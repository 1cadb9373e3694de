"""An inquiry: one end customer's question to one business, and the rules of its life.

- **Status** moves along a fixed table (`next_status`): `queued` (nobody on shift fits) or
  `assigned` (an agent owns it, no reply yet) → `answered` (an agent replied, the customer's turn)
  → `resolved`. `escalated` waits for tier 2 (a tier-2 agent or the business's own team). A
  customer's answer reopens an answered or resolved inquiry (within `REOPEN_DAYS` of resolving),
  back to whoever owned it or to the queue. Anything else is refused (a 409).
- **Priority** sets the first-response target (SLA), per business: by default 1 h urgent, 4 h
  high, 8 h normal, 24 h low. The target runs from creation to the first reply an agent sends,
  wall-clock (DESIGN.md, "Metrics definitions": first response time).
- **Reason tags** come from the business's own list; a tag may need tier 2 (a refund, a legal
  question), which routing honours and escalation targets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.vocabulary import CHANNELS as CHANNEL_NAMES
from chalicelib.domain.vocabulary import LEVELS

REOPEN_DAYS = 14
MAX_MESSAGE_CHARS = 20_000
MAX_SUBJECT_CHARS = 200
MAX_TAGS = 50
_TAG = re.compile(r"^[a-z0-9][a-z0-9-]{0,30}[a-z0-9]$|^[a-z0-9]$")


class Status(StrEnum):
    QUEUED = "queued"
    ASSIGNED = "assigned"
    ANSWERED = "answered"
    ESCALATED = "escalated"
    RESOLVED = "resolved"

    @property
    def is_open(self) -> bool:
        return self is not Status.RESOLVED


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"

    @property
    def rank(self) -> int:
        """Sort order in a queue: urgent first."""
        return list(Priority).index(self)


class Source(StrEnum):
    HELP_PAGE = "help_page"
    API = "api"
    EMAIL = "email"
    HELPDESK = "helpdesk"


class Action(StrEnum):
    """What can happen to an inquiry; `next_status` says where each leads from where."""

    ASSIGN = "assign"  # routing gave it to an agent
    HAND_BACK = "hand_back"  # its agent left the shift before replying: back to the queue
    REPLY = "reply"  # an agent (or a team member) wrote to the customer
    ESCALATE = "escalate"  # to tier 2
    RESOLVE = "resolve"
    CUSTOMER_REPLY = "customer_reply"  # the customer wrote again


_MOVES: dict[tuple[Status, Action], Status] = {
    (Status.QUEUED, Action.ASSIGN): Status.ASSIGNED,
    (Status.QUEUED, Action.ESCALATE): Status.ESCALATED,
    (Status.QUEUED, Action.RESOLVE): Status.RESOLVED,
    (Status.QUEUED, Action.REPLY): Status.ANSWERED,  # the business's own team answers from the queue
    (Status.QUEUED, Action.CUSTOMER_REPLY): Status.QUEUED,
    (Status.ASSIGNED, Action.HAND_BACK): Status.QUEUED,
    (Status.ASSIGNED, Action.ASSIGN): Status.ASSIGNED,  # re-routed after an SLA breach
    (Status.ASSIGNED, Action.REPLY): Status.ANSWERED,
    (Status.ASSIGNED, Action.ESCALATE): Status.ESCALATED,
    (Status.ASSIGNED, Action.RESOLVE): Status.RESOLVED,
    (Status.ASSIGNED, Action.CUSTOMER_REPLY): Status.ASSIGNED,
    (Status.ANSWERED, Action.REPLY): Status.ANSWERED,
    (Status.ANSWERED, Action.ESCALATE): Status.ESCALATED,
    (Status.ANSWERED, Action.RESOLVE): Status.RESOLVED,
    (Status.ANSWERED, Action.CUSTOMER_REPLY): Status.ASSIGNED,
    (Status.ANSWERED, Action.HAND_BACK): Status.ANSWERED,  # nothing owed: it stays answered
    (Status.ESCALATED, Action.ASSIGN): Status.ESCALATED,  # a tier-2 agent takes it
    (Status.ESCALATED, Action.REPLY): Status.ANSWERED,
    (Status.ESCALATED, Action.RESOLVE): Status.RESOLVED,
    (Status.ESCALATED, Action.CUSTOMER_REPLY): Status.ESCALATED,
    (Status.ESCALATED, Action.HAND_BACK): Status.ESCALATED,
    (Status.RESOLVED, Action.CUSTOMER_REPLY): Status.ASSIGNED,
}


def next_status(current: Status, action: Action) -> Status:
    """Where `action` takes an inquiry that is `current`; a Conflict when it cannot happen."""
    try:
        return _MOVES[(current, action)]
    except KeyError:
        raise Conflict(
            f"an inquiry that is {current.value} cannot be {_PAST[action]}", code="inquiry_state"
        ) from None


_PAST = {
    Action.ASSIGN: "assigned",
    Action.HAND_BACK: "handed back",
    Action.REPLY: "replied to",
    Action.ESCALATE: "escalated",
    Action.RESOLVE: "resolved",
    Action.CUSTOMER_REPLY: "answered by the customer",
}


def reopens(status: Status, resolved_at: datetime | None, now: datetime) -> bool:
    """Does a customer's answer reopen this inquiry (rather than start a new one)?"""
    if status is not Status.RESOLVED:
        return True
    return resolved_at is not None and now - resolved_at <= timedelta(days=REOPEN_DAYS)


# -- SLA ------------------------------------------------------------------------------------------

DEFAULT_TARGETS: dict[Priority, int] = {
    Priority.URGENT: 60,
    Priority.HIGH: 4 * 60,
    Priority.NORMAL: 8 * 60,
    Priority.LOW: 24 * 60,
}
MAX_TARGET_MINUTES = 7 * 24 * 60


@dataclass(frozen=True)
class SlaTargets:
    """First-response targets in minutes, per priority."""

    minutes: dict[Priority, int]

    @classmethod
    def default(cls) -> SlaTargets:
        return cls(dict(DEFAULT_TARGETS))

    @classmethod
    def of(cls, values: dict[str, int]) -> SlaTargets:
        """From a form or a body: every priority, each from 5 minutes to a week, urgent the
        shortest and low the longest (a target that says urgent can wait longer than normal is a
        typo, not a policy)."""
        minutes: dict[Priority, int] = {}
        for priority in Priority:
            value = values.get(priority.value)
            field = f"sla.{priority.value}"
            if value is None:
                raise InvalidInput(f"set a first-response target for {priority.value}", field=field)
            if not 5 <= value <= MAX_TARGET_MINUTES:
                raise InvalidInput("a target is between 5 minutes and 7 days", field=field)
            minutes[priority] = value
        ordered = [minutes[p] for p in Priority]
        if ordered != sorted(ordered):
            raise InvalidInput(
                "a more urgent priority needs a target no longer than a less urgent one",
                field="sla.urgent",
            )
        return cls(minutes)

    def due(self, priority: Priority, created_at: datetime) -> datetime:
        return created_at + timedelta(minutes=self.minutes[priority])

    def to_json(self) -> dict[str, int]:
        return {p.value: m for p, m in self.minutes.items()}


# -- reason tags ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonTag:
    tag: str
    tier: int = 1  # the tier an agent needs for inquiries with this reason


def check_tags(tags: list[ReasonTag]) -> list[ReasonTag]:
    """A business's list of reasons: short lowercase words (`billing`, `order-status`), each once,
    each needing tier 1 or 2."""
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"at most {MAX_TAGS} reasons", field="reason_tags")
    seen: set[str] = set()
    for index, item in enumerate(tags):
        if not _TAG.match(item.tag):
            raise InvalidInput(
                "a reason is 1 to 32 lowercase letters, digits or dashes, such as order-status",
                field=f"reason_tags.{index}.tag",
            )
        if item.tag in seen:
            raise InvalidInput(f"{item.tag} is listed twice", field=f"reason_tags.{index}.tag")
        if item.tier not in (1, 2):
            raise InvalidInput("a reason needs tier 1 or tier 2", field=f"reason_tags.{index}.tier")
        seen.add(item.tag)
    return tags


def tier_needed(reason: str | None, tags: list[ReasonTag]) -> int:
    """The tier an inquiry needs: its reason's, or 1."""
    for item in tags:
        if item.tag == reason:
            return item.tier
    return 1


def check_reason(reason: str | None, tags: list[ReasonTag]) -> str | None:
    if reason is None:
        return None
    if reason not in {t.tag for t in tags}:
        known = ", ".join(t.tag for t in tags) or "none yet"
        raise InvalidInput(f"{reason!r} is not one of this business's reasons ({known})", field="reason")
    return reason


def check_subject(subject: str) -> str:
    text = " ".join(subject.split())
    if not text:
        raise InvalidInput("say in a few words what it is about", field="subject")
    if len(text) > MAX_SUBJECT_CHARS:
        raise InvalidInput(f"a subject is at most {MAX_SUBJECT_CHARS} characters", field="subject")
    return text


def check_message(body: str, *, field: str = "body") -> str:
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("write a message", field=field)
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidInput(f"a message is at most {MAX_MESSAGE_CHARS:,} characters", field=field)
    return text


class MessageTooLarge(InvalidInput):
    """A message over MAX_MESSAGE_CHARS: the edge answers 413 (PROMISES: oversized messages)."""

    code = "too_large"


def check_body(body: str, *, field: str = "body") -> str:
    """A message of the thread: `check_message`, and over the limit it is too large (413), not a
    mistake to correct in place."""
    text = body.replace("\r\n", "\n").strip()
    if len(text) > MAX_MESSAGE_CHARS:
        raise MessageTooLarge(f"a message is at most {MAX_MESSAGE_CHARS:,} characters", field=field)
    return check_message(text, field=field)


# -- who writes, and where from -------------------------------------------------------------------


class Author(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    MEMBER = "member"  # the business's own team
    SYSTEM = "system"  # deskhire: routing, escalation, SLA notes


CHANNELS = tuple(CHANNEL_NAMES)  # email, chat, phone, social


def check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise InvalidInput(f"a channel is one of {', '.join(CHANNELS)}", field="channel")
    return channel


def check_priority(priority: str) -> Priority:
    try:
        return Priority(priority)
    except ValueError:
        raise InvalidInput(
            f"a priority is one of {', '.join(p.value for p in Priority)}", field="priority"
        ) from None


# A customer's address goes into a To: header: it is parsed strictly, so that nothing but one
# plain address can ever reach a header (no display name, no comment, no second address, no line
# break, no quoted local part). Letters, digits and the usual punctuation before the @; a domain
# of letters, digits and hyphens with a top-level part of letters.
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_TLD = re.compile(r"^[A-Za-z]{2,63}$")


def check_customer_email(text: str, *, field: str = "customer_email") -> str:
    """One plain address, lowercased: `name@example.com`. Anything that could carry a second
    address or a header (CR, LF, commas, angle brackets, quotes, spaces) is refused, not cleaned."""
    email = text.strip()
    local, at, domain = email.rpartition("@")
    labels = domain.split(".")
    valid = (
        at == "@"
        and 0 < len(email) <= 254
        and 0 < len(local) <= 64
        and _LOCAL.match(local) is not None
        and len(labels) >= 2
        and all(_LABEL.match(label) for label in labels)
        and _TLD.match(labels[-1]) is not None
    )
    if not valid:
        raise InvalidInput("enter one email address such as name@example.com", field=field)
    return email.lower()


def check_customer_name(text: str | None, *, field: str = "customer_name") -> str | None:
    if text is None:
        return None
    name = " ".join(text.split())
    if len(name) > 80:
        raise InvalidInput("a name is at most 80 characters", field=field)
    return name or None


# -- a business's support settings ----------------------------------------------------------------


@dataclass(frozen=True)
class SupportSettings:
    """What a business decides about its support: first-response targets, its reasons with the
    tier each needs, the language level an agent needs to take an inquiry, and whether its public
    help centre (and contact form) is on."""

    sla: SlaTargets
    reason_tags: tuple[ReasonTag, ...] = ()
    language_level: int = LEVELS.index("b2")  # as routing.DEFAULT_LANGUAGE_LEVEL
    help_page: bool = True

    @classmethod
    def default(cls) -> SupportSettings:
        return cls(sla=SlaTargets.default())

    @classmethod
    def of(
        cls,
        *,
        sla: dict[str, int],
        reason_tags: list[ReasonTag],
        language_level: int,
        help_page: bool,
    ) -> SupportSettings:
        if not 0 <= language_level < len(LEVELS):
            raise InvalidInput("pick a level from a1 to native", field="language_level")
        return cls(
            sla=SlaTargets.of(sla),
            reason_tags=tuple(check_tags(list(reason_tags))),
            language_level=language_level,
            help_page=help_page,
        )

    def tier_for(self, reason: str | None) -> int:
        return tier_needed(reason, list(self.reason_tags))


# -- first response -------------------------------------------------------------------------------


def is_breached(due: datetime, first_response_at: datetime | None, now: datetime) -> bool:
    """The first-response target is missed: no reply by `due` (a reply at `due` is in time)."""
    if first_response_at is not None:
        return first_response_at > due
    return now > due


# -- threading mail -------------------------------------------------------------------------------

_QUOTE_HEADER = re.compile(
    r"^(?:On .{3,200} wrote:|-{2,} ?Original Message ?-{2,}|From: .+|Em .{3,200} escreveu:|"
    r"El .{3,200} escribió:|Le .{3,200} a écrit :|Am .{3,200} schrieb .{1,200}:)\s*$",
    re.IGNORECASE,
)


def new_part_of_reply(text: str) -> str:
    """What a customer wrote in a reply by mail, without the quoted thread below it (the lines
    from "On <date>, <someone> wrote:" on, and lines quoted with ">"). Everything when nothing of
    it looks quoted."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if _QUOTE_HEADER.match(line.strip()):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    new = "\n".join(kept).strip()
    return new or text.strip()


# -- proof of work --------------------------------------------------------------------------------


class WorkAction(StrEnum):
    """What an agent did for a customer that counts as work behind a diary entry."""

    REPLY = "reply"
    ESCALATE = "escalate"
    RESOLVE = "resolve"


@dataclass(frozen=True)
class Work:
    at: datetime
    inquiry_id: str
    number: int
    action: WorkAction


@dataclass(frozen=True)
class Span:
    """A diary entry as proof of work reads it: [start, end), half-open like the diary's spans."""

    entry_id: str
    start: datetime
    end: datetime


def work_by_entry(work: list[Work], entries: list[Span]) -> tuple[dict[str, list[Work]], list[Work]]:
    """Each piece of work under the entry whose span holds it (entries do not overlap: the diary
    rule), in time order; and the work no entry holds (done off the clock)."""
    placed: dict[str, list[Work]] = {e.entry_id: [] for e in entries}
    loose: list[Work] = []
    ordered = sorted(entries, key=lambda e: e.start)
    for item in sorted(work, key=lambda w: (w.at, w.number)):
        home = next((e for e in ordered if e.start <= item.at < e.end), None)
        if home is None:
            loose.append(item)
        else:
            placed[home.entry_id].append(item)
    return placed, loose
