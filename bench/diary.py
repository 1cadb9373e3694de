"""Work diary benchmark: logging one entry, for an agent with 10 past entries and one with 10,000.

Goal (issue): logging one entry costs a constant number of DynamoDB requests, whatever the
agent's history. Both agents hold an hourly contract (60 h/week cap) since Monday 2 January 2023;
the clock then stands at Sunday 29 November 2026, 22:00 UTC (billing week 2026-W48), and each
agent logs the same 55 thirty-minute entries of that week through `diary.log_time`, the two
agents taking turns; the first 5 of each are warm-up. Every call's DynamoDB requests are counted
by operation name, and its wall time is measured in-process against DynamoDB Local.

The histories are real items of the kinds the service reads and writes:

- 10 entries: logged through `diary.log_time` itself, the clock moved back to each of two past
  weeks, and those weeks locked and closed by the real `lock-week` and `close-review` jobs.
- 10,000 entries (eight 45-minute entries a day, seven days a week, over 179 weeks): written
  directly, because logging them one by one through the service costs about 20 ms and 4 requests
  each. The entry items come from the service's own builder (`diary._new_entries`: keys, the
  agent's GSI1 `A#<agent>#ENTRIES`, week-ordered ids), the diary days from the domain's
  `days_with`, the audit items from `audit.entry`; entries, diary days, week markers and audit
  items go in by BatchWriteItem; each week's timesheet gets the update the diary's commit makes
  (its minutes, count and revision), then the real `timesheets.lock` and `timesheets.close`.
  The benchmark then checks the result against the service-written history: the same item kinds
  with the same attributes, the same invariants (a timesheet's minutes are its entries' minutes,
  every entry is on its diary day), and the agent's index lists every entry."""

from __future__ import annotations

import math
import os
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from bench import seeding

HISTORIES = (10, int(os.environ.get("BENCH_DIARY_HISTORY", "10000")))
MEASURED = 50
WARMUP = 5
HIRED = datetime(2023, 1, 2, 9, 0, tzinfo=UTC)  # a Monday: the contracts run from here
NOW = datetime(2026, 11, 29, 22, 0, tzinfo=UTC)  # Sunday of billing week 2026-W48
WEEKLY_CAP = 60 * 60
PER_DAY = 8  # the large history: 45-minute entries at 06:00, 07:00, ... 13:00 UTC, every day
SMALL_WEEKS = 2  # the small history: its entries spread over the two weeks before this one


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Silent:
    def send(self, mail, *, now):
        pass


class OperationCounter:
    """Counts DynamoDB API calls made through PynamoDB, by operation name (as bench/matching.py's
    RequestCounter does, at the same place: every PynamoDB request passes there)."""

    def __init__(self):
        from pynamodb.connection.base import Connection

        self.calls: Counter[str] = Counter()
        self._cls = Connection
        self._original = Connection._make_api_call

    def __enter__(self):
        original = self._original

        def counting(connection, operation_name, operation_kwargs):
            self.calls[operation_name] += 1
            return original(connection, operation_name, operation_kwargs)

        self._cls._make_api_call = counting
        return self

    def __exit__(self, *exc):
        self._cls._make_api_call = self._original


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# -- the hires --------------------------------------------------------------------------------------


