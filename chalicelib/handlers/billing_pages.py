"""Billing in the portal: the business's card on file, invoices and this week's estimate; the
agent's payouts (Stripe Express onboarding) and earnings; an operator's collection terms.

Stripe's own pages take the card and the agent's details: these pages send the browser there
and, when it comes back, read the outcome from Stripe (a redirect back proves nothing)."""

from __future__ import annotations

from chalicelib.domain.errors import DomainError, NotFound
from chalicelib.domain.money import format_amount
from chalicelib.web import forms
from chalicelib.web.auth import AGENT, MEMBER, OPERATOR
from chalicelib.web.observability import CARD_PAGE_POLICY, logger
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)


def _stripe_down(ctx: PageContext):
    return ctx.render(
        "error.html",
        status=503,
        title="Stripe is not answering",
        message="Stripe could not be reached just now. Nothing was changed: try again in a minute.",
    )


# -- the business: card on file, invoices, the estimate -------------------------------------------


def _billing_page(ctx: PageContext, *, status: int = 200, notice=None, errors=None):
    from chalicelib.services import billing_accounts, dunning
    from chalicelib.services.invoicing import invoices, planning

    principal = ctx.principal
    tenant = principal.require_tenant()
    bills = invoices.listed(principal)
    account = billing_accounts.account_of(tenant)
    # when the daily retries end and the contracts pause (dunning.GRACE after it became past due)
    pause_at = account.past_due_since + dunning.GRACE if account.past_due_since else None
    return ctx.render(
        "billing.html",
        status=status,
        title="Billing",
        account=account,
        pause_at=pause_at,
        paused=pause_at is not None and ctx.deps.now() >= pause_at,
        invoices=bills,
        # the banner names why the latest collection failed
        failing=next((i for i in bills if i.status == "open" and i.last_failure), None),
        estimate=planning.estimate(principal, deps=ctx.deps),
        zone=billing_accounts.business_of(tenant).time_zone,
        notice=notice,
        errors=errors or {},
    )


@pages.get("/app/billing", access=MEMBER)
def billing_page(ctx: PageContext):
    return _billing_page(ctx)


@pages.post("/app/billing/card", access=MEMBER)
def start_card(ctx: PageContext):
    from chalicelib.payments import gateway
    from chalicelib.services import billing_accounts

    try:
        setup = billing_accounts.start_card_setup(ctx.principal, deps=ctx.deps)
    except gateway.PaymentsUnavailable:
        return _stripe_down(ctx)
    return ctx.redirect(setup.url)  # Stripe's card page (the emulator's, locally)


@pages.get("/app/billing/card", access=MEMBER)
def card_page(ctx: PageContext):
    """The card page against Stripe itself (no emulator): Stripe.js and its Payment Element confirm
    the business's latest SetupIntent in the browser, and Stripe sends it to the return page."""
    from chalicelib.payments import gateway
    from chalicelib.services import billing_accounts

    key = ctx.deps.settings.stripe_publishable_key
    if not key.startswith("pk_"):  # a deployed stage still carrying config.json's placeholder
        logger.error("DESKHIRE_STRIPE_PUBLISHABLE_KEY is not a Stripe publishable key")
        return ctx.render(
            "error.html",
            status=503,
            title="Adding a card is not available",
            message="The card page is not set up yet. Nothing was changed: try again later.",
        )
    seti = (ctx.request.query_params or {}).get("setup_intent") or ""
    try:
        # an over-long id is refused whole (cut short, it could pass for a well-formed one)
        form = billing_accounts.card_form(ctx.principal, seti if len(seti) <= 100 else "", deps=ctx.deps)
    except gateway.PaymentsUnavailable:
        return _stripe_down(ctx)
    except DomainError as error:
        if error.code != "stale_card_setup":
            raise
        return _billing_page(ctx, status=409, errors={"card": error.message})
    return_url = ctx.deps.link("/app/billing/card/return")
    if form.succeeded:  # confirmed already (a reload, or back from 3D Secure): the return page
        return ctx.redirect(f"{return_url}?setup_intent={form.setup_intent_id}")
    response = ctx.render(
        "card.html",
        title="Add a card",
        publishable_key=key,
        client_secret=form.client_secret,
        return_url=return_url,
    )
    response.headers["Content-Security-Policy"] = CARD_PAGE_POLICY  # this page only: Stripe.js
    return response


