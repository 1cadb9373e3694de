"""Chalice's local API gateway, answering unknown routes the way production does.

In production API Gateway answers a path no route matches with its MISSING_AUTHENTICATION_TOKEN
response, which infra/template.yaml turns into a 404 in deskhire's error model. Chalice's local
gateway answers 403 "Missing Authentication Token" instead; this subclass reads the same response
template from infra/template.yaml, so `make run`, the tests and production answer alike."""

from __future__ import annotations

import functools
import json
import os
from http.server import BaseHTTPRequestHandler
from pathlib import Path

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


@functools.cache
def gateway_response(kind: str) -> tuple[int, bytes]:
    responses = template()["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]
    spec = responses[kind]
    body = spec["ResponseTemplates"]["application/json"]
    json.loads(body)  # the template must be plain JSON (no $context variables) to be served as is
    return int(spec["StatusCode"]), body.encode()


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
            status, payload = gateway_response("MISSING_AUTHENTICATION_TOKEN")
            return {
                "statusCode": status,
                "headers": {"Content-Type": "application/json", **error.headers},
                "multiValueHeaders": {},
                "body": payload.decode(),
            }


class DeskhireRequestHandler(ChaliceRequestHandler):
    def __init__(self, request, client_address, server, app_object, config):
        # As ChaliceRequestHandler.__init__, with our gateway: the base class handles the whole
        # request inside __init__, so the gateway must exist before it is called.
        self.local_gateway = DeskhireLocalGateway(app_object, config)
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)


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
