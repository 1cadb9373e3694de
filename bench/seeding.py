"""Writing diary history directly, item for item what `diary.log_time` would write, for benchmarks
whose seeding would take too long through the service (the diary bench's 10,000 past entries,
the billing bench's full weeks for 200 businesses). Shared so both benchmarks seed the same items:
entries from the service's own builder, diary days from the domain's `days_with`, audit items
from `audit.entry`, and each timesheet by the update expressions the diary's commit uses."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime


def write_entries(
    batch,
    contract,
    agent,
    spans: Iterable,
    *,
    logged_at: Callable[[object], datetime],
    memo: str,
    tickets: tuple[str, ...],
) -> list:
    """Save into `batch` one entry per span (logged at `logged_at(span)`), its audit item, and the
    agent's diary days; returns the entries."""
    from chalicelib.domain import diary as rules
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.services.contracts import records
    from chalicelib.services.diary import writes
    from chalicelib.store import audit
    from chalicelib.store.contracts import DiaryDayRecord, diary_day_key

    tenant = records.tenant_of(contract)
    days: dict = {}
    day_writes: Counter = Counter()
    entries = []
    for span in spans:
        at = logged_at(span)
        _, (entry,) = writes.new_entries(
            contract, span, memo=memo, tickets=tickets, source="manual", flag=None, now=at
        )
        entry.version = 1  # what the transaction's put of a new item sets
        entries.append(entry)
        batch.save(entry)
        days.update(rules.days_with(days, span, f"{entry.tenant_id}/{entry.contract_id}/{entry.entry_id}"))
        for day, _, _ in rules.day_pieces(span):
            day_writes[day] += 1
        batch.save(
            audit.entry(
                tenant,
                agent,
                "entry.logged",
                f"contract:{contract.contract_id}",
                {"after": {"start": span.start.isoformat(), "minutes": span.minutes, "source": "manual"}},
                at=at,
            )
        )
    for day, day_spans in days.items():
        batch.save(
            DiaryDayRecord(
                *diary_day_key(AgentId(contract.agent_id), day),
                spans=[s.to_json() for s in day_spans],
                version=day_writes[day],
            )
        )
    return entries


def add_to_timesheet(contract, week, entries: list) -> None:
    """The diary commits' timesheet update, once with the week's sums: a timesheet is made by update
    expressions only (it has no version; see store/contracts.py), so a put would add attributes the
    diary never writes."""
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.store.contracts import TimesheetRecord, timesheet_key

    TimesheetRecord(*timesheet_key(TenantId(contract.tenant_id), contract.contract_id, week)).update(
        actions=[
            TimesheetRecord.logged_minutes.add(sum(int(e.minutes) for e in entries)),
            TimesheetRecord.entry_count.add(len(entries)),
            TimesheetRecord.revision.add(len(entries)),
            TimesheetRecord.kind.set(TimesheetRecord.kind | TimesheetRecord),
            TimesheetRecord.contract_id.set(TimesheetRecord.contract_id | contract.contract_id),
            TimesheetRecord.week.set(TimesheetRecord.week | str(week)),
            TimesheetRecord.status.set(TimesheetRecord.status | "open"),
            TimesheetRecord.currency.set(TimesheetRecord.currency | contract.currency),
        ]
    )