@pages.get("/app/billing/card/return", access=MEMBER)
def card_return(ctx: PageContext):
    from chalicelib.payments import gateway
    from chalicelib.services import billing_accounts

    params = ctx.request.query_params or {}
    try:
        result = billing_accounts.finish_card_setup(
            ctx.principal, (params.get("setup_intent") or "")[:100], deps=ctx.deps
        )
    except gateway.PaymentsUnavailable:
        return _stripe_down(ctx)
    except DomainError as error:
        if error.code != "stale_card_setup":
            raise
        return _billing_page(ctx, status=409, errors={"card": error.message})
    if not result.ok:
        return _billing_page(ctx, status=409, errors={"card": f"The card was not saved: {result.message}"})
    return _billing_page(ctx, notice=result.message)  # a GET: a reload reads Stripe again


# -- the agent: payouts ----------------------------------------------------------------------------

# What Stripe's requirement names mean, for the agent (the first matching prefix wins).
REQUIREMENTS = (
    ("external_account", "a bank account to pay you into"),
    ("individual.first_name", "your name"),
    ("individual.last_name", "your name"),
    ("individual.dob", "your date of birth"),
    ("individual.address", "your address"),
    ("individual.email", "your email address"),
    ("individual.phone", "your phone number"),
    ("individual.id_number", "your ID number"),
    ("individual.ssn_last_4", "your ID number"),
    ("individual.verification", "a photo of your ID document"),
    ("business_type", "whether you work as an individual or a company"),
    ("business_profile", "what you do (your business profile)"),
    ("tos_acceptance", "your acceptance of Stripe's terms"),
)


def requirement_labels(names) -> list[str]:
    labels: list[str] = []
    for name in names or []:
        label = next(
            (text for prefix, text in REQUIREMENTS if name == prefix or name.startswith(prefix + ".")),
            name.replace(".", " ").replace("_", " "),
        )
        if label not in labels:
            labels.append(label)
    return labels


def payouts_reminder(ctx: PageContext, account=None) -> bool:
    from chalicelib.services import payouts

    return payouts.transfers_wait(ctx.principal, account, now=ctx.deps.now())


def _payouts_page(ctx: PageContext, *, account=None, status=200, errors=None, returned=False):
    from chalicelib.domain import tenancy
    from chalicelib.services import payouts, profiles

    me = profiles.my_profile(ctx.principal)
    if account is None:
        account = payouts.account_of(tenancy.AgentId(me.agent_id))
    return ctx.render(
        "payouts.html",
        status=status,
        title="Payouts",
        account=account,
        state=account.status or "not_started",
        needs=requirement_labels(account.requirements_due),
        countries=payouts.countries_for(ctx.deps.settings.platform_country),
        values={"country": ctx.form_values.get("country") or payouts.suggested_country(me.time_zone)},
        errors=errors or {},
        returned=returned,
        zone=me.time_zone,
    )


@pages.get("/agent/payouts", access=AGENT)
def payouts_page(ctx: PageContext):
    return _payouts_page(ctx)


@pages.post("/agent/payouts", access=AGENT)
def start_payouts(ctx: PageContext):
    from chalicelib.payments import gateway
    from chalicelib.services import payouts

    try:
        url = payouts.onboarding_link(
            ctx.principal, country=ctx.form_values.get("country", "")[:2] or None, deps=ctx.deps
        )
    except gateway.PaymentsUnavailable:
        return _stripe_down(ctx)
    except DomainError as error:
        if error.code == "not_found":
            raise
        return _payouts_page(ctx, status=400, errors={error.field or "form": error.message})
    return ctx.redirect(url)  # Stripe's onboarding (the emulator's page, locally)


