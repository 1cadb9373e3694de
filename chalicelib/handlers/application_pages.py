"""Applications in the portal: the agent's view of an opening and the apply form, their
applications; the business's applicants; the thread between them (the same page for both)."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.errors import DomainError, NotFound
from chalicelib.domain.money import format_amount
from chalicelib.web import forms
from chalicelib.web.auth import AGENT, MEMBER
from chalicelib.web.portal import PageContext, Portal, field_errors

pages = Portal(__name__)


def _opening_page(ctx: PageContext, opening, *, status=200, errors=None, values=None):
    from chalicelib.services import profiles

    agent = profiles.my_profile(ctx.principal)
    return ctx.render(
        "agent_opening.html",
        status=status,
        title=opening.title,
        opening=opening,
        agent=agent,
        errors=errors or {},
        values=values
        if values is not None
        else {
            "rate": format_amount(int(agent.min_rate_minor or opening.rate_min_minor), opening.currency),
            "earliest_start": opening.start_date,
        },
    )


def _visible_opening(ctx: PageContext, opening_id: str):
    """Open openings are for vetted agents: to anyone else they are 'not found'."""
    from chalicelib.services import openings, profiles

    if profiles.my_profile(ctx.principal).status != "approved":
        raise NotFound("openings open to you once an operator approves your account")
    return openings.find_for_agent(opening_id)


@pages.get("/agent/openings/{opening_id}", access=AGENT)
def agent_opening(ctx: PageContext, opening_id: str):
    return _opening_page(ctx, _visible_opening(ctx, opening_id))


@pages.post("/agent/openings/{opening_id}/apply", access=AGENT)
def apply(ctx: PageContext, opening_id: str):
    from chalicelib.services import applications

    opening = _visible_opening(ctx, opening_id)
    values = ctx.form_values
    try:
        try:
            start = date.fromisoformat(values.get("earliest_start", ""))
        except ValueError:
            raise DomainError("pick the earliest day you can start", field="earliest_start") from None
        proposal = applications.Proposal(
            cover_note=values.get("cover_note", "")[:3000],
            proposed_rate=forms.money(values.get("rate", ""), opening.currency, field="rate"),
            earliest_start=start,
        )
        record = applications.apply(ctx.principal, opening_id, proposal, deps=ctx.deps)
    except DomainError as error:
        status = 409 if error.code in ("already_applied", "agent_not_approved", "opening_not_open") else 400
        name = "rate" if (error.field or "").startswith("proposed_rate") else (error.field or "form")
        return _opening_page(
            ctx,
            opening,
            status=status,
            errors=field_errors(DomainError(error.message, field=name)),
            values=values,
        )
    return ctx.redirect(
        f"/agent/applications/{record.application_id}",
        flash=f"Your application to “{opening.title}” is sent to {opening.business_name}.",
    )


@pages.get("/agent/applications", access=AGENT)
def agent_applications(ctx: PageContext):
    from chalicelib.services import applications

    return ctx.render(
        "agent_applications.html",
        title="Your applications",
        applications=applications.mine(ctx.principal),
        invitations=applications.invitations(ctx.principal),
    )


def _thread(ctx: PageContext, application_id: str, *, status=200, errors=None):
    from chalicelib.domain import interviews as interview_rules
    from chalicelib.services import applications, interviews

    record, messages = applications.thread(ctx.principal, application_id)
    business = str(ctx.principal.kind) == "member"
    business_zone, agent_zone = interviews._zones(record)
    zone = business_zone if business else agent_zone
    planned = [
        {
            "record": i,
            "slots": [(s, interview_rules.local_label(_utc(s), zone)) for s in i.slots],
            "chosen": interview_rules.local_label(i.chosen, zone) if i.chosen else None,
        }
        for i in interviews.listed(ctx.principal, application_id)
    ]
    return ctx.render(
        "thread.html",
        status=status,
        title=f"{record.opening_title} · {record.agent_name}",
        application=record,
        messages=messages,
        business=business,
        errors=errors or {},
        interviews=planned,
        zone=zone,
        base=("/app" if business else "/agent") + f"/applications/{application_id}",
    )


def _utc(text: str):
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pages.get("/agent/applications/{application_id}", access=AGENT)
def agent_thread(ctx: PageContext, application_id: str):
    return _thread(ctx, application_id)


@pages.get("/app/applications/{application_id}", access=MEMBER)
def business_thread(ctx: PageContext, application_id: str):
    return _thread(ctx, application_id)


def _post_message(ctx: PageContext, application_id: str):
    from chalicelib.services import applications

    try:
        applications.send(ctx.principal, application_id, ctx.form_values.get("body", ""), deps=ctx.deps)
    except DomainError as error:
        if error.field == "body":
            return _thread(ctx, application_id, status=400, errors=field_errors(error))
        raise
    return ctx.redirect(
        ("/app" if str(ctx.principal.kind) == "member" else "/agent") + f"/applications/{application_id}",
        flash="Message sent.",
    )


@pages.post("/agent/applications/{application_id}/messages", access=AGENT)
def agent_message(ctx: PageContext, application_id: str):
    return _post_message(ctx, application_id)


@pages.post("/app/applications/{application_id}/messages", access=MEMBER)
def business_message(ctx: PageContext, application_id: str):
    return _post_message(ctx, application_id)


_DECIDED = {
    "shortlist": "is shortlisted.",
    "decline": "is declined; the agent is told why.",
    "withdraw": "is withdrawn.",
}


def _decision(action: str, base: str, access):
    def handler(ctx: PageContext, application_id: str):
        from chalicelib.services import applications

        record, _ = applications.thread(ctx.principal, application_id)
        reason = ctx.form_values.get("reason", "")
        back = f"{base}/applications/{application_id}"
        if action == "decline" and record.status in ("submitted", "shortlisted"):
            page = ctx.confirm(
                title=f"Decline {record.agent_name}'s application?",
                happens=[
                    f"{record.agent_name} is told their application to “{record.opening_title}” is declined"
                    + (
                        f", with your reason: “{reason.strip()}”."
                        if reason.strip()
                        else ", without a reason."
                    ),
                    "A declined application cannot be taken back; they may apply to your other openings.",
                ],
                button="Decline the application",
                back=back,
            )
            if page is not None:
                return page
        if action == "withdraw" and record.status in ("submitted", "shortlisted"):
            page = ctx.confirm(
                title=f"Withdraw your application to “{record.opening_title}”?",
                happens=[
                    f"{record.business_name} no longer sees it among the applicants, and cannot make you an offer from it.",
                    "You cannot apply to this opening again.",
                ],
                button="Withdraw my application",
                back=back,
            )
            if page is not None:
                return page
        try:
            applications.decide(ctx.principal, application_id, action, reason=reason, deps=ctx.deps)
        except DomainError as error:
            if error.code == "not_found":
                raise
            from chalicelib.web.errors import status_for

            return _thread(ctx, application_id, status=status_for(error), errors={"form": error.message})
        return ctx.redirect(back, flash=f"The application {_DECIDED[action]}")

    handler.__name__ = f"{action}_application_page"
    return handler


for _action, _base, _access in (
    ("shortlist", "/app", MEMBER),
    ("decline", "/app", MEMBER),
    ("withdraw", "/agent", AGENT),
):
    pages.post(f"{_base}/applications/{{application_id}}/{_action}", access=_access)(
        _decision(_action, _base, _access)
    )


@pages.post("/app/openings/{opening_id}/invitations", access=MEMBER)
def invite(ctx: PageContext, opening_id: str):
    from chalicelib.services import applications, openings

    openings.get(ctx.principal, opening_id)  # another business's opening is not found
    agent_id = ctx.form_values.get("agent_id", "")
    try:
        applications.invite(ctx.principal, opening_id, agent_id, note="", deps=ctx.deps)
    except DomainError as error:
        from chalicelib.handlers.opening_pages import _detail
        from chalicelib.web.errors import status_for

        return _detail(ctx, opening_id, status=status_for(error), errors={"form": error.message})
    return ctx.redirect(
        f"/app/openings/{opening_id}", flash="Invitation sent: the agent gets a mail with a link to apply."
    )


@pages.get("/agent/board", access=AGENT)
def board_page(ctx: PageContext):
    from pydantic import ValidationError

    from chalicelib.schemas import marketplace as marketplace_schemas
    from chalicelib.services import matching

    params = {k: v for k, v in (ctx.request.query_params or {}).items() if v != ""}
    try:
        query = marketplace_schemas.BoardQuery.model_validate(params)
    except ValidationError as error:
        return ctx.render(
            "board.html",
            status=400,
            title="Open openings",
            entries=[],
            values=params,
            errors=forms.validation_messages(error),
            skills=_skills(),
            **_currencies(ctx, ctx.deps.settings.settlement_currencies),
        )
    settled = ctx.deps.settings.settlement_currencies
    entries = matching.board(
        ctx.principal,
        matching.BoardFilter(
            skill=query.skill,
            language=query.language,
            min_hours=query.min_hours,
            max_hours=query.max_hours,
            min_rate_minor=query.min_rate,
            min_overlap_hours=query.min_overlap_hours,
            currency=query.currency,
        ),
        settlement_currencies=settled,
    )
    return ctx.render(
        "board.html",
        title="Open openings",
        entries=entries,
        values=params,
        errors={},
        skills=_skills(),
        **_currencies(ctx, settled),
    )


def _currencies(ctx: PageContext, settled: tuple[str, ...]) -> dict:
    """What the board says of money: the currencies deskhire pays out, and the agent's own (their
    payout account's, else their rate's), so that an opening paid in another says it is converted."""
    from chalicelib.domain.currencies import CURRENCY_EXPONENTS
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.services import payouts, profiles

    account = payouts.account_of(AgentId(ctx.principal.id))
    own = account.currency or profiles.my_profile(ctx.principal).rate_currency
    return {"settled": settled, "own_currency": own, "currencies": sorted(CURRENCY_EXPONENTS)}


def _skills():
    from chalicelib.domain.vocabulary import SKILLS

    return SKILLS


def _slots_from_form(values: dict[str, str], time_zone: str):
    """Slots typed as local date-times (datetime-local inputs) in the business's time zone."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from chalicelib.domain import interviews as interview_rules

    slots = []
    for index in range(interview_rules.MAX_SLOTS):
        text = values.get(f"slot_{index}", "").strip()
        if text:
            try:
                slots.append(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(time_zone)))
            except ValueError:
                raise DomainError("write the slot as a date and time", field=f"slot_{index}") from None
    return slots


