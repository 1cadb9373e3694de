"""The team on the JSON API: members, roles, invitations; and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from chalicelib.composition import deps
from chalicelib.domain.identity import Role
from chalicelib.handlers.identity import SessionView, session_view
from chalicelib.services import team
from chalicelib.store import audit
from chalicelib.web.api import Command, JsonApi, Query, View
from chalicelib.web.auth import MEMBER, PUBLIC, TEAM_MANAGER

api = JsonApi(__name__, tag="team")

RoleName = Literal["owner", "admin", "manager"]


class MemberView(View):
    id: str
    name: str
    email: str
    role: RoleName
    joined_at: datetime


class MemberList(View):
    members: list[MemberView]


class InviteBody(Command):
    email: str = Field(min_length=3, max_length=254)
    role: RoleName


class InviteView(View):
    id: str
    email: str
    role: RoleName
    status: Literal["pending", "accepted", "revoked"]
    valid_until: datetime


class InviteList(View):
    invites: list[InviteView]


class AcceptInviteBody(Command):
    name: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=1, max_length=256)


class RoleBody(Command):
    role: RoleName


class AuditQuery(Query):
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2000)


class AuditEntryView(View):
    at: datetime
    actor_kind: str
    actor_id: str
    actor_name: str
    action: str
    target: str
    summary: dict


class AuditPage(View):
    entries: list[AuditEntryView]
    next_cursor: str | None


def member_view(record) -> MemberView:
    return MemberView(
        id=record.member_id,
        name=record.name,
        email=record.email,
        role=record.role,
        joined_at=record.created_at,
    )


def invite_view(record) -> InviteView:
    return InviteView(
        id=record.invite_id,
        email=record.email,
        role=record.role,
        status=record.status,
        valid_until=record.valid_until,
    )


@api.get("/api/v1/team/members", response=MemberList, access=MEMBER)
def list_members(principal) -> MemberList:
    """The business's team."""
    return MemberList(members=[member_view(m) for m in team.members(principal)])


@api.patch(
    "/api/v1/team/members/{member_id}",
    body=RoleBody,
    response=MemberView,
    errors=(404, 409),
    access=TEAM_MANAGER,
)
def change_member_role(member_id: str, body: RoleBody, principal) -> MemberView:
    """Change a member's role; their sessions end, and a business keeps at least one owner."""
    team.change_role(principal, member_id, Role(body.role), deps=deps())
    return member_view(team._member(principal.require_tenant(), member_id))


@api.delete("/api/v1/team/members/{member_id}", status=204, errors=(404, 409), access=TEAM_MANAGER)
def remove_member(member_id: str, principal) -> None:
    """Remove a member from the team (never the last owner)."""
    team.remove_member(principal, member_id, deps=deps())


@api.get("/api/v1/team/invites", response=InviteList, access=TEAM_MANAGER)
def list_invites(principal) -> InviteList:
    """Pending invitations."""
    return InviteList(invites=[invite_view(i) for i in team.pending_invites(principal)])


@api.post(
    "/api/v1/team/invites",
    body=InviteBody,
    response=InviteView,
    status=201,
    errors=(409,),
    access=TEAM_MANAGER,
)
def create_invite(body: InviteBody, principal) -> InviteView:
    """Invite someone by email with a role; the link in the mail is valid for 7 days."""
    issued = team.invite(principal, email=body.email, role=Role(body.role), deps=deps())
    return invite_view(issued.invite)


@api.delete("/api/v1/team/invites/{invite_id}", status=204, errors=(404,), access=TEAM_MANAGER)
def revoke_invite(invite_id: str, principal) -> None:
    """Withdraw a pending invitation."""
    team.revoke_invite(principal, invite_id, deps=deps())


@api.post(
    "/api/v1/invites/{token}/accept",
    body=AcceptInviteBody,
    response=SessionView,
    status=201,
    errors=(404, 409),
    access=PUBLIC,
)
def accept_invite(token: str, body: AcceptInviteBody) -> SessionView:
    """Accept an invitation: creates the member and signs them in."""
    issued = team.accept_invite(token, name=body.name, password=body.password, deps=deps())
    return session_view(issued)


@api.get("/api/v1/audit-log", query=AuditQuery, response=AuditPage, access=TEAM_MANAGER)
def audit_log(query: AuditQuery, principal) -> AuditPage:
    """Who changed what, newest first, for owners and admins."""
    page = audit.page(
        principal.require_tenant(), limit=query.limit, cursor=query.cursor, secret=deps().secret
    )
    return AuditPage(
        entries=[
            AuditEntryView(
                at=e.at,
                actor_kind=e.actor_kind,
                actor_id=e.actor_id,
                actor_name=e.actor_name,
                action=e.action,
                target=e.target,
                summary=e.summary.as_dict() if hasattr(e.summary, "as_dict") else dict(e.summary),
            )
            for e in page.items
        ],
        next_cursor=page.next_cursor,
    )
