"""The `metrics-rollup` job's work for one business (jobs/metrics_jobs.py): its days summed into ISO
weeks and calendar months (UTC), each period's figures derived (domain/metrics.py), and written as
one rollup item per period, replacing what an earlier run wrote. The same days give the same item,
so a second run, or one after a crash half-way, changes nothing more; a run for a date range
recomputes every week and month that range touches, from the days, whole.

Figures (store/metrics.py FIGURE_NAMES): FRT median and p90 in seconds (from the histogram, within
domain.metrics.QUANTILE_ERROR), CSAT, NPS, contact intensity (contacts per 100 orders, over the
days with an order count posted), SLA attainment, cost per contact (minor units), deflection rate
(deflected / visits that searched), hours used share (minutes used / contracted); None when the
period has nothing to divide by."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import fields
from datetime import date, datetime, timedelta
from fractions import Fraction

from chalicelib.domain import metrics as figures
from chalicelib.domain.tenancy import TenantId
from chalicelib.store import metrics as store


def days_between(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def tenants(first: date, last: date) -> list[str]:
    """The businesses with figures on any day from `first` to `last` (the days' GSI2 index)."""
    return sorted({tenant for day in days_between(first, last) for tenant in store.tenants_with_days(day)})


def total(days: Iterable[store.BusinessDay], start: date) -> store.BusinessDay:
    """The sum of `days` (counts and histograms add; the currency is the business's)."""
    values: dict[str, object] = {"day": start}
    by_channel: dict[str, int] = {}
    by_source: dict[str, int] = {}
    frt = figures.Histogram()
    currency: str | None = None
    for day in days:
        for spec in fields(store.BusinessDay):
            value = getattr(day, spec.name)
            if isinstance(value, int) and spec.name != "day":
                values[spec.name] = int(values.get(spec.name, 0)) + value  # type: ignore[arg-type]
        for name, count in day.by_channel.items():
            by_channel[name] = by_channel.get(name, 0) + count
        for name, count in day.by_source.items():
            by_source[name] = by_source.get(name, 0) + count
        frt = frt + day.frt
        currency = currency or day.currency
    return store.BusinessDay(
        **values,  # type: ignore[arg-type]
        currency=currency,
        by_channel=by_channel,
        by_source=by_source,
        frt=frt,
    )


def derive(days: list[store.BusinessDay], totals: store.BusinessDay) -> dict[str, Fraction | None]:
    median = totals.frt.quantile(Fraction(1, 2))
    p90 = totals.frt.quantile(Fraction(9, 10))
    # intensity over the days the business posted orders for (a day without a count says nothing)
    counted = [d for d in days if d.orders_posted]
    intensity = figures.contact_intensity(sum(d.contacts for d in counted), sum(d.orders for d in counted))
    return {
        "frt_median_s": Fraction(median).limit_denominator(1000) if median is not None else None,
        "frt_p90_s": Fraction(p90).limit_denominator(1000) if p90 is not None else None,
        "csat": figures.csat(totals.csat_good, totals.csat_ratings),
        "nps": figures.nps(totals.nps_promoters, totals.nps_passives, totals.nps_detractors),
        "contact_intensity": intensity,
        "sla_attainment": figures.sla_attainment(totals.sla_met, totals.sla_breached),
        "cost_per_contact": figures.cost_per_contact(totals.labour_minor, totals.contacts),
        "deflection_rate": figures.deflection_rate(totals.deflected, totals.help_searched),
        "hours_used_share": figures.ratio(totals.minutes_used, totals.minutes_contracted),
    }


def _weeks(first: date, last: date) -> list[tuple[str, date, date]]:
    start = first - timedelta(days=first.weekday())
    out: list[tuple[str, date, date]] = []
    while start <= last:
        out.append((store.week_key(start), start, start + timedelta(days=6)))
        start += timedelta(days=7)
    return out


def _months(first: date, last: date) -> list[tuple[str, date, date]]:
    out: list[tuple[str, date, date]] = []
    start = first.replace(day=1)
    while start <= last:
        following = (start + timedelta(days=32)).replace(day=1)
        out.append((store.month_key(start), start, following - timedelta(days=1)))
        start = following
    return out


def roll_up(tenant: TenantId, first: date, last: date, *, now: datetime) -> int:
    """Write the rollups of every ISO week and month touching `first`..`last` whose figures
    changed; how many were written. Five Queries for the whole span (the days, the knowledge
    base's days, the contract items that give the hours contracted, the weeks and the months
    written before)."""
    periods = [("week", *p) for p in _weeks(first, last)] + [("month", *p) for p in _months(first, last)]
    low = min(p[2] for p in periods)
    high = max(p[3] for p in periods)
    from chalicelib.store.contracted import contract_items

    days = store.business_days(tenant, low, high, contracts=contract_items(tenant))
    before = {
        (r.period, r.key): r for kind in ("week", "month") for r in store.rollups(tenant, kind, low, high)
    }
    written = 0
    for period, key, start, end in periods:
        inside = [d for d in days if start <= d.day <= end]
        if not inside:
            continue
        totals = total(inside, start)
        derived = derive(inside, totals)
        old = before.get((period, key))
        if old is not None and (old.totals, dict(old.figures), old.days) == (totals, derived, len(inside)):
            continue  # what an earlier run wrote: nothing changes
        store.put_rollup(
            tenant,
            period,
            key,
            first=start,
            last=end,
            days=len(inside),
            totals=totals,
            derived=derived,
            at=now,
        )
        written += 1
    return written
