"""A contract's message thread in the portal (issue 14, item 7): the same page for the business
(`/app/contracts/<id>/messages`) and the agent (`/agent/contracts/<id>/messages`); anyone else,
another business's member included, gets 404."""

from __future__ import annotations

from chalicelib.domain.errors import DomainError, TooManyRequests
from chalicelib.web.auth import AGENT, MEMBER
from chalicelib.web.portal import PageContext, Portal, field_errors

pages = Portal(__name__)


def _base(ctx: PageContext, contract_id: str) -> str:
    return ("/app" if str(ctx.principal.kind) == "member" else "/agent") + f"/contracts/{contract_id}"


def _page(ctx: PageContext, contract_id: str, *, status: int = 200, errors=None):
    from chalicelib.domain import contract_messages as rules
    from chalicelib.services import contract_messages
    from chalicelib.services.contracts import records

    record, messages = contract_messages.thread(ctx.principal, contract_id)
    business = str(ctx.principal.kind) == "member"
    return ctx.render(
        "contract_messages.html",
        status=status,
        title=f"Messages · {record.title}",
        contract=record,
        other=record.agent_name if business else record.business_name,
        messages=messages,
        open=rules.may_post(records.status_of(record, ctx.deps.now())),
        state=str(records.status_of(record, ctx.deps.now())),
        limit=rules.MAX_MESSAGE,
        base=_base(ctx, contract_id),
        errors=errors or {},
    )


@pages.get("/app/contracts/{contract_id}/messages", access=MEMBER)
def business_thread(ctx: PageContext, contract_id: str):
    return _page(ctx, contract_id)


@pages.get("/agent/contracts/{contract_id}/messages", access=AGENT)
def agent_thread(ctx: PageContext, contract_id: str):
    return _page(ctx, contract_id)


def _post(ctx: PageContext, contract_id: str):
    from chalicelib.services import contract_messages

    try:
        contract_messages.post(ctx.principal, contract_id, ctx.form_values.get("body", ""), deps=ctx.deps)
    except TooManyRequests:
        raise  # the portal's 429 page, with Retry-After
    except DomainError as error:
        if error.code == "not_found":
            raise
        status = 409 if error.code == "contract_not_running" else 400
        return _page(ctx, contract_id, status=status, errors=field_errors(error))
    return ctx.redirect(f"{_base(ctx, contract_id)}/messages", flash="Message sent.")


@pages.post("/app/contracts/{contract_id}/messages", access=MEMBER)
def business_post(ctx: PageContext, contract_id: str):
    return _post(ctx, contract_id)


@pages.post("/agent/contracts/{contract_id}/messages", access=AGENT)
def agent_post(ctx: PageContext, contract_id: str):
    return _post(ctx, contract_id)
