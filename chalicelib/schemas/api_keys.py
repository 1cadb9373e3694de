"""Models of the api keys routes (see chalicelib/schemas/__init__.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from chalicelib.schemas.base import Command, Name, View


class ApiKeyBody(Command):
    name: Name


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
