"""Structured JSON logs with the request id on every line.

A request's labels (its id, method, route, tenant, principal) live in a ContextVar, through
Powertools' `thread_safe_*` keys, never in the Logger's shared state: on the threaded local server
several requests run at once, and a key one appended to the shared logger labelled the others'
lines. Each request starts from an empty context (begin_request), so nothing one request or one
warm invocation labelled reaches the next; the shared state is cleared too, for any key appended
the old way. The id logged is the id the client gets in X-Request-Id."""

from __future__ import annotations

import time
import uuid
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

if TYPE_CHECKING:
    from chalice.app import Response

logger = Logger(service="deskhire")

# Headers every answer carries; the pages' Content-Security-Policy allows only our own files.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
PAGE_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'"
# The card page alone (GET /app/billing/card) runs Stripe.js, which must be loaded from
# js.stripe.com, and the Payment Element in Stripe's frames. Its handler sets this header, which
# `finish_request` keeps (setdefault). The Stripe hosts are those Stripe documents for Stripe.js
# (docs.stripe.com/security/guide#content-security-policy): scripts from js.stripe.com and its
# subdomains, frames from the same and hooks.stripe.com (3D Secure), calls to api.stripe.com.
# No style-src for Stripe: the Payment Element draws its fields inside its own frames (styled by
# Stripe's origin, not ours), and Stripe's list for Stripe.js names no style source. Link's hosts
# (link.com) are left out: the SetupIntent offers `card` only. Everything else as PAGE_POLICY.
CARD_PAGE_POLICY = (
    "default-src 'self'; "
    "script-src 'self' https://js.stripe.com https://*.js.stripe.com; "
    "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com; "
    "connect-src 'self' https://api.stripe.com; "
    "img-src 'self' data:; style-src 'self'; frame-ancestors 'none'"
)


_request_id: ContextVar[str | None] = ContextVar("deskhire_request_id", default=None)


def request_id_of(request: object) -> str:
    """API Gateway's id for the request; a fresh one where there is none (the local gateway)."""
    context = getattr(request, "context", None) or {}
    return context.get("requestId") or context.get("extendedRequestId") or uuid.uuid4().hex


def current_request_id() -> str | None:
    return _request_id.get()


def log_context(**keys: Any) -> None:
    """Label this request's log lines (and only this request's)."""
    logger.thread_safe_append_keys(**keys)


# The keys the shared logger carries by itself (level, location, service...). Requests never add
# to them: their labels go in the ContextVar above.
_SHARED_KEYS = frozenset(logger.get_current_keys())


def begin_request(request: Any) -> str:  # chalice's Request (or a test's stand-in)
    """A fresh log context for this request, labelled; returns the request id."""
    # The shared state is rebuilt only when a key was appended to it the old way (it would reach
    # every later request): rebuilding it on every request replaced the dict another thread was
    # formatting a line from, on the threaded local server.
    if set(logger.get_current_keys()) - _SHARED_KEYS:
        logger.clear_state()
    logger.thread_safe_clear_keys()
    request_id = request_id_of(request)
    _request_id.set(request_id)
    # The route's template, not the concrete path: paths carry secrets (reset and invite tokens).
    context = getattr(request, "context", None) or {}
    log_context(request_id=request_id, method=request.method, route=context.get("resourcePath") or "-")
    return request_id


# Outside the local stage every answer tells browsers to use HTTPS only, for two years.
HSTS = "max-age=63072000; includeSubDomains"


def finish_request(response: Response, *, request_id: str, started: float) -> None:
    from chalicelib.composition import deps

    response.headers.setdefault("X-Request-Id", request_id)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not deps().settings.is_local:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    # Nothing deskhire answers may be kept by a cache unless it says so (static files do): the
    # answers carry sessions, API keys, CSRF tokens and tenants' data.
    response.headers.setdefault("Cache-Control", "no-store")
    content_type = response.headers.get("Content-Type", "")
    if isinstance(content_type, str) and content_type.startswith("text/html"):
        response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    logger.info(
        "request",
        extra={
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
