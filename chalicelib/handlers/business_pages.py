"""The business's portal: the onboarding checklist, the team, API keys and the audit log."""

from __future__ import annotations

from chalicelib.domain.errors import DomainError, TooManyRequests
from chalicelib.domain.identity import Role, may_manage_team
from chalicelib.web.auth import MEMBER, TEAM_MANAGER
from chalicelib.web.portal import FormInvalid, PageContext, Portal, field_errors

pages = Portal(__name__)


@pages.get("/app", access=MEMBER)
def home(ctx: PageContext):
    from chalicelib.services import billing_accounts, openings, team

    principal = ctx.principal
    members = team.members(principal)
    invites = team.pending_invites(principal) if may_manage_team(principal.role) else []
    checklist = [
        {
            "done": bool(openings.listed(principal)),
            "label": "Post an opening",
            "detail": "Describe the support you need and see explained matches",
            "href": "/app/openings/new",
        },
        {
            "done": bool(billing_accounts.account_of(principal.require_tenant()).card_last4),
            "label": "Add a card",
            "detail": "Pay weekly invoices automatically",
            "href": "/app/billing",
        },
        {
            "done": len(members) > 1 or bool(invites),
            "label": "Invite a teammate",
            "detail": "Owners and admins manage the team",
            "href": "/app/team",
        },
    ]
    welcome = bool(ctx.request.query_params and ctx.request.query_params.get("welcome"))
    from chalicelib.handlers.metrics_pages import week_at_a_glance

    return ctx.render(
        "app_home.html",
        title="Your business",
        checklist=checklist,
        onboarded=all(step["done"] for step in checklist),
        welcome=welcome,
        needs=needs_now(ctx),
        **week_at_a_glance(ctx),
    )


def needs_now(ctx: PageContext, **options):
    """The home page's action list (services/attention.py); None when it could not be read: the
    home page never fails for it."""
    from chalicelib.domain.identity import PrincipalKind
    from chalicelib.services import attention

    try:
        if ctx.principal.kind is PrincipalKind.AGENT:
            return attention.agent(ctx.principal, deps=ctx.deps, **options)
        return attention.business(ctx.principal, deps=ctx.deps)
    except Exception:
        from chalicelib.web.observability import logger

        logger.exception("the action list could not be read for the home page")
        return None


def _team_page(ctx: PageContext, *, status: int = 200, errors=None):
    from chalicelib.services import team

    principal = ctx.principal
    manager = may_manage_team(principal.role)
    return ctx.render(
        "team.html",
        status=status,
        title="Team",
        members=team.members(principal),
        invites=team.pending_invites(principal) if manager else [],
        can_manage=manager,
        roles=[str(r) for r in Role],
        errors=errors or {},
    )


@pages.get("/app/team", access=MEMBER)
def team_page(ctx: PageContext):
    return _team_page(ctx)


@pages.post("/app/team/invites", access=TEAM_MANAGER)
def invite(ctx: PageContext):
    from chalicelib.schemas import team as team_schemas
    from chalicelib.services import team

    try:
        data = ctx.form(team_schemas.InviteBody)
        issued = team.invite(ctx.principal, email=data.email, role=Role(data.role), deps=ctx.deps)
    except FormInvalid as invalid:
        return _team_page(ctx, status=400, errors=invalid.errors)
    except TooManyRequests:
        raise  # the portal's 429 page, with Retry-After
    except DomainError as error:
        return _team_page(
            ctx, status=409 if error.code.endswith("taken") else 400, errors=field_errors(error)
        )
    return ctx.redirect(
        "/app/team", flash=f"Invitation sent to {issued.invite.email} as {issued.invite.role}."
    )