@pages.get("/agent/payouts/return", access=AGENT)
def payouts_return(ctx: PageContext):
    """Back from Stripe: what the account says now, whatever the agent did there."""
    from chalicelib.payments import gateway
    from chalicelib.services import payouts

    try:
        account = payouts.refresh(ctx.principal, deps=ctx.deps)
    except gateway.PaymentsUnavailable:
        return _stripe_down(ctx)
    return _payouts_page(ctx, account=account, returned=True)


@pages.get("/agent/payouts/refresh", access=AGENT)
def payouts_refresh(ctx: PageContext):
    """Stripe sends the agent here when a link expired or was used: a fresh link, straight away."""
    from chalicelib.domain import tenancy
    from chalicelib.payments import gateway
    from chalicelib.services import payouts

    if not payouts.account_of(tenancy.AgentId(ctx.principal.id)).account_id:
        return ctx.redirect("/agent/payouts")  # never started: the country comes from the form
    try:
        url = payouts.onboarding_link(ctx.principal, country=None, deps=ctx.deps)
    except gateway.PaymentsUnavailable:
        return _stripe_down(ctx)
    return ctx.redirect(url)


# -- the agent: earnings ---------------------------------------------------------------------------


@pages.get("/agent/earnings", access=AGENT)
def earnings_page(ctx: PageContext):
    from chalicelib.services import earnings, profiles

    found = earnings.earnings(ctx.principal, deps=ctx.deps)
    return ctx.render(
        "earnings.html",
        title="Earnings",
        found=found,
        state=found.payouts.status or "not_started",
        reminder=payouts_reminder(ctx, found.payouts),
        zone=profiles.my_profile(ctx.principal).time_zone,
    )


# -- the operator: collection terms and refunds after payout ----------------------------------------------------------------


def _collection_page(ctx: PageContext, tenant_id: str | None, *, status=200, errors=None, refund_week=None):
    from chalicelib.domain import tenancy
    from chalicelib.services import billing_accounts, reconciliation
    from chalicelib.services.clawbacks import overview

    report_day, report = reconciliation.latest_report()
    business = account = tenant = None
    if tenant_id:
        try:
            tenant = tenancy.TenantId(tenant_id)
        except ValueError:
            raise NotFound("no such business") from None
        business = billing_accounts.business_of(tenant)
        account = billing_accounts.account_of(tenant)
    paid_out = overview.paid_out_invoices(ctx.principal, tenant) if tenant is not None else []
    return ctx.render(
        "admin_payouts.html",
        status=status,
        title="Payouts and collection",
        tenant_id=tenant_id or "",
        business=business,
        account=account,
        paid_out=paid_out,
        owing=overview.agents_owing(ctx.principal),
        refund_week=refund_week,
        max_days=billing_accounts.MAX_NET_DAYS,
        report_day=report_day,
        report=report,
        errors=errors or {},
    )


@pages.get("/admin/payouts", access=OPERATOR)
def admin_payouts(ctx: PageContext):
    params = ctx.request.query_params or {}
    return _collection_page(ctx, (params.get("tenant") or "").strip()[:64] or None)


@pages.post("/admin/businesses/{tenant_id}/collection", access=OPERATOR)
def set_collection(ctx: PageContext, tenant_id: str):
    from chalicelib.services import billing_accounts

    text = ctx.form_values.get("days_until_due", "").strip()
    try:
        if text and not text.isdigit():
            raise DomainError(
                f"write a number of days from 1 to {billing_accounts.MAX_NET_DAYS}, or leave it empty for the card",
                field="days_until_due",
            )
        record = billing_accounts.set_collection(
            ctx.principal, tenant_id, net_days=int(text) if text else None, deps=ctx.deps
        )
    except DomainError as error:
        if error.code in ("not_found", "forbidden"):
            raise
        return _collection_page(ctx, tenant_id, status=400, errors={error.field or "form": error.message})
    net_days = record.net_days()
    how = (
        f"pays by invoice, net {net_days} days" if net_days is not None else "is charged to its card on file"
    )
    return ctx.redirect(
        f"/admin/payouts?tenant={tenant_id}#collection",
        flash=f"Saved: from the next invoice, the business {how}.",
    )


