"""Weekly timesheets: each side's view of a contract's week, the business's review (approve early,
or let the window close), the week lock, and the minutes billing reads.

Timeline of billing week W (DESIGN.md section 3): the agent logs and fixes W until Monday 12:00
UTC of W+1, when W locks and what it holds is billed; the business reviews until Friday 23:59
UTC of W+1; undisputed minutes are approved when the window closes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pynamodb.exceptions import UpdateError

from chalicelib.composition import Deps
from chalicelib.domain import contracts as terms
from chalicelib.domain import diary as rules
from chalicelib.domain.errors import Conflict, Contended, Forbidden
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.services import zones
from chalicelib.services.contracts import records
from chalicelib.services.diary import entries
from chalicelib.services.metrics import recording
from chalicelib.services.support import work
from chalicelib.services.support.work import Backing
from chalicelib.store import audit
from chalicelib.store.base import is_condition_failure, read_batch
from chalicelib.store.contracts import (
    ContractRecord,
    DisputeRecord,
    EntryRecord,
    TimesheetRecord,
    WeekMarker,
    contract_partition,
    marker_key,
    timesheet_key,
)
from chalicelib.store.transactions import transaction

# One transaction approves this many entries, beside the timesheet, the audit entry and the metric
# counters of up to seven days (3 items a day, 2 for the week: store/metric_writes.py), within
# DynamoDB's 100 actions (tests/integration/test_timesheet_busy_week.py approves 91 entries): 95
# at most. An entry is at most about 4.5 KB (a memo of 2,000 characters, 20 ticket references), so
# 70 of them stay far below the 4 MB a transaction may carry.
APPROVALS_PER_TRANSACTION = 70


@dataclass(frozen=True)
class EntryLine:
    entry: EntryRecord
    status: str
    dispute: DisputeRecord | None


@dataclass
class Timesheet:
    contract: ContractRecord
    week: BillingWeek
    record: TimesheetRecord | None
    lines: list[EntryLine]
    zone: str  # the viewer's time zone
    cap: int | None
    rate_minor: int
    now: datetime
    minutes: rules.WeekMinutes = field(default_factory=rules.WeekMinutes)
    # the inquiries handled in each entry (support, issue 15): services/support/work.py
    backing: Backing = field(default_factory=lambda: Backing(uses_support=False))

    @property
    def logged(self) -> int:
        return sum(int(line.entry.minutes) for line in self.lines)

    @property
    def cap_left(self) -> int | None:
        return None if self.cap is None else max(0, self.cap - self.logged)

    @property
    def editable(self) -> bool:
        return self.now < self.week.locks_at and (self.record is None or self.record.status == "open")

    @property
    def reviewable(self) -> bool:
        return self.week.locks_at <= self.now < self.week.review_closes_at and (
            self.record is None or self.record.status != "closed"
        )

    @property
    def phase(self) -> str:
        if self.editable:
            return "open"
        if self.reviewable:
            return "in_review"
        return "closed"

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.zone))


def viewer_zone(actor: Principal, contract: ContractRecord) -> str:
    """The zone `actor` reads the contract's times in, as the contract keeps it for their side
    (services/zones.py `of_party`; the agent's follows the agent: services/contracts/agent_zone.py)."""
    return zones.of_party(actor, contract)


def _disputes(tenant: TenantId, contract_id: str) -> dict[str, DisputeRecord]:
    items = DisputeRecord.query(
        contract_partition(tenant, contract_id), DisputeRecord.sk.startswith("DISPUTE#")
    )
    return {d.entry_id: d for d in items if isinstance(d, DisputeRecord)}


def minutes_of(record: TimesheetRecord | None) -> rules.WeekMinutes:
    if record is None:
        return rules.WeekMinutes()
    return rules.WeekMinutes(
        billed=int(record.billed_minutes or 0),
        approved=int(record.approved_minutes or 0),
        disputed=int(record.disputed_minutes or 0),
        upheld=int(record.upheld_minutes or 0),
        released=int(record.released_minutes or 0),
    )


def timesheet(actor: Principal, contract_id: str, week: BillingWeek, *, deps: Deps) -> Timesheet:
    contract = records.find(actor, contract_id)
    return _build(contract, week, zone=viewer_zone(actor, contract), now=deps.now())


def _build(contract: ContractRecord, week: BillingWeek, *, zone: str, now: datetime) -> Timesheet:
    tenant = records.tenant_of(contract)
    record = TimesheetRecord.find(*timesheet_key(tenant, contract.contract_id, week), consistent=True)
    logged = entries.week_entries(tenant, contract.contract_id, week)
    disputes = _disputes(tenant, contract.contract_id) if any(e.review for e in logged) else {}
    closed = record is not None and record.status == "closed"
    lines = [
        EntryLine(
            e,
            rules.entry_status(e.review, week=week, timesheet_closed=closed, now=now),
            disputes.get(e.entry_id),
        )
        for e in logged
    ]
    in_week = terms.terms_in_week(records.history_of(contract), week)
    hourly = contract.contract_kind == terms.Kind.HOURLY
    return Timesheet(
        contract=contract,
        week=week,
        record=record,
        lines=lines,
        zone=zone,
        cap=in_week.weekly_cap_minutes if hourly else None,
        rate_minor=int(record.rate_minor) if record and record.rate_minor is not None else in_week.rate_minor,
        now=now,
        minutes=minutes_of(record),
        backing=work.week_backing(tenant, contract.contract_id, logged, week),
    )


def weeks_of(actor: Principal, contract_id: str, *, deps: Deps, count: int = 8) -> list[BillingWeek]:
    """The weeks to offer in a week picker: the last `count` weeks up to now, newest first,
    not before the contract started."""
    contract = records.find(actor, contract_id)
    now = deps.now()
    periods = records.periods_of(contract).periods
    first = BillingWeek.containing(periods[0].start) if periods else BillingWeek.containing(now)
    weeks, week = [], BillingWeek.containing(now)
    while len(weeks) < count and week >= first:
        weeks.append(week)
        week = BillingWeek.containing(week.starts_at - (week.ends_at - week.starts_at))
    return weeks


# -- the lock and the close (jobs) ----------------------------------------------------------------


def lock(tenant: TenantId, contract_id: str, week: BillingWeek, *, now: datetime) -> bool:
    """Lock a contract's week: what it holds now is what is billed. False if already locked."""
    contract = records.find_for_system(tenant, contract_id)
    if contract is None:
        return False
    in_week = terms.terms_in_week(records.history_of(contract), week)
    pk, sk = timesheet_key(tenant, contract_id, week)
    try:
        TimesheetRecord(pk, sk).update(
            actions=[
                TimesheetRecord.status.set("locked"),
                TimesheetRecord.billed_minutes.set(TimesheetRecord.logged_minutes),
                TimesheetRecord.locked_at.set(now),
                TimesheetRecord.rate_minor.set(in_week.rate_minor),
                TimesheetRecord.cap_minutes.set(in_week.weekly_cap_minutes),
                TimesheetRecord.revision.add(1),
            ],
            # only a timesheet that exists and is open: the lock never creates an empty week
            condition=TimesheetRecord.status == "open",
        )
    except UpdateError as error:
        if is_condition_failure(error):
            return False
        raise
    return True


def lock_week(tenant: TenantId, week: BillingWeek, *, now: datetime) -> list[str]:
    """Lock every open timesheet a business has in `week` (those `lock-week` already locked cost
    nothing more); the contracts it had that week, bonus-only ones included."""
    marker = WeekMarker.find(*marker_key(tenant, week), consistent=True)
    contract_ids = sorted(marker.contract_ids) if marker and marker.contract_ids else []
    sheets = read_batch([timesheet_key(tenant, cid, week) for cid in contract_ids]).all(TimesheetRecord)
    for sheet in sheets:
        if sheet.status == "open":
            lock(tenant, sheet.contract_id, week, now=now)
    return contract_ids


def ensure_locked(contract: ContractRecord, week: BillingWeek, *, now: datetime) -> None:
    """Review actions need the lock's snapshot; if the week is past its lock but the job has not
    reached it yet, lock it now (the same idempotent step the job takes)."""
    if now >= week.locks_at:
        lock(records.tenant_of(contract), contract.contract_id, week, now=now)


def close(tenant: TenantId, contract_id: str, week: BillingWeek, *, now: datetime) -> bool:
    """When the review window closes: every minute not disputed, upheld or released is approved.
    False when there is nothing to close (no time, or closed already)."""
    for _attempt in range(4):
        record = TimesheetRecord.find(*timesheet_key(tenant, contract_id, week), consistent=True)
        if record is None or record.status == "closed":
            return False
        if record.status == "open":
            lock(tenant, contract_id, week, now=now)
            continue
        remainder = minutes_of(record).awaiting_review
        used = _used_by_day(tenant, contract_id, week, remainder) if remainder > 0 else None
        try:
            # 24 actions at most: the timesheet, and for each day of the (ISO) week with entries
            # the business's day and the agent's two days, with the business's and agent's week
            with transaction() as tx:
                tx.update(
                    TimesheetRecord(record.pk, record.sk),
                    actions=[
                        TimesheetRecord.approved_minutes.add(remainder),
                        TimesheetRecord.status.set("closed"),
                        TimesheetRecord.closed_at.set(now),
                        TimesheetRecord.revision.add(1),
                    ],
                    condition=(TimesheetRecord.status == "locked")
                    & (TimesheetRecord.revision == record.revision),
                    add_version_condition=False,
                )
                if used is not None:
                    recording.minutes_approved(tx, tenant, agent=used[0], by_day=used[1])
        except (Conflict, Contended):
            continue
        return True
    raise Conflict(
        "the timesheet kept changing while it was being closed; run the job again", code="contended"
    )


def _used_by_day(
    tenant: TenantId, contract_id: str, week: BillingWeek, minutes: int
) -> tuple[str, list[tuple[date, int]]] | None:
    """The agent and the days (UTC, of each entry's start) of the `minutes` the close approves:
    the entries nobody reviewed; what they do not account for counts on the week's first day."""
    contract = records.find_for_system(tenant, contract_id)
    if contract is None:
        return None
    by_day: dict[date, int] = {}
    for entry in entries.week_entries(tenant, contract_id, week):
        if not entry.review:
            by_day[entry.started_at.date()] = by_day.get(entry.started_at.date(), 0) + int(entry.minutes)
    rest = minutes - sum(by_day.values())
    if rest:
        first = week.starts_at.date()
        by_day[first] = by_day.get(first, 0) + rest
    return contract.agent_id, sorted(by_day.items())


# -- the business's review ------------------------------------------------------------------------


def _require_business(actor: Principal) -> None:
    if actor.kind is not PrincipalKind.MEMBER:
        raise Forbidden("the business reviews timesheets")


def approve(
    actor: Principal, contract_id: str, week: BillingWeek, *, entry_id: str | None = None, deps: Deps
) -> int:
    """Approve the week's undisputed entries early (or one of them); the minutes approved."""
    _require_business(actor)
    contract = records.find(actor, contract_id)
    now = deps.now()
    if entry_id is not None:
        _, entry = entries.find_entry(actor, contract_id, entry_id)
        week = terms_week(entry)
    rules.check_review_window(week, now=now, action="approve", zone=viewer_zone(actor, contract))
    ensure_locked(contract, week, now=now)
    tenant = records.tenant_of(contract)
    to_approve = [
        e
        for e in entries.week_entries(tenant, contract_id, week)
        if not e.review and (entry_id is None or e.entry_id == entry_id)
    ]
    if entry_id is not None and not to_approve:
        raise Conflict("this entry is already approved or disputed", code="illegal_transition")
    approved = 0
    pk, sk = timesheet_key(tenant, contract_id, week)
    for start in range(0, len(to_approve), APPROVALS_PER_TRANSACTION):
        chunk = to_approve[start : start + APPROVALS_PER_TRANSACTION]
        minutes = sum(int(e.minutes) for e in chunk)
        with transaction(conflict_message="an entry changed meanwhile; reload the timesheet") as tx:
            for entry in chunk:
                tx.update(
                    entry,
                    actions=[EntryRecord.review.set("approved"), EntryRecord.updated_at.set(now)],
                    condition=EntryRecord.review == "",
                )
            tx.update(
                TimesheetRecord(pk, sk),
                actions=[TimesheetRecord.approved_minutes.add(minutes), TimesheetRecord.revision.add(1)],
                condition=TimesheetRecord.status == "locked",
                on_conflict=Conflict("the review of this week has closed", code="review_window_closed"),
            )
            by_day: dict[date, int] = {}
            for entry in chunk:
                by_day[entry.started_at.date()] = by_day.get(entry.started_at.date(), 0) + int(entry.minutes)
            recording.minutes_approved(tx, tenant, agent=contract.agent_id, by_day=sorted(by_day.items()))
            tx.save(
                audit.entry(
                    tenant,
                    actor,
                    "timesheet.approved",
                    f"contract:{contract_id}",
                    {"after": {"week": str(week), "entries": len(chunk), "minutes": minutes}},
                    at=now,
                )
            )
        approved += minutes
    return approved


def terms_week(entry: EntryRecord) -> BillingWeek:
    return BillingWeek.parse(entry.week)


# -- what billing reads -------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractWeek:
    """One contract's week for billing: its terms and its minutes by review state."""

    contract_id: str
    agent_id: str
    agent_name: str
    title: str
    kind: str
    currency: str
    rate_minor: int
    status: str  # the timesheet's: open, locked, closed
    minutes: rules.WeekMinutes
    bonus: dict | None


def week_minutes(tenant: TenantId, week: BillingWeek) -> list[ContractWeek]:
    """Per contract of a business with time in `week`: the billed, approved, disputed, upheld and
    released minutes and the week's rate (the service billing calls)."""
    marker = WeekMarker.find(*marker_key(tenant, week), consistent=True)
    if marker is None or not marker.contract_ids:
        return []
    ids = sorted(marker.contract_ids)
    from chalicelib.store.contracts import contract_key

    wanted = [timesheet_key(tenant, cid, week) for cid in ids] + [contract_key(tenant, cid) for cid in ids]
    found = read_batch(wanted)
    out = []
    for cid in ids:
        sheet = found.get(timesheet_key(tenant, cid, week), TimesheetRecord)
        contract = found.get(contract_key(tenant, cid), ContractRecord)
        if sheet is None or contract is None:
            continue
        in_week = terms.terms_in_week(records.history_of(contract), week)
        out.append(
            ContractWeek(
                contract_id=cid,
                agent_id=contract.agent_id,
                agent_name=contract.agent_name,
                title=contract.title,
                kind=contract.contract_kind,
                currency=contract.currency,
                rate_minor=int(sheet.rate_minor) if sheet.rate_minor is not None else in_week.rate_minor,
                status=sheet.status,
                minutes=minutes_of(sheet) if sheet.status != "open" else rules.WeekMinutes(),
                bonus=contract.bonus,
            )
        )
    return out


@dataclass(frozen=True)
class WeekRow:
    contract: ContractRecord
    record: TimesheetRecord | None
    phase: str

    @property
    def minutes(self) -> rules.WeekMinutes:
        return minutes_of(self.record)

    @property
    def logged(self) -> int:
        return int(self.record.logged_minutes or 0) if self.record else 0


def overview(actor: Principal, week: BillingWeek, *, deps: Deps) -> list[WeekRow]:
    """The business's contracts with their timesheet for `week` (one BatchGetItem)."""
    _require_business(actor)
    now = deps.now()
    tenant = actor.require_tenant()
    started = [
        c for c in records.listed(actor) if c.periods and records.status_of(c, now) not in terms.OFFER_STATES
    ]
    wanted = [timesheet_key(tenant, c.contract_id, week) for c in started]
    found = read_batch(wanted)
    rows = []
    for contract in started:
        record = found.get(timesheet_key(tenant, contract.contract_id, week), TimesheetRecord)
        if now < week.locks_at:
            phase = "open"
        elif now < week.review_closes_at and (record is None or record.status != "closed"):
            phase = "in_review"
        else:
            phase = "closed"
        rows.append(WeekRow(contract, record, phase))
    return rows