@pages.post("/app/team/invites/{invite_id}/revoke", access=TEAM_MANAGER)
def revoke_invite(ctx: PageContext, invite_id: str):
    from chalicelib.services import team

    invite = next((i for i in team.pending_invites(ctx.principal) if i.invite_id == invite_id), None)
    team.revoke_invite(ctx.principal, invite_id, deps=ctx.deps)
    who = invite.email if invite is not None else "that address"
    return ctx.redirect("/app/team", flash=f"The invitation to {who} is withdrawn; its link no longer works.")


@pages.post("/app/team/members/{member_id}/role", access=TEAM_MANAGER)
def change_role(ctx: PageContext, member_id: str):
    from chalicelib.schemas import team as team_schemas
    from chalicelib.services import team

    try:
        data = ctx.form(team_schemas.RoleBody)
        rotated = team.change_role(ctx.principal, member_id, Role(data.role), deps=ctx.deps, channel="cookie")
    except FormInvalid as invalid:
        return _team_page(ctx, status=400, errors=invalid.errors)
    except DomainError as error:
        if error.code == "last_owner":
            return _team_page(ctx, status=409, errors={"form": error.message})
        raise
    if rotated is not None:
        ctx.start_session(rotated)
    who = "You are" if member_id == ctx.principal.id else f"{_member_name(ctx, member_id)} is"
    return ctx.redirect("/app/team", flash=f"{who} now {_a(data.role)} of this business.")


def _a(role: str) -> str:
    return ("an " if role[:1] in "aeiou" else "a ") + role


def _member(ctx: PageContext, member_id: str):
    from chalicelib.domain.errors import NotFound
    from chalicelib.services import team

    found = next((m for m in team.members(ctx.principal) if m.member_id == member_id), None)
    if found is None:
        raise NotFound("no such member")
    return found


def _member_name(ctx: PageContext, member_id: str) -> str:
    try:
        return _member(ctx, member_id).name
    except DomainError:
        return "They"


@pages.post("/app/team/members/{member_id}/remove", access=TEAM_MANAGER)
def remove_member(ctx: PageContext, member_id: str):
    from chalicelib.services import billing_accounts, team

    member = _member(ctx, member_id)
    yourself = member_id == ctx.principal.id
    business = billing_accounts.business_of(ctx.principal.require_tenant()).name
    page = ctx.confirm(
        title="Remove yourself from the team?" if yourself else f"Remove {member.name} from the team?",
        happens=[
            f"{member.name} ({member.email}, {member.role}) can no longer sign in to {business}; "
            "every session of theirs ends at once.",
            "What they did stays: their invitations, approvals and the audit log keep their name.",
            "To bring them back, invite them again.",
        ]
        + (["You are signed out straight away."] if yourself else []),
        button="Remove yourself" if yourself else f"Remove {member.name}",
        back="/app/team",
    )
    if page is not None:
        return page
    try:
        team.remove_member(ctx.principal, member_id, deps=ctx.deps)
    except DomainError as error:
        if error.code == "last_owner":
            return _team_page(ctx, status=409, errors={"form": error.message})
        raise
    if yourself:
        ctx.end_session()
        return ctx.redirect("/", flash=f"You left {business}.")
    return ctx.redirect("/app/team", flash=f"{member.name} is removed from the team.")


def _keys_page(ctx: PageContext, *, status: int = 200, errors=None, created=None):
    from chalicelib.services import api_keys

    return ctx.render(
        "api_keys.html",
        status=status,
        title="API keys",
        keys=api_keys.listed(ctx.principal),
        errors=errors or {},
        created=created,
    )


@pages.get("/app/api-keys", access=TEAM_MANAGER)
def keys_page(ctx: PageContext):
    return _keys_page(ctx)


@pages.post("/app/api-keys", access=TEAM_MANAGER)
def create_key(ctx: PageContext):
    from chalicelib.schemas import api_keys as key_schemas
    from chalicelib.services import api_keys

    try:
        data = ctx.form(key_schemas.ApiKeyBody)
    except FormInvalid as invalid:
        return _keys_page(ctx, status=400, errors=invalid.errors)
    created = api_keys.create(ctx.principal, name=data.name, deps=ctx.deps)
    # Rendered, not redirected: this answer is the only place the secret ever appears.
    return _keys_page(ctx, status=201, created=created)


