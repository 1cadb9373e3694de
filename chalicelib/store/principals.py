"""Loading the account behind a session, a reset or an email claim, as a Principal."""

from __future__ import annotations

from chalicelib.domain.identity import Principal, PrincipalKind, Role
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.store import keys
from chalicelib.store.identity import AgentRecord, Claim, MemberRecord, OperatorRecord

# The records a person signs in with.
Account = MemberRecord | AgentRecord | OperatorRecord


def account_record(kind: str, principal_id: str, tenant_id: str | None) -> Account | None:
    if kind == PrincipalKind.MEMBER and tenant_id:
        return MemberRecord.find(keys.tenant_pk(TenantId(tenant_id)), keys.sort_key("MEMBER", principal_id))
    if kind == PrincipalKind.AGENT:
        return AgentRecord.find(keys.agent_pk(AgentId(principal_id)), "AGENT")
    if kind == PrincipalKind.OPERATOR:
        return OperatorRecord.find(keys.platform_pk("OP", principal_id), "OPERATOR")
    return None


def account_by_email(email: str) -> Account | None:
    pk = keys.platform_pk("EMAIL", email)
    claim = Claim.find(pk, pk)
    if claim is None:
        return None
    return account_record(claim.owner_kind, claim.owner_id, claim.tenant_id)


def principal_of(record: object) -> Principal | None:
    """The acting principal for an account record; None when the account may not act."""
    if isinstance(record, MemberRecord):
        if record.status != "active":
            return None
        return Principal(
            PrincipalKind.MEMBER,
            record.member_id,
            record.name,
            tenant=TenantId(record.pk.removeprefix(keys.TENANT_PREFIX)),
            role=Role(record.role),
            email=record.email,
        )
    if isinstance(record, AgentRecord):
        return Principal(
            PrincipalKind.AGENT, record.agent_id, record.name, email=record.email, status=record.status
        )
    if isinstance(record, OperatorRecord):
        return Principal(PrincipalKind.OPERATOR, record.operator_id, record.name, email=record.email)
    return None
