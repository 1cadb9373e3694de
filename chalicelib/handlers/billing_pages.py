"""Billing in the portal: the business's card on file, invoices and this week's estimate; the
agent's payouts (Stripe Express onboarding) and earnings. The operators' money pages are in
collection_pages.py.

Stripe's own pages take the card and the agent's details: these pages send the browser there
and, when it comes back, read the outcome from Stripe (a redirect back proves nothing)."""

from __future__ import annotations

from chalicelib.domain.errors import DomainError
from chalicelib.web.auth import AGENT, MEMBER
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
    from chalicelib.services import billing_accounts, dunning, refund_states
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
        # each invoice's refunds as they stand: sent (when), or upheld and waiting for the payout run
        refunds=refund_states.of_invoices(tenant, bills, now=ctx.deps.now()),
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
    from chalicelib.domain import payouts as payout_rules
    from chalicelib.domain import tenancy
    from chalicelib.services import payouts, profiles

    me = profiles.my_profile(ctx.principal)
    if account is None:
        account = payouts.account_of(tenancy.AgentId(me.agent_id))
    # a payout to the agent's bank that came back: what happened and what to do (bank_payouts.py)
    bank_what, bank_to_do = payout_rules.bank_failure((account.bank_failure or {}).get("code"))
    return ctx.render(
        "payouts.html",
        status=status,
        title="Payouts",
        account=account,
        state=account.status or "not_started",
        needs=requirement_labels(account.requirements_due),
        countries=payouts.countries_for(ctx.deps.settings.platform_country),
        values={
            "country": ctx.form_values.get("country") or payouts.suggested_country(me.time_zone, me.country)
        },
        errors=errors or {},
        returned=returned,
        zone=me.time_zone,
        bank_failure=account.bank_failure,
        bank_what=bank_what,
        bank_to_do=bank_to_do,
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
    from chalicelib.services import earnings, offer_money, profiles

    found = earnings.earnings(ctx.principal, deps=ctx.deps)
    me = profiles.my_profile(ctx.principal)
    # net beside gross (issue 14, item 4): what is not paid out yet, after the agent fee of the
    # agent's tier as it stands (the payout uses the fees of the week's invoice: "about")
    return ctx.render(
        "earnings.html",
        title="Earnings",
        found=found,
        fee_percent=offer_money.agent_net(0, "usd", me.tier or 1).fee_percent,
        after_fee=lambda minor, currency: offer_money.agent_net(int(minor), currency, me.tier or 1).net_minor,
        state=found.payouts.status or "not_started",
        reminder=payouts_reminder(ctx, found.payouts),
        zone=me.time_zone,
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
