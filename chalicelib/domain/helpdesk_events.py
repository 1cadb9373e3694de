"""Reading what a helpdesk sends (issue 15, slice 10; the rules of a ticket's state are
domain/helpdesk.py): deskhire's own event shape, which a Zendesk trigger or a Freshdesk automation
rule fills with placeholders, and Zendesk's own event webhook (`zen:event-type:ticket.*`), taken
as it comes. Each value is checked and the field at fault named (a 400); an empty placeholder is a
value left out. Text is the customer's and the agents' words: kept as text (a Freshdesk
description's HTML turned into its text), hidden characters dropped, cut when too long, never
refused (a webhook cannot be sent back to be fixed)."""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeGuard

from chalicelib.domain import inquiries as rules
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.helpdesk import (
    MAX_COMMENT,
    MAX_NAME,
    MAX_SUBJECT,
    Event,
    Kind,
    Product,
    Rating,
    TicketFacts,
    iso,
)
from chalicelib.domain.text import without_hidden
from chalicelib.domain.time import to_minute

# A helpdesk's clock may run a little ahead of deskhire's; later than this is a mistake.
CLOCK_SKEW = timedelta(minutes=10)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)

# -- reading what a helpdesk sends ---------------------------------------------------------------

_TICKET_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,63}$")


def check_ticket_id(value: str | int, *, field: str = "ticket_id") -> str:
    text = str(value).strip()
    if not _TICKET_ID.match(text):
        raise InvalidInput("a ticket id is 1 to 64 letters, digits, dashes or underscores", field=field)
    return text


_MOMENT = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2}| UTC)?$",
    re.IGNORECASE,
)


