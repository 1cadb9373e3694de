"""Logs: one JSON line per event, the request id on every line, and no key left over from the
previous invocation of a warm container (PROMISES T4)."""

import io
import json

import pytest
from chalice import Chalice

from chalicelib.web.api import JsonApi
from chalicelib.web.auth import PUBLIC
from chalicelib.web.middleware import http_middleware
from chalicelib.web.observability import log_context, logger
from local.gateway import api_client

registry = []
api = JsonApi(__name__, tag="test", registry=registry)


@api.get("/api/v1/as/{tenant}", access=PUBLIC)
def act_as(tenant: str):
    # What the identity layer will do once it knows the principal's tenant.
    log_context(tenant_id=tenant)
    logger.info("did something")
    return {"ok": True}


@api.get("/api/v1/anonymous", access=PUBLIC)
def anonymous():
    logger.info("did something anonymous")
    return {"ok": True}


@pytest.fixture
def log_lines():
    stream = io.StringIO()
    handler = logger.registered_handler
    previous = handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    handler.setStream(previous)


@pytest.fixture(scope="module")
def client():
    app = Chalice(app_name="log-test")
    app.register_middleware(http_middleware, "http")
    app.register_blueprint(api.blueprint)
    with api_client(app) as test:
        yield test


def test_no_tenant_key_survives_into_the_next_request(client, log_lines):
    first = client.http.get("/api/v1/as/tenant-a")
    second = client.http.get("/api/v1/anonymous")
    lines = log_lines()
    first_id, second_id = first.headers["X-Request-Id"], second.headers["X-Request-Id"]
    assert first_id != second_id
    first_lines = [line for line in lines if line["request_id"] == first_id]
    second_lines = [line for line in lines if line["request_id"] == second_id]
    assert first_lines and second_lines
    assert all(
        line.get("tenant_id") == "tenant-a" for line in first_lines if line["message"] == "did something"
    )
    assert all("tenant_id" not in line for line in second_lines)
    # every line, access lines included, is labelled with its request
    assert all(line.get("request_id") for line in lines)
    access = [line for line in lines if line["message"] == "request"]
    assert {line["status"] for line in access} == {200}


def test_a_request_leaves_the_shared_logger_state_alone(client):
    """On the threaded local server requests overlap: a request that rebuilt the logger's shared
    state (its dict of keys) replaced the dict another request's thread was formatting a line
    from. A request's labels live in its own context, so the shared state stays as it is; a key
    appended to it the old way is still gone by the next request (PROMISES T4)."""
    shared = logger.registered_formatter.log_format
    before = dict(shared)
    client.http.get("/api/v1/as/tenant-a")
    assert logger.registered_formatter.log_format is shared and shared == before
    logger.append_keys(stray="left by a careless caller")
    client.http.get("/api/v1/anonymous")
    assert "stray" not in logger.get_current_keys()
