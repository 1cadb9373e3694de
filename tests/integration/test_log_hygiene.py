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
