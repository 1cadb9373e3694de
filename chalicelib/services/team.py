"""A business's team: invitations by mail with a role, accepting them, changing roles, removing
members. A tenant always keeps at least one owner: the owner count lives on the tenant item and
every change that loses an owner decrements it under the condition that one remains."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from chalicelib.composition import Deps
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.identity import (
    Principal,
    PrincipalKind,
    Role,
    check_change,
    check_grant,
    ensure_an_owner_remains,
    normalise_email,
    require_team_manager,
)
from chalicelib.domain.tenancy import TenantId
from chalicelib.ids import new_id
from chalicelib.mail import Mail, Subject, their_words
from chalicelib.security import passwords, tokens
from chalicelib.services.accounts import email_taken
from chalicelib.services.sessions import IssuedSession, issue, revoke_all
from chalicelib.store import audit, keys, limits, principals
from chalicelib.store.identity import Claim, InviteRecord, MemberRecord, TenantRecord
from chalicelib.store.transactions import transaction

INVITE_VALID_FOR = timedelta(days=7)


@dataclass(frozen=True)
class IssuedInvite:
    invite: InviteRecord
    token: str


def members(actor: Principal) -> list[MemberRecord]:
    tenant = actor.require_tenant()
    return [
        item
        for item in MemberRecord.query(keys.tenant_pk(tenant), MemberRecord.sk.startswith("MEMBER#"))
        if isinstance(item, MemberRecord)
    ]


def pending_invites(actor: Principal) -> list[InviteRecord]:
    tenant = actor.require_tenant()
    return [
        item
        for item in InviteRecord.query(keys.tenant_pk(tenant), InviteRecord.sk.startswith("INVITE#"))
        if isinstance(item, InviteRecord) and item.status == "pending"
    ]


def _tenant(tenant: TenantId) -> TenantRecord:
    record = TenantRecord.find(keys.tenant_pk(tenant), "TENANT", consistent=True)
    if record is None:
        raise NotFound("no such business")
    return record


def invite(actor: Principal, *, email: str, role: Role, deps: Deps) -> IssuedInvite:
    tenant = actor.require_tenant()
    check_grant(actor, role)
    email = normalise_email(email)
    if principals.account_by_email(email) is not None:
        raise Conflict("this email already has a deskhire account", field="email", code="email_taken")
    now = deps.now()
    tenant_record = _tenant(tenant)
    _spend_invitation(tenant, tenant_record, email, deps=deps)
    token = tokens.new_secret(tokens.INVITE)
    invite_id = new_id()
    record = InviteRecord(
        keys.tenant_pk(tenant),
        keys.sort_key("INVITE", invite_id),
        invite_id=invite_id,
        email=email,
        role=str(role),
        status="pending",
        invited_by=actor.id,
        created_at=now,
        valid_until=now + INVITE_VALID_FOR,
        gsi2pk=keys.platform_pk("INVITE", tokens.digest(token)),
        gsi2sk="INVITE",
    )
    with transaction() as tx:
        tx.save(record, condition=InviteRecord.pk.does_not_exist())
        tx.save(
            audit.entry(
                tenant,
                actor,
                "invite.created",
                f"invite:{invite_id}",
                {"after": {"email": email, "role": str(role)}},
                at=now,
            )
        )
    deps.mailer.send(_invitation_mail(email, role, tenant_record.name, actor.name, token, deps=deps), now=now)
    return IssuedInvite(invite=record, token=token)


def _invitation_mail(email: str, role: Role, company: str, inviter: str, token: str, *, deps: Deps) -> Mail:
    """The subject and the sender are deskhire's; what the business chose (its name, the name its
    member gave) is quoted in the body as their words, cleaned of links and control characters."""
    return Mail(
        to=email,
        subject=Subject.TEAM_INVITATION,
        text=(
            f"You are invited to join a business's team on deskhire, as {role}.\n\n"
            + their_words("the business's", {"Business": company, "Invited by": inviter})
            + f"\n\nIf you expected this, accept within 7 days: {deps.link('/invites/' + token)}\n\n"
            "If you did not, ignore this mail. deskhire never asks for a password or a card by mail.\n"
        ),
    )


def _spend_invitation(tenant: TenantId, record: TenantRecord, email: str, *, deps: Deps) -> None:
    """Invitations mail outside addresses: a business in its first week sends at most a few a
    day, any business a bounded number, and no address is invited over and over (PROMISES T5)."""
    rules = limits.in_force(deps)
    new = deps.now() - record.created_at < rules.new_tenant_for
    limits.spend(
        rules.invite_per_email,
        "invite-email",
        email,
        deps=deps,
        message="this address was invited too often today; try again tomorrow",
    )
    limits.spend(
        rules.invites_new_tenant if new else rules.invites_tenant,
        "invites-new-tenant" if new else "invites-tenant",
        tenant.value,
        deps=deps,
        message="your business has sent as many invitations as it may today; try again tomorrow",
    )


def find_invite(token: str, *, deps: Deps) -> tuple[InviteRecord, TenantRecord]:
    invalid = NotFound("this invitation is not valid any more; ask for a new one", code="invite_invalid")
    if tokens.kind_of(token) != tokens.INVITE:
        raise invalid
    found = list(InviteRecord.gsi2.query(keys.platform_pk("INVITE", tokens.digest(token)), limit=1))
    if not found or not isinstance(found[0], InviteRecord):
        raise invalid
    # The index is eventually consistent: read the invitation itself before trusting its state.
    record = InviteRecord.find(found[0].pk, found[0].sk, consistent=True)
    if record is None or record.status != "pending" or record.valid_until <= deps.now():
        raise invalid
    return record, _tenant(TenantId(record.pk.removeprefix(keys.TENANT_PREFIX)))


def accept_invite(
    token: str, *, name: str, password: str, deps: Deps, channel: str = "cookie"
) -> IssuedSession:
    """Creates the member and signs them in on the channel they accepted through (API or portal)."""
    invite_record, tenant_record = find_invite(token, deps=deps)
    passwords.check_password(password, user_inputs=(invite_record.email, name, tenant_record.name))
    tenant = TenantId(tenant_record.pk.removeprefix(keys.TENANT_PREFIX))
    now = deps.now()
    member_id = new_id()
    role = Role(invite_record.role)
    member = MemberRecord(
        keys.tenant_pk(tenant),
        keys.sort_key("MEMBER", member_id),
        member_id=member_id,
        name=name,
        email=invite_record.email,
        role=str(role),
        password_hash=passwords.hash_password(password),
        status="active",
        created_at=now,
    )
    email_pk = keys.platform_pk("EMAIL", invite_record.email)
    principal = Principal(
        PrincipalKind.MEMBER, member_id, name, tenant=tenant, role=role, email=invite_record.email
    )
    with transaction() as tx:
        tx.update(
            invite_record,
            actions=[InviteRecord.status.set("accepted")],
            condition=InviteRecord.status == "pending",
            on_conflict=NotFound("this invitation was already used", code="invite_invalid"),
        )
        tx.save(
            Claim(
                email_pk,
                email_pk,
                owner_kind=str(PrincipalKind.MEMBER),
                owner_id=member_id,
                tenant_id=tenant.value,
            ),
            condition=Claim.pk.does_not_exist(),
            on_conflict=email_taken(invite_record.email),
        )
        tx.save(member, condition=MemberRecord.pk.does_not_exist())
        if role is Role.OWNER:
            tx.update(tenant_record, actions=[TenantRecord.owner_count.add(1)], add_version_condition=False)
        tx.save(
            audit.entry(
                tenant,
                principal,
                "invite.accepted",
                f"member:{member_id}",
                {"after": {"role": str(role)}},
                at=now,
            )
        )
    return issue(principal, channel=channel, deps=deps, reason="session.created")


def revoke_invite(actor: Principal, invite_id: str, *, deps: Deps) -> None:
    tenant = actor.require_tenant()
    require_team_manager(actor)
    record = InviteRecord.find(keys.tenant_pk(tenant), keys.sort_key("INVITE", invite_id), consistent=True)
    if record is None or record.status != "pending":
        raise NotFound("no such pending invitation")
    now = deps.now()
    with transaction() as tx:
        tx.update(record, actions=[InviteRecord.status.set("revoked")])
        tx.save(
            audit.entry(
                tenant,
                actor,
                "invite.revoked",
                f"invite:{invite_id}",
                {"before": {"email": record.email}},
                at=now,
            )
        )


def _member(tenant: TenantId, member_id: str) -> MemberRecord:
    record = MemberRecord.find(keys.tenant_pk(tenant), keys.sort_key("MEMBER", member_id), consistent=True)
    if record is None:
        raise NotFound("no such team member")
    return record


def change_role(
    actor: Principal, member_id: str, role: Role, *, deps: Deps, channel: str
) -> IssuedSession | None:
    """Every session of the member ends. When the actor changed their own role through the portal
    (`channel` "cookie") a fresh portal session comes back for the browser; through the API the
    client signs in again (a token issued here would reach no one: a session nobody holds)."""
    tenant = actor.require_tenant()
    target = _member(tenant, member_id)
    check_change(actor, Role(target.role))
    check_grant(actor, role)
    before = Role(target.role)
    if before is role:
        return None
    tenant_record = _tenant(tenant)
    losing_owner = before is Role.OWNER
    ensure_an_owner_remains(tenant_record.owner_count, losing_owner=losing_owner)
    now = deps.now()
    with transaction() as tx:
        tx.update(target, actions=[MemberRecord.role.set(str(role))])
        if losing_owner:
            tx.update(
                tenant_record,
                actions=[TenantRecord.owner_count.add(-1)],
                condition=TenantRecord.owner_count > 1,
                add_version_condition=False,
                on_conflict=Conflict("a business keeps at least one owner", code="last_owner"),
            )
        elif role is Role.OWNER:
            tx.update(tenant_record, actions=[TenantRecord.owner_count.add(1)], add_version_condition=False)
        tx.save(
            audit.entry(
                tenant,
                actor,
                "member.role_changed",
                f"member:{member_id}",
                {"before": {"role": str(before)}, "after": {"role": str(role)}},
                at=now,
            )
        )
    # A role change ends the member's sessions; their next request signs in with the new role.
    revoke_all(PrincipalKind.MEMBER, member_id)
    if member_id == actor.id and channel == "cookie":
        updated = Principal(
            PrincipalKind.MEMBER, actor.id, actor.name, tenant=tenant, role=role, email=actor.email
        )
        return issue(updated, channel="cookie", deps=deps, reason="session.rotated")
    return None


def remove_member(actor: Principal, member_id: str, *, deps: Deps) -> None:
    tenant = actor.require_tenant()
    target = _member(tenant, member_id)
    check_change(actor, Role(target.role))
    losing_owner = Role(target.role) is Role.OWNER
    tenant_record = _tenant(tenant)
    ensure_an_owner_remains(tenant_record.owner_count, losing_owner=losing_owner)
    now = deps.now()
    email_pk = keys.platform_pk("EMAIL", target.email)
    with transaction() as tx:
        tx.delete(target)
        tx.delete(Claim(email_pk, email_pk), condition=Claim.owner_id == member_id)
        if losing_owner:
            tx.update(
                tenant_record,
                actions=[TenantRecord.owner_count.add(-1)],
                condition=TenantRecord.owner_count > 1,
                add_version_condition=False,
                on_conflict=Conflict("a business keeps at least one owner", code="last_owner"),
            )
        tx.save(
            audit.entry(
                tenant,
                actor,
                "member.removed",
                f"member:{member_id}",
                {"before": {"email": target.email, "role": target.role}},
                at=now,
            )
        )
    revoke_all(PrincipalKind.MEMBER, member_id)
