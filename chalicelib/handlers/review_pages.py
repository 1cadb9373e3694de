"""Reviewing time in the portal: the business's weekly overview and a contract's timesheet (approve
all, approve one, dispute one after the pre-check), the dispute page for each side, the
operator's dispute queue, and the business's coverage calendar."""

from __future__ import annotations

from chalicelib.domain.errors import DomainError, NotFound
from chalicelib.web.auth import AGENT, MEMBER, OPERATOR
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)


def _week_param(ctx: PageContext):
    from chalicelib.domain import time

    text = ctx.request.query_params.get("week") if ctx.request.query_params else None
    try:
        return time.BillingWeek.parse(text) if text else None
    except DomainError:
        return None


def _neighbours(week):
    from chalicelib.domain import time

    return time.BillingWeek.containing(week.starts_at - (week.ends_at - week.starts_at)), week.next()


@pages.get("/app/timesheets", access=MEMBER)
def overview(ctx: PageContext):
    """The week in review by default: the one that locked most recently."""
    from chalicelib.domain import time
    from chalicelib.services import timesheets

    now = ctx.deps.now()
    this_week = time.BillingWeek.containing(now)
    week = _week_param(ctx) or (
        _neighbours(this_week)[0] if now >= _neighbours(this_week)[0].locks_at else this_week
    )
    sheets = timesheets.overview(ctx.principal, week, deps=ctx.deps)
    previous, following = _neighbours(week)
    return ctx.render(
        "timesheets.html",
        title=f"Timesheets · {week}",
        week=week,
        sheets=sheets,
        previous=previous,
        following=following,
    )


def _review_page(ctx: PageContext, contract_id: str, week_text: str, *, status=200, errors=None, notice=None):
    from chalicelib.domain import time
    from chalicelib.services import timesheets

    week = time.BillingWeek.parse(week_text)
    sheet = timesheets.timesheet(ctx.principal, contract_id, week, deps=ctx.deps)
    previous, following = _neighbours(week)
    following = following if following.starts_at <= ctx.deps.now() else None
    return ctx.render(
        "business_timesheet.html",
        status=status,
        title=f"{sheet.contract.title} · {week}",
        sheet=sheet,
        previous=previous,
        following=following,
        errors=errors or {},
        notice=notice,
    )


@pages.get("/app/contracts/{contract_id}/timesheets/{week}", access=MEMBER)
def review(ctx: PageContext, contract_id: str, week: str):
    return _review_page(ctx, contract_id, week)


@pages.post("/app/contracts/{contract_id}/timesheets/{week}/approve", access=MEMBER)
def approve_week(ctx: PageContext, contract_id: str, week: str):
    from chalicelib.domain import time
    from chalicelib.services import timesheets

    try:
        minutes = timesheets.approve(ctx.principal, contract_id, time.BillingWeek.parse(week), deps=ctx.deps)
    except DomainError as error:
        if error.code == "not_found":
            raise
        return _review_page(ctx, contract_id, week, status=409, errors={"form": error.message})
    from chalicelib.domain.diary import hours_and_minutes

    return _review_page(ctx, contract_id, week, notice=f"Approved {hours_and_minutes(minutes)}.")


@pages.post("/app/contracts/{contract_id}/entries/{entry_id}/approve", access=MEMBER)
def approve_entry(ctx: PageContext, contract_id: str, entry_id: str):
    from chalicelib.domain import time
    from chalicelib.services import timesheets
    from chalicelib.services.diary import entries

    _, entry = entries.find_entry(ctx.principal, contract_id, entry_id)
    try:
        timesheets.approve(
            ctx.principal, contract_id, time.BillingWeek.parse(entry.week), entry_id=entry_id, deps=ctx.deps
        )
    except DomainError as error:
        return _review_page(ctx, contract_id, entry.week, status=409, errors={"form": error.message})
    return ctx.redirect(f"/app/contracts/{contract_id}/timesheets/{entry.week}")


# -- disputes -------------------------------------------------------------------------------------


def _dispute_page(ctx: PageContext, contract_id: str, entry_id: str, *, status=200, errors=None):
    from chalicelib.domain import time
    from chalicelib.services import disputes
    from chalicelib.services.diary import entries

    business = str(ctx.principal.kind) == "member"
    contract, entry = entries.find_entry(ctx.principal, contract_id, entry_id)
    try:
        record = disputes.for_entry(ctx.principal, contract_id, entry_id)
    except DomainError:
        record = None
    if record is None and not business:
        raise NotFound("there is no dispute on this entry")
    evidence = disputes.precheck(ctx.principal, contract_id, entry_id) if business else None
    week = time.BillingWeek.parse(entry.week)
    now = ctx.deps.now()
    zone = contract.business_time_zone if business else contract.agent_time_zone
    return ctx.render(
        "dispute.html",
        status=status,
        title=f"Dispute · {contract.title}",
        contract=contract,
        entry=entry,
        dispute=record,
        evidence=evidence,
        business=business,
        zone=zone,
        week=week,
        can_file=business
        and record is None
        and not entry.review
        and week.locks_at <= now < week.review_closes_at,
        base=("/app" if business else "/agent") + f"/contracts/{contract_id}",
        errors=errors or {},
    )


