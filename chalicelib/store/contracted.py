"""Hours contracted per UTC day, read from a business's contract items for the metrics
(store/metrics.py `business_days` fills each day's `minutes_contracted` with it; domain/contracted.py
states the rule and why it is read, not kept at write time)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from chalicelib.domain import contracted
from chalicelib.domain.contracts import ActivePeriods, Period, TermsChange
from chalicelib.domain.tenancy import TenantId
from chalicelib.store import keys
from chalicelib.store.contracts import ContractRecord

# Contract states that have (or had) periods of activity; an offer never accepted has none.
CONTRACTED_STATES = frozenset({"active", "paused", "ended"})


def contract_items(tenant: TenantId) -> list[ContractRecord]:
    """Every contract item of the business, offers included (one Query): what `contracted_days`
    reads, and what a dashboard reads for the agents it contracted, so one Query serves both."""
    return [
        item
        for item in ContractRecord.query(keys.tenant_pk(tenant), ContractRecord.sk.startswith("CONTRACT#"))
        if isinstance(item, ContractRecord)
    ]


def contracted_days(items: Iterable[ContractRecord], first: date, last: date) -> dict[date, int]:
    """Minutes the hourly contracts among `items` (`contract_items`) contract on each UTC day
    from `first` to `last` (domain/contracted.py states the rule and why it is read, not kept)."""
    found: list[contracted.HourlyTerms] = []
    for item in items:
        if item.contract_kind != "hourly" or item.status not in CONTRACTED_STATES:
            continue
        terms = tuple(TermsChange.from_json(t) for t in item.terms or [])
        active = ActivePeriods(tuple(Period.from_json(p) for p in item.periods or []), item.ends_at)
        found.append(contracted.HourlyTerms(terms, active))
    return contracted.contracted_by_day(found, first, last)
