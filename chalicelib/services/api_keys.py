"""Per-tenant API keys for integrations: created with the secret shown once, listed by prefix,
revoked. The table holds a SHA-256 of the key under `APIKEY#<digest>` for the lookup, and the
key's record (name, prefix, status) in the tenant's partition for the list."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.composition import Deps
from chalicelib.domain.errors import NotFound
from chalicelib.domain.identity import Principal, require_team_manager
from chalicelib.ids import new_id
from chalicelib.security import tokens
from chalicelib.store import audit, keys
from chalicelib.store.identity import ApiKeyLookup, ApiKeyRecord
from chalicelib.store.transactions import transaction

# What the list shows of a key: its kind and the first characters of its secret part.
PREFIX_LENGTH = len(tokens.API_KEY) + 1 + 8


@dataclass(frozen=True)
class CreatedKey:
    record: ApiKeyRecord
    secret: str


def create(actor: Principal, *, name: str, deps: Deps) -> CreatedKey:
    tenant = actor.require_tenant()
    require_team_manager(actor)
    now = deps.now()
    secret = tokens.new_secret(tokens.API_KEY)
    key_id = new_id()
    digest = tokens.digest(secret)
    record = ApiKeyRecord(
        keys.tenant_pk(tenant),
        keys.sort_key("APIKEY", key_id),
        key_id=key_id,
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        status="active",
        created_by=actor.id,
        created_at=now,
        lookup_digest=digest,
    )
    lookup_pk = keys.platform_pk("APIKEY", digest)
    with transaction() as tx:
        tx.save(record, condition=ApiKeyRecord.pk.does_not_exist())
        tx.save(
            ApiKeyLookup(lookup_pk, "LOOKUP", tenant_id=tenant.value, key_id=key_id),
            condition=ApiKeyLookup.pk.does_not_exist(),
        )
        tx.save(
            audit.entry(
                tenant,
                actor,
                "api_key.created",
                f"api_key:{key_id}",
                {"after": {"name": name, "prefix": record.prefix}},
                at=now,
            )
        )
    return CreatedKey(record=record, secret=secret)


def listed(actor: Principal) -> list[ApiKeyRecord]:
    tenant = actor.require_tenant()
    require_team_manager(actor)
    return [
        item
        for item in ApiKeyRecord.query(keys.tenant_pk(tenant), ApiKeyRecord.sk.startswith("APIKEY#"))
        if isinstance(item, ApiKeyRecord)
    ]


def revoke(actor: Principal, key_id: str, *, deps: Deps) -> ApiKeyRecord:
    tenant = actor.require_tenant()
    require_team_manager(actor)
    record = ApiKeyRecord.find(keys.tenant_pk(tenant), keys.sort_key("APIKEY", key_id), consistent=True)
    if record is None or record.status != "active":
        raise NotFound("no such active API key")
    now = deps.now()
    with transaction() as tx:
        tx.update(record, actions=[ApiKeyRecord.status.set("revoked"), ApiKeyRecord.revoked_at.set(now)])
        tx.delete(ApiKeyLookup(keys.platform_pk("APIKEY", record.lookup_digest), "LOOKUP"))
        tx.save(
            audit.entry(
                tenant,
                actor,
                "api_key.revoked",
                f"api_key:{key_id}",
                {"before": {"name": record.name, "status": "active"}},
                at=now,
            )
        )
    record.status = "revoked"
    return record
