"""Chalice's local API gateway, sending a path no route matches to the function, as production does.

In production API Gateway sends every request to the function through the greedy resource
`/{proxy+}`, and the function finds the route (chalicelib/web/routing.py); a path no route matches
gets deskhire's own 404 from the function: the portal's "page not found" page with a way back for a
browser on a page's path, deskhire's JSON error otherwise. Chalice's local gateway routes known
paths itself (its events name the route, and the function takes them as they are) but answers an
unknown one with 403 "Missing Authentication Token"; this subclass sends that request to the
function as API Gateway would, through `/{proxy+}`, so `make run`, the tests and production give
the same 404 from the same code."""

from __future__ import annotations

import os
import re
import socket
import socketserver
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LambdaEventConverter,
    LocalChalice,
    LocalDevServer,
    LocalGateway,
)

from chalicelib.web.routing import PROXY_PARAMETER, PROXY_RESOURCE

ROOT = Path(__file__).resolve().parent.parent


class DeskhireLocalGateway(LocalGateway):
    def _generate_lambda_event(self, method, path, headers, body):
        try:
            return super()._generate_lambda_event(method, path, headers, body)
        except ValueError:  # Chalice's RouteMatcher found no route for the path
            return proxy_event(method, path, headers, body)

    def _has_user_defined_options_method(self, lambda_event):
        # Through /{proxy+} every method reaches the function, OPTIONS too.
        if lambda_event["requestContext"]["resourcePath"] == PROXY_RESOURCE:
            return True
        return super()._has_user_defined_options_method(lambda_event)


def proxy_event(method: str, path: str, headers, body: bytes | None) -> dict:
    """The event API Gateway sends through `/{proxy+}` for a path (and query) no route matches, in
    the fields Chalice's local events have: the path still percent-encoded, the `proxy` parameter
    decoded, as API Gateway presents them."""
    parts = urlsplit(path)
    query = parse_qs(parts.query, keep_blank_values=True)
    return {
        "resource": PROXY_RESOURCE,
        "path": parts.path,
        "httpMethod": method,
        "requestContext": {
            "httpMethod": method,
            "resourcePath": PROXY_RESOURCE,
            "identity": {"sourceIp": LambdaEventConverter.LOCAL_SOURCE_IP},
            "path": parts.path,
        },
        "headers": {name.lower(): value for name, value in headers.items()},
        "pathParameters": {PROXY_PARAMETER: unquote(parts.path[1:])},
        "multiValueQueryStringParameters": query or None,
        "stageVariables": {},
        "body": body,
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
