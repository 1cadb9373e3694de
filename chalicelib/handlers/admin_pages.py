"""The operators' pages: the vetting queue, with approve (and tier) and reject (with a reason)."""

from __future__ import annotations

from chalicelib.domain.errors import DomainError
from chalicelib.web.auth import OPERATOR
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)


def _queue(ctx: PageContext, *, status=200, notice=None, errors=None):
    from chalicelib.services import vetting

    return ctx.render(
        "admin_home.html",
        status=status,
        title="Operations",
        pending=vetting.queue(ctx.principal),
        notice=notice,
        errors=errors or {},
    )


@pages.get("/admin", access=OPERATOR)
def home(ctx: PageContext):
    return _queue(ctx)


@pages.post("/admin/agents/{agent_id}/approve", access=OPERATOR)
def approve(ctx: PageContext, agent_id: str):
    from chalicelib.services import vetting

    tier = ctx.form_values.get("tier", "")
    if tier not in ("1", "2", "3"):
        return _queue(ctx, status=400, errors={"form": "choose tier 1, 2 or 3"})
    agent = vetting.approve(ctx.principal, agent_id, tier=int(tier), deps=ctx.deps)
    return _queue(ctx, notice=f"{agent.name} is approved at tier {tier}.")


@pages.post("/admin/agents/{agent_id}/reject", access=OPERATOR)
def reject(ctx: PageContext, agent_id: str):
    from chalicelib.services import vetting

    try:
        agent = vetting.reject(
            ctx.principal, agent_id, reason=ctx.form_values.get("reason", "")[:500], deps=ctx.deps
        )
    except DomainError as error:
        if error.field == "reason":
            return _queue(ctx, status=400, errors={"form": error.message})
        raise
    return _queue(ctx, notice=f"{agent.name} is rejected.")
