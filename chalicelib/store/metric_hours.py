"""Contacts by reason tag per UTC hour (issue 16): what names the reasons that drove an hour's
spike (services/metrics/spikes.py), as the reason days (store/metrics.py) do for a day's.

| item                         | pk                          | sk                       |
|------------------------------|-----------------------------|--------------------------|
| reason hour (TTL 60 days)    | `T#<t>#MHREASON#<yyyy-mm>`  | `<hh>#<dd>#<reason tag>` |

The hour of the day leads the sort key, so that the same hour over a month's days, the spike's
baseline, is one Query a month (`begins_with`-like range on `<hh>#`), whatever the traffic of the
other hours. Written like every aggregate: ADD inside the transaction that creates the inquiry
(store/metric_writes.py `hour_reason_update`, from services/metrics/recording.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pynamodb.attributes import UnicodeAttribute

from chalicelib.domain.tenancy import TenantId
from chalicelib.store import keys, plain_items
from chalicelib.store.attributes import OptionalIntegerAttribute
from chalicelib.store.base import Entity


class HourReasonRecord(Entity, discriminator="metrics_reason_hour"):
    reason = UnicodeAttribute()
    contacts = OptionalIntegerAttribute()


def hour_reason_pk(tenant: TenantId, at: datetime | date) -> str:
    return keys.tenant_pk(tenant, "MHREASON", at.strftime("%Y-%m"))


def hour_reason_sk(at: datetime, reason: str) -> str:
    if not reason or keys.SEP in reason:
        raise ValueError(f"reason tag {reason!r} is empty or contains {keys.SEP!r}")
    return keys.sort_key(at.strftime("%H"), at.strftime("%d"), reason)


def _months(first: date, last: date) -> list[date]:
    months: list[date] = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def hour_reasons(tenant: TenantId, hour: int, first: date, last: date) -> dict[date, dict[str, int]]:
    """Contacts by reason tag in UTC hour `hour` (0..23) of each day from `first` to `last`
    (days and tags with none absent). One Query a month."""
    out: dict[date, dict[str, int]] = {}
    for month in _months(first, last):
        low = max(first, month)
        high = min(last, (month + timedelta(days=32)).replace(day=1) - timedelta(days=1))
        between = Entity.sk.between(f"{hour:02d}#{low:%d}", f"{hour:02d}#{high:%d}$")
        for item in plain_items.query(HourReasonRecord, hour_reason_pk(tenant, month), between):
            contacts = int(item.get("contacts") or 0)
            if contacts:
                day = month.replace(day=int(item["sk"][3:5]))
                out.setdefault(day, {})[item["reason"]] = contacts
    return out