@pages.post("/app/applications/{application_id}/interviews", access=MEMBER)
def propose_interview(ctx: PageContext, application_id: str):
    from chalicelib.services import interviews, openings

    zone = openings._tenant(ctx.principal.require_tenant()).time_zone
    try:
        duration = int(ctx.form_values.get("duration_minutes", "30") or 30)
        interviews.propose(
            ctx.principal,
            application_id,
            _slots_from_form(ctx.form_values, zone),
            duration=duration,
            deps=ctx.deps,
        )
    except (DomainError, ValueError) as error:
        message = error.message if isinstance(error, DomainError) else "the duration is a number of minutes"
        return _thread(ctx, application_id, status=400, errors={"slot_0": message})
    return ctx.redirect(
        f"/app/applications/{application_id}", flash="Interview slots sent: the agent picks one."
    )


@pages.post("/agent/applications/{application_id}/interviews/{interview_id}/book", access=AGENT)
def book_interview(ctx: PageContext, application_id: str, interview_id: str):
    from datetime import datetime

    from chalicelib.services import interviews

    try:
        slot = datetime.fromisoformat(ctx.form_values.get("slot", "").replace("Z", "+00:00"))
    except ValueError:
        return _thread(ctx, application_id, status=400, errors={"interviews": "pick one of the slots"})
    try:
        interviews.book(ctx.principal, application_id, interview_id, slot, deps=ctx.deps)
    except DomainError as error:
        if error.code in ("not_found",):
            raise
        return _thread(
            ctx,
            application_id,
            status=409 if error.code != "invalid" else 400,
            errors={"interviews": error.message},
        )
    return ctx.redirect(
        f"/agent/applications/{application_id}", flash="Interview booked: both of you get a mail with it."
    )


def _calendar(ctx: PageContext, application_id: str, interview_id: str):
    from chalice.app import Response

    from chalicelib.services import interviews

    text = interviews.calendar(ctx.principal, application_id, interview_id, deps=ctx.deps)
    return Response(
        body=text,
        status_code=200,
        headers={
            "Content-Type": "text/calendar; charset=utf-8",
            "Content-Disposition": 'attachment; filename="interview.ics"',
        },
    )


@pages.get("/agent/applications/{application_id}/interviews/{interview_id}/calendar.ics", access=AGENT)
def agent_calendar(ctx: PageContext, application_id: str, interview_id: str):
    return _calendar(ctx, application_id, interview_id)


@pages.get("/app/applications/{application_id}/interviews/{interview_id}/calendar.ics", access=MEMBER)
def business_calendar(ctx: PageContext, application_id: str, interview_id: str):
    return _calendar(ctx, application_id, interview_id)
