"""Reviewing time in the portal: the business's weekly overview and a contract's timesheet (approve
all, approve one, dispute one after the pre-check), the dispute page for each side, the
operator's dispute queue, and the business's coverage calendar."""

from __future__ import annotations

from chalicelib.domain.errors import DomainError, InvalidInput, NotFound
from chalicelib.web import forms
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


def _review_page(ctx: PageContext, contract_id: str, week_text: str, *, status=200, errors=None):
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

    return ctx.redirect(
        f"/app/contracts/{contract_id}/timesheets/{week}",
        flash=f"Approved {hours_and_minutes(minutes)}: it is paid to the agent on the payout day.",
    )


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
    return ctx.redirect(
        f"/app/contracts/{contract_id}/timesheets/{entry.week}", flash="The entry is approved."
    )


# -- disputes -------------------------------------------------------------------------------------


def _dispute_page(ctx: PageContext, contract_id: str, entry_id: str, *, status=200, errors=None):
    from chalicelib.domain import time
    from chalicelib.services import disputes, zones
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
    zone = zones.of_party(ctx.principal, contract)
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


_DISPUTE_DONE = {
    "file": "Dispute filed: the agent is told, and the disputed time is held back from their payout.",
    "messages": "Message sent.",
    "withdraw": "The dispute is withdrawn: the agent is paid for the time.",
    "contest": "You contested the dispute: deskhire decides, and both sides are told.",
    "concede": "The entry is amended and the dispute settled.",
}


def _confirm_dispute_step(ctx: PageContext, action: str, contract_id: str, entry_id: str, back: str):
    """The confirmation before withdrawing, contesting or conceding a dispute: what happens to the
    minutes and the money."""
    from chalicelib.domain.diary import hours_and_minutes
    from chalicelib.services import disputes
    from chalicelib.services.diary import entries
    from chalicelib.web.pages import span

    contract, entry = entries.find_entry(ctx.principal, contract_id, entry_id)
    record = disputes.for_entry(ctx.principal, contract_id, entry_id)
    minutes = int(record.minutes)
    what = f"{span(entry.started_at, entry.ended_at)} ({hours_and_minutes(minutes)}) on “{contract.title}”"
    if action == "withdraw":
        return ctx.confirm(
            title="Withdraw the dispute?",
            happens=[
                f"The dispute over {what} ends, and {contract.agent_name} is told.",
                "It cannot be filed again.",
            ],
            money=[f"{hours_and_minutes(minutes)} is paid to {contract.agent_name} with the week's payout."],
            button="Withdraw the dispute",
            back=back,
        )
    if action == "contest":
        return ctx.confirm(
            title="Contest the dispute?",
            happens=[
                f"You ask deskhire to decide the dispute over {what}: an operator reads both sides and decides.",
                "You can still amend the entry downwards until the operator decides.",
            ],
            money=[
                f"The {hours_and_minutes(minutes)} stay held back until the decision: minutes upheld are refunded to "
                f"{contract.business_name}, the rest is paid to you."
            ],
            button="Contest the dispute",
            back=back,
        )
    if action == "concede":
        keep = ctx.form_values.get("keep_minutes", "").strip()
        if not keep.isdigit() or not 0 <= int(keep) < minutes:
            return None  # the rule says what is wrong first
        given = minutes - int(keep)
        return ctx.confirm(
            title=f"Amend the entry to {hours_and_minutes(int(keep))}?",
            happens=[
                f"The entry {what} is amended downwards and the dispute is settled; {contract.business_name} is told."
            ],
            money=[
                f"{hours_and_minutes(given)} is refunded to {contract.business_name}; you are paid for "
                f"{hours_and_minutes(int(keep))}."
            ],
            button="Amend and settle",
            back=back,
        )
    return None


def _dispute_action(action: str):
    def handler(ctx: PageContext, contract_id: str, entry_id: str):
        from chalicelib.services import disputes

        values = ctx.form_values
        business = str(ctx.principal.kind) == "member"
        back = (
            f"/app/contracts/{contract_id}/entries/{entry_id}/dispute"
            if business
            else f"/agent/contracts/{contract_id}/disputes/{entry_id}"
        )
        if action in ("withdraw", "contest", "concede"):
            page = _confirm_dispute_step(ctx, action, contract_id, entry_id, back)
            if page is not None:
                return page
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
        return ctx.redirect(back, flash=_DISPUTE_DONE[action])

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


def _upheld_minutes(text: str) -> int:
    text = text.strip()
    if not text.isdigit():
        raise InvalidInput("write the minutes upheld as a whole number, such as 30", field="upheld_minutes")
    return int(text)


