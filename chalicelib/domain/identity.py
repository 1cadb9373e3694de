"""Who is acting, and what their role lets them do.

Business members have a role in their tenant (owner, admin, manager); agents and platform
operators act for themselves; an integration acts with a tenant's API key. Tenant context is read
from the principal only."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.tenancy import TenantId


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MANAGER = "manager"


class PrincipalKind(StrEnum):
    MEMBER = "member"
    AGENT = "agent"
    OPERATOR = "operator"
    API_KEY = "api_key"


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    id: str
    name: str
    tenant: TenantId | None = None
    role: Role | None = None
    email: str | None = None
    status: str = "active"

    @property
    def is_member(self) -> bool:
        return self.kind is PrincipalKind.MEMBER

    def require_tenant(self) -> TenantId:
        if self.tenant is None:
            raise Forbidden("this needs a business account")
        return self.tenant


# deskhire itself, acting without a person: the scheduled jobs, and the services they and Stripe's
# webhooks call (dunning's pauses and resumes, a card adopted from a webhook). Here, below both the
# jobs and the services, so that the services never import the jobs.
SYSTEM = Principal(PrincipalKind.OPERATOR, "scheduler", "deskhire scheduler")


# -- team rules ---------------------------------------------------------------------------------

TEAM_MANAGERS = frozenset({Role.OWNER, Role.ADMIN})


def may_manage_team(role: Role | None) -> bool:
    return role in TEAM_MANAGERS


def require_team_manager(actor: Principal) -> None:
    if not (actor.is_member and may_manage_team(actor.role)):
        raise Forbidden("only owners and admins manage the team")


def check_grant(actor: Principal, role: Role) -> None:
    """Owners grant any role; admins grant admin or manager, never owner."""
    require_team_manager(actor)
    if role is Role.OWNER and actor.role is not Role.OWNER:
        raise Forbidden("only an owner can make someone an owner", field="role")


def check_change(actor: Principal, target_role: Role) -> None:
    """Admins may not change or remove an owner."""
    require_team_manager(actor)
    if target_role is Role.OWNER and actor.role is not Role.OWNER:
        raise Forbidden("only an owner can change or remove an owner")


def ensure_an_owner_remains(owner_count: int, *, losing_owner: bool) -> None:
    if losing_owner and owner_count <= 1:
        raise Conflict(
            "a business keeps at least one owner; make someone else owner first", code="last_owner"
        )


# -- what people type ---------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")
# Slugs become URLs (/help/<slug>); keep the words the product or an impostor would want.
RESERVED_SLUGS = frozenset(
    [
        "admin",
        "agent",
        "agents",
        "api",
        "app",
        "apps",
        "billing",
        "dashboard",
        "deskhire",
        "help",
        "login",
        "logout",
        "me",
        "new",
        "operator",
        "root",
        "signup",
        "static",
        "status",
        "support",
        "system",
        "team",
        "www",
    ]
)


def normalise_email(text: str) -> str:
    email = text.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidInput("enter an email address like name@example.com", field="email")
    return email


def check_slug(slug: str) -> str:
    if not _SLUG.match(slug) or "--" in slug:
        raise InvalidInput(
            "use 3 to 40 lowercase letters, digits and single hyphens, not starting or ending with one",
            field="slug",
        )
    if slug in RESERVED_SLUGS:
        raise InvalidInput(f"{slug!r} is reserved; choose another", field="slug", code="reserved")
    return slug


def check_time_zone(name: str, *, field: str = "time_zone") -> str:
    if name not in _time_zones():
        raise InvalidInput(f"{name!r} is not an IANA time zone such as Europe/Berlin", field=field)
    return name


@functools.cache
def _time_zones() -> frozenset[str]:
    import zoneinfo  # on first use: the cold start does not read the zone database

    return frozenset(zoneinfo.available_timezones())
