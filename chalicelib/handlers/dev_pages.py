"""Local-stage tools: the outbox where mail lands instead of SES. Outside the local stage the
route answers 404, as if it were not there."""

from __future__ import annotations

from chalicelib.domain.errors import NotFound
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)


@pages.get("/dev/outbox")
def outbox_page(ctx: PageContext):
    from chalicelib.store import outbox

    if not ctx.deps.settings.is_local:
        raise NotFound("There is no such page.")
    return ctx.render("outbox.html", title="Outbox (local)", mails=outbox.latest())
