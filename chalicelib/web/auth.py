"""Who may call a route. The principal is resolved from the request's credentials only (a bearer
token or API key on the JSON API, the session cookie on the portal) and never from the body or the
query string; the tenant comes with it."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from chalicelib.domain.errors import Forbidden, Unauthenticated
from chalicelib.domain.identity import PrincipalKind, Role

if TYPE_CHECKING:
    from chalice.app import Request

    from chalicelib.services.sessions import Authenticated


class Access(NamedTuple):
    name: str
    kinds: frozenset[PrincipalKind] = frozenset()
    roles: frozenset[Role] | None = None

    @property
    def public(self) -> bool:
        return not self.kinds


PUBLIC = Access("public")
SIGNED_IN = Access(
    "signed_in", frozenset({PrincipalKind.MEMBER, PrincipalKind.AGENT, PrincipalKind.OPERATOR})
)
MEMBER = Access("member", frozenset({PrincipalKind.MEMBER}))
TEAM_MANAGER = Access("team_manager", frozenset({PrincipalKind.MEMBER}), frozenset({Role.OWNER, Role.ADMIN}))
AGENT = Access("agent", frozenset({PrincipalKind.AGENT}))
OPERATOR = Access("operator", frozenset({PrincipalKind.OPERATOR}))
# Both sides of a hiring conversation: the business's members and the agent.
PARTIES = Access("parties", frozenset({PrincipalKind.MEMBER, PrincipalKind.AGENT}))
# Routes meant for integrations take a tenant's API key as well as a member's token.
INTEGRATION = Access("integration", frozenset({PrincipalKind.API_KEY, PrincipalKind.MEMBER}))


def check_access(access: Access, auth: Authenticated | None) -> None:
    if access.public:
        return
    if auth is None:
        raise Unauthenticated("sign in first: send a bearer token", code="unauthenticated")
    principal = auth.principal
    if principal.kind not in access.kinds:
        if principal.kind is PrincipalKind.API_KEY:
            raise Forbidden("API keys work only on the integration routes", code="api_key_not_allowed")
        raise Forbidden("your account cannot do this", code="forbidden")
    if access.roles is not None and principal.role not in access.roles:
        raise Forbidden(f"this needs the role {' or '.join(sorted(access.roles))}", code="role_required")


def bearer_secret(request: Request) -> str | None:
    header = request.headers.get("authorization") or ""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def client_address(request: Request) -> str:
    identity = (request.context or {}).get("identity") or {}
    return identity.get("sourceIp") or "unknown"
