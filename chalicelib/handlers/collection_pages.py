"""The operators' money pages: a business's collection terms (when its invoices are charged) and
refunds of minutes after the agent was paid (the clawback), each confirmed with the money it
moves before anything changes."""

from __future__ import annotations

from chalicelib.domain.errors import DomainError, NotFound
from chalicelib.domain.money import format_amount
from chalicelib.web import forms
from chalicelib.web.auth import OPERATOR
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)


def _collection_page(ctx: PageContext, tenant_id: str | None, *, status=200, errors=None, refund_week=None):
    from chalicelib.domain import tenancy
    from chalicelib.services import billing_accounts, payout_issues, reconciliation
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
        issues=payout_issues.issues(ctx.principal),
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
