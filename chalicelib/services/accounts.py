"""Signing up: a business (a tenant and its owner), an agent, and platform operators (from the
command line only). Each signup is one transaction: the unique claims, the records and the audit
entry are written together or not at all."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.composition import Deps
from chalicelib.domain.countries import check_country
from chalicelib.domain.currencies import CURRENCY_EXPONENTS
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.identity import (
    Principal,
    PrincipalKind,
    Role,
    check_slug,
    check_time_zone,
    normalise_email,
)
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.ids import new_id
from chalicelib.security.passwords import check_password, hash_password
from chalicelib.store import audit, directory, keys, platform_metrics
from chalicelib.store.identity import AgentRecord, Claim, MemberRecord, OperatorRecord, TenantRecord
from chalicelib.store.transactions import transaction


@dataclass(frozen=True)
class BusinessSignup:
    company_name: str
    slug: str
    owner_name: str
    email: str
    password: str
    time_zone: str
    currency: str


@dataclass(frozen=True)
class AgentSignup:
    name: str
    email: str
    password: str
    time_zone: str
    country: str | None = None


def email_taken(email: str) -> Conflict:
    return Conflict(
        "an account with this email exists; sign in or reset the password", field="email", code="email_taken"
    )


def _email_claim(email: str, kind: PrincipalKind, owner_id: str, tenant_id: str | None = None) -> Claim:
    pk = keys.platform_pk("EMAIL", email)
    return Claim(pk, pk, owner_kind=str(kind), owner_id=owner_id, tenant_id=tenant_id)


def sign_up_business(cmd: BusinessSignup, *, deps: Deps) -> tuple[TenantRecord, MemberRecord]:
    email = normalise_email(cmd.email)
    slug = check_slug(cmd.slug)
    time_zone = check_time_zone(cmd.time_zone)
    currency = cmd.currency.lower()
    if currency not in CURRENCY_EXPONENTS:
        raise InvalidInput(f"choose one of {', '.join(sorted(CURRENCY_EXPONENTS))}", field="currency")
    # billed only in a currency the platform's Stripe balance settles in (docs/billing.md)
    if currency not in deps.settings.settlement_currencies:
        settled = ", ".join(c.upper() for c in deps.settings.settlement_currencies)
        raise InvalidInput(
            f"deskhire bills in {settled} only; choose {settled} as the billing currency", field="currency"
        )
    check_password(cmd.password, user_inputs=(email, cmd.owner_name, cmd.company_name, slug))

    now = deps.now()
    tenant = TenantId(new_id())
    member_id = new_id()
    tenant_record = TenantRecord(
        keys.tenant_pk(tenant),
        "TENANT",
        name=cmd.company_name,
        slug=slug,
        time_zone=time_zone,
        currency=currency,
        status="active",
        owner_count=1,
        created_at=now,
    )
    owner = MemberRecord(
        keys.tenant_pk(tenant),
        keys.sort_key("MEMBER", member_id),
        member_id=member_id,
        name=cmd.owner_name,
        email=email,
        role=str(Role.OWNER),
        password_hash=hash_password(cmd.password),
        status="active",
        created_at=now,
    )
    slug_pk = keys.platform_pk("SLUG", slug)
    actor = Principal(
        PrincipalKind.MEMBER, member_id, cmd.owner_name, tenant=tenant, role=Role.OWNER, email=email
    )
    with transaction() as tx:
        tx.save(
            Claim(slug_pk, slug_pk, owner_kind="tenant", owner_id=tenant.value, tenant_id=tenant.value),
            condition=Claim.pk.does_not_exist(),
            on_conflict=Conflict("this address is taken; choose another", field="slug", code="slug_taken"),
        )
        tx.save(
            _email_claim(email, PrincipalKind.MEMBER, member_id, tenant.value),
            condition=Claim.pk.does_not_exist(),
            on_conflict=email_taken(email),
        )
        tx.save(tenant_record, condition=TenantRecord.pk.does_not_exist())
        tx.save(owner, condition=MemberRecord.pk.does_not_exist())
        # operators find it by name: an item per word of it, directory.MAX_WORDS (6) at most
        directory.add(tx, tenant, name=cmd.company_name, slug=slug)
        tx.save(
            audit.entry(
                tenant,
                actor,
                "business.signed_up",
                f"tenant:{tenant.value}",
                {
                    "after": {
                        "name": cmd.company_name,
                        "slug": slug,
                        "time_zone": time_zone,
                        "currency": currency,
                    }
                },
                at=now,
            )
        )
        platform_metrics.business_signed_up(tx, tenant, at=now)
    return tenant_record, owner


def sign_up_agent(cmd: AgentSignup, *, deps: Deps) -> AgentRecord:
    email = normalise_email(cmd.email)
    time_zone = check_time_zone(cmd.time_zone)
    country = check_country(cmd.country) if cmd.country else None
    check_password(cmd.password, user_inputs=(email, cmd.name))
    now = deps.now()
    agent = AgentId(new_id())
    record = AgentRecord(
        keys.agent_pk(agent),
        "AGENT",
        agent_id=agent.value,
        name=cmd.name,
        email=email,
        password_hash=hash_password(cmd.password),
        time_zone=time_zone,
        country=country,
        status="pending",
        created_at=now,
        # The operators' vetting queue, oldest first.
        gsi2pk=keys.platform_pk("AGENTS", "pending"),
        gsi2sk=keys.sort_key(now.isoformat(), agent.value),
    )
    with transaction() as tx:
        tx.save(
            _email_claim(email, PrincipalKind.AGENT, agent.value),
            condition=Claim.pk.does_not_exist(),
            on_conflict=email_taken(email),
        )
        tx.save(record, condition=AgentRecord.pk.does_not_exist())
        platform_metrics.agent_signed_up(tx, agent, at=now)
    return record


def create_operator(*, name: str, email: str, password: str, deps: Deps) -> OperatorRecord:
    """Platform operators exist only through this (the `make admin` command), never a route."""
    email = normalise_email(email)
    check_password(password, user_inputs=(email, name))
    operator_id = new_id()
    record = OperatorRecord(
        keys.platform_pk("OP", operator_id),
        "OPERATOR",
        operator_id=operator_id,
        name=name,
        email=email,
        password_hash=hash_password(password),
        created_at=deps.now(),
    )
    with transaction() as tx:
        tx.save(
            _email_claim(email, PrincipalKind.OPERATOR, operator_id),
            condition=Claim.pk.does_not_exist(),
            on_conflict=email_taken(email),
        )
        tx.save(record, condition=OperatorRecord.pk.does_not_exist())
    return record


def pending_agents(limit: int = 50) -> list[AgentRecord]:
    """The vetting queue, oldest first (read-only here; decisions arrive with the marketplace)."""
    return list(AgentRecord.gsi2.query(keys.platform_pk("AGENTS", "pending"), limit=limit))
