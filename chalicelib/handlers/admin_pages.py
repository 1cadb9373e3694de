"""The operators' pages: the vetting queue, with approve (and tier) and reject (with a reason)."""

from __future__ import annotations

from chalicelib.domain.errors import DomainError
from chalicelib.web.auth import OPERATOR
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)


def _queue(ctx: PageContext, *, status=200, errors=None):
    from chalicelib.services import vetting

    return ctx.render(
        "admin_home.html",
        status=status,
        title="Operations",
        pending=vetting.queue(ctx.principal),
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
        return _queue(ctx, status=400, errors={f"tier-{agent_id}": "Choose tier 1, 2 or 3"})
    try:
        agent = vetting.approve(ctx.principal, agent_id, tier=int(tier), deps=ctx.deps)
    except DomainError as error:
        if error.code == "not_found":
            raise
        return _queue(ctx, status=409, errors={"form": error.message})
    return ctx.redirect("/admin", flash=f"{agent.name} is approved at tier {tier}.")


@pages.post("/admin/agents/{agent_id}/reject", access=OPERATOR)
def reject(ctx: PageContext, agent_id: str):
    from chalicelib.services import vetting

    reason = ctx.form_values.get("reason", "")[:500]
    waiting = next((a for a in vetting.queue(ctx.principal) if a.agent_id == agent_id), None)
    if waiting is not None and reason.strip():
        page = ctx.confirm(
            title=f"Reject {waiting.name}?",
            happens=[
                f"{waiting.name} ({waiting.email}) is told their account was not approved, with your reason: "
                f"“{reason.strip()}”.",
                "They do not appear to businesses, and cannot be approved later: they would have to sign up again.",
            ],
            button=f"Reject {waiting.name}",
            back="/admin",
        )
        if page is not None:
            return page
    try:
        agent = vetting.reject(ctx.principal, agent_id, reason=reason, deps=ctx.deps)
    except DomainError as error:
        if error.field == "reason":
            return _queue(ctx, status=400, errors={f"reason-{agent_id}": error.message})
        if error.code == "not_found":
            raise
        return _queue(ctx, status=409, errors={"form": error.message})
    return ctx.redirect("/admin", flash=f"{agent.name} is rejected; they are told why.")


def _search_box(ctx: PageContext) -> str:
    return " ".join((ctx.request.query_params or {}).get("q", "").split())[:100]


@pages.get("/admin/businesses", access=OPERATOR)
def businesses(ctx: PageContext):
    """Find a business by its name, its address (slug) or an email of its team."""
    from chalicelib.services import business_directory

    text = _search_box(ctx)
    found, errors = None, {}
    if text:
        try:
            found = business_directory.find(ctx.principal, text)
        except DomainError as error:
            if error.code == "forbidden":
                raise
            errors = {"q": error.message}
    return ctx.render(
        "admin_businesses.html",
        status=400 if errors else 200,
        title="Businesses",
        query=text,
        found=found,
        errors=errors,
        values={"q": text},
    )


@pages.get("/admin/businesses/{tenant_id}", access=OPERATOR)
def business(ctx: PageContext, tenant_id: str):
    """One business as an operator sees it: who owns it, how it pays, its invoices and disputes."""
    from chalicelib.services import billing_accounts, business_directory

    seen = business_directory.overview(ctx.principal, tenant_id)
    return ctx.render(
        "admin_business.html",
        title=seen.business.name,
        tenant_id=tenant_id,
        seen=seen,
        max_days=billing_accounts.MAX_NET_DAYS,
        errors={},
    )