@pages.get("/app/contracts/{contract_id}/entries/{entry_id}/dispute", access=MEMBER)
def business_dispute(ctx: PageContext, contract_id: str, entry_id: str):
    return _dispute_page(ctx, contract_id, entry_id)


@pages.get("/agent/contracts/{contract_id}/disputes/{entry_id}", access=AGENT)
def agent_dispute(ctx: PageContext, contract_id: str, entry_id: str):
    return _dispute_page(ctx, contract_id, entry_id)


def _dispute_action(action: str):
    def handler(ctx: PageContext, contract_id: str, entry_id: str):
        from chalicelib.services import disputes

        values = ctx.form_values
        try:
            if action == "file":
                disputes.file(
                    ctx.principal,
                    contract_id,
                    entry_id,
                    reason=values.get("reason", "")[:2000],
                    deps=ctx.deps,
                )
            elif action == "messages":
                disputes.message(
                    ctx.principal, contract_id, entry_id, body=values.get("body", "")[:2000], deps=ctx.deps
                )
            elif action == "withdraw":
                disputes.withdraw(ctx.principal, contract_id, entry_id, deps=ctx.deps)
            elif action == "contest":
                disputes.contest(ctx.principal, contract_id, entry_id, deps=ctx.deps)
            elif action == "concede":
                keep = values.get("keep_minutes", "").strip()
                if not keep.isdigit():
                    raise DomainError("write the minutes to keep, such as 30", field="keep_minutes")
                disputes.concede(ctx.principal, contract_id, entry_id, keep_minutes=int(keep), deps=ctx.deps)
        except DomainError as error:
            if error.code == "not_found":
                raise
            status = 400 if error.field else 409
            return _dispute_page(
                ctx, contract_id, entry_id, status=status, errors={error.field or "form": error.message}
            )
        business = str(ctx.principal.kind) == "member"
        if business:
            return ctx.redirect(f"/app/contracts/{contract_id}/entries/{entry_id}/dispute")
        return ctx.redirect(f"/agent/contracts/{contract_id}/disputes/{entry_id}")

    return handler


for _path, _action, _access in (
    ("/app/contracts/{contract_id}/entries/{entry_id}/dispute", "file", MEMBER),
    ("/app/contracts/{contract_id}/entries/{entry_id}/dispute/messages", "messages", MEMBER),
    ("/app/contracts/{contract_id}/entries/{entry_id}/dispute/withdraw", "withdraw", MEMBER),
    ("/agent/contracts/{contract_id}/disputes/{entry_id}/messages", "messages", AGENT),
    ("/agent/contracts/{contract_id}/disputes/{entry_id}/contest", "contest", AGENT),
    ("/agent/contracts/{contract_id}/disputes/{entry_id}/concede", "concede", AGENT),
):
    _handler = _dispute_action(_action)
    _handler.__name__ = f"{'business' if _access is MEMBER else 'agent'}_dispute_{_action}"
    pages.post(_path, access=_access)(_handler)


# -- the operator's queue -------------------------------------------------------------------------


@pages.get("/admin/disputes", access=OPERATOR)
def dispute_queue(ctx: PageContext):
    from chalicelib.services import disputes

    return ctx.render("admin_disputes.html", title="Disputes", disputes=disputes.queue(ctx.principal))


def _resolve_page(ctx: PageContext, dispute_id: str, *, status=200, errors=None):
    from chalicelib.services import disputes

    record = disputes.by_id(ctx.principal, dispute_id)
    return ctx.render(
        "admin_dispute.html",
        status=status,
        title=f"Dispute · {record.contract_title}",
        dispute=record,
        errors=errors or {},
    )


@pages.get("/admin/disputes/{dispute_id}", access=OPERATOR)
def dispute_detail(ctx: PageContext, dispute_id: str):
    return _resolve_page(ctx, dispute_id)


@pages.post("/admin/disputes/{dispute_id}/resolve", access=OPERATOR)
def resolve(ctx: PageContext, dispute_id: str):
    from chalicelib.services import disputes

    values = ctx.form_values
    upheld = values.get("upheld_minutes", "").strip()
    try:
        if upheld and not upheld.isdigit():
            raise DomainError("a whole number of minutes", field="upheld_minutes")
        disputes.resolve(
            ctx.principal,
            dispute_id,
            outcome=values.get("outcome", ""),
            upheld_minutes=int(upheld) if upheld else None,
            note=values.get("note", "")[:2000],
            deps=ctx.deps,
        )
    except DomainError as error:
        if error.code == "not_found":
            raise
        return _resolve_page(
            ctx, dispute_id, status=400 if error.field else 409, errors={error.field or "form": error.message}
        )
    return ctx.redirect("/admin/disputes")


# -- coverage -----------------------------------------------------------------------------------


@pages.get("/app/coverage", access=MEMBER)
def coverage_page(ctx: PageContext):
    from chalicelib.domain import time
    from chalicelib.services import coverage

    week = _week_param(ctx) or time.BillingWeek.containing(ctx.deps.now())
    grid, staffed = coverage.business_coverage(ctx.principal, week, deps=ctx.deps)
    previous, following = _neighbours(week)
    return ctx.render(
        "calendar.html",
        title="Coverage",
        grid=grid,
        week=week,
        previous=previous,
        following=following,
        committed=staffed,
        base="/app/coverage",
        business_view=True,
    )
