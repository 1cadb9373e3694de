"""Setting up support for the support tests: a business with an agent under contract, clocking
in and out, inquiries through the API, and posts to the inbound-mail webhook."""

from __future__ import annotations

import json

from tests.integration.contract_helpers import MONDAY, accept, apply, approved, offer, published_opening
from tests.integration.helpers import business, call, operator


def hire_team(client, deps, *, agents: int = 1, tiers=(1,), profiles=None, now=MONDAY) -> dict:
    """A business with `agents` agents, each under an hourly contract of the given tier since
    Monday 23 Nov 2026 (the clock at 08:00 UTC); an API key for its integration."""
    deps.clock.now = now
    ops = operator(client, deps)
    owner = business(client, company_name="Northwind Coffee")
    opening = published_opening(client, owner, seats=agents)
    hired = []
    for index in range(agents):
        profile = (profiles or [{}] * agents)[index]
        someone = approved(client, ops, name=profile.pop("name", f"Agent {index + 1}"), **profile)
        application = apply(client, someone, opening)
        tier = tiers[index] if index < len(tiers) else 1
        contract = accept(client, someone, offer(client, owner, application["id"], tier=tier)["id"])
        hired.append({**someone, "contract": contract})
    key = call(client, "POST", "/api/v1/api-keys", {"name": "Shop"}, token=owner["token"]).json
    return {"owner": owner, "agents": hired, "key": key["secret"], "ops": ops}


def clock_in(client, someone) -> None:
    response = call(
        client, "POST", f"/api/v1/contracts/{someone['contract']['id']}/clock-in", token=someone["token"]
    )
    assert response.status_code in (200, 201), response.json


def clock_out(client, someone) -> None:
    response = call(client, "POST", "/api/v1/clock-out", token=someone["token"])
    assert response.status_code == 200, response.json


def ask(client, key: str, **overrides) -> dict:
    body = {
        "customer_email": "jane@example.com",
        "subject": "Where is my order?",
        "body": "Hello, I ordered coffee beans last week and they have not arrived yet. Can you check?",
        **overrides,
    }
    response = call(client, "POST", "/api/v1/inquiries", body, token=key)
    assert response.status_code == 201, response.json
    return response.json


def post_mail(client, secret: str, payload, *, content_type: str = "application/json"):
    response = client.http.request(
        "POST",
        f"/api/v1/inbound-mail/{secret}",
        headers={"Content-Type": content_type},
        body=json.dumps(payload) if not isinstance(payload, (bytes, str)) else payload,
    )
    response.json = json.loads(response.body) if response.body else None
    return response


def inbound_secret(client, owner) -> str:
    return call(client, "POST", "/api/v1/support/inbound-mail-secret", token=owner["token"]).json["secret"]
