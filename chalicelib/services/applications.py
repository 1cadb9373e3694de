"""Applying, inviting, shortlisting, declining, withdrawing; and the thread per application, with
unread counts kept on the application in the same transaction as each message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.composition import Deps
from chalicelib.domain import applications as rules
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.money import Money
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.ids import new_id
from chalicelib.mail import Mail, Subject, their_words
from chalicelib.services import openings, profiles
from chalicelib.store import audit, keys, platform_metrics
from chalicelib.store.identity import Claim, MemberRecord
from chalicelib.store.marketplace import ApplicationRecord, InvitationRecord, MessageRecord, OpeningRecord
from chalicelib.store.transactions import transaction


@dataclass(frozen=True)
class Proposal:
    cover_note: str
    proposed_rate: Money
    earliest_start: date


def _tenant_of(record) -> TenantId:
    return TenantId(record.pk.removeprefix(keys.TENANT_PREFIX).split(keys.SEP)[0])


def _agent_index(agent_id: str, kind: str) -> str:
    """GSI1 key of the agent's view: `A#<agent>#APPS`, `A#<agent>#INVITATIONS`."""
    return keys.agent_pk(AgentId(agent_id), kind)


def apply(actor: Principal, opening_id: str, proposal: Proposal, *, deps: Deps) -> ApplicationRecord:
    if actor.kind is not PrincipalKind.AGENT:
        raise Forbidden("only agents apply")
    agent = profiles.my_profile(actor)
    opening = openings.find_for_agent(opening_id)
    tenant = _tenant_of(opening)
    claim_pk = keys.tenant_pk(tenant, "APPLIED", opening_id)
    already = Claim.find(claim_pk, actor.id, consistent=True) is not None
    rules.check_can_apply(agent_status=agent.status, opening_status=opening.status, already_applied=already)
    rules.check_proposal(proposal.proposed_rate, currency=opening.currency)
    if len(proposal.cover_note) > rules.MAX_COVER_NOTE:
        raise InvalidInput(f"at most {rules.MAX_COVER_NOTE} characters", field="cover_note")
    now = deps.now()
    application_id = new_id()
    record = ApplicationRecord(
        keys.tenant_pk(tenant),
        keys.sort_key("APP", application_id),
        application_id=application_id,
        opening_id=opening_id,
        opening_title=opening.title,
        business_name=opening.business_name,
        agent_id=actor.id,
        agent_name=agent.name,
        agent_email=agent.email,
        cover_note=proposal.cover_note.strip(),
        proposed_rate_minor=proposal.proposed_rate.minor,
        currency=opening.currency,
        earliest_start=proposal.earliest_start.isoformat(),
        status="submitted",
        created_at=now,
        gsi1pk=_agent_index(actor.id, "APPS"),
        gsi1sk=application_id,
    )
    with transaction() as tx:
        # one application per agent and opening, even when two requests race
        tx.save(
            Claim(
                claim_pk, actor.id, owner_kind="application", owner_id=application_id, tenant_id=tenant.value
            ),
            condition=Claim.pk.does_not_exist(),
            on_conflict=Conflict("you have already applied to this opening", code="already_applied"),
        )
        tx.save(record, condition=ApplicationRecord.pk.does_not_exist())
        tx.save(
            audit.entry(
                tenant,
                actor,
                "application.submitted",
                f"application:{application_id}",
                {"after": {"opening": opening_id, "rate": proposal.proposed_rate.minor}},
                at=now,
            )
        )
        platform_metrics.application_made(tx, opening_id, at=now)
    _tell_poster(record, opening, deps=deps)
    return record


def _tell_poster(record: ApplicationRecord, opening: OpeningRecord, *, deps: Deps) -> None:
    """The member who posted the opening hears of a new application, unless they turned it off."""
    from chalicelib.domain.money import format_amount
    from chalicelib.domain.notifications import Notice
    from chalicelib.services import notifications

    rate = f"{format_amount(int(record.proposed_rate_minor), record.currency)} {record.currency.upper()}"
    notifications.to_member(
        _tenant_of(record),
        opening.created_by,
        Notice.NEW_APPLICATION,
        Subject.NEW_APPLICATION,
        f"An agent applied to your opening, proposing {rate} an hour from {record.earliest_start}.\n\n"
        + their_words(
            "the agent's",
            {"Opening": record.opening_title, "Agent": record.agent_name},
            note=record.cover_note[:600],
            note_label="Cover note",
        )
        + f"\n\nRead it and answer on deskhire: {deps.link('/app/applications/' + record.application_id)}",
        deps=deps,
    )