@pages.post("/app/api-keys/{key_id}/revoke", access=TEAM_MANAGER)
def revoke_key(ctx: PageContext, key_id: str):
    from chalicelib.domain.errors import NotFound
    from chalicelib.services import api_keys

    key = next((k for k in api_keys.listed(ctx.principal) if k.key_id == key_id), None)
    if key is None:
        raise NotFound("no such API key")
    page = ctx.confirm(
        title=f'Revoke the API key "{key.name}"?',
        happens=[
            f'Every integration that calls deskhire with the key "{key.name}" ({key.prefix}…) is refused '
            "from now on.",
            "A revoked key cannot be brought back: make a new one and give it to the integration.",
        ],
        button="Revoke the key",
        back="/app/api-keys",
    )
    if page is not None:
        return page
    api_keys.revoke(ctx.principal, key_id, deps=ctx.deps)
    return ctx.redirect("/app/api-keys", flash=f'The API key "{key.name}" is revoked.')


@pages.get("/app/audit-log", access=TEAM_MANAGER)
def audit_page(ctx: PageContext):
    from chalicelib.store import audit
    from chalicelib.web import audit_log

    cursor = ctx.request.query_params.get("cursor") if ctx.request.query_params else None
    page = audit.page(ctx.principal.require_tenant(), limit=50, cursor=cursor, secret=ctx.deps.secret)
    return ctx.render(
        "audit_log.html",
        title="Audit log",
        lines=audit_log.lines(page.items, ctx.principal),
        next_cursor=page.next_cursor,
    )


# -- notification settings (issue 14, item 6): the member's here, the agent's in agent_pages -------


def settings_page(ctx: PageContext, *, status: int = 200, errors=None, on=None):
    """The person's notice mail: a checkbox per kind, ticked when it is sent."""
    from chalicelib.domain import notifications as rules
    from chalicelib.services import notifications

    kinds = rules.kinds_for(ctx.principal.kind)
    if on is None:
        off = notifications.settings_of(ctx.principal)
        on = {str(k.notice) for k in kinds if k.notice not in off}
    base = notifications.SETTINGS_PATH[ctx.principal.kind]
    return ctx.render(
        "notification_settings.html",
        status=status,
        title="Notification settings",
        kinds=kinds,
        on=on,
        always=rules.ALWAYS_SENT,
        action=base,
        home=base.rsplit("/", 1)[0],
        errors=errors or {},
    )


def save_settings(ctx: PageContext):
    """Keep the boxes ticked; a value that is not one of the person's kinds is refused, nothing kept."""
    from chalicelib.domain import notifications as rules
    from chalicelib.services import notifications

    ticked = ctx.form_lists.get("notices", [])
    known = {str(k.notice) for k in rules.kinds_for(ctx.principal.kind)}
    unknown = [value for value in ticked if value not in known]
    if unknown:
        return settings_page(
            ctx,
            status=400,
            errors={"notices": "Pick from the list: those are the mails deskhire can stop sending"},
            on={value for value in ticked if value in known},
        )
    off = notifications.save(ctx.principal, ticked)
    said = "Saved. deskhire mails you about every kind on the list."
    if off:
        names = [k.label.lower() for k in rules.kinds_for(ctx.principal.kind) if k.notice in off]
        said = f"Saved. deskhire no longer mails you about {', '.join(names)}."
    return ctx.redirect(notifications.SETTINGS_PATH[ctx.principal.kind], flash=said)


@pages.get("/app/settings", access=MEMBER)
def member_settings(ctx: PageContext):
    return settings_page(ctx)


@pages.post("/app/settings", access=MEMBER)
def member_settings_save(ctx: PageContext):
    return save_settings(ctx)
