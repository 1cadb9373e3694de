"""The operators' pages: the agents waiting for vetting (decisions arrive with the marketplace)."""

from __future__ import annotations

from chalicelib.lazy import lazy
from chalicelib.web.auth import OPERATOR
from chalicelib.web.portal import PageContext, Portal

accounts = lazy("chalicelib.services.accounts")

pages = Portal(__name__)


@pages.get("/admin", access=OPERATOR)
def home(ctx: PageContext):
    return ctx.render("admin_home.html", title="Operations", pending=accounts.pending_agents())
