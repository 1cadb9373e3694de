"""Chalice's local API gateway, answering unknown routes the way production does.

In production API Gateway answers a path no route matches with its MISSING_AUTHENTICATION_TOKEN
response, which infra/template.yaml turns into a 404: deskhire's JSON error, or for a browser (an
Accept header that asks for text/html first) the portal's "page not found" page with a way back.
Chalice's local gateway answers 403 "Missing Authentication Token" instead; this subclass reads the
same response templates from infra/template.yaml and picks one as API Gateway does, so `make run`,
the tests and production answer alike."""

from __future__ import annotations

import functools
import json
import os
import re
import socket
import socketserver
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    ForbiddenError,
    LocalChalice,
    LocalDevServer,
    LocalGateway,
)

from local.table import template

ROOT = Path(__file__).resolve().parent.parent


def template_for(accept: str | None, offered) -> str:
    """The response template API Gateway uses: the one for the first media type of the Accept
    header (parameters dropped), else application/json (its default when none matches)."""
    first = (accept or "").split(",")[0].split(";")[0].strip().lower()
    return first if first in offered else "application/json"


@functools.cache
def gateway_response(kind: str, media_type: str = "application/json") -> tuple[int, bytes]:
    responses = template()["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]
    spec = responses[kind]
    body = spec["ResponseTemplates"][media_type]
    if media_type == "application/json":
        json.loads(body)  # the template must be plain JSON (no $context variables) to be served as is
    elif "$" in body:
        raise ValueError(f"the {kind} {media_type} template must be served as is: no $ variables")
    return int(spec["StatusCode"]), body.encode()


@functools.cache
def gateway_headers(kind: str) -> dict[str, str]:
    """The static headers the gateway response sets (`'value'` in the template)."""
    spec = template()["Resources"]["RestAPI"]["Properties"]["GatewayResponses"][kind]
    headers = (spec.get("ResponseParameters") or {}).get("Headers") or {}
    return {name: value.strip("'") for name, value in headers.items()}


def offered_types(kind: str) -> tuple[str, ...]:
    responses = template()["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]
    return tuple(responses[kind]["ResponseTemplates"])


_NO_ROUTE_MARKERS = (b"Missing Authentication Token", b"Authorization header requires")


class DeskhireLocalGateway(LocalGateway):
    def handle_request(self, method, path, headers, body):
        try:
            return super().handle_request(method, path, headers, body)
        except ForbiddenError as error:
            # Chalice raises this for a path no route matches (its message depends on whether an
            # Authorization header was sent); anything else is not ours to restate.
            if not any(marker in (error.body or b"") for marker in _NO_ROUTE_MARKERS):
                raise
            kind = "MISSING_AUTHENTICATION_TOKEN"
            accept = next((v for k, v in (headers or {}).items() if k.lower() == "accept"), None)
            media_type = template_for(accept, offered_types(kind))
            status, payload = gateway_response(kind, media_type)
            content_type = "text/html; charset=utf-8" if media_type == "text/html" else media_type
            return {
                "statusCode": status,
                "headers": {**error.headers, **gateway_headers(kind), "Content-Type": content_type},
                "multiValueHeaders": {},
                "body": payload.decode(),
            }


# deskhire's secrets (session, reset and invite tokens, API keys) as they appear in paths.
_SECRET = re.compile(r"\b(dh[a-z])_[A-Za-z0-9_-]+")


def redacted(text: str) -> str:
    """`/invites/dhi_Xy...` as `/invites/dhi_[redacted]`: the kind of token, never the token."""
    return _SECRET.sub(r"\1_[redacted]", text)


class DeskhireRequestHandler(ChaliceRequestHandler):
    """The local server's handler: deskhire's gateway, and an access log that carries the request
    id the client got and never a token from a path (reset and invitation links carry them)."""

    def __init__(
        self,
        # A socket, as socketserver passes it (chalice's own annotation says bytes).
        request: socket.socket,
        client_address: tuple[str, int],
        server: socketserver.BaseServer,
        app_object: Chalice,
        config: Config,
    ) -> None:
        # As ChaliceRequestHandler.__init__, with our gateway: the base class handles the whole
        # request inside __init__, so the gateway must exist before it is called.
        self.local_gateway = DeskhireLocalGateway(app_object, config)
        self._request_id, self._status = "-", None
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)

    def _generic_handle(self):
        self._request_id, self._status = "-", None
        super()._generic_handle()
        if self._status is not None:
            # One line per request, written once the answer (and its X-Request-Id) is out.
            self.log_message(
                '"%s %s" %s request_id=%s', self.command, self.path, self._status, self._request_id
            )

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

    def send_header(self, keyword, value):
        if keyword.lower() == "x-request-id":
            self._request_id = value
        super().send_header(keyword, value)

    def log_request(self, code="-", size="-"):
        # BaseHTTPRequestHandler logs here, before the headers: keep the status for the line above.
        self._status = getattr(code, "value", code)

    def log_message(self, format, *args):
        super().log_message("%s", redacted(format % args))


def api_client(app, *, stage: str = "local"):
    """chalice.test.Client with deskhire's gateway behaviour."""
    from chalice.test import Client

    client = Client(app, stage_name=stage, project_dir=str(ROOT))
    client.http._local_gateway = DeskhireLocalGateway(app, client.http._config)
    return client


def local_server(*, host: str, port: int, stage: str = "local") -> LocalDevServer:
    """The server `chalice local` would start, with deskhire's gateway. Loads the app and the
    stage's environment variables from .chalice/config.json the way the chalice CLI does."""
    from chalice.cli.factory import CLIFactory

    factory = CLIFactory(project_dir=str(ROOT))
    config = factory.create_config_obj(chalice_stage_name=stage)
    # As Lambda does: the stage's variables from .chalice/config.json are the process environment.
    os.environ.update(config.environment_variables)
    app = config.chalice_app
    # As chalice's create_local_server does: a per-thread current_request for the threaded server.
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice

    return LocalDevServer(app, config, host, port, handler_cls=DeskhireRequestHandler)
