"""The agent's portal (the profile, the board and the diary arrive with later issues)."""

from __future__ import annotations

from chalicelib.web.auth import AGENT
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)


@pages.get("/agent", access=AGENT)
def home(ctx: PageContext):
    return ctx.render("agent_home.html", title="Your agent account")
