"""Server-rendered pages: the Jinja2 environment and the static files, loaded from the app root.

Templates live in the top-level `templates/` folder. Chalice packages only `app.py`, `chalicelib/`
and `vendor/`, so `make package` copies `templates/` to `vendor/templates/`, which lands at the
root of the Lambda zip: the same `<app root>/templates` path locally, in tests and in Lambda.

Times on a page are always in the viewer's zone, with the zone named (STYLE.md, "The portal's
conventions"). The portal binds the viewer's zone for the request (`viewing_in`); the filters read
it, so neither handlers nor templates pass a zone by hand:

    {{ entry.started_at|when }}                       Wed 25 Nov 10:10 EST
    {{ entry.started_at|span(entry.ended_at) }}       Wed 25 Nov 10:10–11:30 EST
    {{ clock.started_at|clock }}                      10:10 EST
    {{ invoice.paid_at|day }}                         Wed 25 Nov 2026 (the date on the viewer's clock)
    {{ zone_name() }}                                 America/New_York
    {{ moment|when(contract.business_time_zone) }}    another zone, named the same way

A zone whose abbreviation is only an offset ("-03" for America/Sao_Paulo) is named by its IANA
name instead, so a reader never has to guess what "-03" means. The writing is domain/time.py's,
which mails and refusals use too, so that a mail and the page it links to agree."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

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

UTC_ZONE = "UTC"


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
    env.globals["zone_name"] = viewer_zone
    env.filters["amount"] = _amount
    env.filters["local"] = _local
    env.filters["hm"] = _hours_and_minutes
    env.filters["when"] = when
    env.filters["span"] = span
    env.filters["clock"] = clock
    env.filters["day"] = day
    env.filters["hours_here"] = hours_here
    # languages (and skills) by name, never by code (issue 14, item 1): {{ "pt"|language }} Portuguese,
    # {{ "c1"|level }} C1 advanced, {{ agent.languages|languages }} Portuguese (Native), English
    # (C1 advanced), {{ opening.languages|languages(at_least=True) }} English (B2 ... or above)
    from chalicelib.domain import vocabulary

    env.filters["language"] = vocabulary.language_name
    env.filters["level"] = vocabulary.level_name
    env.filters["languages"] = vocabulary.languages_said
    env.filters["skills"] = vocabulary.skill_names  # {{ opening.skills|skills|join(", ") }}
    env.globals["language_names"] = vocabulary.LANGUAGE_NAMES
    return env


def hours_here(schedule: dict[str, Any], zone: str | None = None) -> list[dict[str, str]]:
    """A stored weekly schedule (`{"time_zone", "windows"}`: an opening's coverage, a contract's
    hours, an agent's availability) as windows on the viewer's clock (or `zone`'s), this week:
    `{{ opening.coverage|hours_here }}` with `window_label` and "your time, {{ zone_name() }}"
    (issue 14, item 8; domain.schedule.seen_from says how)."""
    from chalicelib.composition import deps
    from chalicelib.domain.schedule import seen_from
    from chalicelib.store.marketplace import schedule_of

    shown = seen_from(schedule_of(schedule), zone or viewer_zone(), week_of=deps().now().date())
    return [w.to_json() for w in shown.windows]


def _amount(minor, currency: str) -> str:
    from chalicelib.domain.money import format_amount

    return format_amount(int(minor), currency)


def _hours_and_minutes(minutes) -> str:
    from chalicelib.domain.diary import hours_and_minutes

    return hours_and_minutes(int(minutes or 0))


# -- the viewer's zone -------------------------------------------------------------------------

# What the request's viewer reads times in: a zone name, or a function that finds it (called at
# most once, on the first time shown, so that a page without times reads nothing for it).
_VIEWER_ZONE: ContextVar[str | Callable[[], str] | None] = ContextVar("viewer_zone", default=None)


@contextmanager
def viewing_in(zone: str | Callable[[], str] | None) -> Iterator[None]:
    """Times rendered inside the block are in `zone` (a name, or a function that finds it)."""
    token = _VIEWER_ZONE.set(zone)
    try:
        yield
    finally:
        _VIEWER_ZONE.reset(token)


def viewer_zone() -> str:
    """The zone of the request's viewer; UTC for a stranger or outside a request."""
    zone = _VIEWER_ZONE.get()
    if callable(zone):
        try:
            zone = zone() or UTC_ZONE
        except Exception:  # a page must not fail for want of its viewer's zone
            from chalicelib.web.observability import logger

            logger.exception("the viewer's time zone could not be read; showing UTC")
            zone = UTC_ZONE
        _VIEWER_ZONE.set(zone)
    return zone or UTC_ZONE


def _zone(name: str) -> tzinfo:
    from chalicelib.domain.time import _zone as zone_info

    return zone_info(name)


# The filters: domain/time.py's writing (shared with mails and messages), on the viewer's clock
# unless a zone is given.


def zone_label(local: datetime) -> str:
    from chalicelib.domain.time import zone_label as label

    return label(local)


def when(moment: datetime | str | None, zone: str | None = None) -> str:
    """An instant on the viewer's clock with the zone named: 'Wed 25 Nov 10:10 EST'."""
    from chalicelib.domain import time

    return "" if moment is None else time.when(moment, zone or viewer_zone())


def span(start: datetime | str, end: datetime | str, zone: str | None = None) -> str:
    """'Wed 25 Nov 10:10–11:30 EST', or 'Wed 25 Nov 23:00 – Thu 26 Nov 01:00 EST' across midnight."""
    from chalicelib.domain import time

    return time.span(start, end, zone or viewer_zone())


def clock(moment: datetime | str, zone: str | None = None) -> str:
    """The time of day only: '10:10 EST' (where the day is plain from the page)."""
    from chalicelib.domain import time

    return time.clock(moment, zone or viewer_zone())


def day(moment: datetime | str | None, zone: str | None = None) -> str:
    """The date an instant falls on, on the viewer's clock: 'Wed 25 Nov 2026'."""
    from chalicelib.domain import time

    return "" if moment is None else time.day(moment, zone or viewer_zone())


def _local(moment, zone: str, pattern: str = "%a %d %b %H:%M") -> str:
    """A UTC instant on a person's own clock, for form fields (a date or time input's value):
    `{{ entry.started_at|local(zone, '%H:%M') }}`. Text for people uses `when`, which names the zone."""
    return moment.astimezone(_zone(zone)).strftime(pattern)


# -- rendering ----------------------------------------------------------------------------------


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
