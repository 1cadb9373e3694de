"""Small helpers the API tests share: JSON calls with a bearer token, and signing people up."""

from __future__ import annotations

import json
import uuid

STRONG = "violet-harbor-92-lantern"


def call(client, method: str, path: str, body=None, token: str | None = None, headers=None):
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    raw = json.dumps(body) if body is not None else b""
    response = client.http.request(method, path, headers=all_headers, body=raw)
    response.json = json.loads(response.body) if response.body else None
    return response


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def business(client, **overrides):
    slug = unique("acme-")
    body = {
        "company_name": "Acme Widgets",
        "slug": slug,
        "owner_name": "Olivia Owner",
        "email": f"{slug}@example.com",
        "password": STRONG,
        "time_zone": "America/New_York",
        "currency": "usd",
        **overrides,
    }
    response = call(client, "POST", "/api/v1/signup/business", body)
    assert response.status_code == 201, response.json
    return {
        "tenant_id": response.json["tenant"]["id"],
        "token": response.json["session"]["token"],
        "email": body["email"],
        "member_id": response.json["session"]["principal"]["id"],
        "slug": slug,
    }


def agent(client, **overrides):
    email = unique("agent-") + "@example.com"
    body = {
        "name": "Ada Agent",
        "email": email,
        "password": STRONG,
        "time_zone": "Europe/Lisbon",
        **overrides,
    }
    response = call(client, "POST", "/api/v1/signup/agent", body)
    assert response.status_code == 201, response.json
    return {
        "token": response.json["session"]["token"],
        "email": email,
        "id": response.json["session"]["principal"]["id"],
    }