def for_opening(actor: Principal, opening_id: str) -> list[ApplicationRecord]:
    opening = openings.get(actor, opening_id)
    tenant = actor.require_tenant()
    return [
        a
        for a in ApplicationRecord.query(keys.tenant_pk(tenant), ApplicationRecord.sk.startswith("APP#"))
        if isinstance(a, ApplicationRecord) and a.opening_id == opening.opening_id
    ]


def mine(actor: Principal) -> list[ApplicationRecord]:
    if actor.kind is not PrincipalKind.AGENT:
        raise Forbidden("only agents have applications")
    return [
        a
        for a in ApplicationRecord.gsi1.query(_agent_index(actor.id, "APPS"), scan_index_forward=False)
        if isinstance(a, ApplicationRecord)
    ]


def get(actor: Principal, application_id: str) -> ApplicationRecord:
    """The application if the actor is a party to it (its business's member, or its agent)."""
    if not application_id.isalnum():
        raise NotFound("no such application")
    if actor.kind is PrincipalKind.MEMBER:
        record = ApplicationRecord.find(
            keys.tenant_pk(actor.require_tenant()), keys.sort_key("APP", application_id), consistent=True
        )
    elif actor.kind is PrincipalKind.AGENT:
        found = list(
            ApplicationRecord.gsi1.query(
                _agent_index(actor.id, "APPS"), ApplicationRecord.gsi1sk == application_id, limit=1
            )
        )
        # the index is eventually consistent: read the item itself for its state
        record = ApplicationRecord.find(found[0].pk, found[0].sk, consistent=True) if found else None
    else:
        record = None
    if record is None:
        raise NotFound("no such application")
    return record


def _side(actor: Principal) -> str:
    return "business" if actor.kind is PrincipalKind.MEMBER else "agent"


def decide(
    actor: Principal, application_id: str, action: str, *, reason: str = "", deps: Deps
) -> ApplicationRecord:
    record = get(actor, application_id)
    before = rules.ApplicationStatus(record.status)
    after = rules.next_status(before, action, side=_side(actor))
    actions = [ApplicationRecord.status.set(str(after))]
    if action == "decline":
        actions.append(ApplicationRecord.decline_reason.set(reason.strip()[:500] or None))
    now = deps.now()
    with transaction() as tx:
        tx.update(record, actions=actions)
        tx.save(
            audit.entry(
                _tenant_of(record),
                actor,
                f"application.{action}",
                f"application:{application_id}",
                {"before": {"status": str(before)}, "after": {"status": str(after)}},
                at=now,
            )
        )
    return get(actor, application_id)


def _thread_pk(record: ApplicationRecord) -> str:
    return keys.tenant_pk(_tenant_of(record), "THREAD", record.application_id)


def thread(actor: Principal, application_id: str) -> tuple[ApplicationRecord, list[MessageRecord]]:
    """The application and its messages, oldest first; reading it clears the reader's unread count."""
    record = get(actor, application_id)
    messages = [m for m in MessageRecord.query(_thread_pk(record)) if isinstance(m, MessageRecord)]
    name = "business_unread" if _side(actor) == "business" else "agent_unread"
    if getattr(record, name):
        counter = getattr(ApplicationRecord, name)
        # `record` as read (with its version): an update of a bare instance would reset the
        # version to 1 (PynamoDB sets it when it has none) and let a stale copy save over it.
        record.update(actions=[counter.set(0)], add_version_condition=False)
        setattr(record, name, 0)
    return record, messages


def send(
    actor: Principal, application_id: str, text: str, *, deps: Deps, notify: bool = True
) -> MessageRecord:
    record = get(actor, application_id)
    body = rules.check_message(text)
    now = deps.now()
    message = MessageRecord(
        _thread_pk(record),
        keys.sort_key(now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), new_id()),
        author_kind=str(actor.kind),
        author_id=actor.id,
        author_name=actor.name,
        body=body,
        at=now,
    )
    other_unread = (
        ApplicationRecord.agent_unread if _side(actor) == "business" else ApplicationRecord.business_unread
    )
    with transaction() as tx:
        tx.save(message)
        tx.update(
            record,  # as read, so that its version goes up rather than back to 1
            actions=[other_unread.add(1)],
            add_version_condition=False,
        )
    if notify:
        _notify(record, actor, body, deps=deps)
    return message


