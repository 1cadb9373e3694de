"""Spike alerts (the `metrics-rollup` job's second step for a business, on whole UTC days): a day's
contact intensity (contacts per 100 orders), or its contacts when the business posts no order
counts, above median + 3 MAD of the previous 28 days (domain.metrics.spike: a week of history at
least, and SPIKE_FLOOR contacts) is recorded once (store/metric_spikes.py, the dashboard's banner),
with the reason tags that grew most against their own 28-day median, and mailed once to the
business's owners and admins. A run again changes nothing more: the record's condition makes it
once, and `mailed_at` is set after the mail (a crash between the two sends it again on the next
run: at least once, never lost)."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from chalicelib.composition import Deps
from chalicelib.domain import metrics as figures
from chalicelib.domain.identity import Principal
from chalicelib.domain.tenancy import TenantId
from chalicelib.store import keys, metric_spikes
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


def _mail(tenant: TenantId, spike: metric_spikes.Spike, *, deps: Deps) -> None:
    from chalicelib.mail import Mail, Subject
    from chalicelib.store.identity import MemberRecord

    team = [
        m
        for m in MemberRecord.query(keys.tenant_pk(tenant), MemberRecord.sk.startswith("MEMBER#"))
        if isinstance(m, MemberRecord) and m.role in ("owner", "admin") and m.status == "active"
    ]
    if spike.measure == "intensity":
        what = (
            f"On {spike.day:%A %d %B} your customers contacted you {float(spike.value):.1f} times per 100 "
            f"orders, against a usual {float(spike.baseline):.1f}."
        )
    else:
        what = (
            f"On {spike.day:%A %d %B} your customers contacted you {spike.contacts} times, against a usual "
            f"{float(spike.baseline):.0f} a day."
        )
    why = f"The reasons that grew most: {', '.join(spike.drivers)}.\n" if spike.drivers else ""
    text = f"{what}\n{why}See your figures in deskhire: {deps.link('/app/metrics')}\n"
    for member in team:
        deps.mailer.send(Mail(to=member.email, subject=Subject.CONTACT_SPIKE, text=text), now=deps.now())


def dismiss(actor: Principal, key: str, *, deps: Deps) -> None:
    """A member closes the dashboard's banner for one spike of their own business. Another
    business's spike, an unknown one, or one already closed is not found (the banner's form names
    only a spike it showed)."""
    from chalicelib.domain.errors import NotFound
    from chalicelib.domain.identity import PrincipalKind

    if actor.kind is not PrincipalKind.MEMBER:
        raise NotFound("no such spike")
    tenant = actor.require_tenant()
    if len(key) > 16 or not metric_spikes.dismiss_spike(tenant, key, deps.now()):
        raise NotFound("no such spike")
