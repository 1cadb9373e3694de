"""The business's daily order counts in the portal (issue 16): a form that posts one UTC day's
count (a later count for the day replaces it), and the last two weeks' counts. Linked from the
metrics dashboard, whose contacts-per-100-orders figure they feed."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.errors import DomainError
from chalicelib.web import forms
from chalicelib.web.auth import MEMBER
from chalicelib.web.portal import PageContext, Portal

pages = Portal(__name__)

FIELDS = ("day", "count")


def _page(ctx: PageContext, *, status: int = 200, errors=None, values=None):
    from chalicelib.domain import orders as rules
    from chalicelib.services.metrics import orders

    today = ctx.deps.now().date()
    return ctx.render(
        "orders.html",
        status=status,
        title="Daily orders",
        days=orders.recent(ctx.principal, deps=ctx.deps),
        today=today,
        earliest=rules.earliest_day(today),
        window_days=rules.WINDOW_DAYS,
        max_count=rules.MAX_COUNT,
        values={"day": today.isoformat(), "count": "", **(values or {})},
        errors=errors or {},
    )


@pages.get("/app/orders", access=MEMBER)
def orders_page(ctx: PageContext):
    return _page(ctx)


def _count(text: str) -> int:
    cleaned = text.strip().replace(",", "").replace(" ", "")
    if not cleaned.isdigit() or len(cleaned) > 9:
        raise ValueError(text)
    return int(cleaned)


@pages.post("/app/orders", access=MEMBER)
def post_orders(ctx: PageContext):
    from chalicelib.services.metrics import orders

    values = ctx.form_values
    found = forms.Collector()
    day = found.read(
        "day", lambda: date.fromisoformat(values.get("day", "").strip()), "enter a day like 2026-11-25"
    )
    count = found.read(
        "count",
        lambda: _count(values.get("count", "")),
        "enter the number of orders, a whole number such as 120",
    )
    try:
        found.done()
        assert day is not None and count is not None
        posted = orders.post_daily(ctx.principal, day, count, deps=ctx.deps)
    except DomainError as error:
        kept = {name: values.get(name, "") for name in FIELDS}
        errors = forms.errors_of(error)
        errors = {name if name in FIELDS else "form": message for name, message in errors.items()}
        return _page(ctx, status=400, errors=errors, values=kept)
    return ctx.redirect("/app/orders", flash=f"Saved: {posted.count:,} orders on {posted.day:%d %b %Y}.")
