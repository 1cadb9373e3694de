"""The public portal shell: the landing page and the static files."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.web import pages as rendering
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)
static_files = Blueprint(__name__)


@pages.get("/")
def landing(ctx: PageContext) -> Response:
    return ctx.render("landing.html", title="Fractional customer support, by the hour")


@static_files.route("/static/{name}", methods=["GET"])
def static(name: str) -> Response:
    response = rendering.static_file(name)
    if response is None:
        return rendering.render(
            "error.html", status=404, title="Not found", message="There is no such file.", principal=None
        )
    return response
