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


def operator(client, deps):
    """A platform operator (created as `make admin` does) with a bearer token."""
    from chalicelib.services.accounts import create_operator

    email = unique("ops-") + "@example.com"
    create_operator(name="Olga Ops", email=email, password=STRONG, deps=deps)
    response = call(client, "POST", "/api/v1/sessions", {"email": email, "password": STRONG})
    assert response.status_code == 201, response.json
    return {"token": response.json["token"], "email": email}


WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def profile_body(**overrides):
    body = {
        "headline": "Calm, quick email support",
        "bio": "Five years on Shopify stores.",
        "skills": ["zendesk", "email", "chat"],
        "products": ["Shopify"],
        "languages": [{"code": "en", "level": "c2"}, {"code": "pt", "level": "native"}],
        "availability": [{"day": d, "start": "14:00", "end": "22:00"} for d in WEEKDAYS],
        "min_rate": {"amount": 2000, "currency": "usd"},
    }
    body.update(overrides)
    return body


def opening_body(**overrides):
    body = {
        "title": "Weekday email support",
        "description": "Answer order questions for a coffee shop.",
        "skills": ["zendesk", "email"],
        "products": ["shopify"],
        "languages": [{"code": "en", "level": "c1"}],
        "coverage": [{"day": d, "start": "09:00", "end": "17:00"} for d in WEEKDAYS],
        "hours_per_week": 12.5,
        "seats": 1,
        "rate_min": {"amount": 2000, "currency": "usd"},
        "rate_max": {"amount": 3000, "currency": "usd"},
        "tier": 1,
        "start_date": "2027-01-04",
    }
    body.update(overrides)
    return body
