"""The HTTP middleware the app registers: request context in, security headers and access log
out, Chalice's own error answers restated in deskhire's error model, and the 404 for a path no
route matches (web/routing.py: API Gateway sends every path to the function)."""

from __future__ import annotations

import time
from collections.abc import Callable

from chalice.app import Request, Response

from chalicelib.web import errors, routing
from chalicelib.web.observability import begin_request, finish_request


def http_middleware(event: Request, get_response: Callable[[Request], Response]) -> Response:
    started = time.perf_counter()
    request_id = begin_request(event)
    response = routing.no_route(event) if routing.is_unrouted(event) else get_response(event)
    if response.status_code >= 400:
        response = errors.from_chalice_error(response)
    finish_request(response, request_id=request_id, started=started)
    return response
