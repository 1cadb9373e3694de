"""Rate limits at the edge (PROMISES T5; the buckets are store/limits.py): every authenticated
request spends from its credential's bucket (the API key, or the session, API or portal) and from
its tenant's; a route may also name a limit kept per client address (signup, password reset).
An empty bucket is a 429 with Retry-After, on the API in the error model and on the portal as a
page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.domain.identity import PrincipalKind
from chalicelib.web.auth import client_address

if TYPE_CHECKING:
    from chalice.app import Request

    from chalicelib.composition import Deps
    from chalicelib.services.sessions import Authenticated


def charge_request(authenticated: Authenticated, *, deps: Deps) -> None:
    from chalicelib.store import limits

    rules = limits.in_force(deps)
    principal = authenticated.principal
    if principal.kind is PrincipalKind.API_KEY:
        limits.spend(rules.api_key, "api-key", principal.id, deps=deps)
    elif authenticated.session_digest is not None:
        limits.spend(rules.session, "session", authenticated.session_digest, deps=deps)
    if principal.tenant is not None:
        limits.spend(rules.tenant, "tenant", principal.tenant.value, deps=deps)


def charge_address(limit: str, request: Request, *, deps: Deps) -> None:
    """The route's own limit (a field of domain.limits.Limits), kept per client address."""
    from chalicelib.store import limits

    limits.spend(getattr(limits.in_force(deps), limit), limit, client_address(request), deps=deps)
