"""Interviews in an application's thread: the business proposes slots, the agent books one,
both are mailed a calendar link; each side reads the times in their own time zone."""

from __future__ import annotations

from datetime import datetime

from chalicelib.adapters import ics
from chalicelib.composition import Deps
from chalicelib.domain import interviews as rules
from chalicelib.domain.applications import LIVE, ApplicationStatus
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import AgentId
from chalicelib.ids import new_id
from chalicelib.mail import Mail, Subject, their_words
from chalicelib.services import applications
from chalicelib.store import keys
from chalicelib.store.identity import AgentRecord, TenantRecord
from chalicelib.store.marketplace import InterviewRecord
from chalicelib.store.transactions import transaction


def _zones(application) -> tuple[str, str]:
    """(business time zone, agent time zone)."""
    tenant = applications._tenant_of(application)
    business = TenantRecord.find(keys.tenant_pk(tenant), "TENANT")
    agent = AgentRecord.find(keys.agent_pk(AgentId(application.agent_id)), "AGENT")
    return (business.time_zone if business else "UTC"), (agent.time_zone if agent else "UTC")


def listed(actor: Principal, application_id: str) -> list[InterviewRecord]:
    application = applications.get(actor, application_id)
    return [
        i
        for i in InterviewRecord.query(
            applications._thread_pk(application), InterviewRecord.sk.startswith("INTERVIEW#")
        )
        if isinstance(i, InterviewRecord)
    ]


def propose(
    actor: Principal, application_id: str, slots: list[datetime], *, duration: int, deps: Deps
) -> InterviewRecord:
    if actor.kind is not PrincipalKind.MEMBER:
        raise Forbidden("the business proposes interview slots")
    application = applications.get(actor, application_id)
    if ApplicationStatus(application.status) not in LIVE:
        raise Conflict(f"the application is {application.status}", code="illegal_transition")
    now = deps.now()
    chosen = rules.check_slots(slots, now=now, duration=duration)
    interview_id = new_id()
    record = InterviewRecord(
        applications._thread_pk(application),
        keys.sort_key("INTERVIEW", interview_id),
        interview_id=interview_id,
        application_id=application_id,
        slots=[s.strftime("%Y-%m-%dT%H:%M:%SZ") for s in chosen],
        duration_minutes=duration,
        status="proposed",
        proposed_by=actor.id,
        created_at=now,
    )
    record.save(condition=InterviewRecord.pk.does_not_exist())
    _, agent_zone = _zones(application)
    listing = "\n".join(f"- {rules.local_label(s, agent_zone)}" for s in chosen)
    applications.send(
        actor, application_id, f"Interview proposed ({duration} min). Pick one slot:\n{listing}", deps=deps
    )
    return record


def _interview(application, interview_id: str) -> InterviewRecord:
    record = (
        InterviewRecord.find(
            applications._thread_pk(application), keys.sort_key("INTERVIEW", interview_id), consistent=True
        )
        if interview_id.isalnum()
        else None
    )
    if record is None:
        raise NotFound("no such interview")
    return record


def book(
    actor: Principal, application_id: str, interview_id: str, slot: datetime, *, deps: Deps
) -> InterviewRecord:
    if actor.kind is not PrincipalKind.AGENT:
        raise Forbidden("the agent picks the slot")
    application = applications.get(actor, application_id)
    record = _interview(application, interview_id)
    slots = tuple(datetime.fromisoformat(s.replace("Z", "+00:00")) for s in record.slots)
    moment = rules.check_pick(slots, slot, status=record.status, now=deps.now())
    with transaction() as tx:
        # the condition makes a double booking (two tabs, two clicks) a 409, not two events
        tx.update(
            record,
            actions=[InterviewRecord.status.set("booked"), InterviewRecord.chosen.set(moment)],
            condition=InterviewRecord.status == "proposed",
            on_conflict=Conflict("this interview is already booked", code="illegal_transition"),
        )
    business_zone, agent_zone = _zones(application)
    tail = f"/applications/{application_id}/interviews/{interview_id}/calendar.ics"
    # The thread message mails the business (its own time first); the agent gets their own mail.
    applications.send(
        actor,
        application_id,
        f"Booked: {rules.local_label(moment, business_zone)} ({rules.local_label(moment, agent_zone)} for me). "
        f"Calendar file: {deps.link('/app' + tail)}",
        deps=deps,
    )
    deps.mailer.send(
        Mail(
            to=application.agent_email,
            subject=Subject.INTERVIEW_BOOKED,
            text=f"Your interview is booked: {rules.local_label(moment, agent_zone)}, "
            f"{record.duration_minutes} minutes.\n\n"
            + their_words("the business's", {"Opening": application.opening_title})
            + f"\n\nAdd it to your calendar: {deps.link('/agent' + tail)}\n",
        ),
        now=deps.now(),
    )
    record.status, record.chosen = "booked", moment
    return record


def calendar(actor: Principal, application_id: str, interview_id: str, *, deps: Deps) -> str:
    application = applications.get(actor, application_id)
    record = _interview(application, interview_id)
    if record.status != "booked" or record.chosen is None:
        raise Conflict("no slot is booked yet", code="not_booked")
    return ics.write(
        rules.CalendarEvent(
            uid=f"{record.interview_id}@deskhire",
            start=record.chosen,
            minutes=int(record.duration_minutes),
            summary=f"Interview: {application.opening_title} ({application.business_name} / {application.agent_name})",
            description=f"deskhire interview for '{application.opening_title}'.",
            stamp=record.created_at,
        )
    )
