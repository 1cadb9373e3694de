"""Identity on the JSON API: signup, sessions (bearer tokens), who am I, password resets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import composition
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import PUBLIC, SIGNED_IN, client_address

if TYPE_CHECKING:  # for the annotations; each route imports its models when it runs
    from chalicelib.schemas import identity as schemas


api = JsonApi(__name__, tag="identity", schemas="chalicelib.schemas.identity")


@api.post(
    "/api/v1/signup/business",
    body="BusinessSignupBody",
    response="BusinessSignupView",
    status=201,
    errors=(409,),
    access=PUBLIC,
    limit="signup_per_address",
)
def sign_up_business(body: schemas.BusinessSignupBody) -> schemas.BusinessSignupView:
    """Sign up a business: creates the tenant and its owner, and signs the owner in."""
    from chalicelib.schemas import identity as schemas
    from chalicelib.services import accounts, sessions

    tenant, owner = accounts.sign_up_business(
        accounts.BusinessSignup(**body.model_dump()), deps=composition.deps()
    )
    issued = sessions.start(owner, channel="bearer", deps=composition.deps())
    return schemas.BusinessSignupView(
        tenant=schemas.TenantView(
            id=issued.principal.require_tenant().value,
            name=tenant.name,
            slug=tenant.slug,
            time_zone=tenant.time_zone,
            currency=tenant.currency,
        ),
        session=schemas.session_view(issued),
    )


@api.post(
    "/api/v1/signup/agent",
    body="AgentSignupBody",
    response="AgentSignupView",
    status=201,
    errors=(409,),
    access=PUBLIC,
    limit="signup_per_address",
)
def sign_up_agent(body: schemas.AgentSignupBody) -> schemas.AgentSignupView:
    """Sign up as an agent: pending until an operator approves; signed in at once."""
    from chalicelib.schemas import identity as schemas
    from chalicelib.services import accounts, sessions

    record = accounts.sign_up_agent(accounts.AgentSignup(**body.model_dump()), deps=composition.deps())
    return schemas.AgentSignupView(
        session=schemas.session_view(sessions.start(record, channel="bearer", deps=composition.deps()))
    )


@api.post(
    "/api/v1/sessions",
    body="SessionBody",
    response="SessionView",
    status=201,
    errors=(401, 429),
    access=PUBLIC,
)
def create_session(body: schemas.SessionBody, request) -> schemas.SessionView:
    """Sign in with email and password; answers a bearer token."""
    from chalicelib.schemas import identity as schemas
    from chalicelib.services import sessions

    issued = sessions.log_in(
        body.email, body.password, address=client_address(request), channel="bearer", deps=composition.deps()
    )
    return schemas.session_view(issued)


@api.delete("/api/v1/sessions/current", status=204, access=SIGNED_IN)
def delete_session(auth) -> None:
    """Sign out: the token stops working at once."""
    from chalicelib.services import sessions

    sessions.log_out(auth, deps=composition.deps())


@api.get("/api/v1/me", response="PrincipalView", access=SIGNED_IN)
def me(principal) -> schemas.PrincipalView:
    """Who the token belongs to."""
    from chalicelib.schemas import identity as schemas

    return schemas.principal_view(principal)


@api.post(
    "/api/v1/password-resets",
    body="PasswordResetBody",
    response="AcceptedView",
    status=202,
    access=PUBLIC,
    limit="reset_per_address",
)
def request_password_reset(body: schemas.PasswordResetBody) -> schemas.AcceptedView:
    """Mail a reset link if the email has an account; the answer is the same either way."""
    from chalicelib.schemas import identity as schemas
    from chalicelib.services import password_resets

    password_resets.request_reset(body.email, deps=composition.deps())
    return schemas.AcceptedView(message="If this email has an account, a reset link is on its way.")


@api.post("/api/v1/password-resets/{token}", body="NewPasswordBody", status=204, errors=(404,), access=PUBLIC)
def complete_password_reset(token: str, body: schemas.NewPasswordBody) -> None:
    """Set a new password with a reset token (single use, valid for an hour)."""
    from chalicelib.services import password_resets

    password_resets.reset_password(token, body.password, deps=composition.deps())
