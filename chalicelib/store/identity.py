"""Identity items: tenants, members, agents, operators, and the claims and credentials that find
them. Keys are built with store.keys only."""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    MapAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.store.attributes import (
    IntegerAttribute,
    OptionalDateTimeAttribute,
    OptionalIntegerAttribute,
    OptionalUnicodeAttribute,
    StringListAttribute,
)
from chalicelib.store.base import Entity, Versioned, present


class TenantRecord(Versioned, discriminator="tenant"):
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    time_zone = UnicodeAttribute()
    currency = UnicodeAttribute()
    status = UnicodeAttribute(default="active")
    # Kept with the tenant so that "at least one owner" is one conditional update.
    owner_count = IntegerAttribute(default=0)
    created_at = UTCDateTimeAttribute()


class Claim(Entity, discriminator="claim"):
    """Uniqueness by key: `SLUG#<slug>` or `EMAIL#<email>`, pointing at what holds it."""

    owner_kind = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    tenant_id = OptionalUnicodeAttribute()

    def require_tenant_id(self) -> str:
        """The business of what a tenant's claim points at (an opening, a dispute)."""
        return present(self, "tenant_id", self.tenant_id)


class MemberRecord(Versioned, discriminator="member"):
    member_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    status = UnicodeAttribute(default="active")
    created_at = UTCDateTimeAttribute()
    # the kinds of notice mail they turned off (domain/notifications.py; none: every kind on)
    mail_off = StringListAttribute(default=list)


class AgentRecord(Versioned, discriminator="agent"):
    agent_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    time_zone = UnicodeAttribute()
    country = OptionalUnicodeAttribute()  # ISO 3166-1 alpha-2, where they live (and are paid)
    # pending until an operator approves (approved with a tier) or rejects (with a reason)
    status = UnicodeAttribute(default="pending")
    tier = OptionalIntegerAttribute()
    created_at = UTCDateTimeAttribute()
    rejection_reason = OptionalUnicodeAttribute()
    # the kinds of notice mail they turned off (domain/notifications.py; none: every kind on)
    mail_off = StringListAttribute(default=list)
    # the marketplace profile
    headline = UnicodeAttribute(default="")
    bio = UnicodeAttribute(default="")
    skills = StringListAttribute(default=list)
    products = StringListAttribute(default=list)
    languages = JSONAttribute(default=dict)  # {"en": "c1"}
    availability = JSONAttribute(null=True)  # WeeklySchedule.to_json()
    min_rate_minor = OptionalIntegerAttribute()
    rate_currency = OptionalUnicodeAttribute()
    payout_status = UnicodeAttribute(default="not_started")
    rating_count = IntegerAttribute(default=0)
    rating_total = IntegerAttribute(default=0)
    # the reputation as of its last event (domain.reputation.snapshot), moved in the transaction
    # that records a rating, review, breach or upheld dispute (services/reputation.py)
    reputation = JSONAttribute(null=True)
    # the match-index partitions this agent is listed in, so that an update can remove them
    index_keys = StringListAttribute(default=list)


class OperatorRecord(Versioned, discriminator="operator"):
    operator_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class SessionRecord(Entity, discriminator="session"):
    principal_kind = UnicodeAttribute()
    principal_id = UnicodeAttribute()
    tenant_id = OptionalUnicodeAttribute()
    channel = UnicodeAttribute()  # "cookie" (portal, with CSRF) or "bearer" (API)
    csrf_token = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class ResetRecord(Entity, discriminator="password_reset"):
    principal_kind = UnicodeAttribute()
    principal_id = UnicodeAttribute()
    tenant_id = OptionalUnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class InviteRecord(Versioned, discriminator="invite"):
    invite_id = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")
    invited_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    valid_until = UTCDateTimeAttribute()


class ApiKeyRecord(Versioned, discriminator="api_key"):
    key_id = UnicodeAttribute()
    name = UnicodeAttribute()
    prefix = UnicodeAttribute()
    # SHA-256 of the secret: where its lookup item lives, so that revoking can delete it.
    lookup_digest = UnicodeAttribute()
    status = UnicodeAttribute(default="active")
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    revoked_at = OptionalDateTimeAttribute()


class ApiKeyLookup(Entity, discriminator="api_key_lookup"):
    tenant_id = UnicodeAttribute()
    key_id = UnicodeAttribute()


class ThrottleRecord(Entity, discriminator="throttle"):
    failures = IntegerAttribute(default=0)
    window_started = OptionalDateTimeAttribute()
    locked_until = OptionalDateTimeAttribute()


class AuditRecord(Entity, discriminator="audit"):
    actor_kind = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    actor_name = UnicodeAttribute()
    action = UnicodeAttribute()
    target = UnicodeAttribute()
    summary = MapAttribute(default=dict)
    at = UTCDateTimeAttribute()


class MailRecord(Entity, discriminator="mail"):
    """The local stage's outbox: mail that SES would have sent."""

    to = UnicodeAttribute()
    subject = UnicodeAttribute()
    text = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
