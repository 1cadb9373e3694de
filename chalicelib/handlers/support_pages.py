"""Support operations in the portal (issue 15): the business's support settings, its queue of
inquiries with filters and search, an inquiry with its thread and routing decisions (the team
replies and works escalations there); the agent's workspace, made for a phone: their queue across
businesses, the inquiry with suggested articles, reply, note, escalate, resolve."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.domain.errors import DomainError
from chalicelib.domain.identity import PrincipalKind
from chalicelib.web import nav
from chalicelib.web.auth import AGENT, MEMBER, TEAM_MANAGER
from chalicelib.web.portal import PageContext, Portal

if TYPE_CHECKING:
    from chalicelib.domain.inquiries import SupportSettings

pages = Portal(__name__)

BLANK_REASON_ROWS = 3


# -- settings -------------------------------------------------------------------------------------


def _hours(minutes: int) -> str:
    return f"{minutes / 60:g}"


def _settings_values(settings: SupportSettings, version: int) -> dict[str, str]:
    from chalicelib.domain.vocabulary import LEVELS

    values = {f"sla_{p.value}": _hours(m) for p, m in settings.sla.minutes.items()}
    for index, tag in enumerate(settings.reason_tags):
        values[f"tag_{index}"], values[f"tier_{index}"] = tag.tag, str(tag.tier)
    values["language_level"] = LEVELS[settings.language_level]
    values["help_page"] = "on" if settings.help_page else ""
    values["version"] = str(version)
    return values


def _settings_page(ctx: PageContext, *, status: int = 200, errors=None, values=None, secret=None):
    from chalicelib.domain.inquiries import Priority
    from chalicelib.domain.vocabulary import LEVELS
    from chalicelib.services.support import settings

    shown = settings.show(ctx.principal)
    values = values if values is not None else _settings_values(shown.settings, shown.version)
    rows = max((int(k[4:]) + 1 for k in values if k.startswith("tag_") and k[4:].isdigit()), default=0)
    rows = min(rows, 60)
    return ctx.render(
        "support_settings.html",
        status=status,
        title="Support settings",
        errors=errors or {},
        values=values,
        priorities=[p.value for p in Priority],
        levels=LEVELS,
        reason_rows=rows + BLANK_REASON_ROWS,
        inbound_prefix=shown.inbound_prefix,
        secret=secret,
        may_edit=ctx.principal.role in ("owner", "admin"),
    )


@pages.get("/app/support/settings", access=MEMBER)
def settings_page(ctx: PageContext):
    return _settings_page(ctx)


def _settings_form(values: dict[str, str]) -> tuple[SupportSettings, int]:
    """The settings as typed: targets in hours, reasons in rows, the level, the help page box."""
    from chalicelib.domain import inquiries as rules
    from chalicelib.domain.errors import InvalidInput
    from chalicelib.domain.vocabulary import LEVELS, level_rank
    from chalicelib.web import forms

    sla: dict[str, int] = {}
    for priority in rules.Priority:
        name = f"sla_{priority.value}"
        minutes = forms.minutes_from_hours(values.get(name, ""), field=name)
        if minutes is None:
            raise InvalidInput(f"enter the hours to the first response for {priority.value}", field=name)
        sla[priority.value] = minutes
    tags: list[rules.ReasonTag] = []
    typed_in: list[int] = []  # the form row of each reason
    rows = sorted(int(k.split("_")[1]) for k in values if k.startswith("tag_") and k[4:].isdigit())
    for index in rows:
        tag = values.get(f"tag_{index}", "").strip().lower()
        if tag:
            tier = 2 if values.get(f"tier_{index}") == "2" else 1
            tags.append(rules.ReasonTag(tag, tier))
            typed_in.append(index)
    level = values.get("language_level", "b2")
    if level not in LEVELS:
        raise InvalidInput("pick a level from the list", field="language_level")
    try:
        version = int(values.get("version", "0"))
    except ValueError:
        version = 0
    try:
        return (
            rules.SupportSettings.of(
                sla=sla,
                reason_tags=tags,
                language_level=level_rank(level, field="language_level"),
                help_page=values.get("help_page") == "on",
            ),
            version,
        )
    except InvalidInput as error:
        raise InvalidInput(error.message, field=_settings_field(error.field, typed_in)) from None


def _settings_field(field: str | None, typed_in: list[int]) -> str:
    """A rule's field as the form names it: `sla.urgent` -> sla_urgent, `reason_tags.1.tag` ->
    the form row the second non-blank reason was typed in."""
    name = field or "form"
    if name.startswith("sla."):
        return "sla_" + name.split(".")[1]
    if name.startswith("reason_tags."):
        position = int(name.split(".")[1])
        return f"tag_{typed_in[position]}" if position < len(typed_in) else "form"
    return name


@pages.post("/app/support/settings", access=TEAM_MANAGER)
def save_settings(ctx: PageContext):
    from chalicelib.services.support import settings

    try:
        changed, version = _settings_form(ctx.form_values)
        settings.update(ctx.principal, changed, version=version, deps=ctx.deps)
    except DomainError as error:
        status = 409 if error.code == "stale" else 400
        field = error.field or "form"
        return _settings_page(ctx, status=status, errors={field: error.message}, values=ctx.form_values)
    return ctx.redirect("/app/support/settings", flash="Support settings saved.")


@pages.post("/app/support/settings/inbound-mail", access=TEAM_MANAGER)
def rotate_inbound_secret(ctx: PageContext):
    from chalicelib.services.support import settings

    page = ctx.confirm(
        title="Make a new inbound-mail address?",
        happens=[
            "deskhire makes a new secret webhook address for the mail your customers send you.",
            "The old address stops working at once: update your mail provider's webhook with the new one.",
        ],
        button="Make a new address",
        back="/app/support/settings",
        danger=False,
    )
    if page is not None:
        return page
    made = settings.rotate_inbound_secret(ctx.principal, deps=ctx.deps)
    # Rendered, not redirected: this answer is the only place the secret ever appears.
    return _settings_page(ctx, status=201, secret=ctx.deps.link(made.path))


# -- the business's queue and an inquiry ----------------------------------------------------------

FILTERS = ("status", "priority", "agent", "reason")


def _query(ctx: PageContext) -> dict[str, str]:
    params = ctx.request.query_params or {}
    return {
        name: (params.get(name) or "").strip()[:64] for name in (*FILTERS, "q", "view", "month", "cursor")
    }


@pages.get("/app/inquiries", access=MEMBER)
def business_queue(ctx: PageContext):
    from chalicelib.domain import inquiries as rules
    from chalicelib.services.support import lists, routing
    from chalicelib.services.support import settings as support_settings

    asked = _query(ctx)
    principal = ctx.principal
    tenant = principal.require_tenant()
    filters = lists.Filters(
        status=asked["status"] if asked["status"] in {s.value for s in rules.Status} else None,
        priority=asked["priority"] if asked["priority"] in {p.value for p in rules.Priority} else None,
        agent=asked["agent"] or None,
        reason=asked["reason"] or None,
    )
    search = asked["q"]
    items: list = []
    next_cursor = None
    errors: dict[str, str] = {}
    view = "all" if asked["view"] == "all" else "open"
    try:
        if search:
            number = search.lstrip("#")
            if number.isdigit():
                items = lists.found_by_number(principal, int(number))
            else:
                items = lists.customer_history(principal, search)
        elif view == "open":
            page = lists.open_queue(
                principal, filters, limit=50, cursor=asked["cursor"] or None, deps=ctx.deps
            )
            items, next_cursor = page.items, page.next_cursor
        else:
            page = lists.history(
                principal,
                asked["month"] or None,
                filters,
                limit=50,
                cursor=asked["cursor"] or None,
                deps=ctx.deps,
            )
            items, next_cursor = page.items, page.next_cursor
    except DomainError as error:
        errors[error.field or "form"] = error.message
    agents = {a.agent_id: a.agent_name for a in routing.on_shift(tenant)}
    for item in items:
        if item.agent_id:
            agents.setdefault(item.agent_id, item.agent_name or item.agent_id)
    return ctx.render(
        "support_queue.html",
        title="Inquiries",
        items=items,
        asked=asked,
        view=view,
        next_cursor=next_cursor,
        statuses=[s.value for s in rules.Status],
        priorities=[p.value for p in rules.Priority],
        reasons=[t.tag for t in support_settings.of(tenant).reason_tags],
        agents=sorted(agents.items(), key=lambda pair: pair[1]),
        on_shift=routing.on_shift(tenant),
        errors=errors,
        now=ctx.deps.now(),
    )


def _inquiry_page(
    ctx: PageContext, inquiry_id: str, *, side: str, status: int = 200, errors=None, values=None
):
    from chalicelib.services.support import inquiries

    found = inquiries.thread(ctx.principal, inquiry_id, deps=ctx.deps)
    suggestions = []
    if side == "agent":
        suggestions = _suggestions(found)
    return ctx.render(
        "support_inquiry.html",
        status=status,
        title=f"#{found.head.number} {found.head.subject}",
        side=side,
        head=found.head,
        messages=found.messages,
        routes=found.routes,
        suggestions=suggestions,
        may_act=_may_act(ctx, found),
        base=f"/{'agent' if side == 'agent' else 'app'}/inquiries/{inquiry_id}",
        errors=errors or {},
        values=values if values is not None else {},
        now=ctx.deps.now(),
    )


def _may_act(ctx: PageContext, found) -> bool:
    principal, head = ctx.principal, found.head
    if head.status == "resolved" or head.source == "helpdesk":  # a helpdesk's: worked there
        return False
    if principal.kind == "member":
        return True
    if head.agent_id == principal.id:
        return True
    return head.agent_id is None and head.status == "escalated" and int(found.contract.tier or 1) >= 2


def _suggestions(found) -> list:
    """Articles of the business that may answer the inquiry (the knowledge base's suggestions)."""
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.services import knowledge

    first = next((m.body for m in found.messages if m.author == "customer"), "")
    try:
        return knowledge.suggest(
            TenantId(found.head.tenant_id),
            f"{found.head.subject}\n{first}",
            language=found.head.language,
            limit=5,
        )
    except Exception:  # suggestions help; their absence must not break the page
        from chalicelib.web.observability import logger

        logger.exception("article suggestions failed")
        return []


@pages.get("/app/inquiries/{inquiry_id}", access=MEMBER)
def business_inquiry(ctx: PageContext, inquiry_id: str):
    return _inquiry_page(ctx, inquiry_id, side="business")


def _act(ctx: PageContext, inquiry_id: str, side: str, action: str):
    """One action on an inquiry from its page: reply, note, escalate or resolve."""
    from chalicelib.domain import inquiries as rules
    from chalicelib.services.support import conversations

    values = ctx.form_values
    try:
        if action == "reply":
            conversations.reply(
                ctx.principal,
                inquiry_id,
                values.get("body", ""),
                article_slug=values.get("article_slug") or None,
                deps=ctx.deps,
            )
            done = "Reply sent to the customer."
        elif action == "note":
            conversations.reply(
                ctx.principal, inquiry_id, values.get("note", ""), internal=True, deps=ctx.deps
            )
            done = "Note added."
        elif action == "escalate":
            conversations.escalate(ctx.principal, inquiry_id, values.get("escalation", ""), deps=ctx.deps)
            done = "Escalated to tier 2."
        else:
            conversations.resolve(
                ctx.principal, inquiry_id, note=values.get("resolution") or None, deps=ctx.deps
            )
            done = "Resolved."
    except DomainError as error:
        if error.code == "not_found":
            raise
        status = 413 if isinstance(error, rules.MessageTooLarge) else 409 if error.code in _CONFLICTS else 400
        if error.code == "forbidden":
            status = 403
        field = {"reply": "body", "note": "note", "escalate": "escalation", "resolve": "resolution"}[action]
        where = field if error.field in ("body", "note", "article_slug") or status == 413 else "form"
        if error.field == "article_slug":
            where = "article_slug"
        return _inquiry_page(
            ctx, inquiry_id, side=side, status=status, errors={where: error.message}, values=values
        )
    if side == "agent" and action in ("escalate", "resolve"):
        return ctx.redirect("/agent/inquiries", flash=done)
    return ctx.redirect(f"/{'agent' if side == 'agent' else 'app'}/inquiries/{inquiry_id}", flash=done)


_CONFLICTS = ("inquiry_state", "contended", "conflict")


@pages.post("/app/inquiries/{inquiry_id}/reply", access=MEMBER)
def business_reply(ctx: PageContext, inquiry_id: str):
    return _act(ctx, inquiry_id, "business", "reply")


@pages.post("/app/inquiries/{inquiry_id}/note", access=MEMBER)
def business_note(ctx: PageContext, inquiry_id: str):
    return _act(ctx, inquiry_id, "business", "note")


@pages.post("/app/inquiries/{inquiry_id}/resolve", access=MEMBER)
def business_resolve(ctx: PageContext, inquiry_id: str):
    return _act(ctx, inquiry_id, "business", "resolve")


# -- the agent's workspace ------------------------------------------------------------------------


@pages.get("/agent/inquiries", access=AGENT)
def agent_queue(ctx: PageContext):
    from chalicelib.services.diary import clock
    from chalicelib.services.support import lists

    return ctx.render(
        "support_workspace.html",
        title="Inquiries",
        mine=lists.my_queue(ctx.principal),
        escalations=lists.escalations_for(ctx.principal, deps=ctx.deps),
        clock=clock.current_clock(ctx.principal),
        now=ctx.deps.now(),
    )


@pages.get("/agent/inquiries/{inquiry_id}", access=AGENT)
def agent_inquiry(ctx: PageContext, inquiry_id: str):
    return _inquiry_page(ctx, inquiry_id, side="agent")


@pages.post("/agent/inquiries/{inquiry_id}/reply", access=AGENT)
def agent_reply(ctx: PageContext, inquiry_id: str):
    return _act(ctx, inquiry_id, "agent", "reply")


@pages.post("/agent/inquiries/{inquiry_id}/note", access=AGENT)
def agent_note(ctx: PageContext, inquiry_id: str):
    return _act(ctx, inquiry_id, "agent", "note")


@pages.post("/agent/inquiries/{inquiry_id}/escalate", access=AGENT)
def agent_escalate(ctx: PageContext, inquiry_id: str):
    return _act(ctx, inquiry_id, "agent", "escalate")


@pages.post("/agent/inquiries/{inquiry_id}/resolve", access=AGENT)
def agent_resolve(ctx: PageContext, inquiry_id: str):
    return _act(ctx, inquiry_id, "agent", "resolve")


# -- what needs the viewer, beside the navigation (web/nav.py) -----------------------------------


@nav.counter(PrincipalKind.AGENT)
def inquiries_to_answer(principal, deps) -> dict[str, int]:
    """The agent's inquiries waiting for their reply (one Select=COUNT query of their index)."""
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.store.support import QueueItem, agent_queue_index

    waiting = QueueItem.status.is_in("assigned", "escalated")
    return {
        "/agent/inquiries": QueueItem.gsi1.count(
            agent_queue_index(AgentId(principal.id)), filter_condition=waiting
        )
    }


@nav.counter(PrincipalKind.MEMBER)
def inquiries_waiting(principal, deps) -> dict[str, int]:
    """The business's inquiries nobody owns (queued, or escalated to its team): one Select=COUNT
    query of its open queue."""
    from chalicelib.store.support import QueueItem, queue_pk

    unowned = QueueItem.agent_id.does_not_exist()
    return {"/app/inquiries": QueueItem.count(queue_pk(principal.require_tenant()), filter_condition=unowned)}
