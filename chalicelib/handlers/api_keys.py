"""API keys on the JSON API, and the one integration route so far: checking a key."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from chalicelib.composition import deps
from chalicelib.services import api_keys
from chalicelib.web.api import Command, JsonApi, View
from chalicelib.web.auth import INTEGRATION, TEAM_MANAGER

api = JsonApi(__name__, tag="api-keys")


class ApiKeyBody(Command):
    name: str = Field(min_length=1, max_length=80)


class ApiKeyView(View):
    id: str
    name: str
    prefix: str = Field(description="The first characters of the key, to tell keys apart")
    status: Literal["active", "revoked"]
    created_at: datetime
    revoked_at: datetime | None = None


class CreatedApiKeyView(ApiKeyView):
    secret: str = Field(description="The key itself. Shown once: store it now.")


class ApiKeyList(View):
    api_keys: list[ApiKeyView]


class IntegrationView(View):
    tenant_id: str
    authenticated_as: Literal["api_key", "member"]


def key_view(record) -> dict:
    return dict(
        id=record.key_id,
        name=record.name,
        prefix=record.prefix,
        status=record.status,
        created_at=record.created_at,
        revoked_at=record.revoked_at,
    )


@api.get("/api/v1/api-keys", response=ApiKeyList, access=TEAM_MANAGER)
def list_api_keys(principal) -> ApiKeyList:
    """The business's API keys, by prefix; the secrets are never shown again."""
    return ApiKeyList(api_keys=[ApiKeyView(**key_view(r)) for r in api_keys.listed(principal)])


@api.post("/api/v1/api-keys", body=ApiKeyBody, response=CreatedApiKeyView, status=201, access=TEAM_MANAGER)
def create_api_key(body: ApiKeyBody, principal) -> CreatedApiKeyView:
    """Create a key for an integration; the answer is the only time the secret is shown."""
    created = api_keys.create(principal, name=body.name, deps=deps())
    return CreatedApiKeyView(**key_view(created.record), secret=created.secret)


@api.delete("/api/v1/api-keys/{key_id}", status=204, errors=(404,), access=TEAM_MANAGER)
def revoke_api_key(key_id: str, principal) -> None:
    """Revoke a key: it stops working at once."""
    api_keys.revoke(principal, key_id, deps=deps())


@api.get("/api/v1/integrations/whoami", response=IntegrationView, access=INTEGRATION)
def integration_whoami(principal) -> IntegrationView:
    """Check an API key: which business it acts for."""
    return IntegrationView(tenant_id=principal.require_tenant().value, authenticated_as=str(principal.kind))
