"""The team on the JSON API: members, roles, invitations; and the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import composition
from chalicelib.domain.identity import Role
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import MEMBER, PUBLIC, TEAM_MANAGER

if TYPE_CHECKING:  # for the annotations; each route imports its models when it runs
    from chalicelib.schemas import team as schemas


api = JsonApi(__name__, tag="team", schemas="chalicelib.schemas.team")


@api.get("/api/v1/team/members", response="MemberList", access=MEMBER)
def list_members(principal) -> schemas.MemberList:
    """The business's team."""
    from chalicelib.schemas import team as schemas
    from chalicelib.services import team

    return schemas.MemberList(members=[schemas.member_view(m) for m in team.members(principal)])


@api.patch(
    "/api/v1/team/members/{member_id}",
    body="RoleBody",
    response="MemberView",
    errors=(404, 409),
    access=TEAM_MANAGER,
)
def change_member_role(member_id: str, body: schemas.RoleBody, principal) -> schemas.MemberView:
    """Change a member's role; their sessions end, and a business keeps at least one owner."""
    from chalicelib.schemas import team as schemas
    from chalicelib.services import team

    team.change_role(principal, member_id, Role(body.role), deps=composition.deps(), channel="bearer")
    return schemas.member_view(team._member(principal.require_tenant(), member_id))


@api.delete("/api/v1/team/members/{member_id}", status=204, errors=(404, 409), access=TEAM_MANAGER)
def remove_member(member_id: str, principal) -> None:
    """Remove a member from the team (never the last owner)."""
    from chalicelib.services import team

    team.remove_member(principal, member_id, deps=composition.deps())


@api.get("/api/v1/team/invites", response="InviteList", access=TEAM_MANAGER)
def list_invites(principal) -> schemas.InviteList:
    """Pending invitations."""
    from chalicelib.schemas import team as schemas
    from chalicelib.services import team

    return schemas.InviteList(invites=[schemas.invite_view(i) for i in team.pending_invites(principal)])


@api.post(
    "/api/v1/team/invites",
    body="InviteBody",
    response="InviteView",
    status=201,
    errors=(409,),
    access=TEAM_MANAGER,
)
def create_invite(body: schemas.InviteBody, principal) -> schemas.InviteView:
    """Invite someone by email with a role; the link in the mail is valid for 7 days."""
    from chalicelib.schemas import team as schemas
    from chalicelib.services import team

    issued = team.invite(principal, email=body.email, role=Role(body.role), deps=composition.deps())
    return schemas.invite_view(issued.invite)


@api.delete("/api/v1/team/invites/{invite_id}", status=204, errors=(404,), access=TEAM_MANAGER)
def revoke_invite(invite_id: str, principal) -> None:
    """Withdraw a pending invitation."""
    from chalicelib.services import team

    team.revoke_invite(principal, invite_id, deps=composition.deps())


@api.post(
    "/api/v1/invites/{token}/accept",
    body="AcceptInviteBody",
    response="SessionView",
    status=201,
    errors=(404, 409),
    access=PUBLIC,
)
def accept_invite(token: str, body: schemas.AcceptInviteBody) -> schemas.SessionView:
    """Accept an invitation: creates the member and signs them in."""
    from chalicelib.schemas import team as schemas
    from chalicelib.services import team

    issued = team.accept_invite(
        token, name=body.name, password=body.password, deps=composition.deps(), channel="bearer"
    )
    return schemas.session_view(issued)


@api.get("/api/v1/audit-log", query="AuditQuery", response="AuditPage", access=TEAM_MANAGER)
def audit_log(query: schemas.AuditQuery, principal) -> schemas.AuditPage:
    """Who changed what, newest first, for owners and admins."""
    from chalicelib.schemas import team as schemas
    from chalicelib.store import audit

    page = audit.page(
        principal.require_tenant(), limit=query.limit, cursor=query.cursor, secret=composition.deps().secret
    )
    return schemas.AuditPage(
        entries=[
            schemas.AuditEntryView(
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
