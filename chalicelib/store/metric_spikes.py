"""Spikes of a business's contacts (store/metrics.py's table): a day (sk `<yyyy-mm-dd>`) or an hour
(`<yyyy-mm-dd>T<hh>`) whose contacts or contact intensity stood out of its baseline, recorded once by
the rollup job (services/metrics/spikes.py), mailed once, shown as a banner until dismissed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
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
    """Spikes the business has not dismissed, newest first (since `since`, when given): what the
    dashboard's banner shows. One Query."""
    condition = SpikeRecord.sk >= since.isoformat() if since else None
    found: list[Spike] = []
    for item in SpikeRecord.query(spike_pk(tenant), condition, scan_index_forward=False, page_size=50):
        if isinstance(item, SpikeRecord) and item.dismissed_at is None:
            found.append(_spike(item))
            if len(found) >= limit:
                break
    return found


def spikes_between(tenant: TenantId, first: date, last: date) -> list[Spike]:
    return [
        _spike(item)
        for item in SpikeRecord.query(
            spike_pk(tenant), SpikeRecord.sk.between(first.isoformat(), last.isoformat() + "U")
        )
        if isinstance(item, SpikeRecord)
    ]