@pages.post("/admin/businesses/{tenant_id}/invoices/{week}/refunds", access=OPERATOR)
def refund_after_payout(ctx: PageContext, tenant_id: str, week: str):
    from chalicelib.services.clawbacks import refunds

    values = ctx.form_values
    try:
        minutes = forms.minutes_from_hours(values.get("hours", ""), field="hours")
        if not minutes:
            raise DomainError("write the hours to refund, such as 1.5", field="hours")
        number = values.get("number", "").strip()
        if number and not number.isdigit():
            raise DomainError("reload the page and try again", field="form")
        if not values.get("reason", "").strip():
            raise DomainError(
                "say why the minutes are refunded: the business and the agent read it", field="reason"
            )
        page = _confirm_refund(ctx, tenant_id, week, values.get("contract_id", ""), minutes, values["reason"])
        if page is not None:
            return page
        item = refunds.refund_after_payout(
            ctx.principal,
            tenant_id,
            week,
            contract_id=values.get("contract_id", ""),
            minutes=minutes,
            reason=values.get("reason", ""),
            number=int(number) if number else None,
            deps=ctx.deps,
        )
    except DomainError as error:
        if error.code == "forbidden":
            raise
        from chalicelib.web.errors import status_for

        field = {"minutes": "hours", "number": "form"}.get(error.field or "", error.field or "form")
        # the fields of this week's form: ids carry the week (one refund form per paid-out week)
        field = {"hours": f"hours-{week}", "reason": f"reason-{week}", "contract_id": f"contract-{week}"}.get(
            field, "form"
        )
        return _collection_page(
            ctx, tenant_id, status=status_for(error), errors={field: error.message}, refund_week=week
        )
    money = f"{format_amount(int(item.refund), item.currency)} {item.currency.upper()}"
    waiting = item.status == "pending" and item.stripe_refund_id and item.funds_pending_until
    done = {
        "done": "refunded, and the agent's share taken back",
        "owed": "refunded; the agent's balance could not cover their share, so it is kept from their next payouts",
        "pending": "recorded; Stripe did not finish it yet, so the payout run will",
    }[item.status]
    if waiting:  # the transfer's money is still pending on the agent's account at Stripe
        done = "refunded; the agent's share is taken back once the funds of their transfer are available at Stripe (the payout run does it)"
    return ctx.redirect(
        f"/admin/payouts?tenant={tenant_id}#refunds-after-payout",
        flash=f"{money} for week {item.week}: {done}.",
    )


def _confirm_refund(ctx: PageContext, tenant_id: str, week: str, contract_id: str, minutes: int, reason: str):
    """The confirmation before a refund after payout: whose minutes, and which way the money goes."""
    from chalicelib.domain import tenancy
    from chalicelib.domain.diary import hours_and_minutes
    from chalicelib.services import billing_accounts
    from chalicelib.services.clawbacks import overview

    try:
        tenant = tenancy.TenantId(tenant_id)
    except ValueError:
        raise NotFound("no such business") from None
    business = billing_accounts.business_of(tenant).name
    found = next(
        (w for w in overview.paid_out_invoices(ctx.principal, tenant) if w["invoice"].week == week), None
    )
    line = next((x for x in (found or {}).get("lines", []) if x["line"].contract_id == contract_id), None)
    if found is None or line is None or minutes > int(line["minutes"]):
        return None  # nothing (or not that much) paid out there to refund: the refund itself says so
    who = f"{line['agent_name']}'s time on “{line['line'].description}”"
    part = "the minutes' part of the line"
    if line["line"].rate_minor is not None:
        from chalicelib.domain.billing import hours_amount

        currency = found["invoice"].currency
        minor = hours_amount(minutes, int(line["line"].rate_minor), currency)
        part = f"{format_amount(minor, currency)} {currency.upper()} for the minutes"
    return ctx.confirm(
        title=f"Refund {hours_and_minutes(minutes)} to {business}?",
        happens=[
            f"{hours_and_minutes(minutes)} of {who} in week {week} is refunded to {business}, "
            f"for this reason: “{reason.strip()}”.",
            "Both the business and the agent get a mail with the reason.",
        ],
        money=[
            f"{business} gets back {part}, and the client fee on it, as a refund of its payment.",
            "The agent's share of it (less the agent fee) is taken back from their transfer; if their Stripe "
            "balance cannot cover it, it is kept from their next payouts.",
        ],
        button="Refund the minutes",
        back=f"/admin/payouts?tenant={tenant_id}#refunds-after-payout",
    )


