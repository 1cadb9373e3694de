"""Identity on the JSON API: signup, sessions (bearer tokens), who am I, password resets."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from chalicelib.composition import deps
from chalicelib.services import accounts, password_resets, sessions
from chalicelib.store import principals
from chalicelib.web.api import Command, JsonApi, View
from chalicelib.web.auth import PUBLIC, SIGNED_IN, client_address

api = JsonApi(__name__, tag="identity")

Password = Field(min_length=1, max_length=256)


class BusinessSignupBody(Command):
    company_name: str = Field(min_length=1, max_length=120)
    slug: str = Field(min_length=1, max_length=40)
    owner_name: str = Field(min_length=1, max_length=120)
    email: str = Field(min_length=3, max_length=254)
    password: str = Password
    time_zone: str = Field(min_length=1, max_length=64)
    currency: str = Field(default="usd", min_length=3, max_length=3)


class AgentSignupBody(Command):
    name: str = Field(min_length=1, max_length=120)
    email: str = Field(min_length=3, max_length=254)
    password: str = Password
    time_zone: str = Field(min_length=1, max_length=64)


class SessionBody(Command):
    email: str = Field(min_length=1, max_length=254)
    password: str = Password


class PasswordResetBody(Command):
    email: str = Field(min_length=1, max_length=254)


class NewPasswordBody(Command):
    password: str = Password


class PrincipalView(View):
    kind: Literal["member", "agent", "operator", "api_key"]
    id: str
    name: str
    email: str | None = None
    tenant_id: str | None = None
    role: Literal["owner", "admin", "manager"] | None = None
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


def principal_view(principal) -> PrincipalView:
    return PrincipalView(
        kind=str(principal.kind),
        id=principal.id,
        name=principal.name,
        email=principal.email,
        tenant_id=principal.tenant.value if principal.tenant else None,
        role=str(principal.role) if principal.role else None,
        status=principal.status,
    )


def session_view(issued: sessions.IssuedSession) -> SessionView:
    return SessionView(
        token=issued.token, expires_at=issued.expires_at, principal=principal_view(issued.principal)
    )


@api.post(
    "/api/v1/signup/business",
    body=BusinessSignupBody,
    response=BusinessSignupView,
    status=201,
    errors=(409,),
    access=PUBLIC,
)
def sign_up_business(body: BusinessSignupBody) -> BusinessSignupView:
    """Sign up a business: creates the tenant and its owner, and signs the owner in."""
    tenant, owner = accounts.sign_up_business(accounts.BusinessSignup(**body.model_dump()), deps=deps())
    principal = principals.principal_of(owner)
    issued = sessions.issue(principal, channel="bearer", deps=deps(), reason="session.created")
    return BusinessSignupView(
        tenant=TenantView(
            id=principal.tenant.value,
            name=tenant.name,
            slug=tenant.slug,
            time_zone=tenant.time_zone,
            currency=tenant.currency,
        ),
        session=session_view(issued),
    )


@api.post(
    "/api/v1/signup/agent",
    body=AgentSignupBody,
    response=AgentSignupView,
    status=201,
    errors=(409,),
    access=PUBLIC,
)
def sign_up_agent(body: AgentSignupBody) -> AgentSignupView:
    """Sign up as an agent: pending until an operator approves; signed in at once."""
    record = accounts.sign_up_agent(accounts.AgentSignup(**body.model_dump()), deps=deps())
    principal = principals.principal_of(record)
    return AgentSignupView(
        session=session_view(
            sessions.issue(principal, channel="bearer", deps=deps(), reason="session.created")
        )
    )


@api.post(
    "/api/v1/sessions", body=SessionBody, response=SessionView, status=201, errors=(401, 429), access=PUBLIC
)
def create_session(body: SessionBody, request) -> SessionView:
    """Sign in with email and password; answers a bearer token."""
    issued = sessions.log_in(
        body.email, body.password, address=client_address(request), channel="bearer", deps=deps()
    )
    return session_view(issued)


@api.delete("/api/v1/sessions/current", status=204, access=SIGNED_IN)
def delete_session(auth) -> None:
    """Sign out: the token stops working at once."""
    sessions.log_out(auth, deps=deps())


@api.get("/api/v1/me", response=PrincipalView, access=SIGNED_IN)
def me(principal) -> PrincipalView:
    """Who the token belongs to."""
    return principal_view(principal)


@api.post("/api/v1/password-resets", body=PasswordResetBody, response=AcceptedView, status=202, access=PUBLIC)
def request_password_reset(body: PasswordResetBody) -> AcceptedView:
    """Mail a reset link if the email has an account; the answer is the same either way."""
    password_resets.request_reset(body.email, deps=deps())
    return AcceptedView(message="If this email has an account, a reset link is on its way.")


@api.post("/api/v1/password-resets/{token}", body=NewPasswordBody, status=204, errors=(404,), access=PUBLIC)
def complete_password_reset(token: str, body: NewPasswordBody) -> None:
    """Set a new password with a reset token (single use, valid for an hour)."""
    password_resets.reset_password(token, body.password, deps=deps())
