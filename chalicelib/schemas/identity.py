"""Models of the identity routes (see chalicelib/schemas/__init__.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from chalicelib.domain.identity import PrincipalKind, Role
from chalicelib.schemas.base import Command, Name, View

if TYPE_CHECKING:
    from chalicelib.domain.identity import Principal
    from chalicelib.services.sessions import IssuedSession

KindName = Literal["member", "agent", "operator", "api_key"]
RoleName = Literal["owner", "admin", "manager"]
# The domain's enums as the API spells them (a new member fails here, not in a client).
_KIND_NAMES: dict[PrincipalKind, KindName] = {
    PrincipalKind.MEMBER: "member",
    PrincipalKind.AGENT: "agent",
    PrincipalKind.OPERATOR: "operator",
    PrincipalKind.API_KEY: "api_key",
}
_ROLE_NAMES: dict[Role, RoleName] = {Role.OWNER: "owner", Role.ADMIN: "admin", Role.MANAGER: "manager"}

Password = Field(min_length=1, max_length=256)


class BusinessSignupBody(Command):
    company_name: Name
    slug: str = Field(min_length=1, max_length=40)
    owner_name: Name
    email: str = Field(min_length=3, max_length=254)
    password: str = Password
    time_zone: str = Field(min_length=1, max_length=64)
    currency: str = Field(default="usd", min_length=3, max_length=3)


class AgentSignupBody(Command):
    name: Name
    email: str = Field(min_length=3, max_length=254)
    password: str = Password
    time_zone: str = Field(min_length=1, max_length=64)
    country: str | None = Field(
        default=None,
        max_length=60,
        description="where the agent lives: ISO 3166-1 alpha-2, such as PT",
    )


class SessionBody(Command):
    email: str = Field(min_length=1, max_length=254)
    password: str = Password


class PasswordResetBody(Command):
    email: str = Field(min_length=1, max_length=254)


class NewPasswordBody(Command):
    password: str = Password


class PrincipalView(View):
    kind: KindName
    id: str
    name: str
    email: str | None = None
    tenant_id: str | None = None
    role: RoleName | None = None
    status: str


class SessionView(View):
    token: str = Field(description="Send as `Authorization: Bearer <token>`; shown once.")
    expires_at: datetime
    principal: PrincipalView


class TenantView(View):
    id: str
    name: str
    slug: str
    time_zone: str
    currency: str


class BusinessSignupView(View):
    tenant: TenantView
    session: SessionView


class AgentSignupView(View):
    session: SessionView


class AcceptedView(View):
    status: Literal["accepted"] = "accepted"
    message: str


def principal_view(principal: Principal) -> PrincipalView:
    return PrincipalView(
        kind=_KIND_NAMES[principal.kind],
        id=principal.id,
        name=principal.name,
        email=principal.email,
        tenant_id=principal.tenant.value if principal.tenant else None,
        role=_ROLE_NAMES[principal.role] if principal.role else None,
        status=principal.status,
    )


def session_view(issued: IssuedSession) -> SessionView:
    return SessionView(
        token=issued.token, expires_at=issued.expires_at, principal=principal_view(issued.principal)
    )
