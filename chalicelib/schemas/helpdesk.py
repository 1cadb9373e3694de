"""Models of the helpdesk integration (issue 15, slice 10): deskhire's event shape, which a Zendesk
trigger or a Freshdesk automation rule fills with placeholders (strict: any other field is a 400
naming it), Zendesk's own ticket events (taken as they come: the many fields deskhire does not read
are ignored, the ones it reads are checked), and what the routes answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.schemas.base import Command, View

if TYPE_CHECKING:
    from chalicelib.domain.helpdesk import Event

Short = Annotated[str, Field(max_length=320)]


class HelpdeskEventBody(Command):
    """deskhire's event shape (docs/support.md, "Helpdesk integrations"). An empty placeholder
    ("") is a value left out."""

    # The ticket's words come from the helpdesk: hidden characters are dropped there, not refused.
    _raw_fields: ClassVar[frozenset[str]] = frozenset({"subject", "description", "requester_name", "comment"})

    product: Literal["zendesk", "freshdesk"]
    event: Literal["created", "replied", "solved", "rated"] = Field(
        description="created; replied (a public reply by an agent: the earliest is the first response); solved; rated"
    )
    ticket_id: Annotated[str, Field(max_length=64)] | int = Field(description="the helpdesk's ticket id")
    at: Short | None = Field(
        default=None, description="when it happened, ISO 8601; when it arrived if left out"
    )
    subject: str | None = Field(default=None, max_length=10_000)
    description: str | None = Field(
        default=None, max_length=200_000, description="the ticket's text (created)"
    )
    requester_email: Short | None = None
    requester_name: str | None = Field(default=None, max_length=1_000)
    created_at: Short | None = Field(default=None, description="when the ticket was created, ISO 8601")
    priority: Short | None = None
    channel: Short | None = Field(
        default=None, description="the helpdesk's channel or source, such as Web Form"
    )
    agent_email: Short | None = Field(
        default=None, description="who replied, solved, or (rated) was assigned"
    )
    rating: Short | int | None = Field(default=None, description="good, bad, or 1 to 5 (rated)")
    comment: str | None = Field(default=None, max_length=50_000, description="the customer's comment (rated)")


class _Native(BaseModel):
    """Zendesk's own payloads: the fields deskhire reads, checked; the rest ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, defer_build=True)


class ZendeskVia(_Native):
    channel: str | None = Field(default=None, max_length=200)


class ZendeskTicketDetail(_Native):
    id: Annotated[str, Field(max_length=64)] | int
    subject: str | None = Field(default=None, max_length=10_000)
    description: str | None = Field(default=None, max_length=200_000)
    created_at: str | None = Field(default=None, max_length=64)
    priority: str | None = Field(default=None, max_length=64)
    requester_id: Annotated[str, Field(max_length=64)] | int | None = None
    via: ZendeskVia | None = None


class ZendeskAuthor(_Native):
    is_staff: bool = False
    name: str | None = Field(default=None, max_length=1_000)


class ZendeskComment(_Native):
    is_public: bool
    author: ZendeskAuthor


class ZendeskCommentEvent(_Native):
    comment: ZendeskComment


class ZendeskStatusEvent(_Native):
    current: str = Field(max_length=64)


class ZendeskEvent(_Native):
    type: str = Field(max_length=200)
    id: str = Field(max_length=100)
    time: str = Field(max_length=64)


class ZendeskTicketCreated(ZendeskEvent):
    detail: ZendeskTicketDetail


class ZendeskCommentAdded(ZendeskEvent):
    detail: ZendeskTicketDetail
    event: ZendeskCommentEvent


class ZendeskStatusChanged(ZendeskEvent):
    detail: ZendeskTicketDetail
    event: ZendeskStatusEvent


ZENDESK_MODELS: dict[str, type[ZendeskEvent]] = {
    "zen:event-type:ticket.created": ZendeskTicketCreated,
    "zen:event-type:ticket.comment_added": ZendeskCommentAdded,
    "zen:event-type:ticket.status_changed": ZendeskStatusChanged,
}


