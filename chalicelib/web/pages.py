"""Server-rendered pages: the Jinja2 environment and the static files, loaded from the app root.

Templates live in the top-level `templates/` folder. Chalice packages only `app.py`, `chalicelib/`
and `vendor/`, so `make package` copies `templates/` to `vendor/templates/`, which lands at the
root of the Lambda zip: the same `<app root>/templates` path locally, in tests and in Lambda."""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

from chalice.app import Response

APP_ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = APP_ROOT / "templates"
STATIC = TEMPLATES / "static"

_STATIC_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_CONTENT_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}


@functools.cache
def environment():
    # jinja2 is imported on the first page render, not at cold start: JSON routes never pay for it.
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        # Jinja2's default is autoescape off; every template here is HTML, so escape everything.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static"] = static_url
    env.filters["amount"] = _amount
    env.filters["local"] = _local
    env.filters["hm"] = _hours_and_minutes
    return env


def _amount(minor, currency: str) -> str:
    from chalicelib.domain.money import format_amount

    return format_amount(int(minor), currency)


def _local(moment, zone: str, pattern: str = "%a %d %b %H:%M") -> str:
    """A UTC instant on a person's own clock: `{{ entry.started_at|local(zone) }}`."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(zone)).strftime(pattern)


def _hours_and_minutes(minutes) -> str:
    from chalicelib.domain.diary import hours_and_minutes

    return hours_and_minutes(int(minutes or 0))


def render(template: str, *, status: int = 200, headers: dict | None = None, **context) -> Response:
    html = environment().get_template(template).render(**context)
    return Response(
        body=html,
        status_code=status,
        headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", **(headers or {})},
    )


@functools.cache
def _fingerprint(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """A URL that changes when the file does, so the file can be cached for a long time."""
    return f"/static/{name}?v={_fingerprint(name)}"


def static_file(name: str) -> Response | None:
    if not _STATIC_NAME.match(name):
        return None
    path = STATIC / name
    content_type = _CONTENT_TYPES.get(path.suffix)
    if content_type is None or not path.is_file():
        return None
    return Response(
        body=path.read_text(encoding="utf-8"),
        status_code=200,
        headers={
            "Content-Type": content_type,
            "Cache-Control": "public, max-age=31536000, immutable",
            "ETag": f'"{_fingerprint(name)}"',
        },
    )
