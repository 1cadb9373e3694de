"""Notice mail that a person can turn off (issue 14, item 6): their settings, and sending a notice
only when they want it, with the way to turn it off in its last line.

Every notice goes through `to_agent` or `to_member`, which read the person's record (one GetItem)
and send nothing when they turned that kind off. Mail about the account and money (password
resets, team invitations, invoices, payouts) never comes here: it cannot be turned off. A notice
that states a time is written for its recipient (services/zones.py): its text may be a function of
their zone."""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.composition import Deps
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.notifications import Notice, kinds_for, turned_off, wants
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.mail import Mail, Subject, SubjectLine
from chalicelib.services import zones
from chalicelib.services.zones import Written
from chalicelib.store import keys
from chalicelib.store.identity import AgentRecord, MemberRecord

SETTINGS_PATH = {PrincipalKind.MEMBER: "/app/settings", PrincipalKind.AGENT: "/agent/settings"}


def footer(kind: PrincipalKind, *, deps: Deps) -> str:
    return f"You can turn these off in Settings: {deps.link(SETTINGS_PATH[kind])}"


def _person(actor: Principal) -> MemberRecord | AgentRecord:
    if actor.kind is PrincipalKind.MEMBER:
        found = MemberRecord.find(
            keys.tenant_pk(actor.require_tenant()), keys.sort_key("MEMBER", actor.id), consistent=True
        )
    elif actor.kind is PrincipalKind.AGENT:
        found = AgentRecord.find(keys.agent_pk(AgentId(actor.id)), "AGENT", consistent=True)
    else:
        found = None
    if found is None:
        raise Forbidden("only members and agents have notification settings")
    return found


def settings_of(actor: Principal) -> set[Notice]:
    """The kinds this person turned off."""
    off = set(_person(actor).mail_off or ())
    return {k.notice for k in kinds_for(actor.kind) if str(k.notice) in off}


def save(actor: Principal, on: Iterable[str]) -> set[Notice]:
    """Keep the kinds `on` (the boxes ticked); every other kind of theirs is turned off."""
    person = _person(actor)
    off = turned_off(actor.kind, on)
    # one attribute, set whole: no version check, so that it never races a profile edit
    person.update(
        actions=[type(person).mail_off.set(sorted(str(n) for n in off))], add_version_condition=False
    )
    return off


def _send(
    to: str,
    off: Iterable[str] | None,
    kind: PrincipalKind,
    notice: Notice,
    subject: Subject | SubjectLine,
    text: str,
    *,
    deps: Deps,
) -> bool:
    if not wants(off, notice):
        return False
    body = f"{text.rstrip()}\n\n{footer(kind, deps=deps)}\n"
    deps.mailer.send(Mail(to=to, subject=subject, text=body), now=deps.now())
    return True


def to_agent(
    agent_id: str, notice: Notice, subject: Subject | SubjectLine, text: Written, *, deps: Deps
) -> bool:
    """Mail the agent this notice unless they turned its kind off; True when it was sent. Times in
    `text` are on the agent's clock (their profile's zone)."""
    agent = AgentRecord.find(keys.agent_pk(AgentId(agent_id)), "AGENT")
    if agent is None or not wants(agent.mail_off, notice):
        return False
    body = zones.for_zone(text, lambda: zones.of_agent(agent))
    return _send(agent.email, agent.mail_off, PrincipalKind.AGENT, notice, subject, body, deps=deps)


def to_member(
    tenant: TenantId,
    member_id: str,
    notice: Notice,
    subject: Subject | SubjectLine,
    text: Written,
    *,
    deps: Deps,
) -> bool:
    """Mail the business's member this notice unless they turned its kind off or left the team.
    Times in `text` are on the member's clock (the business's zone, unless they set their own)."""
    member = MemberRecord.find(keys.tenant_pk(tenant), keys.sort_key("MEMBER", member_id))
    if member is None or member.status != "active" or not wants(member.mail_off, notice):
        return False
    body = zones.for_zone(text, lambda: zones.of_member(member))
    return _send(member.email, member.mail_off, PrincipalKind.MEMBER, notice, subject, body, deps=deps)