@dataclass(frozen=True)
class Parsed:
    event: Event | None  # None: an event deskhire does not use
    ignored: str = ""  # what it was
    ticket_id: str | None = None


def parse(payload: dict[str, Any], *, now: datetime) -> Parsed:
    """The event in a helpdesk's body: Zendesk's own (its `type` starts `zen:event-type:`), else
    deskhire's shape. A field at fault is a 400 naming it (pydantic's, or the domain's)."""
    from chalicelib.domain import helpdesk_events as read

    kind = str(payload.get("type", ""))
    if not kind.startswith(read.ZENDESK_EVENT):
        body = HelpdeskEventBody.model_validate(payload)
        return Parsed(
            read.read_event(
                product=body.product,
                kind=body.event,
                ticket_id=body.ticket_id,
                now=now,
                at=body.at,
                subject=body.subject,
                description=body.description,
                requester_email=body.requester_email,
                requester_name=body.requester_name,
                created_at=body.created_at,
                priority=body.priority,
                channel=body.channel,
                agent_email=body.agent_email,
                rating=body.rating,
                comment=body.comment,
            )
        )
    model = ZENDESK_MODELS.get(kind)
    if model is None:
        return Parsed(None, kind[:100])
    native = model.model_validate(payload)
    detail: ZendeskTicketDetail = native.detail  # type: ignore[attr-defined]
    said = getattr(native, "event", None)
    event = read.read_zendesk_event(
        event_type=native.type,
        event_id=native.id,
        time=native.time,
        ticket_id=detail.id,
        now=now,
        subject=detail.subject,
        description=detail.description,
        created_at=detail.created_at,
        priority=detail.priority,
        channel=detail.via.channel if detail.via else None,
        requester_id=detail.requester_id,
        comment=read.ZendeskComment(said.comment.is_public, said.comment.author.is_staff)
        if isinstance(said, ZendeskCommentEvent)
        else None,
        status=said.current if isinstance(said, ZendeskStatusEvent) else None,
    )
    if event is None:
        return Parsed(None, kind, str(detail.id)[:64])
    return Parsed(event)


# -- answers ---------------------------------------------------------------------------------------


class HelpdeskTakenView(View):
    status: Literal["applied", "duplicate", "ignored"]
    inquiry_id: str | None = None
    number: int | None = None
    needs_attention: bool = Field(
        default=False, description="the event named an address no agent under contract with you uses"
    )


class HelpdeskEventView(View):
    received_at: datetime
    product: str
    event: str
    ticket_id: str | None
    outcome: Literal["applied", "ignored"]
    inquiry_id: str | None
    number: int | None
    who: str | None = Field(description="the agent or member credited, or the address nobody uses")
    needs_attention: bool


class HelpdeskAddressView(View):
    id: str
    email: str
    events: int
    first_at: datetime
    last_at: datetime
    product: str
    last_event: str
    last_ticket_id: str
    last_inquiry_id: str
    last_number: int


class HelpdeskOverviewView(View):
    endpoint: str = Field(
        description="where your helpdesk posts its events, with an API key as a bearer token"
    )
    events: list[HelpdeskEventView]
    attention: list[HelpdeskAddressView]


def event_view(item) -> HelpdeskEventView:
    return HelpdeskEventView(
        received_at=item.received_at,
        product=item.product,
        event=item.kind_of_event,
        ticket_id=item.ticket_id,
        outcome="applied" if item.outcome == "applied" else "ignored",
        inquiry_id=item.inquiry_id,
        number=item.number,
        who=item.who,
        needs_attention=item.author == "unknown",
    )


def address_view(item) -> HelpdeskAddressView:
    return HelpdeskAddressView(
        id=item.sk,
        email=item.email,
        events=int(item.events),
        first_at=item.first_at,
        last_at=item.last_at,
        product=item.product,
        last_event=item.last_kind,
        last_ticket_id=item.last_ticket_id,
        last_inquiry_id=item.last_inquiry_id,
        last_number=int(item.last_number),
    )
