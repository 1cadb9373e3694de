"""The public portal shell: the landing page and the static files."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.web import pages

portal = Blueprint(__name__)


@portal.route("/", methods=["GET"])
def landing() -> Response:
    return pages.render("landing.html", title="Fractional customer support, by the hour")


@portal.route("/static/{name}", methods=["GET"])
def static(name: str) -> Response:
    response = pages.static_file(name)
    if response is None:
        return pages.render("error.html", status=404, title="Not found", message="There is no such file.")
    return response
