"""The marketplace on the JSON API: agent profiles, vetting, openings and explained matches."""

from __future__ import annotations

from chalicelib import composition
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import AGENT, MEMBER, OPERATOR, PARTIES

api = JsonApi(__name__, tag="marketplace", schemas="chalicelib.schemas.marketplace")


def _money(value):
    from chalicelib.domain import money

    return money.Money(value.amount, value.currency)


def profile_update(body):
    from chalicelib.services import profiles

    return profiles.ProfileUpdate(
        headline=body.headline,
        bio=body.bio,
        skills=body.skills,
        products=body.products,
        languages=[(lang.code, lang.level) for lang in body.languages],
        availability=[(w.day, w.start, w.end) for w in body.availability],
        min_rate=_money(body.min_rate),
        country=body.country,
        time_zone=body.time_zone,
    )


def opening_draft(body):
    from chalicelib.services import openings

    return openings.OpeningDraft(
        title=body.title,
        description=body.description,
        skills=body.skills,
        products=body.products,
        languages=[(lang.code, lang.level) for lang in body.languages],
        coverage=None if body.coverage is None else [(w.day, w.start, w.end) for w in body.coverage],
        hours_per_week=body.hours_per_week,
        block_hours=body.block_hours,
        seats=body.seats,
        rate_min=_money(body.rate_min),
        rate_max=_money(body.rate_max),
        tier=body.tier,
        start_date=body.start_date,
    )


@api.get("/api/v1/agent/profile", response="ProfileView", access=AGENT)
def get_my_profile(principal):
    """The signed-in agent's profile."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import profiles

    return schemas.profile_view(profiles.my_profile(principal))


@api.put("/api/v1/agent/profile", body="ProfileBody", response="ProfileView", errors=(409,), access=AGENT)
def put_my_profile(body, principal):
    """Replace the agent's profile: skills, languages, weekly availability, lowest rate."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import profiles

    return schemas.profile_view(
        profiles.update_profile(principal, profile_update(body), deps=composition.deps())
    )


@api.get("/api/v1/agents/{agent_id}", response="ProfileView", errors=(404,), access=MEMBER)
def get_agent(agent_id: str, principal):
    """An approved agent's public profile."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import profiles

    return schemas.profile_view(profiles.public_profile(agent_id))


@api.get("/api/v1/admin/agents", response="AgentQueue", access=OPERATOR)
def vetting_queue(principal):
    """Agents waiting for vetting, oldest first."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import vetting

    return schemas.AgentQueue(agents=[schemas.profile_view(a) for a in vetting.queue(principal)])


@api.post(
    "/api/v1/admin/agents/{agent_id}/approve",
    body="ApproveBody",
    response="ProfileView",
    errors=(404, 409),
    access=OPERATOR,
)
def approve_agent(agent_id: str, body, principal):
    """Approve an agent with a tier; they appear in matching once their profile is complete."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import vetting

    return schemas.profile_view(vetting.approve(principal, agent_id, tier=body.tier, deps=composition.deps()))


@api.post(
    "/api/v1/admin/agents/{agent_id}/reject",
    body="RejectBody",
    response="ProfileView",
    errors=(404, 409),
    access=OPERATOR,
)
def reject_agent(agent_id: str, body, principal):
    """Reject a pending agent with a reason they will see."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import vetting

    return schemas.profile_view(
        vetting.reject(principal, agent_id, reason=body.reason, deps=composition.deps())
    )


@api.get("/api/v1/openings", response="OpeningList", access=MEMBER)
def list_openings(principal):
    """The business's openings, newest first."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import openings

    return schemas.OpeningList(openings=[schemas.opening_view(o) for o in openings.listed(principal)])


@api.post("/api/v1/openings", body="OpeningBody", response="OpeningView", status=201, access=MEMBER)
def post_opening(body, principal):
    """Draft an opening (publish it to put it on the board)."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import openings

    return schemas.opening_view(openings.post(principal, opening_draft(body), deps=composition.deps()))


@api.get("/api/v1/openings/{opening_id}", response="OpeningView", errors=(404,), access=MEMBER)
def get_opening(opening_id: str, principal):
    """One opening."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import openings

    return schemas.opening_view(openings.get(principal, opening_id))


@api.put(
    "/api/v1/openings/{opening_id}",
    body="OpeningBody",
    response="OpeningView",
    errors=(404, 409),
    access=MEMBER,
)
def revise_opening(opening_id: str, body, principal):
    """Replace an opening's terms."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import openings

    return schemas.opening_view(
        openings.revise(principal, opening_id, opening_draft(body), deps=composition.deps())
    )


