"""Spike alerts (the `metrics-rollup` job's second step for a business, on whole UTC days and
hours): a day's contact intensity (contacts per 100 orders), or its contacts when the business
posts no order counts, above median + 3 MAD of the previous 28 days (domain.metrics.spike: a week
of history at least, and SPIKE_FLOOR contacts) is recorded once (store/metric_spikes.py, the
dashboard's banner), with the reason tags that grew most against their own 28-day median, and
mailed once to the business's owners and admins. A run again changes nothing more: the record's
condition makes it once, and `mailed_at` is set after the mail (a crash between the two sends it
again on the next run: at least once, never lost).

**Hours** (`detect_hours`): an hour's contacts (never intensity: orders are posted per day, mostly
after it, so the hour's own day has no count yet) against the same hour of the previous 28 days
and the same hour of the same weekday of the previous 4 weeks (domain.metrics.hour_spike), its
drivers from the reason hours (store/metric_hours.py) against the same hour of those 28 days. One
hour spike a day is mailed (the first that claims the day's slot); the others show as banners
only, and the day's own spike, mailed once the day is over, names the hours that stood out and
which of them was mailed. The job looks at the hours before the day, so the day's mail knows them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction

from chalicelib.composition import Deps
from chalicelib.domain import metrics as figures
from chalicelib.domain.identity import Principal
from chalicelib.domain.tenancy import TenantId
from chalicelib.store import keys, metric_hours, metric_spikes
from chalicelib.store import metrics as store


def detect(tenant: TenantId, day: date, *, deps: Deps) -> bool:
    """Look at `day` (a whole day, before today); True when this call recorded or mailed a spike."""
    first = day - timedelta(days=figures.BASELINE_DAYS)
    days = {d.day: d for d in store.business_days(tenant, first, day)}
    today = days.get(day)
    if today is None:
        return False
    history_days = [days.get(first + timedelta(days=n)) for n in range(figures.BASELINE_DAYS)]
    # intensity when the business posts orders (the day and a week of its history at least)
    with_orders = [d for d in history_days if d is not None and d.orders_posted and d.orders]
    measure = "intensity" if today.orders_posted and today.orders and len(with_orders) >= 7 else "contacts"
    if measure == "intensity":
        value: Fraction | int = figures.contact_intensity(today.contacts, today.orders) or 0
        history: list[Fraction | int] = [
            figures.contact_intensity(d.contacts, d.orders) or 0 for d in with_orders
        ]
    else:
        # from the business's first day with figures: before it, a quiet day is no baseline
        since = next((n for n, d in enumerate(history_days) if d is not None), len(history_days))
        value = today.contacts
        history = [d.contacts if d is not None else 0 for d in history_days[since:]]
    found = figures.spike(value, history, contacts=today.contacts)
    if found is None:
        return False
    reasons = store.reason_days(tenant, first, day)
    before: dict[str, list[int]] = {}
    for n in range(figures.BASELINE_DAYS):
        for tag, count in reasons.get(first + timedelta(days=n), {}).items():
            before.setdefault(tag, [0] * figures.BASELINE_DAYS)[n] = count
    drivers = figures.drivers(reasons.get(day, {}), before)
    key = day.isoformat()
    changed = metric_spikes.add_spike(
        tenant,
        key,
        found,
        measure=measure,
        contacts=today.contacts,
        orders=today.orders,
        drivers=drivers,
        at=deps.now(),
    )
    recorded = metric_spikes.spike(tenant, key)
    if recorded is not None and recorded.mailed_at is None:
        _mail(tenant, recorded, deps=deps)
        changed = metric_spikes.mark_spike_mailed(tenant, key, deps.now()) or changed
    return changed


def detect_hours(tenant: TenantId, hours: list[datetime], *, deps: Deps) -> bool:
    """Look at whole UTC `hours` (their starts); True when this call recorded or mailed a spike.
    The contacts per hour are read once for all of them (one Query a month)."""
    if not hours:
        return False
    counts = store.business_hours(tenant, min(hours) - timedelta(days=figures.BASELINE_DAYS), max(hours))
    changed = False
    for hour in sorted(hours):
        changed = _detect_hour(tenant, hour, counts, deps=deps) or changed
    return changed


def _detect_hour(tenant: TenantId, hour: datetime, counts: dict[datetime, int], *, deps: Deps) -> bool:
    window = [h for h in counts if hour - timedelta(days=figures.BASELINE_DAYS) <= h <= hour]
    since = min(window).date() if window else None
    same_hour, same_weekday = figures.hour_history(counts, hour, since=since)
    contacts = counts.get(hour, 0)
    found = figures.hour_spike(contacts, same_hour, same_weekday)
    if found is None:
        return False
    first = hour.date() - timedelta(days=figures.BASELINE_DAYS)
    reasons = metric_hours.hour_reasons(tenant, hour.hour, first, hour.date())
    before: dict[str, list[int]] = {}
    for n in range(figures.BASELINE_DAYS):
        for tag, count in reasons.get(first + timedelta(days=n), {}).items():
            before.setdefault(tag, [0] * figures.BASELINE_DAYS)[n] = count
    key = metric_spikes.hour_key(hour)
    changed = metric_spikes.add_spike(
        tenant,
        key,
        found,
        measure="contacts",
        contacts=contacts,
        orders=0,
        drivers=figures.drivers(reasons.get(hour.date(), {}), before),
        at=deps.now(),
    )
    recorded = metric_spikes.spike(tenant, key)
    if recorded is None or recorded.mailed_at is not None:
        return changed
    if metric_spikes.claim_hour_mail(tenant, hour.date(), key, deps.now()) != key:
        return changed  # the day's hour mail went out for an earlier hour: the banner shows this one
    _mail(tenant, recorded, deps=deps)
    return metric_spikes.mark_spike_mailed(tenant, key, deps.now()) or changed


def _mail(tenant: TenantId, spike: metric_spikes.Spike, *, deps: Deps) -> None:
    from chalicelib.mail import Mail, Subject
    from chalicelib.store.identity import MemberRecord

    team = [
        m
        for m in MemberRecord.query(keys.tenant_pk(tenant), MemberRecord.sk.startswith("MEMBER#"))
        if isinstance(m, MemberRecord) and m.role in ("owner", "admin") and m.status == "active"
    ]
    why = f"The reasons that grew most: {', '.join(spike.drivers)}.\n" if spike.drivers else ""
    if spike.hour is not None:
        text = _hour_text(tenant, spike) + why
    else:
        text = _day_text(spike) + why + _hours_text(tenant, spike.day)
    text += f"See your figures in deskhire: {deps.link('/app/metrics')}\n"
    for member in team:
        deps.mailer.send(Mail(to=member.email, subject=Subject.CONTACT_SPIKE, text=text), now=deps.now())


def _day_text(spike: metric_spikes.Spike) -> str:
    if spike.measure == "intensity":
        return (
            f"On {spike.day:%A %d %B} your customers contacted you {float(spike.value):.1f} times per 100 "
            f"orders, against a usual {float(spike.baseline):.1f}.\n"
        )
    return (
        f"On {spike.day:%A %d %B} your customers contacted you {spike.contacts} times, against a usual "
        f"{float(spike.baseline):.0f} a day.\n"
    )


def _hour_text(tenant: TenantId, spike: metric_spikes.Spike) -> str:
    """The hour in UTC, and on the business's own clock when that is another."""
    from zoneinfo import ZoneInfo

    from chalicelib.store.identity import TenantRecord

    start, end = spike.starts_at, spike.ends_at
    when = f"{start:%A %d %B}, {start:%H:%M}–{end:%H:%M} UTC"
    business = TenantRecord.find(keys.tenant_pk(tenant), "TENANT")
    zone = business.time_zone if business is not None else "UTC"
    if zone != "UTC":
        local, local_end = start.astimezone(ZoneInfo(zone)), end.astimezone(ZoneInfo(zone))
        when += f" ({local:%H:%M}–{local_end:%H:%M} {zone})"
    return (
        f"On {when} your customers contacted you {spike.contacts} times, against a usual "
        f"{float(spike.baseline):.0f} in that hour.\n"
        "We write about one such hour a day at most; if the whole day stands out, you hear of it "
        "once the day is over.\n"
    )


