"""Models of the support routes (issue 15): the business's support settings, inquiries and their
threads, replies, escalations, and the inbound-mail webhook's mail."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from chalicelib.schemas.base import Command, Line, Name, Query, View

if TYPE_CHECKING:
    from chalicelib.services.support.settings import Shown
    from chalicelib.store.support import HistoryItem, InquiryRecord, MessageRecord, QueueItem, RouteRecord

LevelName = Literal["a1", "a2", "b1", "b2", "c1", "c2", "native"]
PriorityName = Literal["urgent", "high", "normal", "low"]
ChannelName = Literal["email", "chat", "phone", "social"]
StatusName = Literal["queued", "assigned", "answered", "escalated", "resolved"]


# -- settings -------------------------------------------------------------------------------------


class SlaBody(Command):
    urgent: int = Field(description="minutes to the first response for urgent inquiries")
    high: int
    normal: int
    low: int


class ReasonTagBody(Command):
    tag: str = Field(max_length=32, description="a short lowercase word such as order-status")
    tier: Literal[1, 2] = 1


class SupportSettingsBody(Command):
    sla: SlaBody
    reason_tags: list[ReasonTagBody] = Field(default_factory=list, max_length=50)
    language_level: LevelName = "b2"
    help_page: bool = True
    version: int = Field(ge=0, description="the version read (0 before the first save)")


class ReasonTagView(View):
    tag: str
    tier: int


class SupportSettingsView(View):
    sla: dict[str, int] = Field(description="first-response targets in minutes, per priority")
    reason_tags: list[ReasonTagView]
    language_level: LevelName
    help_page: bool
    version: int
    inbound_mail_prefix: str | None = Field(description="the start of the inbound-mail secret, if made")


class InboundSecretView(View):
    secret: str = Field(description="shown once: the inbound-mail webhook's secret")
    path: str
    url: str


def settings_view(shown: Shown) -> SupportSettingsView:
    from chalicelib.domain.vocabulary import LEVELS

    return SupportSettingsView(
        sla=shown.settings.sla.to_json(),
        reason_tags=[ReasonTagView(tag=t.tag, tier=t.tier) for t in shown.settings.reason_tags],
        language_level=LEVELS[shown.settings.language_level],  # type: ignore[arg-type]
        help_page=shown.settings.help_page,
        version=shown.version,
        inbound_mail_prefix=shown.inbound_prefix,
    )


# -- inquiries ------------------------------------------------------------------------------------


class InquiryBody(Command):
    """A customer's question, sent by the business's integration (its API key) or a member."""

    customer_email: str = Field(max_length=254)
    customer_name: Name | None = None
    subject: str = Field(max_length=400, description="a few words; at most 200 once spaces are folded")
    body: str = Field(description="the customer's message, plain text, at most 20,000 characters (413 above)")
    channel: ChannelName = "email"
    priority: PriorityName = "normal"
    language: str | None = Field(
        default=None, max_length=3, description="ISO 639-1 code; detected from the text when left out"
    )
    reason: str | None = Field(default=None, max_length=32, description="one of the business's reason tags")
    external_ref: Line | None = Field(default=None, max_length=100, description="your own reference")


class AgentRef(View):
    id: str
    name: str


class InquiryView(View):
    id: str
    number: int
    status: StatusName
    channel: ChannelName
    source: Literal["help_page", "api", "email", "helpdesk"]
    language: str
    reason: str | None
    priority: PriorityName
    tier_needed: int
    customer_email: str
    customer_name: str | None
    subject: str
    agent: AgentRef | None
    created_at: datetime
    sla_due_at: datetime
    first_response_at: datetime | None
    breached_at: datetime | None
    escalated_at: datetime | None
    resolved_at: datetime | None
    external_ref: str | None


class ArticleRef(View):
    title: str
    path: str


class MessageView(View):
    id: str
    author: Literal["customer", "agent", "member", "system"]
    author_name: str
    body: str
    internal: bool
    at: datetime
    article: ArticleRef | None = None


class VerdictView(View):
    agent_id: str
    name: str
    eligible: bool
    reason: str
    rank: int | None


class RoutingView(View):
    at: datetime
    trigger: str
    chosen: AgentRef | None
    summary: str
    verdicts: list[VerdictView]


class InquiryDetail(InquiryView):
    messages: list[MessageView]
    routing: list[RoutingView] = Field(description="every routing decision, oldest first, with its reasons")


class InquirySummary(View):
    id: str
    number: int
    status: StatusName
    priority: PriorityName
    reason: str | None
    subject: str
    customer_email: str
    agent: AgentRef | None
    created_at: datetime
    sla_due_at: datetime | None = None
    breached: bool = False
    business_id: str | None = Field(default=None, description="in an agent's list: whose inquiry it is")
    business_name: str | None = None


class InquiryList(View):
    inquiries: list[InquirySummary]
    next_cursor: str | None = None


class MessageList(View):
    messages: list[MessageView]


class InboundTakenView(View):
    status: Literal["created", "threaded", "duplicate", "ignored"]
    inquiry_id: str | None = None
    number: int | None = None


class InquiryQuery(Query):
    view: Literal["open", "all"] = Field(default="open", description="open: the queue; all: by month")
    month: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$", description="yyyy-mm, for view=all")
    status: StatusName | None = None
    priority: PriorityName | None = None
    agent: str | None = Field(default=None, max_length=64)
    reason: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254, description="the customer's address")
    number: int | None = Field(default=None, ge=1)
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = None


class ReplyBody(Command):
    body: str = Field(description="plain text, at most 20,000 characters (413 above)")
    internal: bool = Field(default=False, description="an internal note: never sent to the customer")
    article_slug: str | None = Field(default=None, max_length=120, description="a published article to send")


class EscalateBody(Command):
    note: str = Field(max_length=2000, description="what tier 2 needs to know")


class ResolveBody(Command):
    note: str | None = Field(default=None, max_length=2000)


def inquiry_view(record: InquiryRecord) -> InquiryView:
    return InquiryView(**_head_fields(record))


def _head_fields(record: InquiryRecord) -> dict[str, Any]:
    return dict(
        id=record.inquiry_id,
        number=int(record.number),
        status=record.status,
        channel=record.channel,
        source=record.source,
        language=record.language,
        reason=record.reason,
        priority=record.priority,
        tier_needed=int(record.tier_needed),
        customer_email=record.customer_email,
        customer_name=record.customer_name,
        subject=record.subject,
        agent=AgentRef(id=record.agent_id, name=record.agent_name or "") if record.agent_id else None,
        created_at=record.created_at,
        sla_due_at=record.sla_due_at,
        first_response_at=record.first_response_at,
        breached_at=record.breached_at,
        escalated_at=record.escalated_at,
        resolved_at=record.resolved_at,
        external_ref=record.external_ref,
    )


def message_view(record: MessageRecord) -> MessageView:
    article = record.article
    return MessageView(
        id=record.message_id,
        author=record.author,  # type: ignore[arg-type]
        author_name=record.author_name,
        body=record.body,
        internal=bool(record.internal),
        at=record.at,
        article=ArticleRef(title=article["title"], path=article["path"]) if article else None,
    )


def routing_view(record: RouteRecord) -> RoutingView:
    return RoutingView(
        at=record.at,
        trigger=record.trigger,
        chosen=AgentRef(id=record.chosen, name=record.chosen_name or "") if record.chosen else None,
        summary=record.summary,
        verdicts=[
            VerdictView(
                agent_id=v["agent_id"],
                name=v["name"],
                eligible=not v["refusals"],
                reason=v["reason"],
                rank=v.get("rank"),
            )
            for v in record.verdicts or []
        ],
    )


def detail_view(
    record: InquiryRecord, messages: list[MessageRecord], routes: list[RouteRecord]
) -> InquiryDetail:
    return InquiryDetail(
        **_head_fields(record),
        messages=[message_view(m) for m in messages],
        routing=[routing_view(r) for r in routes],
    )


def queue_summary(item: QueueItem) -> InquirySummary:
    """An open inquiry as the business's queue and an agent's workspace list it."""
    return InquirySummary(
        id=item.inquiry_id,
        number=int(item.number),
        status=item.status,  # type: ignore[arg-type]
        priority=item.priority,  # type: ignore[arg-type]
        reason=item.reason,
        subject=item.subject,
        customer_email=item.customer_email,
        agent=AgentRef(id=item.agent_id, name=item.agent_name or "") if item.agent_id else None,
        created_at=item.created_at,
        sla_due_at=item.sla_due_at,
        breached=item.breached_at is not None,
        business_id=item.tenant_id,
        business_name=item.business_name or None,
    )


def history_summary(item: HistoryItem) -> InquirySummary:
    return InquirySummary(
        id=item.inquiry_id,
        number=int(item.number),
        status=item.status,  # type: ignore[arg-type]
        priority=item.priority,  # type: ignore[arg-type]
        reason=item.reason,
        subject=item.subject,
        customer_email=item.customer_email,
        agent=AgentRef(id=item.agent_id, name=item.agent_name or "") if item.agent_id else None,
        created_at=item.created_at,
        breached=bool(item.breached),
    )