def _transition(action: str):
    def handler(opening_id: str, principal):
        from chalicelib.schemas import marketplace as schemas
        from chalicelib.services import openings

        return schemas.opening_view(openings.act(principal, opening_id, action, deps=composition.deps()))

    handler.__name__ = f"{action}_opening"
    handler.__doc__ = f"{action.capitalize()} the opening (409 naming its state when it cannot)."
    return handler


for _action in ("publish", "pause", "close"):
    api.post(
        f"/api/v1/openings/{{opening_id}}/{_action}", response="OpeningView", errors=(404, 409), access=MEMBER
    )(_transition(_action))


@api.get("/api/v1/openings/{opening_id}/matches", response="MatchList", errors=(404,), access=MEMBER)
def opening_matches(opening_id: str, principal):
    """Approved agents ranked for the opening, each component of the score explained."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import matching

    return schemas.match_list(matching.agents_for_opening(principal, opening_id))


@api.get("/api/v1/agent/feed", response="MatchList", errors=(409,), access=AGENT)
def agent_feed(principal):
    """Open openings ranked for the signed-in agent, with the reasons."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import matching

    return schemas.match_list(matching.openings_for_agent(principal))


def _side(principal) -> str:
    return "business" if str(principal.kind) == "member" else "agent"


@api.post(
    "/api/v1/openings/{opening_id}/invitations",
    body="InvitationBody",
    response="InvitationView",
    status=201,
    errors=(404, 409),
    access=MEMBER,
)
def invite_agent(opening_id: str, body, principal):
    """Invite an approved agent to apply to an open opening (they get a mail)."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import applications

    record = applications.invite(
        principal, opening_id, body.agent_id, note=body.note, deps=composition.deps()
    )
    return schemas.invitation_view(record)


@api.get("/api/v1/agent/invitations", response="InvitationList", access=AGENT)
def my_invitations(principal):
    """Businesses that invited the signed-in agent to apply."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import applications

    return schemas.InvitationList(
        invitations=[schemas.invitation_view(i) for i in applications.invitations(principal)]
    )


@api.post(
    "/api/v1/openings/{opening_id}/applications",
    body="ApplyBody",
    response="ApplicationView",
    status=201,
    errors=(404, 409),
    access=AGENT,
)
def apply_to_opening(opening_id: str, body, principal):
    """Apply with a cover note, a proposed rate and an earliest start (approved agents, open openings, once)."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import applications

    proposal = applications.Proposal(
        cover_note=body.cover_note,
        proposed_rate=_money(body.proposed_rate),
        earliest_start=body.earliest_start,
    )
    return schemas.application_view(
        applications.apply(principal, opening_id, proposal, deps=composition.deps()), side="agent"
    )


@api.get(
    "/api/v1/openings/{opening_id}/applications", response="ApplicationList", errors=(404,), access=MEMBER
)
def opening_applications(opening_id: str, principal):
    """The applicants to one of the business's openings."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import applications

    return schemas.ApplicationList(
        applications=[
            schemas.application_view(a, side="business")
            for a in applications.for_opening(principal, opening_id)
        ]
    )


@api.get("/api/v1/agent/applications", response="ApplicationList", access=AGENT)
def my_applications(principal):
    """The signed-in agent's applications, newest first."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import applications

    return schemas.ApplicationList(
        applications=[schemas.application_view(a, side="agent") for a in applications.mine(principal)]
    )


@api.get("/api/v1/applications/{application_id}", response="ApplicationView", errors=(404,), access=PARTIES)
def get_application(application_id: str, principal):
    """One application, to its business's members and its agent."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import applications

    return schemas.application_view(applications.get(principal, application_id), side=_side(principal))


def _decision(action: str):
    def handler(application_id: str, principal, body=None):
        from chalicelib.schemas import marketplace as schemas
        from chalicelib.services import applications

        reason = getattr(body, "reason", "") if body is not None else ""
        record = applications.decide(
            principal, application_id, action, reason=reason, deps=composition.deps()
        )
        return schemas.application_view(record, side=_side(principal))

    handler.__name__ = f"{action}_application"
    handler.__doc__ = {
        "shortlist": "Shortlist an application (the business).",
        "decline": "Decline an application with an optional reason the agent sees (the business).",
        "withdraw": "Withdraw an application (the agent).",
    }[action]
    return handler