def _hours_text(tenant: TenantId, day: date) -> str:
    """What the day's mail says of its hours that stood out (the day's hour spikes)."""
    hours = [s for s in metric_spikes.spikes_between(tenant, day, day) if s.hour is not None]
    if not hours:
        return ""
    said = [f"{s.starts_at:%H:%M}" for s in hours]
    listed = said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}"
    mailed = [f"{s.starts_at:%H:%M}" for s in hours if s.mailed_at is not None]
    wrote = f" (we wrote to you about {mailed[0]} UTC at the time)" if mailed else ""
    return f"Hour by hour, contacts stood out at {listed} UTC{wrote}.\n"


def dismiss(actor: Principal, key: str, *, deps: Deps) -> None:
    """A member closes the dashboard's banner for one spike of their own business, and with it the
    other spikes of that day (the day's and its hours' banners tell one story). Another
    business's spike, an unknown one, or one already closed is not found (the banner's form names
    only a spike it showed)."""
    from chalicelib.domain.errors import NotFound
    from chalicelib.domain.identity import PrincipalKind

    if actor.kind is not PrincipalKind.MEMBER:
        raise NotFound("no such spike")
    tenant = actor.require_tenant()
    if len(key) > 16 or not metric_spikes.dismiss_spike(tenant, key, deps.now()):
        raise NotFound("no such spike")
    day = date.fromisoformat(key[:10])
    for other in metric_spikes.spikes_between(tenant, day, day):
        if other.dismissed_at is None and other.key != key:
            metric_spikes.dismiss_spike(tenant, other.key, deps.now())
