"""Support operations on the JSON API (issue 15): the business's support settings, inquiries
(created by its integration's API key or a member, read by the business and by the agents who
work them), replies, escalations, resolutions, and the inbound-mail webhook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import composition
from chalicelib.domain.identity import PrincipalKind
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import AGENT, INTEGRATION, MEMBER, PUBLIC, TEAM_MANAGER, Access
from chalicelib.web.errors import HttpError

if TYPE_CHECKING:  # for the annotations; each route imports its models when it runs
    from chalicelib.schemas import support as schemas


api = JsonApi(__name__, tag="support", schemas="chalicelib.schemas.support")

# An inquiry is read and worked by the business (its members and its integration's key) and by
# the agents under contract with it.
WORKERS = Access(
    "support_workers", frozenset({PrincipalKind.MEMBER, PrincipalKind.API_KEY, PrincipalKind.AGENT})
)
# Replies come from people: the business's team or an agent.
PEOPLE = Access("support_people", frozenset({PrincipalKind.MEMBER, PrincipalKind.AGENT}))


def _too_large(error) -> HttpError:
    return HttpError(413, "too_large", error.message, field=error.field)


# -- settings -------------------------------------------------------------------------------------


@api.get("/api/v1/support/settings", response="SupportSettingsView", access=MEMBER)
def get_support_settings(principal) -> schemas.SupportSettingsView:
    """The business's support settings (the defaults until first saved)."""
    from chalicelib.schemas import support as schemas
    from chalicelib.services.support import settings

    return schemas.settings_view(settings.show(principal))


@api.put(
    "/api/v1/support/settings",
    body="SupportSettingsBody",
    response="SupportSettingsView",
    errors=(400, 409),
    access=TEAM_MANAGER,
)
def put_support_settings(body: schemas.SupportSettingsBody, principal) -> schemas.SupportSettingsView:
    """Save the SLA targets, reasons, language level and help page switch (owners and admins)."""
    from chalicelib.domain import inquiries as rules
    from chalicelib.domain.vocabulary import LEVELS
    from chalicelib.schemas import support as schemas
    from chalicelib.services.support import settings

    changed = rules.SupportSettings.of(
        sla=body.sla.model_dump(),
        reason_tags=[rules.ReasonTag(t.tag, t.tier) for t in body.reason_tags],
        language_level=LEVELS.index(body.language_level),
        help_page=body.help_page,
    )
    shown = settings.update(principal, changed, version=body.version, deps=composition.deps())
    return schemas.settings_view(shown)


@api.post(
    "/api/v1/support/inbound-mail-secret", response="InboundSecretView", status=201, access=TEAM_MANAGER
)
def rotate_inbound_mail_secret(principal) -> schemas.InboundSecretView:
    """A new secret for the inbound-mail webhook (the old one stops working); shown once."""
    from chalicelib.schemas import support as schemas
    from chalicelib.services.support import settings

    deps = composition.deps()
    made = settings.rotate_inbound_secret(principal, deps=deps)
    return schemas.InboundSecretView(secret=made.secret, path=made.path, url=deps.link(made.path))


# -- inquiries ------------------------------------------------------------------------------------


@api.post(
    "/api/v1/inquiries",
    body="InquiryBody",
    response="InquiryView",
    status=201,
    errors=(400, 413),
    access=INTEGRATION,
)
def create_inquiry(body: schemas.InquiryBody, principal) -> schemas.InquiryView:
    """A customer's question, sent by the business's integration (API key) or a member. It belongs
    to the key's (or the member's) business, whatever the body says; it is routed at once."""
    from chalicelib.domain import inquiries as rules
    from chalicelib.schemas import support as schemas
    from chalicelib.services.support import inquiries

    try:
        record = inquiries.create(
            principal.require_tenant(),
            inquiries.NewInquiry(
                customer_email=body.customer_email,
                customer_name=body.customer_name,
                subject=body.subject,
                body=body.body,
                channel=body.channel,
                priority=body.priority,
                language=body.language,
                reason=body.reason,
                external_ref=body.external_ref,
            ),
            source=rules.Source.API,
            author_name=principal.name,
            deps=composition.deps(),
        )
    except rules.MessageTooLarge as error:
        raise _too_large(error) from None
    return schemas.inquiry_view(record)