def _notify(record: ApplicationRecord, author: Principal, body: str, *, deps: Deps) -> None:
    """Mail the other side that a message is waiting (the agent, or the member who posted the opening)."""
    if _side(author) == "business":
        to, link = record.agent_email, deps.link(f"/agent/applications/{record.application_id}")
    else:
        opening = OpeningRecord.find(
            keys.tenant_pk(_tenant_of(record)), keys.sort_key("OPENING", record.opening_id)
        )
        poster = (
            MemberRecord.find(keys.tenant_pk(_tenant_of(record)), keys.sort_key("MEMBER", opening.created_by))
            if opening
            else None
        )
        if poster is None:
            return
        to, link = poster.email, deps.link(f"/app/applications/{record.application_id}")
    preview = body if len(body) <= 300 else body[:297] + "..."
    side = _side(author)
    if side == "business":
        words = their_words(
            "the business's",
            {"Opening": record.opening_title, "From": author.name},
            note=preview,
            note_label="Message",
        )
    else:
        words = (
            their_words("the business's", {"Opening": record.opening_title})
            + "\n\n"
            + their_words("the agent's", {"From": author.name}, note=preview, note_label="Message")
        )
    deps.mailer.send(
        Mail(
            to=to,
            subject=Subject.APPLICATION_MESSAGE,
            text=f"You have a new message about an application on deskhire.\n\n{words}\n\n"
            f"Read it and reply on deskhire: {link}\n",
        ),
        now=deps.now(),
    )


def invite(actor: Principal, opening_id: str, agent_id: str, *, note: str, deps: Deps) -> InvitationRecord:
    opening = openings.get(actor, opening_id)
    if opening.status != "open":
        raise Conflict(f"publish the opening first; it is {opening.status}", code="opening_not_open")
    agent = profiles.public_profile(agent_id)
    tenant = actor.require_tenant()
    now = deps.now()
    invitation_id = new_id()
    record = InvitationRecord(
        keys.tenant_pk(tenant),
        keys.sort_key("INVITATION", opening_id, agent_id),
        invitation_id=invitation_id,
        opening_id=opening_id,
        opening_title=opening.title,
        business_name=opening.business_name,
        agent_id=agent_id,
        note=note.strip()[:1000],
        created_at=now,
        gsi1pk=_agent_index(agent_id, "INVITATIONS"),
        gsi1sk=keys.sort_key(now.isoformat(), invitation_id),
    )
    with transaction() as tx:
        tx.save(record)  # inviting again refreshes the invitation rather than stacking copies
        tx.save(
            audit.entry(
                tenant,
                actor,
                "invitation.sent",
                f"agent:{agent_id}",
                {"after": {"opening": opening_id}},
                at=now,
            )
        )
    deps.mailer.send(
        Mail(
            to=agent.email,
            subject=Subject.INVITED_TO_APPLY,
            text="A business on deskhire thinks you fit one of its openings.\n\n"
            + their_words(
                "the business's",
                {"Business": opening.business_name, "Opening": opening.title, "From": actor.name},
                note=record.note,
                note_label="Note",
            )
            + f"\n\nSee it on deskhire and apply: {deps.link('/agent/openings/' + opening_id)}\n",
        ),
        now=now,
    )
    return record


def invitations(actor: Principal) -> list[InvitationRecord]:
    if actor.kind is not PrincipalKind.AGENT:
        raise Forbidden("only agents receive invitations")
    return [
        i
        for i in InvitationRecord.gsi1.query(_agent_index(actor.id, "INVITATIONS"), scan_index_forward=False)
        if isinstance(i, InvitationRecord)
    ]


def invited_to(actor: Principal, opening_id: str) -> list[InvitationRecord]:
    """The agents a business invited to one of its openings (offers may go straight to them)."""
    opening = openings.get(actor, opening_id)
    return [
        i
        for i in InvitationRecord.query(
            keys.tenant_pk(actor.require_tenant()),
            InvitationRecord.sk.startswith(keys.sort_key("INVITATION", opening.opening_id) + keys.SEP),
        )
        if isinstance(i, InvitationRecord)
    ]