api.post(
    "/api/v1/applications/{application_id}/shortlist",
    response="ApplicationView",
    errors=(404, 409),
    access=MEMBER,
)(_decision("shortlist"))
api.post(
    "/api/v1/applications/{application_id}/decline",
    body="DeclineBody",
    response="ApplicationView",
    errors=(404, 409),
    access=MEMBER,
)(_decision("decline"))
api.post(
    "/api/v1/applications/{application_id}/withdraw",
    response="ApplicationView",
    errors=(404, 409),
    access=AGENT,
)(_decision("withdraw"))


@api.get(
    "/api/v1/applications/{application_id}/messages", response="ThreadView", errors=(404,), access=PARTIES
)
def read_thread(application_id: str, principal):
    """The thread of an application, oldest first; reading it clears your unread count."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import applications

    record, messages = applications.thread(principal, application_id)
    return schemas.ThreadView(
        application=schemas.application_view(record, side=_side(principal)),
        messages=[schemas.message_view(m) for m in messages],
    )


@api.post(
    "/api/v1/applications/{application_id}/messages",
    body="MessageBody",
    response="MessageView",
    status=201,
    errors=(404,),
    access=PARTIES,
)
def post_message(application_id: str, body, principal):
    """Write in the thread; the other side is told by mail."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import applications

    return schemas.message_view(
        applications.send(principal, application_id, body.body, deps=composition.deps())
    )


@api.get("/api/v1/board", query="BoardQuery", response="BoardList", errors=(404,), access=AGENT)
def open_board(query, principal):
    """Open openings for vetted agents, with filters (skill, language, hours, rate, overlap with your
    hours, currency: by default only the openings you can be paid for)."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import matching

    wanted = matching.BoardFilter(
        skill=query.skill,
        language=query.language,
        min_hours=query.min_hours,
        max_hours=query.max_hours,
        min_rate_minor=query.min_rate,
        min_overlap_hours=query.min_overlap_hours,
        currency=query.currency,
    )
    settled = composition.deps().settings.settlement_currencies
    return schemas.BoardList(
        entries=[
            schemas.BoardEntry(
                opening=schemas.opening_view(record),
                business_name=record.business_name,
                overlap_hours_per_week=None if overlap is None else round(overlap, 1),
            )
            for record, overlap in matching.board(principal, wanted, settlement_currencies=settled)
        ]
    )


@api.get(
    "/api/v1/applications/{application_id}/interviews",
    response="InterviewList",
    errors=(404,),
    access=PARTIES,
)
def list_interviews(application_id: str, principal):
    """Interviews proposed in the application's thread."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import interviews

    return schemas.InterviewList(
        interviews=[schemas.interview_view(i) for i in interviews.listed(principal, application_id)]
    )


@api.post(
    "/api/v1/applications/{application_id}/interviews",
    body="ProposeInterviewBody",
    response="InterviewView",
    status=201,
    errors=(404, 409),
    access=MEMBER,
)
def propose_interview(application_id: str, body, principal):
    """Propose up to five interview slots (the agent sees them in their time zone)."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import interviews

    record = interviews.propose(
        principal, application_id, body.slots, duration=body.duration_minutes, deps=composition.deps()
    )
    return schemas.interview_view(record)


@api.post(
    "/api/v1/applications/{application_id}/interviews/{interview_id}/book",
    body="BookInterviewBody",
    response="InterviewView",
    errors=(404, 409),
    access=AGENT,
)
def book_interview(application_id: str, interview_id: str, body, principal):
    """Book one of the proposed slots; both sides get a calendar link."""
    from chalicelib.schemas import marketplace as schemas
    from chalicelib.services import interviews

    return schemas.interview_view(
        interviews.book(principal, application_id, interview_id, body.slot, deps=composition.deps())
    )


@api.get(
    "/api/v1/applications/{application_id}/interviews/{interview_id}/calendar.ics",
    errors=(404, 409),
    access=PARTIES,
)
def interview_calendar(application_id: str, interview_id: str, principal):
    """The booked interview as an iCalendar file."""
    from chalice.app import Response

    from chalicelib.services import interviews

    text = interviews.calendar(principal, application_id, interview_id, deps=composition.deps())
    return Response(
        body=text,
        status_code=200,
        headers={
            "Content-Type": "text/calendar; charset=utf-8",
            "Content-Disposition": 'attachment; filename="interview.ics"',
        },
    )
