"""API keys on the JSON API, and the one integration route so far: checking a key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import composition
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import INTEGRATION, TEAM_MANAGER

if TYPE_CHECKING:  # for the annotations; each route imports its models when it runs
    from chalicelib.schemas import api_keys as schemas


api = JsonApi(__name__, tag="api-keys", schemas="chalicelib.schemas.api_keys")


@api.get("/api/v1/api-keys", response="ApiKeyList", access=TEAM_MANAGER)
def list_api_keys(principal) -> schemas.ApiKeyList:
    """The business's API keys, by prefix; the secrets are never shown again."""
    from chalicelib.schemas import api_keys as schemas
    from chalicelib.services import api_keys

    return schemas.ApiKeyList(
        api_keys=[schemas.ApiKeyView(**schemas.key_view(r)) for r in api_keys.listed(principal)]
    )


@api.post(
    "/api/v1/api-keys", body="ApiKeyBody", response="CreatedApiKeyView", status=201, access=TEAM_MANAGER
)
def create_api_key(body: schemas.ApiKeyBody, principal) -> schemas.CreatedApiKeyView:
    """Create a key for an integration; the answer is the only time the secret is shown."""
    from chalicelib.schemas import api_keys as schemas
    from chalicelib.services import api_keys

    created = api_keys.create(principal, name=body.name, deps=composition.deps())
    return schemas.CreatedApiKeyView(**schemas.key_view(created.record), secret=created.secret)


@api.delete("/api/v1/api-keys/{key_id}", status=204, errors=(404,), access=TEAM_MANAGER)
def revoke_api_key(key_id: str, principal) -> None:
    """Revoke a key: it stops working at once."""
    from chalicelib.services import api_keys

    api_keys.revoke(principal, key_id, deps=composition.deps())


@api.get("/api/v1/integrations/whoami", response="IntegrationView", access=INTEGRATION)
def integration_whoami(principal) -> schemas.IntegrationView:
    """Check an API key: which business it acts for."""
    from chalicelib.domain.identity import PrincipalKind
    from chalicelib.schemas import api_keys as schemas

    return schemas.IntegrationView(
        tenant_id=principal.require_tenant().value,
        authenticated_as="api_key" if principal.kind is PrincipalKind.API_KEY else "member",
    )
