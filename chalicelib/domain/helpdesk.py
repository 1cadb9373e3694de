"""Helpdesk integrations (issue 15, slice 10): a business that keeps Zendesk or Freshdesk sends
its ticket events to deskhire, and each ticket becomes one inquiry, so that proof of work, the
support metrics and reputation work for it too.

**Events.** Four kinds: a ticket was `created`, an agent `replied` publicly (the earliest reply
is the first response), the ticket was `solved`, the customer `rated` it (good or bad, or 1 to 5).
Each names its product and ticket; a ticket maps to one inquiry per business (`external_ref`).

**Any order, any number of times, one state.** Webhooks retry and overtake each other. A ticket's
state is therefore a join of what its events say, the same whatever order they came in and however
often each came (`merge` is commutative, associative and idempotent):
- the ticket's facts (subject, customer, priority, channel) come from the best event that carries
  them: one with the customer's address before one without, the `created` event before others,
  then the earliest, then the event's key (a total order, so two orders never disagree);
- the ticket's creation is the earliest creation time any event gives, else its earliest event;
- the first response is the earliest reply (ties: the smaller key); the resolution the earliest
  solve; the rating the latest (a customer may change their mind), ties again by key.
The status, the inquiry's agent, whether the first-response target was met and which rating
counts for whom (`Derived.credit`) are derived from that state (`derive`), never accumulated, so
they converge too: the service moves reputation and CSAT by the difference between the credit
before an event and after it (a customer who changes their mind replaces their rating).

**The first-response target** counts like a native inquiry's (`sla_outcome`): met when the first
reply came by the due time, on the reply's day; missed when it came later, or when no reply came
by then (the due time passed on deskhire's clock, or the ticket was solved after it without a
reply), on the due time's day, once whatever happens next. A ticket solved by its due time without
a reply is not judged. Only the clock adds to the state, and only one way (an unanswered ticket
becomes late): so the outcome is the same whatever order the events came in, once the due time
is past, and a reply that happened in time but arrived after the job counted the miss turns the
miss into a met target.

**Whose is it.** An event names people by address. The service matches the address to an agent
under contract with this business (never another business's), or one of its own members; the
match (`Who`) goes into the state with the event. An address that is neither is recorded without
anyone and shown to the business as needing attention.

**Text** from a helpdesk is the customer's and the agents' words: kept as text (a Freshdesk
description's HTML is turned into its text), characters a form would refuse are dropped (a webhook
cannot be sent back to be fixed), and over-long text is cut, never refused; pages escape it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from chalicelib.domain import inquiries as rules
from chalicelib.domain.time import to_minute

MAX_SUBJECT = rules.MAX_SUBJECT_CHARS
MAX_NAME = 80
MAX_COMMENT = 2_000


class Product(StrEnum):
    ZENDESK = "zendesk"
    FRESHDESK = "freshdesk"

    @property
    def label(self) -> str:
        return {"zendesk": "Zendesk", "freshdesk": "Freshdesk"}[self.value]


class Kind(StrEnum):
    CREATED = "created"
    REPLIED = "replied"  # a public reply by an agent
    SOLVED = "solved"
    RATED = "rated"


class Author(StrEnum):
    """Who an event's address turned out to be, for this business."""

    AGENT = "agent"  # an agent under contract with it
    MEMBER = "member"  # one of its own team
    UNKNOWN = "unknown"  # an address that is neither: the business is told
    NONE = "none"  # no address given (or a native event, which names nobody by address)


@dataclass(frozen=True)
class Who:
    author: Author = Author.NONE
    email: str | None = None
    id: str | None = None
    name: str | None = None
    contract_id: str | None = None  # where an agent's work counts

    @property
    def needs_attention(self) -> bool:
        return self.author is Author.UNKNOWN

    def to_json(self) -> dict[str, Any]:
        return {"author": self.author.value, "email": self.email, "id": self.id, "name": self.name}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Who:
        return cls(Author(data["author"]), data.get("email"), data.get("id"), data.get("name"))


@dataclass(frozen=True)
class Rating:
    score: int  # 1..5, as deskhire's CSAT counts it (4 and 5 are satisfied)
    given: str  # what the customer chose, as the helpdesk said it: good, bad, or 1..5


@dataclass(frozen=True)
class TicketFacts:
    """What an event says of its ticket (any of it may be missing)."""

    subject: str | None = None
    description: str | None = None
    customer_email: str | None = None
    customer_name: str | None = None
    created_at: datetime | None = None
    priority: rules.Priority | None = None
    channel: str | None = None


@dataclass(frozen=True)
class Event:
    product: Product
    kind: Kind
    ticket_id: str
    key: str  # the event's identity: the product's event id, else a digest of what it says
    at: datetime  # when it happened, to the minute: the product's time, else when it arrived
    ticket: TicketFacts = field(default_factory=TicketFacts)
    agent_email: str | None = None
    rating: Rating | None = None
    comment: str | None = None
    native: bool = False  # the product's own event payload (names nobody by address)

    @property
    def ref(self) -> str:
        return external_ref(self.product, self.ticket_id)


