"""A tenant's audit log: who changed what, when, with a before/after summary. Entries are written
in the same transaction as the change they record, and never updated."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.identity import Principal
from chalicelib.domain.tenancy import TenantId
from chalicelib.ids import new_id
from chalicelib.store import keys
from chalicelib.store.identity import AuditRecord
from chalicelib.store.pagination import query_page

# Audit entries are kept for seven years, then DynamoDB's TTL removes them.
RETENTION_SECONDS = 7 * 366 * 24 * 3600


def audit_pk(tenant: TenantId) -> str:
    return keys.tenant_pk(tenant, "AUDIT")


def entry(
    tenant: TenantId, actor: Principal, action: str, target: str, summary: dict, *, at: datetime
) -> AuditRecord:
    return AuditRecord(
        audit_pk(tenant),
        keys.sort_key(at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), new_id()),
        actor_kind=str(actor.kind),
        actor_id=actor.id,
        actor_name=actor.name,
        action=action,
        target=target,
        summary=summary,
        at=at,
        expires_at=int(at.timestamp()) + RETENTION_SECONDS,
    )


def page(tenant: TenantId, *, limit: int, cursor: str | None, secret: bytes):
    pk = audit_pk(tenant)
    return query_page(AuditRecord, pk, scope=pk, secret=secret, limit=limit, cursor=cursor, newest_first=True)
