"""Models of the team routes (see chalicelib/schemas/__init__.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from chalicelib.schemas.base import Command, Name, Query, View
from chalicelib.schemas.identity import SessionView, session_view  # noqa: F401 - re-exported

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
    name: Name
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
