"""A business's support settings: first-response targets per priority, its reasons with the tier
each needs, the language level an agent needs to take an inquiry, whether the help centre and its
contact form are on; and the secret of its inbound-mail webhook (shown once, stored hashed).

A business that never saved them runs on the defaults (domain.inquiries.SupportSettings.default)."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.composition import Deps
from chalicelib.domain import inquiries as rules
from chalicelib.domain.errors import Conflict
from chalicelib.domain.identity import Principal, require_team_manager
from chalicelib.domain.tenancy import TenantId
from chalicelib.security import tokens
from chalicelib.store import audit
from chalicelib.store.support import (
    InboundSecret,
    SupportSettingsRecord,
    inbound_key,
    settings_key,
)
from chalicelib.store.transactions import transaction

INBOUND = "dhm"  # the inbound-mail secret's kind (security.tokens)
PREFIX_LENGTH = len(INBOUND) + 1 + 6


@dataclass(frozen=True)
class Shown:
    """The settings as their page and the API show them."""

    settings: rules.SupportSettings
    version: int  # 0 before the first save
    inbound_prefix: str | None  # the start of the webhook secret, if one was made


def record_of(tenant: TenantId, *, consistent: bool = False) -> SupportSettingsRecord | None:
    return SupportSettingsRecord.find(*settings_key(tenant), consistent=consistent)


def to_domain(record: SupportSettingsRecord | None) -> rules.SupportSettings:
    if record is None:
        return rules.SupportSettings.default()
    return rules.SupportSettings(
        sla=rules.SlaTargets({rules.Priority(p): int(m) for p, m in dict(record.sla).items()}),
        reason_tags=tuple(rules.ReasonTag(t["tag"], int(t["tier"])) for t in record.reason_tags or []),
        language_level=int(record.language_level),
        help_page=bool(record.help_page),
    )


def of(tenant: TenantId) -> rules.SupportSettings:
    """The settings in force for `tenant` (one GetItem)."""
    return to_domain(record_of(tenant))


def help_page_enabled(tenant: TenantId) -> bool:
    """Whether the business's public help centre and contact form are on (the default is on)."""
    return of(tenant).help_page


def show(actor: Principal) -> Shown:
    tenant = actor.require_tenant()
    record = record_of(tenant, consistent=True)
    return Shown(
        settings=to_domain(record),
        version=int(record.version or 0) if record else 0,
        inbound_prefix=record.inbound_prefix if record else None,
    )


def update(actor: Principal, changed: rules.SupportSettings, *, version: int, deps: Deps) -> Shown:
    """Save the settings, if nobody saved others since `version` was read (a 409 otherwise)."""
    require_team_manager(actor)
    tenant = actor.require_tenant()
    now = deps.now()
    record = record_of(tenant, consistent=True)
    if record is None:
        if version != 0:
            raise Conflict("the settings changed since you read them; reload and retry", code="stale")
        record = SupportSettingsRecord(*settings_key(tenant))
    elif int(record.version or 0) != version:
        raise Conflict("the settings changed since you read them; reload and retry", code="stale")
    before = to_domain(record) if record.version else None
    record.sla = changed.sla.to_json()
    record.reason_tags = [{"tag": t.tag, "tier": t.tier} for t in changed.reason_tags]
    record.language_level = changed.language_level
    record.help_page = changed.help_page
    record.updated_at = now
    record.updated_by = actor.id
    with transaction(conflict_message="the settings changed since you read them; reload and retry") as tx:
        tx.save(record)
        tx.save(
            audit.entry(
                tenant,
                actor,
                "support.settings_changed",
                "support:settings",
                {"before": _summary(before) if before else None, "after": _summary(changed)},
                at=now,
            )
        )
    return show(actor)


def _summary(settings: rules.SupportSettings) -> dict[str, object]:
    return {
        "sla": settings.sla.to_json(),
        "reason_tags": [f"{t.tag}:{t.tier}" for t in settings.reason_tags],
        "language_level": settings.language_level,
        "help_page": settings.help_page,
    }


@dataclass(frozen=True)
class InboundSecretMade:
    secret: str
    path: str  # the webhook's path, secret included: shown once


def rotate_inbound_secret(actor: Principal, *, deps: Deps) -> InboundSecretMade:
    """A new secret for the inbound-mail webhook; the old one stops working at once."""
    require_team_manager(actor)
    tenant = actor.require_tenant()
    now = deps.now()
    secret = tokens.new_secret(INBOUND)
    digest = tokens.digest(secret)
    record = record_of(tenant, consistent=True) or SupportSettingsRecord(
        *settings_key(tenant), sla=rules.SlaTargets.default().to_json()
    )
    old = record.inbound_digest
    record.inbound_digest = digest
    record.inbound_prefix = secret[:PREFIX_LENGTH]
    record.updated_at = now
    record.updated_by = actor.id
    with transaction(conflict_message="the settings changed meanwhile; try again") as tx:
        tx.save(record)
        if old:
            tx.delete(InboundSecret(*inbound_key(old)))
        tx.save(InboundSecret(*inbound_key(digest), tenant_id=tenant.value))
        tx.save(
            audit.entry(
                tenant,
                actor,
                "support.inbound_secret_rotated",
                "support:inbound_mail",
                {"after": {"prefix": record.inbound_prefix}},
                at=now,
            )
        )
    return InboundSecretMade(secret=secret, path=f"/api/v1/inbound-mail/{secret}")


def tenant_of_inbound_secret(secret: str) -> TenantId | None:
    """The business whose webhook secret this is, or None."""
    if tokens.kind_of(secret) != INBOUND or len(secret) > 100:
        return None
    found = InboundSecret.find(*inbound_key(tokens.digest(secret)))
    return TenantId(found.tenant_id) if found else None
