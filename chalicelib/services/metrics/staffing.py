"""The staffing plan (issue 16): how many agents a business needs in each hour of this week, set
against the agents it has contracted, and what fills the gap.

Inputs, each read in a fixed number of requests whatever the number of inquiries:
- contacts per hour of the week over the last `HISTORY_WEEKS` whole weeks, on the business's
  clock, from the metrics hour items (`store.metrics.business_hours`, one Query a month);
- the first-response target of a normal-priority inquiry (support settings, one GetItem);
- the average handling time: agents' approved minutes per resolved inquiry over those weeks
  (`store.metrics.business_days`), when at least `MIN_RESOLVED` inquiries were resolved;
  otherwise `DEFAULT_HANDLE_MINUTES`; the business may say its own (`handle_minutes`);
- the agents contracted in each hour: the business's active contracts' coverage windows.

`domain.staffing` does the arithmetic (forecast with a clamped trend, Erlang C with an occupancy
cap, the gap). What fills the gap: a prefilled opening for the hours missing every week (`opening_for`), or a
surge request for the rest of this week (services/metrics/surge.py)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.composition import Deps
from chalicelib.domain import contracts as contract_rules
from chalicelib.domain import staffing as model
from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.inquiries import Priority
from chalicelib.domain.schedule import DAYS, WeeklySchedule
from chalicelib.domain.tenancy import TenantId

HISTORY_WEEKS = 8
DEFAULT_HANDLE_MINUTES = 8  # an email or chat inquiry's handling time when too few were measured
MIN_RESOLVED = 20  # resolved inquiries needed before the measured handling time is trusted
MAX_HANDLE_MINUTES = 240
TARGET_LEVEL = 0.8  # the share of contacts to answer within the target
MAX_OCCUPANCY = 0.85
COUNTED_SHARE = 30  # minutes of an hour a contract's coverage must hold for its agent to count

HourlySource = Callable[[TenantId, datetime, datetime], dict[datetime, int]]


# -- the plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assumptions:
    target_seconds: int
    target_level: float
    max_occupancy: float
    handle_seconds: int
    handle_source: str  # "measured", "default" or "yours"
    resolved: int  # inquiries resolved in the weeks measured
    minutes_worked: int  # agents' approved minutes in those weeks


@dataclass(frozen=True)
class Commitment:
    """An active contract as the plan counts it."""

    contract_id: str
    agent_id: str
    agent_name: str
    weekly_cap_minutes: int | None
    coverage_minutes: int  # its coverage windows' minutes in the planned week

    @property
    def thinned(self) -> bool:
        """Its weekly cap is below its coverage: the agent works only part of the hours counted."""
        return self.weekly_cap_minutes is not None and self.weekly_cap_minutes < self.coverage_minutes


@dataclass(frozen=True)
class Plan:
    time_zone: str
    currency: str
    monday: date  # the planned week's Monday, on the business's clock
    hours: list[model.HourPlan]
    assumptions: Assumptions
    weekly_totals: list[int]  # contacts in each week of history, oldest first
    commitments: list[Commitment]
    now: datetime

    @property
    def week(self) -> str:
        year, number, _ = self.monday.isocalendar()
        return f"{year}-W{number:02d}"

    @property
    def missing_hours(self) -> int:
        return model.missing_hours(self.hours)

    @property
    def needed_hours(self) -> int:
        return sum(h.needed for h in self.hours)

    @property
    def contracted_hours(self) -> int:
        return sum(h.contracted for h in self.hours)

    @property
    def expected_contacts(self) -> float:
        return sum(h.expected for h in self.hours)

    def day(self, hour: int) -> date:
        return self.monday + timedelta(days=hour // 24)

    def grid(self) -> list[list[model.HourPlan]]:
        """24 rows (hour of day) of 7 cells (Monday to Sunday): the heatmap's layout."""
        return [[self.hours[d * 24 + h] for d in range(7)] for h in range(24)]

    def missing_by_day(self) -> list[int]:
        return [sum(max(0, p.gap) for p in self.hours[d * 24 : d * 24 + 24]) for d in range(7)]

    def remaining(self) -> list[model.HourPlan]:
        """This week's hours that have not started yet, on the business's clock."""
        zone = ZoneInfo(self.time_zone)
        return [h for h in self.hours if slot_start(self.monday, h.hour, zone) > self.now]