def parse_moment(text: str | None, *, field: str, now: datetime) -> datetime | None:
    """A helpdesk's time, to the minute: ISO 8601 with or without seconds, fractions of any length
    (Zendesk's events carry nanoseconds), `Z` or an offset (none: UTC). Empty: None. Later than
    deskhire's clock by more than CLOCK_SKEW, or before 2000, is refused; a little later is now."""
    if text is None or not text.strip():
        return None
    found = _MOMENT.match(text.strip())
    if found is None:
        raise InvalidInput("a time is ISO 8601, such as 2026-11-23T14:05Z", field=field)
    year, month, day, hour, minute, second, zone = found.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=UTC
        )
    except ValueError:
        raise InvalidInput("that is not a real date and time", field=field) from None
    zone = (zone or "Z").strip().upper()
    if zone not in ("Z", "UTC"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    if moment > now + CLOCK_SKEW:
        raise InvalidInput("that time is in the future", field=field)
    if moment < EARLIEST:
        raise InvalidInput("that time is before the year 2000", field=field)
    return to_minute(min(moment, now))


_PRIORITIES = {
    "urgent": rules.Priority.URGENT,
    "high": rules.Priority.HIGH,
    "normal": rules.Priority.NORMAL,
    "medium": rules.Priority.NORMAL,  # Freshdesk's
    "low": rules.Priority.LOW,
    "4": rules.Priority.URGENT,  # Freshdesk's numbers
    "3": rules.Priority.HIGH,
    "2": rules.Priority.NORMAL,
    "1": rules.Priority.LOW,
}


def priority_of(text: str | None) -> rules.Priority | None:
    """Zendesk's low/normal/high/urgent (any case), Freshdesk's Low/Medium/High/Urgent or 1-4;
    anything else (Zendesk's "-" for none) is no priority, which reads as normal."""
    return _PRIORITIES.get((text or "").strip().lower())


def channel_of(text: str | None) -> str | None:
    """A helpdesk's channel, as deskhire's four: phone and voice calls are phone; chat and
    messaging are chat; social networks are social; mail, web forms, portals and the API are email."""
    words = (text or "").strip().lower()
    if not words:
        return None
    if any(w in words for w in ("phone", "voice", "call")):
        return "phone"
    if any(w in words for w in ("chat", "messag", "whatsapp", "sms")):
        return "chat"
    if any(w in words for w in ("twitter", "facebook", "instagram", "social", "x corp", "any_channel")):
        return "social"
    return "email"


_NO_RATING = {"", "unoffered", "offered", "-"}


def rating_of(value: str | int | None, *, field: str = "rating") -> Rating | None:
    """good or bad (Zendesk's rating, also as its text "Good, I'm satisfied"), or 1 to 5. Good
    counts as 5, bad as 1. Unoffered or offered (asked, not answered): no rating."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidInput("a rating is good, bad or 1 to 5", field=field)
    if isinstance(value, int):
        if 1 <= value <= 5:
            return Rating(value, str(value))
        raise InvalidInput("a rating is good, bad or 1 to 5", field=field)
    text = value.strip().lower()
    if text in _NO_RATING:
        return None
    first = re.split(r"[\s,.!]+", text, maxsplit=1)[0]
    if first == "good":
        return Rating(5, "good")
    if first == "bad":
        return Rating(1, "bad")
    if text.isdigit() and 1 <= int(text) <= 5:
        return Rating(int(text), text)
    raise InvalidInput("a rating is good, bad or 1 to 5", field=field)


def one_line(text: str | None, *, limit: int) -> str | None:
    """Words from outside as one line: hidden characters dropped, spaces folded, cut at `limit`."""
    if text is None:
        return None
    cleaned = " ".join(without_hidden(text).split())
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "\u2026"
    return cleaned or None


_TAGS = re.compile(r"<[^>]*>")


def html_text(markup: str) -> str:
    """The text of a little HTML (Freshdesk's descriptions): tags dropped, entities decoded."""
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>", "\n", markup)
    return html.unescape(_TAGS.sub("", text))


def long_text(text: str | None, *, limit: int = rules.MAX_MESSAGE_CHARS, product: Product) -> str | None:
    """A description or a comment: lines kept, hidden characters dropped, cut at `limit` with a
    note that the rest is in the helpdesk."""
    if text is None:
        return None
    cleaned = without_hidden(text).strip()
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in cleaned.split("\n")))
    if len(cleaned) > limit:
        note = f"\n\n(cut here: the whole text is in {product.label})"
        cleaned = cleaned[: limit - len(note)].rstrip() + note
    return cleaned or None


