"""The metrics-rollup job's fan-out index is listed with every other access pattern in keys.py,
and the listing says the index's real shape (prefix, day, shard range)."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.tenancy import TenantId
from chalicelib.store import keys
from chalicelib.store.metrics import INDEX_SHARDS, days_index


def test_the_days_index_partition_is_listed_in_keys():
    doc = keys.__doc__ or ""
    assert "`MDAYS#<yyyy-mm-dd>#<n>`" in doc
    assert f"n: 0..{INDEX_SHARDS - 1}" in doc
    shards = set()
    for n in range(200):
        prefix, day, shard = days_index(date(2026, 3, 10), TenantId(f"01TENANT{n:04d}")).split("#")
        assert (prefix, day) == ("MDAYS", "2026-03-10")
        shards.add(int(shard))
    assert shards == set(range(INDEX_SHARDS))