# -- CSV exports ---------------------------------------------------------------------------------


@pages.get("/app/billing/invoices.csv", access=MEMBER)
def invoices_csv(ctx: PageContext):
    """The business's invoices, as on the billing page."""
    from chalicelib.services.invoicing import invoices
    from chalicelib.web import csv_export
    from chalicelib.web.pages import viewer_zone

    zone = viewer_zone()
    header = [
        "week",
        "number",
        "invoice_id",
        "kind",
        "status",
        "collection",
        "currency",
        "total",
        "amount_paid",
        "refunded",
        "paid_at_utc",
        "time_zone",
        "paid_local",
        "invoice_page",
    ]
    rows = (
        [
            i.week,
            i.number or "",
            i.invoice_id,
            getattr(i, "invoice_kind", "") or "week",
            i.status,
            i.collection,
            i.currency,
            csv_export.money(i.total, i.currency),
            csv_export.money(i.amount_paid, i.currency),
            csv_export.money(i.refunded, i.currency),
            csv_export.utc(i.paid_at),
            zone,
            csv_export.local(i.paid_at, zone),
            i.hosted_url or "",
        ]
        for i in invoices.listed(ctx.principal)
    )
    return csv_export.response("invoices.csv", header, rows)


@pages.get("/agent/earnings.csv", access=AGENT)
def earnings_csv(ctx: PageContext):
    """The agent's earnings by contract and week, then their transfers, as on the earnings page:
    one row per week of a contract (gross, before the agent fee) and one per transfer (gross, fee,
    net), told apart by the `row` column."""
    from chalicelib.services import earnings
    from chalicelib.web import csv_export
    from chalicelib.web.pages import viewer_zone

    zone = viewer_zone()
    found = earnings.earnings(ctx.principal, deps=ctx.deps)
    header = [
        "row",
        "week",
        "contract_id",
        "contract",
        "business",
        "state",
        "minutes",
        "hours",
        "currency",
        "gross",
        "agent_fee",
        "net",
        "sent_at_utc",
        "time_zone",
        "sent_local",
    ]
    weeks = [
        [
            "week",
            str(w.week),
            w.contract.contract_id,
            w.contract.title,
            w.contract.business_name,
            str(w.state),
            int(w.minutes),
            csv_export.hours(int(w.minutes)),
            w.contract.currency,
            csv_export.money(w.amount, w.contract.currency),
            "",
            "",
            "",
            zone,
            "",
        ]
        for w in found.weeks
    ]
    transfers = [
        [
            "transfer",
            t.week,
            getattr(t, "contract_id", "") or "",
            "",
            t.business_name,
            t.status,
            "",
            "",
            t.currency,
            csv_export.money(t.gross, t.currency),
            csv_export.money(t.fee, t.currency),
            csv_export.money(t.amount, t.currency),
            csv_export.utc(t.sent_at),
            zone,
            csv_export.local(t.sent_at, zone),
        ]
        for t in found.transfers
    ]
    return csv_export.response("earnings.csv", header, [*weeks, *transfers])
