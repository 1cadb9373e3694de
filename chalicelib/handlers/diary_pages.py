"""The agent's work diary in the portal, made for a phone: one big clock button, the week with its
totals and what is left of each cap, manual entries on the agent's own clock, the timesheet of a
contract's week (with edits while it is open), and the calendar of all their commitments."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from chalicelib.domain.errors import DomainError
from chalicelib.web import forms
from chalicelib.web.auth import AGENT
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)


def _week(ctx: PageContext):
    """The billing week in `?week=`, or this week."""
    from chalicelib.domain import time

    text = ctx.request.query_params.get("week") if ctx.request.query_params else None
    try:
        return time.BillingWeek.parse(text) if text else time.BillingWeek.containing(ctx.deps.now())
    except DomainError:
        return time.BillingWeek.containing(ctx.deps.now())


def _neighbours(week):
    from chalicelib.domain import time

    previous = time.BillingWeek.containing(week.starts_at - (week.ends_at - week.starts_at))
    return previous, week.next()


def _diary_page(ctx: PageContext, *, status: int = 200, errors=None, values=None):
    from chalicelib.domain import contracts as terms
    from chalicelib.domain import time
    from chalicelib.services import profiles, timesheets
    from chalicelib.services.contracts import records
    from chalicelib.services.diary import clock

    principal = ctx.principal
    me = profiles.my_profile(principal)
    week = _week(ctx)
    now = ctx.deps.now()
    running = [c for c in records.listed(principal) if records.status_of(c, now) is terms.Status.ACTIVE]
    sheets = [timesheets.timesheet(principal, c.contract_id, week, deps=ctx.deps) for c in running]
    clocked_in = clock.current_clock(principal)
    previous, following = _neighbours(week)
    local_now = now.astimezone(ZoneInfo(me.time_zone))
    return ctx.render(
        "diary.html",
        status=status,
        title="Work diary",
        zone=me.time_zone,
        week=week,
        previous=previous,
        following=following,
        this_week=time.BillingWeek.containing(now),
        running=running,
        sheets=sheets,
        clock=clocked_in,
        errors=errors or {},
        values=values
        if values is not None
        else {"date": local_now.date().isoformat(), "start": "", "end": "", "memo": "", "tickets": ""},
    )


@pages.get("/agent/diary", access=AGENT)
def diary_page(ctx: PageContext):
    return _diary_page(ctx)


@pages.post("/agent/clock-in", access=AGENT)
def clock_in(ctx: PageContext):
    from chalicelib.services.diary import clock

    try:
        running = clock.clock_in(
            ctx.principal,
            ctx.form_values.get("contract_id", ""),
            memo=ctx.form_values.get("memo", "")[:2000],
            deps=ctx.deps,
        )
    except DomainError as error:
        return _diary_page(
            ctx, status=409 if error.code != "not_found" else 404, errors={"clock": error.message}
        )
    from chalicelib.web.pages import clock as clock_time

    title = getattr(running, "contract_title", "") or "your contract"
    return ctx.redirect("/agent/diary", flash=f"Clocked in on {title} at {clock_time(ctx.deps.now())}.")


@pages.post("/agent/clock-out", access=AGENT)
def clock_out(ctx: PageContext):
    from chalicelib.services.diary import clock

    try:
        result = clock.clock_out(ctx.principal, deps=ctx.deps)
    except DomainError as error:
        return _diary_page(ctx, status=409, errors={"clock": error.message})
    logged = sum(int(e.minutes) for e in result.entries)
    from chalicelib.domain.diary import hours_and_minutes

    notice = (
        f"Clocked out: {hours_and_minutes(logged)} logged."
        if logged
        else "Clocked out: under a minute, nothing logged."
    )
    if result.reason:
        notice += f" The clock {result.reason}."
    return ctx.redirect("/agent/diary", flash=notice)


def _entry_draft(ctx: PageContext, zone: str):
    from chalicelib.services.diary import entries

    values = ctx.form_values
    found = forms.Collector()
    found.read("date", lambda: forms.local_span(values.get("date", ""), "00:00", "00:01", zone, field="date"))
    # each time on its own, so that a bad start and a bad end are both said
    found.read("start", lambda: forms.local_span("2000-01-03", values.get("start", ""), "00:00", "UTC"))
    found.read("end", lambda: forms.local_span("2000-01-03", "00:00", values.get("end", ""), "UTC"))
    found.done()
    start, end = forms.local_span(
        values.get("date", ""), values.get("start", ""), values.get("end", ""), zone
    )
    return entries.EntryDraft(
        started_at=start,
        ended_at=end,
        memo=values.get("memo", "")[:2000],
        tickets=tuple(forms.tags(values.get("tickets", "")))[:20],
    )


def _form_field(error) -> str:
    name = error.field or "form"
    return {"started_at": "start", "ended_at": "end"}.get(
        name, name if name in ("memo", "tickets", "date", "start", "end") else "form"
    )


@pages.post("/agent/entries", access=AGENT)
def log_entry(ctx: PageContext):
    from chalicelib.services import profiles
    from chalicelib.services.diary import entries

    me = profiles.my_profile(ctx.principal)
    try:
        logged = entries.log_time(
            ctx.principal,
            ctx.form_values.get("contract_id", ""),
            _entry_draft(ctx, me.time_zone),
            deps=ctx.deps,
        )
    except DomainError as error:
        status = 404 if error.code == "not_found" else 409 if error.code in _CONFLICTS else 400
        errors = (
            forms.errors_of(error)
            if isinstance(error, forms.FormProblems)
            else {_form_field(error): error.message}
        )
        return _diary_page(ctx, status=status, errors=errors, values=ctx.form_values)
    from chalicelib.domain.diary import hours_and_minutes

    total = sum(int(e.minutes) for e in logged)
    split = " (split at Monday 00:00 UTC into two entries)" if len(logged) == 2 else ""
    return ctx.redirect(
        f"/agent/diary?week={logged[0].week}" if logged else "/agent/diary",
        flash=f"Logged {hours_and_minutes(total)}{split}.",
    )


_CONFLICTS = ("overlap", "over_weekly_cap", "block_exhausted", "week_locked", "outside_contract", "contended")


# -- a contract's week ----------------------------------------------------------------------------


def _timesheet_page(ctx: PageContext, contract_id: str, week_text: str, *, status=200, errors=None):
    from chalicelib.domain import time
    from chalicelib.services import timesheets

    week = time.BillingWeek.parse(week_text)
    sheet = timesheets.timesheet(ctx.principal, contract_id, week, deps=ctx.deps)
    previous, following = _neighbours(week)
    following = following if following.starts_at <= ctx.deps.now() else None
    return ctx.render(
        "agent_timesheet.html",
        status=status,
        title=f"{sheet.contract.title} · {week}",
        sheet=sheet,
        previous=previous,
        following=following,
        errors=errors or {},
    )


@pages.get("/agent/contracts/{contract_id}/timesheets/{week}", access=AGENT)
def agent_timesheet(ctx: PageContext, contract_id: str, week: str):
    return _timesheet_page(ctx, contract_id, week)


@pages.post("/agent/contracts/{contract_id}/entries/{entry_id}/edit", access=AGENT)
def edit_entry(ctx: PageContext, contract_id: str, entry_id: str):
    from chalicelib.services import profiles
    from chalicelib.services.diary import entries

    _, entry = entries.find_entry(ctx.principal, contract_id, entry_id)
    me = profiles.my_profile(ctx.principal)
    try:
        entries.revise(ctx.principal, contract_id, entry_id, _entry_draft(ctx, me.time_zone), deps=ctx.deps)
    except DomainError as error:
        status = 409 if error.code in _CONFLICTS or error.code == "other_week" else 400
        return _timesheet_page(
            ctx, contract_id, entry.week, status=status, errors={f"entry-{entry_id}": error.message}
        )
    return ctx.redirect(
        f"/agent/contracts/{contract_id}/timesheets/{entry.week}", flash="The entry is changed."
    )


@pages.post("/agent/contracts/{contract_id}/entries/{entry_id}/delete", access=AGENT)
def delete_entry(ctx: PageContext, contract_id: str, entry_id: str):
    from chalicelib.domain.diary import hours_and_minutes
    from chalicelib.services.diary import entries
    from chalicelib.web.pages import span

    contract, entry = entries.find_entry(ctx.principal, contract_id, entry_id)
    back = f"/agent/contracts/{contract_id}/timesheets/{entry.week}"
    page = ctx.confirm(
        title="Delete this entry?",
        happens=[
            f"{span(entry.started_at, entry.ended_at)} ({hours_and_minutes(int(entry.minutes))}) on "
            f"“{contract.title}” for {contract.business_name} is deleted from your diary.",
            f"It is not billed with week {entry.week}, and the time is free to log again.",
        ],
        money=[
            f"{hours_and_minutes(int(entry.minutes))} less is billed to {contract.business_name} and paid to you "
            f"for week {entry.week}."
        ],
        button="Delete the entry",
        back=back,
    )
    if page is not None:
        return page
    try:
        entries.delete(ctx.principal, contract_id, entry_id, deps=ctx.deps)
    except DomainError as error:
        return _timesheet_page(
            ctx, contract_id, entry.week, status=409, errors={f"entry-{entry_id}": error.message}
        )
    return ctx.redirect(back, flash=f"The entry of {hours_and_minutes(int(entry.minutes))} is deleted.")


@pages.get("/agent/calendar", access=AGENT)
def calendar_page(ctx: PageContext):
    from chalicelib.services import coverage

    week = _week(ctx)
    grid, committed = coverage.agent_calendar(ctx.principal, week, deps=ctx.deps)
    previous, following = _neighbours(week)
    return ctx.render(
        "calendar.html",
        title="Your calendar",
        grid=grid,
        week=week,
        previous=previous,
        following=following,
        committed=committed,
        base="/agent/calendar",
        business_view=False,
    )


@pages.get("/agent/timesheets.csv", access=AGENT)
def timesheets_csv(ctx: PageContext):
    """Every entry of a week (`?week=`, else this week) across the agent's contracts."""
    from chalicelib.handlers.review_pages import TIMESHEET_COLUMNS, timesheet_rows
    from chalicelib.services import timesheets
    from chalicelib.services.contracts import records
    from chalicelib.web import csv_export
    from chalicelib.web.pages import viewer_zone

    week = _week(ctx)
    sheets = [
        timesheets.timesheet(ctx.principal, c.contract_id, week, deps=ctx.deps)
        for c in records.listed(ctx.principal)
        if c.periods
    ]
    return csv_export.response(
        f"my-timesheets-{week}.csv", TIMESHEET_COLUMNS, timesheet_rows(sheets, viewer_zone())
    )
