"""Support benchmark: routing one inquiry, for a business with 100 past inquiries and one with
100,000 (issue 15's goal: the same number of DynamoDB requests at both sizes).

Each business has three agents on shift (their on-shift items, as the clock-in transaction writes
them: two who fit, one who does not speak the language) and its history written directly: for each
past inquiry the items its creation writes (the head, the first message, the history item, the
customer's index item, the number's item and the claim), resolved, so that nothing of it is in the
queue (a busy business's history, not its backlog). The items come from the store's own models
(`store/support.py`), serialised by PynamoDB and sent by BatchWriteItem, 25 to a request, on four
threads: writing 600,000 items through `inquiries.create` one by one would take hours.

Measured, against DynamoDB Local, in-process, every DynamoDB call counted by operation:
- **routing one inquiry** (`routing.route`): MEASURED inquiries made while nobody was on shift
  (they wait in the queue), then routed one by one once the agents are on shift;
- **creating one inquiry** (`inquiries.create`, its routing included), MEASURED times."""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

HISTORIES = (100, int(os.environ.get("BENCH_SUPPORT_HISTORY", "100000")))
MEASURED = 30
NOW = datetime(2026, 11, 25, 15, 10, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Silent:
    def send(self, mail, *, now):
        pass


class OperationCounter:
    """Counts DynamoDB API calls made through PynamoDB, by operation name (as bench/diary.py does)."""

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


def _past_items(tenant, count: int):
    """The items the creation of `count` past inquiries wrote, resolved since (store/support.py)."""
    from ulid import ULID

    from chalicelib.domain import inquiries as rules
    from chalicelib.store import support as store

    for number in range(1, count + 1):
        created = NOW - timedelta(days=700) + timedelta(minutes=number * 10)
        inquiry_id = str(ULID.from_timestamp(created.timestamp()))
        email = f"customer{number % 5000}@example.com"
        subject = f"Question {number}"
        yield store.InquiryRecord(
            *store.head_key(tenant, inquiry_id),
            inquiry_id=inquiry_id,
            tenant_id=tenant.value,
            number=number,
            status=rules.Status.RESOLVED.value,
            channel="email",
            source="api",
            language="en",
            priority="normal",
            tier_needed=1,
            customer_email=email,
            subject=subject,
            created_at=created,
            updated_at=created,
            sla_due_at=created + timedelta(hours=8),
            first_response_at=created + timedelta(minutes=30),
            resolved_at=created + timedelta(hours=2),
            messages=3,
            version=5,
        )
        message_id = str(ULID.from_timestamp(created.timestamp()))
        yield store.MessageRecord(
            *store.message_key(tenant, inquiry_id, created, message_id),
            message_id=message_id,
            author="customer",
            author_name=email,
            body=f"Hello, a question about order {number}.",
            at=created,
        )
        yield store.HistoryItem(
            *store.history_key(tenant, created, inquiry_id),
            inquiry_id=inquiry_id,
            number=number,
            status="resolved",
            priority="normal",
            subject=subject,
            customer_email=email,
            created_at=created,
            first_response_at=created + timedelta(minutes=30),
            resolved_at=created + timedelta(hours=2),
        )
        yield store.CustomerIndexItem(
            *store.customer_key(tenant, email, created, inquiry_id),
            inquiry_id=inquiry_id,
            number=number,
            subject=subject,
            created_at=created,
        )
        yield store.NumberRecord(*store.number_key(tenant, number), inquiry_id=inquiry_id)
        yield store.InquiryClaim(*store.claim_key(inquiry_id), tenant_id=tenant.value)
    yield store.CounterRecord(*store.counter_key(tenant), last=count)


def _write(client, table: str, items) -> int:
    def send(batch):
        request = {table: [{"PutRequest": {"Item": item}} for item in batch]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or None

    batches, batch, written = [], [], 0
    for item in items:
        batch.append(item.serialize())
        written += 1
        if len(batch) == 25:
            batches.append(batch)
            batch = []
    if batch:
        batches.append(batch)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(send, batches))
    return written


def _shift(tenant, index: int, *, languages: dict[str, int]):
    from chalicelib.domain.tenancy import AgentId
    from chalicelib.store.support import OnShiftRecord, on_shift_key

    agent = AgentId(f"BENCHAGENT{index:04d}")
    return OnShiftRecord(
        *on_shift_key(tenant, agent),
        agent_id=agent.value,
        agent_name=f"Agent {index}",
        contract_id=f"BENCHCONTRACT{index:04d}",
        tier=2,
        languages=languages,
        channels=["email", "chat"],
        open_inquiries=0,
        reputation=7500,
        since=NOW,
    )


def _measure(calls_and_times: list[tuple[Counter, float]]) -> dict:
    total = Counter()
    for calls, _ in calls_and_times:
        total.update(calls)
    runs = len(calls_and_times)
    timings = [ms for _, ms in calls_and_times]
    return {
        "requests_by_operation": {op: n / runs for op, n in sorted(total.items())},
        "requests": sum(total.values()) / runs,
        "p50_ms": round(_percentile(timings, 50), 2),
        "p95_ms": round(_percentile(timings, 95), 2),
        "mean_ms": round(statistics.mean(timings), 2),
    }


def run(client, table: str) -> dict:
    """`client`: a boto3 DynamoDB client of the table's endpoint (for the seeded items)."""
    from chalicelib import composition
    from chalicelib.domain import inquiries as rules
    from chalicelib.domain.limits import Limits
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.services import accounts
    from chalicelib.services.support import inquiries, routing
    from chalicelib.settings import Settings
    from chalicelib.store.support import InquiryRecord, head_key

    clock = Clock(NOW)
    deps = composition.Deps(
        settings=Settings.from_environ(), mailer=Silent(), clock=clock, limits=Limits.relaxed()
    )
    composition.override_deps(deps)
    rows = []
    try:
        for size in HISTORIES:
            tenant_record, _owner = accounts.sign_up_business(
                accounts.BusinessSignup(
                    company_name=f"Bench Support {size}",
                    slug=f"bench-support-{size}",
                    owner_name="B",
                    email=f"bench-support-{size}@example.com",
                    password="violet-harbor-92-lantern",
                    time_zone="UTC",
                    currency="usd",
                ),
                deps=deps,
            )
            tenant = TenantId(tenant_record.pk.split("#")[1])
            started = time.perf_counter()
            written = _write(client, table, _past_items(tenant, size))
            seed_seconds = time.perf_counter() - started
            new = inquiries.NewInquiry(
                customer_email="jane@example.com",
                subject="Where is my order?",
                body="Hello, my order has not arrived yet. Can you check it?",
                language="en",
            )
            # made while nobody is on shift: they wait in the queue
            waiting = [
                inquiries.create(tenant, new, source=rules.Source.API, deps=deps) for _ in range(MEASURED)
            ]
            for index, languages in enumerate(({"en": 6}, {"en": 5, "pt": 6}, {"de": 6})):
                _shift(tenant, index, languages=languages).save()
            routed = []
            for record in waiting:
                with OperationCounter() as counter:
                    started = time.perf_counter()
                    decision = routing.route(
                        tenant, record.inquiry_id, trigger=routing.Trigger.CREATED, deps=deps
                    )
                    routed.append((counter.calls, (time.perf_counter() - started) * 1000))
                assert decision is not None and decision.chosen is not None
            created = []
            for _ in range(MEASURED):
                with OperationCounter() as counter:
                    started = time.perf_counter()
                    record = inquiries.create(tenant, new, source=rules.Source.API, deps=deps)
                    created.append((counter.calls, (time.perf_counter() - started) * 1000))
                assert record.agent_id is not None
            last = InquiryRecord.load(*head_key(tenant, record.inquiry_id))
            rows.append(
                {
                    "past_inquiries": size,
                    "items_seeded": written,
                    "seed_seconds": round(seed_seconds, 1),
                    "route": _measure(routed),
                    "create": _measure(created),
                    "last_number": int(last.number),
                }
            )
    finally:
        composition.override_deps(None)
    constant = (
        rows[0]["route"]["requests_by_operation"] == rows[-1]["route"]["requests_by_operation"]
        and rows[0]["create"]["requests_by_operation"] == rows[-1]["create"]["requests_by_operation"]
    )
    return {"rows": rows, "constant": constant, "measured": MEASURED}


def section(result: dict) -> str:
    """The report's section (bench/run.py writes it)."""

    def counts(measured: dict) -> str:
        return ", ".join(f"{op} {n:g}" for op, n in measured["requests_by_operation"].items())

    lines = "\n".join(
        f"| {r['past_inquiries']:,} | routing one inquiry | {counts(r['route'])} | {r['route']['requests']:g} "
        f"| {r['route']['p50_ms']} ms | {r['route']['p95_ms']} ms |\n"
        f"| {r['past_inquiries']:,} | creating one (routing included) | {counts(r['create'])} "
        f"| {r['create']['requests']:g} | {r['create']['p50_ms']} ms | {r['create']['p95_ms']} ms |"
        for r in result["rows"]
    )
    seeded = ", ".join(f"{r['items_seeded']:,} items in {r['seed_seconds']} s" for r in result["rows"])
    return f"""## Support: routing one inquiry

bench/support.py: a business with 100 past inquiries and one with {result["rows"][-1]["past_inquiries"]:,}, each past inquiry
written as the items its creation writes (head, first message, history, customer index, number,
claim), resolved ({seeded}); three agents on shift (their on-shift items: two who fit, one who does
not speak English). {result["measured"]} inquiries made while nobody was on shift are then routed one by one
(`routing.route`: the settings, the head, the on-shift Query, one transaction), and {result["measured"]} more are
created with their routing (`inquiries.create`). Every DynamoDB call is counted.

| past inquiries | measured | requests by operation | requests | p50 | p95 |
|---:|---|---|---:|---:|---:|
{lines}

The same requests at both sizes: **{"yes" if result["constant"] else "no"}** (routing reads one partition, the
agents on shift, never the history).
"""
