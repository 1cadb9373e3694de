"""Spikes of a business's contacts (store/metrics.py's table): a day (sk `<yyyy-mm-dd>`) or an hour
(`<yyyy-mm-dd>T<hh>`) whose contacts or contact intensity stood out of its baseline, recorded once by
the rollup job (services/metrics/spikes.py), mailed once, shown as a banner until dismissed.

| item                                  | pk                   | sk             |
|---------------------------------------|----------------------|----------------|
| a spike                               | `T#<t>#MSPIKE`       | `<yyyy-mm-dd>` or `<yyyy-mm-dd>T<hh>` |
| the day's one hour-spike mail (TTL)   | `T#<t>#MSPIKEMAIL`   | `<yyyy-mm-dd>` |

The hour-spike mail of a day is claimed by the first hour spike of that day that mails (a put
under attribute_not_exists): the day's other hour spikes show on the dashboard but are not mailed,
so that a busy day is one mail about an hour, then the day's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError, UpdateError

from chalicelib.domain import metrics as figures
from chalicelib.domain.tenancy import TenantId
from chalicelib.store import keys
from chalicelib.store.attributes import (
    OptionalDateTimeAttribute,
    OptionalIntegerAttribute,
    StringListAttribute,
)
from chalicelib.store.base import Entity, is_condition_failure


def spike_pk(tenant: TenantId) -> str:
    return keys.tenant_pk(tenant, "MSPIKE")


def hour_key(hour: datetime) -> str:
    """The sort key of an hour's spike: `<yyyy-mm-dd>T<hh>` (UTC)."""
    return hour.astimezone(UTC).strftime("%Y-%m-%dT%H")


MAIL_SLOT_TTL = timedelta(days=60)


class HourMailSlot(Entity, discriminator="metrics_spike_mail"):
    """Which hour spike of a day took the day's one hour-spike mail."""

    spike_key = UnicodeAttribute()


class SpikeRecord(Entity, discriminator="metrics_spike"):
    """A day (sk `<yyyy-mm-dd>`) or hour (`<yyyy-mm-dd>T<hh>`) whose contacts stood out."""

    measure = UnicodeAttribute()  # "intensity" (contacts per 100 orders) or "contacts"
    value = UnicodeAttribute()  # exact, a Fraction's str
    baseline = UnicodeAttribute()
    threshold = UnicodeAttribute()
    contacts = OptionalIntegerAttribute()
    orders = OptionalIntegerAttribute()
    drivers = StringListAttribute(default=list)
    detected_at = UTCDateTimeAttribute()
    mailed_at = OptionalDateTimeAttribute()
    dismissed_at = OptionalDateTimeAttribute()


@dataclass(frozen=True)
class Spike:
    key: str  # <yyyy-mm-dd> or <yyyy-mm-dd>T<hh>
    measure: str
    value: Fraction
    baseline: Fraction
    threshold: Fraction
    contacts: int
    orders: int
    drivers: list[str]
    detected_at: datetime
    mailed_at: datetime | None
    dismissed_at: datetime | None

    @property
    def day(self) -> date:
        return date.fromisoformat(self.key[:10])

    @property
    def hour(self) -> int | None:
        return int(self.key[11:13]) if len(self.key) > 10 else None

    @property
    def starts_at(self) -> datetime:
        """The UTC instant the spike's day or hour starts."""
        return datetime.combine(self.day, datetime.min.time(), tzinfo=UTC).replace(hour=self.hour or 0)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + (timedelta(hours=1) if self.hour is not None else timedelta(days=1))


def _spike(record: SpikeRecord) -> Spike:
    return Spike(
        key=record.sk,
        measure=record.measure,
        value=Fraction(record.value),
        baseline=Fraction(record.baseline),
        threshold=Fraction(record.threshold),
        contacts=int(record.contacts or 0),
        orders=int(record.orders or 0),
        drivers=list(record.drivers or []),
        detected_at=record.detected_at,
        mailed_at=record.mailed_at,
        dismissed_at=record.dismissed_at,
    )