@api.get("/api/v1/inquiries", query="InquiryQuery", response="InquiryList", access=INTEGRATION)
def list_inquiries(query: schemas.InquiryQuery, principal) -> schemas.InquiryList:
    """The business's inquiries: the open queue (most urgent first) or a month's, newest first;
    filtered by status, priority, agent (an id, or `none`), reason; or found by the customer's
    address or the number."""
    from chalicelib.schemas import support as schemas
    from chalicelib.services.support import lists

    deps = composition.deps()
    if query.number is not None:
        found = lists.found_by_number(principal, query.number)
        return schemas.InquiryList(inquiries=[schemas.history_summary(i) for i in found])
    if query.email:
        found = lists.customer_history(principal, query.email)
        return schemas.InquiryList(inquiries=[schemas.history_summary(i) for i in found])
    filters = lists.Filters(
        status=query.status, priority=query.priority, agent=query.agent, reason=query.reason
    )
    if query.view == "open":
        queue = lists.open_queue(principal, filters, limit=query.limit, cursor=query.cursor, deps=deps)
        return schemas.InquiryList(
            inquiries=[schemas.queue_summary(i) for i in queue.items], next_cursor=queue.next_cursor
        )
    month = lists.history(principal, query.month, filters, limit=query.limit, cursor=query.cursor, deps=deps)
    return schemas.InquiryList(
        inquiries=[schemas.history_summary(i) for i in month.items], next_cursor=month.next_cursor
    )


@api.get("/api/v1/inquiries/{inquiry_id}", response="InquiryDetail", errors=(404,), access=WORKERS)
def get_inquiry(inquiry_id: str, principal) -> schemas.InquiryDetail:
    """An inquiry with its thread and every routing decision with its reasons (the business, its
    integration, and the agents working for it)."""
    from chalicelib.schemas import support as schemas
    from chalicelib.services.support import inquiries

    found = inquiries.thread(principal, inquiry_id, deps=composition.deps())
    return schemas.detail_view(found.head, found.messages, found.routes)


@api.get("/api/v1/inquiries/{inquiry_id}/replies", response="MessageList", errors=(404,), access=WORKERS)
def list_replies(inquiry_id: str, principal) -> schemas.MessageList:
    """The inquiry's thread: the customer's messages, the replies, and internal notes."""
    from chalicelib.schemas import support as schemas
    from chalicelib.services.support import inquiries

    found = inquiries.thread(principal, inquiry_id, deps=composition.deps())
    return schemas.MessageList(messages=[schemas.message_view(m) for m in found.messages])


@api.post(
    "/api/v1/inquiries/{inquiry_id}/replies",
    body="ReplyBody",
    response="MessageView",
    status=201,
    errors=(404, 409, 413),
    access=PEOPLE,
)
def post_reply(inquiry_id: str, body: schemas.ReplyBody, principal) -> schemas.MessageView:
    """Reply to the customer (mailed from deskhire, with an article of the help centre if named),
    or write an internal note (`internal: true`). The agent who owns the inquiry, a tier-2 agent
    taking an escalation, or the business's team; anyone else gets 404 or 403."""
    from chalicelib.domain import inquiries as rules
    from chalicelib.schemas import support as schemas
    from chalicelib.services.support import conversations

    try:
        message = conversations.reply(
            principal,
            inquiry_id,
            body.body,
            internal=body.internal,
            article_slug=body.article_slug,
            deps=composition.deps(),
        )
    except rules.MessageTooLarge as error:
        raise _too_large(error) from None
    return schemas.message_view(message)


@api.post(
    "/api/v1/inquiries/{inquiry_id}/escalate",
    body="EscalateBody",
    response="InquiryView",
    errors=(404, 409),
    access=PEOPLE,
)
def escalate_inquiry(inquiry_id: str, body: schemas.EscalateBody, principal) -> schemas.InquiryView:
    """Tier 1 to tier 2, with a note: to a tier-2 agent on shift, else the business's team."""
    from chalicelib.schemas import support as schemas
    from chalicelib.services.support import conversations

    return schemas.inquiry_view(
        conversations.escalate(principal, inquiry_id, body.note, deps=composition.deps())
    )