def _hire(index: int, ops, deps):
    """A business, an approved agent and a running hourly contract between them (the clock at
    HIRED); returns the agent's principal and the contract."""
    from chalicelib.domain import contracts as terms
    from chalicelib.domain.money import Money
    from chalicelib.services import accounts, applications, openings, profiles, vetting
    from chalicelib.services.contracts import offers
    from chalicelib.store import principals

    password = "violet-harbor-92-lantern"
    _, owner = accounts.sign_up_business(
        accounts.BusinessSignup(
            company_name=f"Diary Bench {index}",
            slug=f"diary-bench-{index}",
            owner_name="Owen Owner",
            email=f"owner{index}@diary-bench.example",
            password=password,
            time_zone="America/New_York",
            currency="usd",
        ),
        deps=deps,
    )
    business = principals.principal_of(owner)
    agent = principals.principal_of(
        accounts.sign_up_agent(
            accounts.AgentSignup(
                name=f"Agent {index}",
                email=f"agent{index}@diary-bench.example",
                password=password,
                time_zone="Europe/Lisbon",
            ),
            deps=deps,
        )
    )
    profiles.update_profile(
        agent,
        profiles.ProfileUpdate(
            headline="Email support",
            bio="",
            skills=["zendesk", "email"],
            products=["Shopify"],
            languages=[("en", "c2")],
            availability=[(d, "06:00", "14:00") for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")],
            min_rate=Money(2000, "usd"),
        ),
        deps=deps,
    )
    vetting.approve(ops, agent.id, tier=1, deps=deps)
    opening = openings.post(
        business,
        openings.OpeningDraft(
            title="Email support, every day",
            description="",
            skills=["zendesk", "email"],
            products=["shopify"],
            languages=[("en", "c1")],
            coverage=None,
            hours_per_week=40,
            block_hours=None,
            seats=1,
            rate_min=Money(2000, "usd"),
            rate_max=Money(3000, "usd"),
            tier=1,
            start_date=HIRED.date(),
        ),
        deps=deps,
    )
    openings.act(business, opening.opening_id, "publish", deps=deps)
    application = applications.apply(
        agent,
        opening.opening_id,
        applications.Proposal(cover_note="", proposed_rate=Money(2500, "usd"), earliest_start=HIRED.date()),
        deps=deps,
    )
    offer = offers.make_offer(
        business,
        offers.OfferDraft(
            title="Email support",
            kind=terms.Kind.HOURLY,
            rate=Money(2500, "usd"),
            weekly_cap_minutes=WEEKLY_CAP,
            block_minutes=None,
            start_date=HIRED.date(),
            end_date=None,
            tier=1,
            coverage=None,
            application_id=application.application_id,
        ),
        deps=deps,
    )
    return agent, offers.accept(agent, offer.contract_id, deps=deps)


# -- the histories ----------------------------------------------------------------------------------


def _history_slots(count: int, *, per_day: int, first_hour: int, minutes: int):
    """`count` spans, `per_day` a day on every day, ending with the week before NOW's."""
    from chalicelib.domain import diary as rules
    from chalicelib.domain.time import BillingWeek

    weeks = math.ceil(count / (7 * per_day))
    first = BillingWeek.containing(NOW).starts_at - timedelta(weeks=weeks)
    spans = []
    for day in range(weeks * 7):
        for slot in range(per_day):
            if len(spans) < count:
                start = first + timedelta(days=day, hours=first_hour + slot)
                spans.append(rules.Span(start, start + timedelta(minutes=minutes)))
    return spans


def _log_history_through_service(agent, contract, count: int, clock: Clock, deps) -> None:
    """The small history: each week's entries logged by `log_time` at Sunday 22:00 of that
    week, then the week locked and closed by the jobs."""
    from chalicelib.domain import diary as rules
    from chalicelib.domain.time import BillingWeek
    from chalicelib.jobs import runner
    from chalicelib.services.diary import entries

    per_day = max(1, math.ceil(count / (SMALL_WEEKS * 5)))
    first = BillingWeek.containing(NOW).starts_at - timedelta(weeks=SMALL_WEEKS)
    spans = [
        rules.Span(start, start + timedelta(minutes=45))
        for week in range(SMALL_WEEKS)
        for day in range(5)
        for slot in range(per_day)
        for start in [first + timedelta(weeks=week, days=day, hours=9 + slot)]
    ][:count]
    for week in sorted({BillingWeek.containing(s.start) for s in spans}, key=lambda w: w.starts_at):
        clock.now = week.ends_at - timedelta(hours=2)
        for span in (s for s in spans if BillingWeek.containing(s.start) == week):
            entries.log_time(
                agent,
                contract.contract_id,
                entries.EntryDraft(span.start, span.end, memo="Answered tickets", tickets=("ZD-1",)),
                deps=deps,
            )
        for job, at in (("lock-week", week.locks_at), ("close-review", week.review_closes_at)):
            report = runner.run(job, deps=deps, at=at, week=week)
            if report.failures or not report.changed:
                raise AssertionError(f"{job} {week}: {report}")
    clock.now = NOW


def _write_history_directly(agent, contract, count: int) -> None:
    """The large history, item for item what the service and the jobs would have written."""
    from chalicelib.domain.time import BillingWeek
    from chalicelib.services import timesheets
    from chalicelib.services.contracts import records
    from chalicelib.store.contracts import (
        ContractRecord,
        EntryRecord,
        WeekMarker,
        marker_key,
        shard_of,
        stamp,
        weeks_index,
    )

    tenant = records.tenant_of(contract)
    weeks: dict[BillingWeek, list[EntryRecord]] = {}
    with EntryRecord.batch_write() as batch:
        entries = seeding.write_entries(
            batch,
            contract,
            agent,
            _history_slots(count, per_day=PER_DAY, first_hour=6, minutes=45),
            logged_at=lambda span: span.end + timedelta(minutes=10),  # just after the work
            memo="Answered tickets",
            tickets=("ZD-1",),
        )
        for entry in entries:
            weeks.setdefault(BillingWeek.parse(entry.week), []).append(entry)
        for week in weeks:
            batch.save(
                WeekMarker(
                    *marker_key(tenant, week),
                    contract_ids={contract.contract_id},
                    gsi2pk=weeks_index(week, shard_of(tenant.value)),
                    gsi2sk=tenant.value,
                )
            )
    for week, week_entries in weeks.items():
        seeding.add_to_timesheet(contract, week, week_entries)  # all the week's entries at once
        # then what the jobs do: the lock at Monday noon, the close when the review window ends
        locked = timesheets.lock(tenant, contract.contract_id, week, now=week.locks_at)
        closed = timesheets.close(tenant, contract.contract_id, week, now=week.review_closes_at)
        if not (locked and closed):
            raise AssertionError(f"{week} did not lock and close")
    latest = max(e.ended_at for entries in weeks.values() for e in entries)
    contract.update(
        actions=[
            ContractRecord.last_activity_at.set(latest),
            ContractRecord.gsi2sk.set(f"{stamp(latest)}#{contract.contract_id}"),
        ]
    )


def _history_items(contract) -> dict[str, list]:
    """Every item the agent's diary history consists of, by kind."""
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.services.contracts import records
    from chalicelib.store import audit, keys
    from chalicelib.store.base import Entity, query_kinds
    from chalicelib.store.contracts import contract_partition

    tenant = records.tenant_of(contract)
    items: dict[str, list] = {}
    sources = [
        query_kinds((Entity,), contract_partition(tenant, contract.contract_id)),
        query_kinds((Entity,), keys.agent_pk(AgentId(contract.agent_id), "DIARY")),
        query_kinds((Entity,), keys.tenant_pk(tenant), Entity.sk.startswith("WEEK#")),
        (
            a
            for a in query_kinds((Entity,), audit.audit_pk(tenant))
            if getattr(a, "action", "") == "entry.logged"
        ),
    ]
    for source in sources:
        for item in source:
            items.setdefault(type(item).__name__, []).append(item)
    return items


def _shape(items: dict[str, list]) -> dict[str, frozenset[str]]:
    """Which attributes the items of each kind carry (the union over the items)."""
    return {
        kind: frozenset().union(*(frozenset(item.serialize()) for item in group))
        for kind, group in items.items()
    }


def _check_history(agent, contract, count: int) -> dict[str, list]:
    """The history's invariants, as the service keeps them; returns its items by kind."""
    from chalicelib.domain import diary as rules
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.services.diary import entries

    items = _history_items(contract)
    written = items.get("EntryRecord", [])
    assert len(written) == count, (len(written), count)
    indexed = entries.agent_entries(AgentId(agent.id), datetime(2000, 1, 1, tzinfo=UTC), NOW)
    assert len(indexed) == count, (len(indexed), count)
    by_week: dict[str, list] = {}
    for entry in written:
        by_week.setdefault(entry.week, []).append(entry)
    for sheet in items.get("TimesheetRecord", []):
        minutes = sum(int(e.minutes) for e in by_week[sheet.week])
        assert sheet.status == "closed" and sheet.logged_minutes == minutes == sheet.approved_minutes
        assert sheet.entry_count == len(by_week[sheet.week])
    assert len(items.get("TimesheetRecord", [])) == len(by_week) == len(items.get("WeekMarker", []))
    refs = {f"{e.tenant_id}/{e.contract_id}/{e.entry_id}": e for e in written}
    held = 0
    for day in items.get("DiaryDayRecord", []):
        for span in (rules.DaySpan.from_json(s) for s in day.spans):
            assert refs[span.ref].started_at.date().isoformat() == day.sk.split("#")[-1]
            held += 1
    assert held == count and len(items.get("AuditRecord", [])) == count
    return items


# -- the measurement --------------------------------------------------------------------------------


def _slots(count: int):
    """Thirty-minute spans in NOW's week, three hours apart, all before NOW."""
    from chalicelib.domain.time import BillingWeek

    monday = BillingWeek.containing(NOW).starts_at
    spans = [
        (monday + timedelta(hours=3 * i), monday + timedelta(hours=3 * i, minutes=30)) for i in range(count)
    ]
    assert spans[-1][1] <= NOW
    return spans


def run() -> dict:
    from chalicelib import composition
    from chalicelib.services import accounts
    from chalicelib.services.diary import entries
    from chalicelib.settings import Settings
    from chalicelib.store import principals

    clock = Clock(HIRED)
    deps = composition.Deps(settings=Settings.from_environ(), mailer=Silent(), clock=clock)
    composition.override_deps(deps)
    try:
        ops = principals.principal_of(
            accounts.create_operator(
                name="Olga Ops",
                email="ops@diary-bench.example",
                password="violet-harbor-92-lantern",
                deps=deps,
            )
        )
        hires = [_hire(i, ops, deps) for i in range(len(HISTORIES))]

        small, large = HISTORIES
        _log_history_through_service(*hires[0], small, clock, deps)
        started = time.perf_counter()
        _write_history_directly(*hires[1], large)
        seed_seconds = time.perf_counter() - started
        clock.now = NOW
        histories = [
            _check_history(agent, contract, n) for (agent, contract), n in zip(hires, HISTORIES, strict=True)
        ]
        kinds = [{kind: len(group) for kind, group in items.items()} for items in histories]
        logged, written = (_shape(items) for items in histories)
        if logged != written:
            differing = {k: sorted(logged.get(k, set()) ^ written.get(k, set())) for k in logged | written}
            raise AssertionError(f"the written history differs from the service's: {differing}")

        calls: list[list[Counter[str]]] = [[] for _ in hires]
        timings: list[list[float]] = [[] for _ in hires]
        for i, (start, end) in enumerate(_slots(WARMUP + MEASURED)):
            for h, (agent, contract) in enumerate(hires):  # the agents take turns: noise falls on both
                with OperationCounter() as counter:
                    begun = time.perf_counter()
                    entries.log_time(
                        agent,
                        contract.contract_id,
                        entries.EntryDraft(start, end, memo="Answered tickets", tickets=("ZD-2",)),
                        deps=deps,
                    )
                    elapsed = time.perf_counter() - begun
                calls[h].append(counter.calls)
                if i >= WARMUP:
                    timings[h].append(elapsed * 1000)
    finally:
        composition.override_deps(None)

    rows = []
    for n, hire_calls, hire_timings, items in zip(HISTORIES, calls, timings, kinds, strict=True):
        distinct = {tuple(sorted(c.items())) for c in hire_calls}  # every call, warm-up included
        per_entry = dict(sorted(max(distinct, key=lambda d: sum(v for _, v in d))))
        rows.append(
            {
                "past_entries": n,
                "items": items,
                "requests_by_operation": per_entry,
                "requests": sum(per_entry.values()),
                "same_every_call": len(distinct) == 1,
                "p50_ms": round(statistics.median(hire_timings), 1),
                "p95_ms": round(_percentile(hire_timings, 95), 1),
            }
        )
    constant = all(r["same_every_call"] for r in rows) and len({r["requests"] for r in rows}) == 1
    constant = constant and len({tuple(r["requests_by_operation"].items()) for r in rows}) == 1
    return {
        "rows": rows,
        "constant": constant,
        "measured": MEASURED,
        "warmup": WARMUP,
        "seed_seconds": round(seed_seconds, 1),
        # what logging the large history one entry at a time through the service would have taken
        "service_seconds": round(large * rows[0]["p50_ms"] / 1000),
        "history_weeks": math.ceil(large / (7 * PER_DAY)),
    }