def content_key(product: Product, kind: Kind, ticket_id: str, *parts: str | None) -> str:
    """An event's identity from what it says, when the product gives it no id: a retry of the same
    delivery says the same things, so it is the same event. A ticket is created once; a reply, a
    solve or a rating is told apart by its time and its author or score."""
    canonical = json.dumps([product.value, kind.value, ticket_id, *parts], separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


# -- the two shapes an event arrives in ----------------------------------------------------------


def read_event(
    *,
    product: str,
    kind: str,
    ticket_id: str | int,
    now: datetime,
    at: str | None = None,
    subject: str | None = None,
    description: str | None = None,
    requester_email: str | None = None,
    requester_name: str | None = None,
    created_at: str | None = None,
    priority: str | None = None,
    channel: str | None = None,
    agent_email: str | None = None,
    rating: str | int | None = None,
    comment: str | None = None,
) -> Event:
    """deskhire's shape, as a trigger or an automation rule fills it with placeholders (empty
    placeholders arrive as ""): each field checked, the field at fault named."""
    made = Product(product)
    what = Kind(kind)
    ticket = check_ticket_id(ticket_id)
    moment = parse_moment(at, field="at", now=now)
    email = (
        rules.check_customer_email(requester_email, field="requester_email")
        if _given_text(requester_email)
        else None
    )
    agent = rules.check_customer_email(agent_email, field="agent_email") if _given_text(agent_email) else None
    score = rating_of(rating if _given(rating) else None)
    if what is Kind.RATED and not _given(rating):
        raise InvalidInput("a rated event needs its rating: good, bad or 1 to 5", field="rating")
    text = html_text(description) if made is Product.FRESHDESK and description else description
    return Event(
        product=made,
        kind=what,
        ticket_id=ticket,
        # Without a time given (a Freshdesk rule has no placeholder for it) the minute it arrived
        # tells two replies of the same agent apart; a retry within that minute is the same event.
        key=content_key(
            made,
            what,
            ticket,
            *(() if what is Kind.CREATED else (iso(moment or to_minute(now)), agent, score and score.given)),
        ),
        at=moment or to_minute(now),
        ticket=TicketFacts(
            subject=one_line(subject, limit=MAX_SUBJECT),
            description=long_text(text, product=made),
            customer_email=email,
            customer_name=one_line(requester_name, limit=MAX_NAME),
            created_at=parse_moment(created_at, field="created_at", now=now),
            priority=priority_of(priority),
            channel=channel_of(channel),
        ),
        agent_email=agent,
        rating=score,
        comment=long_text(comment, limit=MAX_COMMENT, product=made) if what is Kind.RATED else None,
    )


def _given(value: str | int | None) -> TypeGuard[str | int]:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def _given_text(value: str | None) -> TypeGuard[str]:
    return _given(value)


ZENDESK_EVENT = "zen:event-type:"
ZENDESK_TICKET_EVENTS = ("ticket.created", "ticket.comment_added", "ticket.status_changed")
_SOLVED_STATUSES = ("solved", "closed")


@dataclass(frozen=True)
class ZendeskComment:
    is_public: bool
    is_staff: bool
    author_name: str | None = None


def read_zendesk_event(
    *,
    event_type: str,
    event_id: str,
    time: str,
    ticket_id: str | int,
    now: datetime,
    subject: str | None = None,
    description: str | None = None,
    created_at: str | None = None,
    priority: str | None = None,
    channel: str | None = None,
    requester_id: str | int | None = None,
    comment: ZendeskComment | None = None,
    status: str | None = None,
) -> Event | None:
    """Zendesk's own event webhook (`zen:event-type:ticket.*`), taken as it comes. Its payloads name
    people by Zendesk's ids, not by address: a ticket made from one shows its requester as
    "Zendesk requester <id>" until an event with the address comes, and its replies count as the
    first response without crediting anyone. None for what deskhire does not use (other event
    types, private comments, the customer's own comments, a status other than solved or closed)."""
    name = event_type.removeprefix(ZENDESK_EVENT)
    if name == "ticket.created":
        kind = Kind.CREATED
    elif name == "ticket.comment_added" and comment is not None and comment.is_public and comment.is_staff:
        kind = Kind.REPLIED
    elif name == "ticket.status_changed" and (status or "").strip().lower() in _SOLVED_STATUSES:
        kind = Kind.SOLVED
    else:
        return None
    ticket = check_ticket_id(ticket_id, field="detail.id")
    if not event_id.strip() or len(event_id) > 100:
        raise InvalidInput("an event id is 1 to 100 characters", field="id")
    moment = parse_moment(time, field="time", now=now)
    if moment is None:
        raise InvalidInput("the event's time is missing", field="time")
    requester = check_ticket_id(requester_id, field="detail.requester_id") if _given(requester_id) else None
    return Event(
        product=Product.ZENDESK,
        kind=kind,
        ticket_id=ticket,
        key=content_key(Product.ZENDESK, kind, ticket, "event", event_id.strip()),
        at=moment,
        ticket=TicketFacts(
            subject=one_line(subject, limit=MAX_SUBJECT),
            description=long_text(description, product=Product.ZENDESK) if kind is Kind.CREATED else None,
            customer_name=f"Zendesk requester {requester}" if requester else None,
            created_at=parse_moment(created_at, field="detail.created_at", now=now),
            priority=priority_of(priority),
            channel=channel_of(channel),
        ),
        native=True,
    )