@pages.post("/admin/disputes/{dispute_id}/resolve", access=OPERATOR)
def resolve(ctx: PageContext, dispute_id: str):
    """The operator's decision: no outcome is chosen for them, the reasons are required (both
    sides read them), and a confirmation states the money before anything moves."""
    from chalicelib.domain import disputes as rules
    from chalicelib.services import disputes

    values = ctx.form_values
    try:
        record = disputes.by_id(ctx.principal, dispute_id)
        found = forms.Collector()
        outcome = values.get("outcome", "")
        if outcome not in ("upheld", "rejected"):
            found.add("outcome", "choose upheld (refund the business) or rejected (pay the agent)")
        upheld = None
        if outcome == "upheld":
            upheld = found.read("upheld_minutes", lambda: _upheld_minutes(values.get("upheld_minutes", "")))
        split = (
            found.read(
                "upheld_minutes",
                lambda: disputes.decide(ctx.principal, record, outcome=outcome, upheld_minutes=upheld),
            )
            if outcome in ("upheld", "rejected") and "upheld_minutes" not in found.problems
            else None
        )
        note = found.read("note", lambda: rules.check_note(values.get("note", "")[:2000]))
        found.done()
        assert split is not None and note is not None  # done() said so
        page = _confirm_resolution(ctx, record, outcome, split, note)
        if page is not None:
            return page
        disputes.resolve(
            ctx.principal, dispute_id, outcome=outcome, upheld_minutes=upheld, note=note, deps=ctx.deps
        )
    except DomainError as error:
        if error.code == "not_found":
            raise
        return _resolve_page(
            ctx,
            dispute_id,
            status=400 if error.field else 409,
            errors=forms.errors_of(error) if error.field else {"form": error.message},
        )
    return ctx.redirect(
        "/admin/disputes",
        flash="The dispute is resolved; both sides are mailed the outcome and your reasons.",
    )


def _confirm_resolution(ctx: PageContext, record, outcome: str, split, note: str):
    """Before an operator resolves a dispute: the decision, the reasons both sides will read,
    and the money each side gets (the refund with its fee, the agent's net, what they forgo)."""
    from chalicelib.domain.diary import hours_and_minutes
    from chalicelib.services import dispute_money
    from chalicelib.web.pages import span, viewer_zone

    money = dispute_money.resolution_money(ctx.principal, record, split, deps=ctx.deps)
    minutes = int(record.minutes)
    return ctx.confirm(
        title=f"Resolve the dispute as {outcome}?",
        happens=[
            f"The dispute of {record.business_name} over {hours_and_minutes(minutes)} of {record.agent_name}'s "
            f"time ({span(record.started_at, record.ended_at)}, week {record.week}) is closed: it cannot be reopened.",
            f"{hours_and_minutes(split.upheld)} upheld, {hours_and_minutes(split.released)} released.",
            f"Both are mailed the outcome, what it moves for them, and your reasons: “{note}”",
        ],
        money=dispute_money.money_lines(record, split, money, zone=viewer_zone()),
        button=f"Resolve as {outcome}",
        back=f"/admin/disputes/{record.dispute_id}",
    )


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


# -- CSV: the business's week -----------------------------------------------------------------------

TIMESHEET_COLUMNS = [
    "week",
    "contract_id",
    "contract",
    "business",
    "agent",
    "entry_id",
    "started_at_utc",
    "ended_at_utc",
    "time_zone",
    "started_local",
    "ended_local",
    "minutes",
    "hours",
    "rate",
    "currency",
    "status",
    "source",
    "memo",
    "tickets",
]


def timesheet_rows(sheets, zone: str):
    """One row per entry of the given timesheets (web/csv_export.py's rules)."""
    from chalicelib.web import csv_export

    for sheet in sheets:
        contract = sheet.contract
        for line in sheet.lines:
            entry = line.entry
            yield [
                str(sheet.week),
                contract.contract_id,
                contract.title,
                contract.business_name,
                contract.agent_name,
                entry.entry_id,
                csv_export.utc(entry.started_at),
                csv_export.utc(entry.ended_at),
                zone,
                csv_export.local(entry.started_at, zone),
                csv_export.local(entry.ended_at, zone),
                int(entry.minutes),
                csv_export.hours(int(entry.minutes)),
                csv_export.money(sheet.rate_minor, contract.currency),
                contract.currency,
                line.status,
                entry.source,
                entry.memo,
                "; ".join(entry.tickets or []),
            ]


@pages.get("/app/timesheets.csv", access=MEMBER)
def timesheets_csv(ctx: PageContext):
    """Every entry of a week (`?week=`, else the week in review) across the business's contracts."""
    from chalicelib.domain import time
    from chalicelib.services import timesheets
    from chalicelib.web import csv_export
    from chalicelib.web.pages import viewer_zone

    now = ctx.deps.now()
    this_week = time.BillingWeek.containing(now)
    week = _week_param(ctx) or (
        _neighbours(this_week)[0] if now >= _neighbours(this_week)[0].locks_at else this_week
    )
    rows = timesheets.overview(ctx.principal, week, deps=ctx.deps)
    sheets = [
        timesheets.timesheet(ctx.principal, row.contract.contract_id, week, deps=ctx.deps)
        for row in rows
        if row.logged
    ]
    return csv_export.response(
        f"timesheets-{week}.csv", TIMESHEET_COLUMNS, timesheet_rows(sheets, viewer_zone())
    )
