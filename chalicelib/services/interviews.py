"""Interviews in an application's thread: the business proposes slots, the agent books one,
both are mailed a calendar link; each side reads the times in their own time zone."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import UpdateError

from chalicelib.adapters import ics
from chalicelib.composition import Deps
from chalicelib.domain import interviews as rules
from chalicelib.domain.applications import LIVE, ApplicationStatus
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.notifications import Notice
from chalicelib.domain.tenancy import AgentId
from chalicelib.ids import new_id
from chalicelib.mail import Subject, their_words
from chalicelib.services import applications, notifications
from chalicelib.store import keys
from chalicelib.store.base import is_condition_failure
from chalicelib.store.identity import AgentRecord, TenantRecord
from chalicelib.store.marketplace import (
    ApplicationRecord,
    InterviewRecord,
    OpeningRecord,
    agent_interviews_index,
    business_interviews_index,
)
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
    for name, value in indexed_as(record, application).items():
        setattr(record, name, value)
    record.save(condition=InterviewRecord.pk.does_not_exist())
    _, agent_zone = _zones(application)
    listing = "\n".join(f"- {rules.local_label(s, agent_zone)}" for s in chosen)
    applications.send(
        actor, application_id, f"Interview proposed ({duration} min). Pick one slot:\n{listing}", deps=deps
    )
    return record


def until_key(moment: datetime, interview_id: str) -> str:
    """The index sort key of an interview that matters until `moment` (sorts by time)."""
    return keys.sort_key(moment.strftime("%Y-%m-%dT%H:%M:%SZ"), interview_id)


def _stops_mattering(record: InterviewRecord) -> datetime:
    """The last slot offered, or, once booked, the slot booked."""
    if record.status == "booked" and record.chosen is not None:
        return record.chosen
    return max(datetime.fromisoformat(s.replace("Z", "+00:00")) for s in record.slots)


def indexed_as(record: InterviewRecord, application) -> dict[str, str]:
    """What puts an interview on both sides' lists of interviews still to come (services/attention.py):
    the agent's (GSI1) and the business's (GSI2) index, sorted by the moment it stops mattering, and
    the names the lists show without reading the application."""
    until = until_key(_stops_mattering(record), record.interview_id)
    return {
        "gsi1pk": agent_interviews_index(AgentId(application.agent_id)),
        "gsi1sk": until,
        "gsi2pk": business_interviews_index(applications._tenant_of(application)),
        "gsi2sk": until,
        "opening_title": application.opening_title,
        "agent_name": application.agent_name,
        "business_name": application.business_name,
    }


def list_again(record: InterviewRecord) -> bool:
    """Put an interview proposed before the action lists existed on them, with what `propose`
    writes (`indexed_as`), under a check that it was not booked meanwhile. True when written; one
    listed already, or whose application is gone, is left alone (the backfill job, run again,
    writes nothing more)."""
    if record.gsi1pk and record.gsi2pk and record.opening_title:
        return False
    application = ApplicationRecord.find(
        keys.tenant_pk(applications._tenant_of(record)), keys.sort_key("APP", record.application_id)
    )
    if application is None:
        return False
    wanted = indexed_as(record, application)
    try:
        record.update(
            actions=[getattr(InterviewRecord, name).set(value) for name, value in wanted.items()],
            condition=(InterviewRecord.status == record.status)
            & (
                InterviewRecord.gsi1pk.does_not_exist()
                | InterviewRecord.gsi2pk.does_not_exist()
                | InterviewRecord.opening_title.does_not_exist()
            ),
        )
    except UpdateError as error:
        if is_condition_failure(error):
            return False  # booked, or listed, meanwhile: a second run takes it as it is then
        raise
    return True


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
            actions=[
                InterviewRecord.status.set("booked"),
                InterviewRecord.chosen.set(moment),
                InterviewRecord.gsi1sk.set(until_key(moment, interview_id)),
                InterviewRecord.gsi2sk.set(until_key(moment, interview_id)),
            ],
            condition=InterviewRecord.status == "proposed",
            on_conflict=Conflict("this interview is already booked", code="illegal_transition"),
        )
    business_zone, agent_zone = _zones(application)
    tail = f"/applications/{application_id}/interviews/{interview_id}/calendar.ics"
    # The thread keeps the booking (its message mails nobody: each side gets the mail below, which
    # they may turn off in their settings).
    applications.send(
        actor,
        application_id,
        f"Booked: {rules.local_label(moment, business_zone)} ({rules.local_label(moment, agent_zone)} for me). "
        f"Calendar file: {deps.link('/app' + tail)}",
        deps=deps,
        notify=False,
    )
    words = their_words("the business's", {"Opening": application.opening_title})
    notifications.to_agent(
        application.agent_id,
        Notice.INTERVIEW,
        Subject.INTERVIEW_BOOKED,
        f"Your interview is booked: {rules.local_label(moment, agent_zone)}, "
        f"{record.duration_minutes} minutes.\n\n{words}\n\n"
        f"Add it to your calendar: {deps.link('/agent' + tail)}\n"
        f"The application: {deps.link(f'/agent/applications/{application_id}')}",
        deps=deps,
    )
    poster = _poster(application)
    if poster is not None:
        notifications.to_member(
            applications._tenant_of(application),
            poster,
            Notice.INTERVIEW,
            Subject.INTERVIEW_BOOKED_BY_AGENT,
            f"An agent booked an interview: {rules.local_label(moment, business_zone)}, "
            f"{record.duration_minutes} minutes.\n\n"
            + their_words(
                "the agent's and the business's",
                {"Agent": application.agent_name, "Opening": application.opening_title},
            )
            + f"\n\nAdd it to your calendar: {deps.link('/app' + tail)}\n"
            f"The application: {deps.link(f'/app/applications/{application_id}')}",
            deps=deps,
        )
    record.status, record.chosen = "booked", moment
    return record


def _poster(application) -> str | None:
    """The member who posted the application's opening (the one who hears about it)."""
    opening = OpeningRecord.find(
        keys.tenant_pk(applications._tenant_of(application)), keys.sort_key("OPENING", application.opening_id)
    )
    return opening.created_by if opening is not None else None


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
