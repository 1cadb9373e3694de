"""PROMISES S7: no secret, token or password ever reaches a log line, through a run of the
identity flows that handle them all (signup, login, password reset, invitation, API key)."""

import io
import json

import pytest

from chalicelib.web.observability import logger
from tests.integration.helpers import STRONG, business, call, unique

pytestmark = pytest.mark.integration


def test_identity_flows_log_no_secret(client, deps):
    stream = io.StringIO()
    previous = logger.registered_handler.setStream(stream)
    try:
        owner = business(client)
        secrets = [STRONG, owner["token"]]
        login = call(client, "POST", "/api/v1/sessions", {"email": owner["email"], "password": STRONG})
        secrets.append(login.json["token"])
        call(client, "POST", "/api/v1/sessions", {"email": owner["email"], "password": "a-wrong-password-77"})
        secrets.append("a-wrong-password-77")
        call(client, "POST", "/api/v1/password-resets", {"email": owner["email"]})
        reset = deps.mailer.last_to(owner["email"]).text.split("/password-reset/")[1].split()[0]
        secrets.append(reset)
        call(client, "POST", f"/api/v1/password-resets/{reset}", {"password": "copper-kettle-47-meadow"})
        secrets.append("copper-kettle-47-meadow")
        owner_token = call(
            client,
            "POST",
            "/api/v1/sessions",
            {"email": owner["email"], "password": "copper-kettle-47-meadow"},
        ).json["token"]
        secrets.append(owner_token)
        email = unique("mate-") + "@example.com"
        call(client, "POST", "/api/v1/team/invites", {"email": email, "role": "manager"}, token=owner_token)
        invite = deps.mailer.last_to(email).text.split("/invites/")[1].split()[0]
        secrets.append(invite)
        call(client, "POST", f"/api/v1/invites/{invite}/accept", {"name": "M", "password": STRONG})
        key = call(client, "POST", "/api/v1/api-keys", {"name": "k"}, token=owner_token).json["secret"]
        secrets.append(key)
        call(client, "GET", "/api/v1/integrations/whoami", token=key)
    finally:
        logger.registered_handler.setStream(previous)
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    assert len(lines) >= 10
    text = stream.getvalue()
    leaked = [s for s in secrets if s in text]
    assert not leaked, f"secrets in the logs: {[s[:6] + '...' for s in leaked]}"
    # the routes are logged by template, tenant-labelled once the principal is known
    assert any(line.get("route") == "/api/v1/password-resets/{token}" for line in lines)
    assert any(line.get("tenant_id") == owner["tenant_id"] for line in lines)


# -- issue 12 item 11: concurrent requests on the threaded local server -------------------------


def _threaded_server(requests_in_flight: int):
    """A small app behind deskhire's local server (threaded, one thread per connection), with a
    route that holds each request until `requests_in_flight` are inside handlers at once."""
    import threading

    from chalice import Chalice
    from chalice.config import Config
    from chalice.local import CustomLocalChalice, LocalChalice, LocalDevServer

    from chalicelib.web.api import JsonApi
    from chalicelib.web.auth import PUBLIC
    from chalicelib.web.middleware import http_middleware
    from chalicelib.web.observability import log_context
    from local import dynamodb
    from local.gateway import DeskhireRequestHandler

    together = threading.Barrier(requests_in_flight, timeout=30)
    api = JsonApi(__name__, tag="test", registry=[])

    @api.get("/api/v1/as/{tenant}", access=PUBLIC)
    def act_as(tenant: str):
        log_context(tenant_id=tenant, route_seen=f"as-{tenant}")
        together.wait()  # every request is inside a handler now: their contexts overlap
        logger.info("did something")
        return {"tenant": tenant}

    @api.get("/api/v1/invites/{token}", access=PUBLIC)
    def peek(token: str):
        return {"ok": True}

    app = Chalice(app_name="log-concurrency")
    app.register_middleware(http_middleware, "http")
    app.register_blueprint(api.blueprint)
    CustomLocalChalice.__bases__ = (LocalChalice, Chalice)
    app.__class__ = CustomLocalChalice  # a current_request per thread, as `chalice local` has
    port = dynamodb.free_port()
    server = LocalDevServer(
        app, Config(chalice_stage="local"), "127.0.0.1", port, handler_cls=DeskhireRequestHandler
    )
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{port}"


def test_concurrent_requests_keep_their_own_log_context_and_request_id(capsys):
    import threading
    import urllib.request

    tenants = [f"tenant-{n}" for n in range(8)]
    stream = io.StringIO()
    previous = logger.registered_handler.setStream(stream)
    server, base = _threaded_server(len(tenants))
    answers = {}
    try:

        def ask(tenant):
            with urllib.request.urlopen(f"{base}/api/v1/as/{tenant}", timeout=60) as response:
                answers[tenant] = response.headers["X-Request-Id"]

        threads = [threading.Thread(target=ask, args=(t,)) for t in tenants]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        token = "dhi_" + "s3cr3t" * 6
        with urllib.request.urlopen(f"{base}/api/v1/invites/{token}", timeout=60) as response:
            peek_id = response.headers["X-Request-Id"]
    finally:
        server.shutdown()
        logger.registered_handler.setStream(previous)
    assert sorted(answers) == tenants
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    did = [line for line in lines if line["message"] == "did something"]
    assert len(did) == len(tenants)
    for line in did:
        # the line's tenant, its route and the id its client got all belong to one request
        assert line["route_seen"] == f"as-{line['tenant_id']}"
        assert line["request_id"] == answers[line["tenant_id"]]
    access = {line["request_id"]: line for line in lines if line["message"] == "request"}
    assert set(answers.values()) <= set(access)
    # the local server's own access log: each line with its request id, never a token
    stderr = capsys.readouterr().err
    assert token not in stderr and "dhi_[redacted]" in stderr
    assert all(f"request_id={rid}" in stderr for rid in [*answers.values(), peek_id])