def slot_start(monday: date, hour: int, zone: ZoneInfo) -> datetime:
    """The UTC instant at which slot `hour` (0..167 from Monday 00:00 on `zone`'s clock) starts."""
    day = monday + timedelta(days=hour // 24)
    return datetime.combine(day, time(hour % 24), tzinfo=zone).astimezone(UTC)


def local_monday(now: datetime, zone: ZoneInfo) -> date:
    today = now.astimezone(zone).date()
    return today - timedelta(days=today.weekday())


def weekly_counts(
    hourly: dict[datetime, int], *, zone: ZoneInfo, first_monday: date, weeks: int
) -> list[list[int]]:
    """Contacts per UTC hour laid into `weeks` weeks of 168 slots on the business's clock, from
    `first_monday`. An hour the clocks skip stays empty; the hour they repeat counts twice in one
    slot (a daylight-saving week is an hour short or long)."""
    counts = [[0] * model.HOURS_IN_WEEK for _ in range(weeks)]
    for moment, contacts in hourly.items():
        local = moment.astimezone(zone)
        week = (local.date() - first_monday).days // 7
        if 0 <= week < weeks:
            counts[week][local.weekday() * 24 + local.hour] += int(contacts)
    return counts


def contracted_by_hour(
    schedules: list[tuple[Commitment, WeeklySchedule]], *, zone: ZoneInfo, monday: date
) -> list[int]:
    """Agents on in each slot of the week: a contract counts in a slot when its coverage windows
    hold at least COUNTED_SHARE minutes of that hour (each window laid out on the real calendar in
    the contract's own zone, so daylight-saving changes on either side are honoured)."""
    counts = [0] * model.HOURS_IN_WEEK
    starts = [slot_start(monday, h, zone) for h in range(model.HOURS_IN_WEEK)]
    for _, schedule in schedules:
        intervals = list(schedule.intervals(monday - timedelta(days=1), monday + timedelta(days=8)))
        for h, begin in enumerate(starts):
            end = begin + timedelta(hours=1)
            covered = sum(
                max(0, int((min(end, hi) - max(begin, lo)).total_seconds()) // 60) for lo, hi in intervals
            )
            if covered >= COUNTED_SHARE:
                counts[h] += 1
    return counts


def _check_handle(handle_minutes: object) -> int:
    if isinstance(handle_minutes, bool) or not isinstance(handle_minutes, int | float):
        raise InvalidInput("the handling time is a number of minutes, such as 8", field="handle_minutes")
    if not 1 <= handle_minutes <= MAX_HANDLE_MINUTES or not float(handle_minutes).is_integer():
        raise InvalidInput(
            f"the handling time is whole minutes from 1 to {MAX_HANDLE_MINUTES}", field="handle_minutes"
        )
    return int(handle_minutes)


def _require_member(actor: Principal) -> TenantId:
    if actor.kind is not PrincipalKind.MEMBER:
        raise Forbidden("the staffing plan is the business's")
    return actor.require_tenant()


def _hours_source() -> HourlySource:
    from chalicelib.store import metrics as store

    return store.business_hours


def _handling(tenant: TenantId, first: date, last: date) -> tuple[int, int]:
    """(approved minutes, resolved inquiries) over the local dates [first, last)."""
    from chalicelib.store import metrics as store

    days = store.business_days(tenant, first, last - timedelta(days=1))
    minutes = sum(int(d.minutes_used) for d in days if first <= d.day < last)
    resolved = sum(int(d.resolved) for d in days if first <= d.day < last)
    return minutes, resolved


def plan_for(
    actor: Principal,
    *,
    deps: Deps,
    handle_minutes: int | None = None,
    hourly: HourlySource | None = None,
    handling: Callable[[TenantId, date, date], tuple[int, int]] | None = None,
) -> Plan:
    """This week's plan for the actor's business (`hourly` and `handling` stand in for the metrics
    store in tests)."""
    from chalicelib.services import openings
    from chalicelib.services.contracts import records
    from chalicelib.services.support import settings

    tenant = _require_member(actor)
    if handle_minutes is not None:
        handle_minutes = _check_handle(handle_minutes)
    business = openings._tenant(tenant)
    zone = ZoneInfo(business.time_zone)
    now = deps.now()
    monday = local_monday(now, zone)
    first_monday = monday - timedelta(weeks=HISTORY_WEEKS)
    first, last = slot_start(first_monday, 0, zone), slot_start(monday, 0, zone)
    counts = (hourly or _hours_source())(tenant, first, last)
    weeks = weekly_counts(
        {t: c for t, c in counts.items() if first <= t < last},
        zone=zone,
        first_monday=first_monday,
        weeks=HISTORY_WEEKS,
    )
    # the forecast's trend reads the weeks since the first with any contact (a business that
    # started three weeks ago has three weeks of history, not five empty ones and three)
    while weeks and sum(weeks[0]) == 0:
        weeks = weeks[1:]
    expected = model.forecast(weeks)

    minutes, resolved = (handling or _handling)(tenant, first_monday, monday)
    if handle_minutes is not None:
        handle_seconds, source = handle_minutes * 60, "yours"
    elif resolved >= MIN_RESOLVED and minutes > 0:
        measured = min(MAX_HANDLE_MINUTES * 60, max(60, round(minutes * 60 / resolved)))
        handle_seconds, source = measured, "measured"
    else:
        handle_seconds, source = DEFAULT_HANDLE_MINUTES * 60, "default"
    target_seconds = settings.of(tenant).sla.minutes[Priority.NORMAL] * 60

    commitments: list[tuple[Commitment, WeeklySchedule]] = []
    for record in records.listed(actor):
        if records.status_of(record, now) is not contract_rules.Status.ACTIVE:
            continue
        schedule = records.coverage_of(record)
        coverage_minutes = sum(
            int((hi - lo).total_seconds()) // 60
            for lo, hi in schedule.intervals(monday, monday + timedelta(days=7))
        )
        cap = int(record.weekly_cap_minutes) if record.weekly_cap_minutes is not None else None
        commitments.append(
            (
                Commitment(record.contract_id, record.agent_id, record.agent_name, cap, coverage_minutes),
                schedule,
            )
        )
    contracted = contracted_by_hour(commitments, zone=zone, monday=monday)
    hours = model.plan(
        expected,
        contracted,
        handle_seconds=handle_seconds,
        target_seconds=target_seconds,
        target_level=TARGET_LEVEL,
        max_occupancy=MAX_OCCUPANCY,
    )
    return Plan(
        time_zone=business.time_zone,
        currency=business.currency,
        monday=monday,
        hours=hours,
        assumptions=Assumptions(
            target_seconds=target_seconds,
            target_level=TARGET_LEVEL,
            max_occupancy=MAX_OCCUPANCY,
            handle_seconds=handle_seconds,
            handle_source=source,
            resolved=resolved,
            minutes_worked=minutes,
        ),
        weekly_totals=[sum(w) for w in weeks],
        commitments=[c for c, _ in commitments],
        now=now,
    )


# -- what fills the gap --------------------------------------------------------------------------


def gap_windows(hours: list[model.HourPlan]) -> list[tuple[str, str, str]]:
    """One window a day from the first to the end of the last hour with agents missing (the
    opening form takes a window a day; the hours between are covered too)."""
    windows = []
    for d in range(7):
        short = [p.hour % 24 for p in hours if p.hour // 24 == d and p.gap > 0]
        if short:
            end = max(short) + 1
            windows.append((DAYS[d], f"{min(short):02d}:00", "24:00" if end == 24 else f"{end:02d}:00"))
    return windows


def quarter_hours(hours: float) -> float:
    """Hours rounded up to a quarter hour (what the opening and the offer accept)."""
    return math.ceil(hours * 4) / 4


@dataclass(frozen=True)
class OpeningSuggestion:
    windows: list[tuple[str, str, str]]
    seats: int
    hours_per_week: float


def opening_for(plan: Plan) -> OpeningSuggestion | None:
    """An opening for the hours missing in a typical week: the gap's windows, as many agents as
    the widest gap, each for an equal share of the missing hours (None: nothing is missing)."""
    windows = gap_windows(plan.hours)
    if not windows:
        return None
    seats = min(50, max(p.gap for p in plan.hours))
    window_hours = sum(
        (int(e[:2]) if e != "24:00" else 24) - int(s[:2]) for _, s, e in windows
    )  # whole hours by construction
    hours = min(float(window_hours), quarter_hours(plan.missing_hours / seats))
    return OpeningSuggestion(windows=windows, seats=seats, hours_per_week=hours)
