"""API keys on the JSON API, and the one integration route so far: checking a key."""

from __future__ import annotations

from chalicelib.lazy import lazy
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import INTEGRATION, TEAM_MANAGER

composition = lazy("chalicelib.composition")
api_keys = lazy("chalicelib.services.api_keys")

schemas = lazy("chalicelib.schemas.api_keys")
api = JsonApi(__name__, tag="api-keys", schemas="chalicelib.schemas.api_keys")


@api.get("/api/v1/api-keys", response="ApiKeyList", access=TEAM_MANAGER)
def list_api_keys(principal) -> schemas.ApiKeyList:
    """The business's API keys, by prefix; the secrets are never shown again."""
    return schemas.ApiKeyList(
        api_keys=[schemas.ApiKeyView(**schemas.key_view(r)) for r in api_keys.listed(principal)]
    )


@api.post(
    "/api/v1/api-keys", body="ApiKeyBody", response="CreatedApiKeyView", status=201, access=TEAM_MANAGER
)
def create_api_key(body: schemas.ApiKeyBody, principal) -> schemas.CreatedApiKeyView:
    """Create a key for an integration; the answer is the only time the secret is shown."""
    created = api_keys.create(principal, name=body.name, deps=composition.deps())
    return schemas.CreatedApiKeyView(**schemas.key_view(created.record), secret=created.secret)


@api.delete("/api/v1/api-keys/{key_id}", status=204, errors=(404,), access=TEAM_MANAGER)
def revoke_api_key(key_id: str, principal) -> None:
    """Revoke a key: it stops working at once."""
    api_keys.revoke(principal, key_id, deps=composition.deps())


@api.get("/api/v1/integrations/whoami", response="IntegrationView", access=INTEGRATION)
def integration_whoami(principal) -> schemas.IntegrationView:
    """Check an API key: which business it acts for."""
    return schemas.IntegrationView(
        tenant_id=principal.require_tenant().value, authenticated_as=str(principal.kind)
    )