@api.post(
    "/api/v1/inquiries/{inquiry_id}/resolve",
    body="ResolveBody",
    response="InquiryView",
    errors=(404, 409),
    access=PEOPLE,
    body_required=False,
)
def resolve_inquiry(inquiry_id: str, body: schemas.ResolveBody, principal) -> schemas.InquiryView:
    """The customer's question is answered: the inquiry leaves the queue."""
    from chalicelib.schemas import support as schemas
    from chalicelib.services.support import conversations

    return schemas.inquiry_view(
        conversations.resolve(principal, inquiry_id, note=body.note, deps=composition.deps())
    )


@api.get("/api/v1/agent/inquiries", response="InquiryList", access=AGENT)
def my_inquiries(principal) -> schemas.InquiryList:
    """The agent's open inquiries across businesses, soonest due first; then the escalations a
    tier-2 agent may take."""
    from chalicelib.schemas import support as schemas
    from chalicelib.services.support import lists

    deps = composition.deps()
    items = lists.my_queue(principal) + lists.escalations_for(principal, deps=deps)
    return schemas.InquiryList(inquiries=[schemas.queue_summary(i) for i in items])


# -- inbound mail ---------------------------------------------------------------------------------


# SNS posts its notifications as text/plain (a JSON body all the same), and Chalice answers 415
# itself for a content type a route does not list: JsonApi.route has no option for it, so this one
# route is registered as JsonApi registers its routes (the same wrapper, errors and OpenAPI entry),
# with both types listed. (A `content_types=` option on JsonApi.route would make this plain.)
INBOUND_TYPES = ["application/json", "text/plain"]


def _accepting_text(path: str, **options):
    def register(handler):
        import functools

        from chalicelib.web.api import ModelRef, Operation

        operation = Operation(
            method="POST",
            path=path,
            name=handler.__name__,
            summary=(handler.__doc__ or "").strip().split("\n")[0],
            tag=api.tag,
            path_params=("secret",),
            response=ModelRef(api.schemas, options["response"]),
            status=options["status"],
            errors=options["errors"],
            access=PUBLIC,
        )
        api.operations.append(operation)
        view = functools.wraps(handler)(functools.partial(api._invoke, operation, handler))
        api.blueprint.route(path, methods=["POST"], content_types=INBOUND_TYPES)(view)
        return handler

    return register


@_accepting_text(
    "/api/v1/inbound-mail/{secret}", response="InboundTakenView", status=202, errors=(400, 404, 413, 429)
)
def inbound_mail(secret: str, request) -> schemas.InboundTakenView:
    """A customer's mail for the business whose secret this is (docs/support.md, "The inbound mail
    shape"): deskhire's JSON shape, or an SNS notification of an SES receipt. It threads into the
    inquiry its reply-to address names, or starts one. An unknown secret is 404."""
    import json

    from chalicelib.domain import inquiries as rules
    from chalicelib.domain.errors import NotFound
    from chalicelib.schemas import support as schemas
    from chalicelib.services.support import inbound_mail as inbound
    from chalicelib.services.support import settings
    from chalicelib.web.api import MAX_BODY_BYTES
    from chalicelib.web.request import body_bytes

    tenant = settings.tenant_of_inbound_secret(secret)
    if tenant is None:
        raise NotFound("no inbound mail address here")
    raw = body_bytes(request)
    if len(raw) > MAX_BODY_BYTES:
        raise HttpError(413, "too_large", f"The body is over {MAX_BODY_BYTES} bytes.")
    try:
        payload = json.loads(raw or b"null")
    except ValueError:
        raise HttpError(400, "malformed_json", "The body is not JSON.") from None
    try:
        mail = inbound.parse(payload)
        if mail is None:  # SNS's subscription confirmation: confirmed by hand (docs/support.md)
            return schemas.InboundTakenView(status="ignored")
        taken = inbound.take_in(tenant, mail, deps=composition.deps())
    except rules.MessageTooLarge as error:
        raise _too_large(error) from None
    return schemas.InboundTakenView(
        status="duplicate" if taken.duplicate else "threaded" if taken.threaded else "created",
        inquiry_id=taken.inquiry_id,
        number=taken.number,
    )