def spike(tenant: TenantId, key: str) -> Spike | None:
    record = SpikeRecord.find(spike_pk(tenant), key, consistent=True)
    return _spike(record) if record else None


def add_spike(
    tenant: TenantId,
    key: str,
    found: figures.Spike,
    *,
    measure: str,
    contacts: int,
    orders: int,
    drivers: list[str],
    at: datetime,
) -> bool:
    """Record a spike once: False when one is recorded for that day or hour already."""
    try:
        SpikeRecord(
            spike_pk(tenant),
            key,
            measure=measure,
            value=str(found.value),
            baseline=str(found.baseline),
            threshold=str(found.threshold),
            contacts=contacts,
            orders=orders,
            drivers=drivers,
            detected_at=at,
        ).save(condition=SpikeRecord.pk.does_not_exist())
    except PutError as error:
        if is_condition_failure(error):
            return False
        raise
    return True


def mark_spike_mailed(tenant: TenantId, key: str, at: datetime) -> bool:
    """Set `mailed_at` once; False when it was set already."""
    return _set_once(tenant, key, SpikeRecord.mailed_at, at)


def dismiss_spike(tenant: TenantId, key: str, at: datetime) -> bool:
    """The business closes the banner; False when there is no such spike or it was closed."""
    return _set_once(tenant, key, SpikeRecord.dismissed_at, at)


def claim_hour_mail(tenant: TenantId, day: date, key: str, at: datetime) -> str:
    """The key of the hour spike that mails for `day`: `key` when this call claimed the day's
    mail, or when it had claimed it before (a run again after a crash before the mail was marked);
    else the one that claimed it first."""
    slot = HourMailSlot(
        keys.tenant_pk(tenant, "MSPIKEMAIL"),
        day.isoformat(),
        spike_key=key,
        expires_at=int((at + MAIL_SLOT_TTL).timestamp()),
    )
    try:
        slot.save(condition=HourMailSlot.pk.does_not_exist())
    except PutError as error:
        if not is_condition_failure(error):
            raise
        claimed = HourMailSlot.find(slot.pk, slot.sk, consistent=True)
        return claimed.spike_key if claimed is not None else key
    return key


def _set_once(tenant: TenantId, key: str, attribute: Any, at: datetime) -> bool:
    try:
        SpikeRecord(spike_pk(tenant), key).update(
            actions=[attribute.set(at)],
            condition=SpikeRecord.pk.exists() & attribute.does_not_exist(),
        )
    except UpdateError as error:
        if is_condition_failure(error):
            return False
        raise
    return True


def open_spikes(tenant: TenantId, *, since: date | None = None, limit: int = 10) -> list[Spike]:
    """Spikes the business has not dismissed, newest day first, and within a day the day's own
    spike before its hours' (since `since`, when given): what the dashboard's banner shows. One
    Query (its pages read until `limit` spikes and the rest of the last one's day)."""
    condition = SpikeRecord.sk >= since.isoformat() if since else None
    found: list[Spike] = []
    for item in SpikeRecord.query(spike_pk(tenant), condition, scan_index_forward=False, page_size=50):
        if not isinstance(item, SpikeRecord) or item.dismissed_at is not None:
            continue
        if len(found) >= limit and item.sk[:10] != found[-1].key[:10]:
            break
        found.append(_spike(item))
    found.sort(key=lambda s: (s.key[:10], s.hour is None, s.key), reverse=True)
    return found[:limit]


def spikes_between(tenant: TenantId, first: date, last: date) -> list[Spike]:
    return [
        _spike(item)
        for item in SpikeRecord.query(
            spike_pk(tenant), SpikeRecord.sk.between(first.isoformat(), last.isoformat() + "U")
        )
        if isinstance(item, SpikeRecord)
    ]