def external_ref(product: Product, ticket_id: str) -> str:
    return f"{product.value}:{ticket_id}"


# -- one ticket's state --------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """Something that happened to the ticket, when, and who did it."""

    at: datetime
    key: str
    who: Who = Who()

    def order(self) -> tuple[datetime, str]:
        return (self.at, self.key)

    def to_json(self) -> dict[str, Any]:
        return {"at": iso(self.at), "key": self.key, "who": self.who.to_json()}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Mark | None:
        if not data:
            return None
        return cls(_parseiso(data["at"]), data["key"], Who.from_json(data["who"]))


@dataclass(frozen=True)
class RatingMark:
    at: datetime
    key: str
    rating: Rating
    comment: str | None
    who: Who = Who()

    def to_json(self) -> dict[str, Any]:
        return {
            "at": iso(self.at),
            "key": self.key,
            "score": self.rating.score,
            "given": self.rating.given,
            "comment": self.comment,
            "who": self.who.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> RatingMark | None:
        if not data:
            return None
        return cls(
            _parseiso(data["at"]),
            data["key"],
            Rating(int(data["score"]), data["given"]),
            data.get("comment"),
            Who.from_json(data["who"]),
        )


@dataclass(frozen=True)
class Facts:
    """The ticket's facts as the best event so far told them; `rank` says how good that event is
    (smaller is better), so that a better one replaces them whatever order they came in."""

    rank: str
    subject: str | None = None
    customer_email: str | None = None
    customer_name: str | None = None
    priority: str | None = None
    channel: str | None = None

    @classmethod
    def of(cls, event: Event) -> Facts:
        ticket = event.ticket
        rank = "|".join(
            (
                "0" if ticket.customer_email else "1",
                "0" if event.kind is Kind.CREATED else "1",
                iso(event.at),
                event.key,
            )
        )
        return cls(
            rank=rank,
            subject=ticket.subject,
            customer_email=ticket.customer_email,
            customer_name=ticket.customer_name,
            priority=ticket.priority.value if ticket.priority else None,
            channel=ticket.channel,
        )


@dataclass(frozen=True)
class TicketState:
    product: Product
    ticket_id: str
    facts: Facts
    earliest: datetime  # the earliest event
    created_given: datetime | None = None  # the earliest creation time an event gave
    first_reply: Mark | None = None
    solved: Mark | None = None
    rating: RatingMark | None = None
    replies: int = 0  # distinct replies taken

    @property
    def created_at(self) -> datetime:
        return self.created_given or self.earliest

    def to_json(self) -> dict[str, Any]:
        return {
            "product": self.product.value,
            "ticket_id": self.ticket_id,
            "facts": asdict(self.facts),
            "earliest": iso(self.earliest),
            "created_given": iso(self.created_given) if self.created_given else None,
            "first_reply": self.first_reply.to_json() if self.first_reply else None,
            "solved": self.solved.to_json() if self.solved else None,
            "rating": self.rating.to_json() if self.rating else None,
            "replies": self.replies,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TicketState:
        return cls(
            product=Product(data["product"]),
            ticket_id=data["ticket_id"],
            facts=Facts(**data["facts"]),
            earliest=_parseiso(data["earliest"]),
            created_given=_parseiso(data["created_given"]) if data.get("created_given") else None,
            first_reply=Mark.from_json(data.get("first_reply")),
            solved=Mark.from_json(data.get("solved")),
            rating=RatingMark.from_json(data.get("rating")),
            replies=int(data.get("replies", 0)),
        )


def _earlier(a: Mark | None, b: Mark | None) -> Mark | None:
    if a is None or b is None:
        return a or b
    return a if a.order() <= b.order() else b


def merge(state: TicketState | None, event: Event, who: Who) -> TicketState:
    """The ticket's state once `event` (whose address turned out to be `who`) is taken in. The
    same events in any order, each any number of times, give the same state."""
    facts = Facts.of(event)
    if state is None:
        state = TicketState(product=event.product, ticket_id=event.ticket_id, facts=facts, earliest=event.at)
    elif facts.rank < state.facts.rank:
        state = replace(state, facts=facts)
    created = event.ticket.created_at
    if created is not None and (state.created_given is None or created < state.created_given):
        state = replace(state, created_given=created)
    state = replace(state, earliest=min(state.earliest, event.at))
    mark = Mark(event.at, event.key, who)
    if event.kind is Kind.REPLIED:
        state = replace(state, first_reply=_earlier(state.first_reply, mark))
    elif event.kind is Kind.SOLVED:
        state = replace(state, solved=_earlier(state.solved, mark))
    elif event.kind is Kind.RATED and event.rating is not None:
        rated = RatingMark(event.at, event.key, event.rating, event.comment, who)
        if state.rating is None or (rated.at, rated.key) > (state.rating.at, state.rating.key):
            state = replace(state, rating=rated)
    return state


def counted(state: TicketState, event: Event) -> TicketState:
    """The state with one more distinct reply counted (the service calls it once per new reply
    event: its event record makes sure of that)."""
    return replace(state, replies=state.replies + 1) if event.kind is Kind.REPLIED else state


# -- the inquiry it makes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Credit:
    """The ticket's rating as it counts: its score, when it was given, the customer's comment,
    and the agent it counts for (None: the business alone, as when its own team handled it)."""

    score: int
    at: datetime
    comment: str | None
    agent_id: str | None
    agent_name: str | None


@dataclass(frozen=True)
class Derived:
    """The inquiry's fields as the ticket's state says them."""

    subject: str
    customer_email: str  # "" when no event named the customer's address
    customer_name: str | None
    priority: rules.Priority
    channel: str
    created_at: datetime
    sla_due_at: datetime
    status: rules.Status
    agent: Who | None
    first_response_at: datetime | None
    breached_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None
    credit: Credit | None = None
    first_by: str | None = (
        None  # the agent whose reply was the first response (None: the team's, or nobody's)
    )


def derive(state: TicketState, targets: rules.SlaTargets, now: datetime | None = None) -> Derived:
    """The inquiry as the state says it; `now` (deskhire's clock) says whether an unanswered
    ticket is past its due time (without it, only a late reply misses the target)."""
    facts = state.facts
    priority = rules.Priority(facts.priority) if facts.priority else rules.Priority.NORMAL
    created = to_minute(state.created_at)
    due = targets.due(priority, created)
    first = state.first_reply
    if state.solved is not None:
        status = rules.Status.RESOLVED
    elif state.first_reply is not None:
        status = rules.Status.ANSWERED
    else:
        status = rules.Status.QUEUED
    agent = next(
        (m.who for m in (state.first_reply, state.solved) if m is not None and m.who.author is Author.AGENT),
        None,
    )
    solver = state.solved.who if state.solved and state.solved.who.author is Author.AGENT else None
    credit = None
    if state.rating is not None:
        # The agent the rating event names (Zendesk's assignee, Freshdesk's agent), else the agent
        # who answered or solved it: both come from the state, so any order gives the same.
        rated = state.rating.who if state.rating.who.author is Author.AGENT else agent
        credit = Credit(
            state.rating.rating.score,
            state.rating.at,
            state.rating.comment,
            rated.id if rated else None,
            (rated.name or rated.email) if rated else None,
        )
    return Derived(
        subject=facts.subject or f"{state.product.label} ticket #{state.ticket_id}",
        customer_email=facts.customer_email or "",
        customer_name=facts.customer_name,
        priority=priority,
        channel=facts.channel or "email",
        created_at=created,
        sla_due_at=due,
        status=status,
        agent=agent,
        first_response_at=first.at if first else None,
        breached_at=due if _missed(state, due, now) else None,
        resolved_at=state.solved.at if state.solved else None,
        resolved_by=solver.id if solver else None,
        credit=credit,
        first_by=first.who.id if first is not None and first.who.author is Author.AGENT else None,
    )


def _missed(state: TicketState, due: datetime, now: datetime | None) -> bool:
    """No first reply by `due`: a later one, or none and the ticket solved after `due` or still
    open at `now`, past it. Solved by `due` without a reply: nothing was missed."""
    if state.first_reply is not None:
        return rules.is_breached(due, state.first_reply.at, state.first_reply.at)
    if state.solved is not None:
        return state.solved.at > due
    return now is not None and rules.is_breached(due, None, now)


@dataclass(frozen=True)
class SlaOutcome:
    """How a ticket counts toward SLA attainment: met or missed, the moment it counts at (the first
    reply when met, the due time when missed) and the agent it counts for (the first reply's)."""

    met: bool
    at: datetime
    agent_id: str | None

    def to_json(self) -> dict[str, Any]:
        return {"met": self.met, "at": iso(self.at), "agent_id": self.agent_id}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> SlaOutcome | None:
        if not data:
            return None
        return cls(bool(data["met"]), _parseiso(data["at"]), data.get("agent_id"))


def sla_outcome(view: Derived) -> SlaOutcome | None:
    """What the ticket counts toward SLA attainment (see the module's docstring); None while it is
    not judged (no reply yet and not due, or solved in time without one)."""
    if view.breached_at is not None:
        return SlaOutcome(False, view.breached_at, view.first_by)
    if view.first_response_at is not None:
        return SlaOutcome(True, view.first_response_at, view.first_by)
    return None


def reputation_breach(outcome: SlaOutcome | None) -> SlaOutcome | None:
    """The missed target that counts against an agent's reputation, as a native breach does: a
    miss whose first reply was an agent's (the agent who answered late); a miss nobody answered, or
    a member answered, is nobody's. None when the ticket's outcome holds none."""
    if outcome is None or outcome.met or not outcome.agent_id:
        return None
    return outcome


def sla_watch(view: Derived) -> datetime | None:
    """When the clock alone may change the ticket's outcome (its due time, while it has no reply,
    is not solved and is not yet late); None when only an event can."""
    if view.breached_at is None and view.first_response_at is None and view.resolved_at is None:
        return view.sla_due_at
    return None


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parseiso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
