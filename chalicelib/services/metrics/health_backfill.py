"""Marketplace health from before it was counted (issue 16): the `backfill-marketplace-health` job's
work (jobs/backfill_jobs.py; docs/metrics.md, "Marketplace health", says what it rebuilds and what
it cannot). The platform's counters (store/platform_metrics.py) count each event in its own
transaction from the deployment on; this job rebuilds, from the items the events left, what they
would have counted before, in three idempotent parts:

- **Days up to the first counted day** (`counted_from`, recorded on the first run): the counters
  the items date exactly (openings, applications, hires with time to hire and to fill, entries,
  invoices and GMV, payments, revenue) are recomputed per day and shard from every item and SET,
  the first counted day included (it holds the events from before the deployment and after; no
  event lands on a day that is over, so nothing counts there meanwhile). Later days are the live
  counters' own and are not touched. Run again, the same items give the same values: nothing is
  written.
- **Funnels and cohorts**: a business or agent without a funnel marker signed up before the
  counting, so none of its stages was counted: it gets its marker, its cohort's stages and each
  stage's day counter in one transaction under the condition that it has no marker yet
  (`platform_metrics.joined_late`): counted once, whatever the number of runs. Its first card is
  the first `billing.card_saved` of its audit log; its first opening, hire and contract are its
  items'. An agent's approval and payouts enabled are not dated by any item: they count in the
  cohort, not in a day.
- **Activity**: the days of entries (both parties) and of finalised invoices (the business), added
  to the activity sets (a set: what is there stays, a second run adds nothing).

The plan reads the table once with a Scan (store/scans.py; a backfill only, never a request path)
and holds per-day counters, the parties without a marker and the activity days, never the events."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from chalicelib.domain import marketplace_health as rules
from chalicelib.domain.errors import Conflict
from chalicelib.domain.ledger import Posting
from chalicelib.store import keys, scans
from chalicelib.store import platform_metrics as store
from chalicelib.store.base import Entity
from chalicelib.store.billing import LedgerEntry, PayoutAccount
from chalicelib.store.contracts import ContractRecord, EntryRecord
from chalicelib.store.identity import AgentRecord, AuditRecord, TenantRecord
from chalicelib.store.marketplace import ApplicationRecord, OpeningRecord
from chalicelib.store.transactions import transaction

# the day counters rebuilt from items (money per currency, histograms per bucket: by prefix)
REBUILT = frozenset({"openings", "openings_filled", "applications", "hires", "entries", "entry_minutes"})
REBUILT |= {"invoices", "invoices_paid"}
REBUILT_PREFIXES = ("tth_", "ttf_", "gmv_", "paid_", "revenue_")
HIRED = frozenset({"active", "paused", "ended"})  # an offer accepted (declined, withdrawn, expired: not)
CHUNK = 25  # parties or activity items per task
KINDS = (
    TenantRecord,
    AgentRecord,
    store.FunnelMarker,
    AuditRecord,
    PayoutAccount,
    OpeningRecord,
    ApplicationRecord,
    ContractRecord,
    EntryRecord,
    LedgerEntry,
)


def rebuilt(name: str) -> bool:
    return name in REBUILT or name.startswith(REBUILT_PREFIXES)


@dataclass
class _Party:
    signed_up: datetime | None = None
    stages: dict[str, tuple[datetime | None, str]] = field(default_factory=dict)

    def reached(self, stage: str, when: datetime | None, subject: str) -> None:
        """The first time it got there (an undated stage only when no dated one is known)."""
        held = self.stages.get(stage)
        if held is None or (when is not None and (held[0] is None or when < held[0])):
            self.stages[stage] = (when, subject)


@dataclass
class _Hire:
    opening_id: str | None
    at: datetime
    contract_id: str


class Rebuild:
    """What the items say, gathered over one Scan (`add` each item, then `tasks`)."""

    def __init__(self, until: date) -> None:
        self.until = until
        self.days: dict[date, dict[int, dict[str, int]]] = {}
        self.parties: dict[tuple[str, str], _Party] = {}
        self.marked: set[tuple[str, str]] = set()
        self.active: dict[tuple[str, str], dict[str, set[str]]] = {}
        self.openings: dict[str, tuple[datetime, int]] = {}
        self.hires: list[_Hire] = []

    def _count(self, at: datetime, subject: str, counters: dict[str, int]) -> None:
        if at.date() > self.until:
            return  # counted as it happened
        held = self.days.setdefault(at.date(), {}).setdefault(store.shard_of(subject), {})
        for name, value in counters.items():
            held[name] = held.get(name, 0) + value

    def _party(self, side: str, entity: str) -> _Party:
        return self.parties.setdefault((side, entity), _Party())

    def _active(self, side: str, entity: str, day: date) -> None:
        month = self.active.setdefault((side, rules.month_of(day)), {})
        month.setdefault(entity, set()).add(f"{day.day:02d}")

    def add(self, item: Entity) -> None:
        if isinstance(item, store.FunnelMarker):
            side = rules.BUSINESS if item.pk.startswith(keys.TENANT_PREFIX) else rules.AGENT
            self.marked.add((side, _owner(item.pk)))
        elif isinstance(item, TenantRecord):
            party = self._party(rules.BUSINESS, _owner(item.pk))
            party.signed_up = item.created_at
            party.reached("signup", item.created_at, _owner(item.pk))
        elif isinstance(item, AgentRecord):
            party = self._party(rules.AGENT, item.agent_id)
            party.signed_up = item.created_at
            party.reached("signup", item.created_at, item.agent_id)
            if item.status == "approved":
                party.reached("approved", None, item.agent_id)
        elif isinstance(item, PayoutAccount):
            if item.status == "enabled":
                agent_id = _owner(item.pk)
                self._party(rules.AGENT, agent_id).reached("payouts", None, agent_id)
        elif isinstance(item, AuditRecord):
            if item.action == "billing.card_saved":
                tenant = _owner(item.pk)
                self._party(rules.BUSINESS, tenant).reached("card", item.at, tenant)
        elif isinstance(item, OpeningRecord):
            opening_id = item.opening_id
            self.openings[opening_id] = (item.created_at, int(item.seats))
            self._count(item.created_at, opening_id, {"openings": 1})
            self._party(rules.BUSINESS, _owner(item.pk)).reached("opening", item.created_at, opening_id)
        elif isinstance(item, ApplicationRecord):
            self._count(item.created_at, item.opening_id, {"applications": 1})
        elif isinstance(item, ContractRecord):
            if item.status in HIRED and item.decided_at is not None:
                self.hires.append(_Hire(item.opening_id, item.decided_at, item.contract_id))
                self._party(rules.BUSINESS, _owner(item.pk)).reached(
                    "hire", item.decided_at, item.contract_id
                )
                self._party(rules.AGENT, item.agent_id).reached("contract", item.decided_at, item.contract_id)
        elif isinstance(item, EntryRecord):
            self._count(item.created_at, item.contract_id, {"entries": 1, "entry_minutes": int(item.minutes)})
            self._active(rules.BUSINESS, item.tenant_id, item.started_at.date())
            self._active(rules.AGENT, item.agent_id, item.started_at.date())
        elif isinstance(item, LedgerEntry):
            self._ledger(item)

    def _ledger(self, item: LedgerEntry) -> None:
        """GMV, payments and revenue from the ledger's postings, as the events that wrote them count."""
        _, tenant, _, invoice_id = item.pk.split(keys.SEP, 3)
        amount, currency = int(item.amount), item.currency
        if item.journal == "invoice.finalized" and item.account.startswith("receivable:"):
            self._count(item.at, invoice_id, {"invoices": 1, f"gmv_{currency}": amount})
            self._active(rules.BUSINESS, tenant, item.at.date())
        elif item.journal == "invoice.paid" and item.account == "stripe":
            self._count(item.at, invoice_id, {"invoices_paid": 1, f"paid_{currency}": amount})
        elif found := rules.revenue_of([Posting(item.account, amount, currency)]):
            # every posting to revenue, as the journal's writer counted it (fees kept, fees given
            # back by a refund after payout): platform_metrics.revenue_booked, the same rule
            self._count(item.at, invoice_id, {f"revenue_{c}": n for c, n in found.items()})

    def _times_to_hire_and_fill(self) -> None:
        """Each hire; an opening's first seat taken is its time to hire, its last its time to fill."""
        by_opening: dict[str | None, list[_Hire]] = {}
        for hire in self.hires:
            self._count(hire.at, hire.contract_id, {"hires": 1})
            by_opening.setdefault(hire.opening_id, []).append(hire)
        for opening_id, hires in by_opening.items():
            if opening_id is None or opening_id not in self.openings:
                continue
            posted, seats = self.openings[opening_id]
            hires.sort(key=lambda h: (h.at, h.contract_id))
            first = hires[0]
            waited = int((first.at - posted).total_seconds())
            self._count(first.at, first.contract_id, store.durations(store.TTH, "tth", waited))
            if len(hires) >= seats:
                last = hires[seats - 1]
                waited = int((last.at - posted).total_seconds())
                filled = {**store.durations(store.TTF, "ttf", waited), "openings_filled": 1}
                self._count(last.at, last.contract_id, filled)

    def tasks(self) -> Iterator[dict]:
        self._times_to_hire_and_fill()
        for day in sorted(set(self.days) | {self.until}):
            shards = self.days.get(day, {})
            yield {"day": day.isoformat(), "shards": {str(n): shards[n] for n in sorted(shards)}}
        late = [
            {
                "side": side,
                "entity": entity,
                "signed_up": party.signed_up.date().isoformat(),
                "stages": {
                    s: [w.isoformat() if w else None, subject] for s, (w, subject) in party.stages.items()
                },
            }
            for (side, entity), party in sorted(self.parties.items())
            if (side, entity) not in self.marked and party.signed_up is not None
        ]
        for chunk in _chunks(late):
            yield {"parties": chunk}
        for (side, month), seen in sorted(self.active.items()):
            entities = sorted(seen.items())
            for chunk in _chunks(entities):
                yield {"active": side, "month": month, "days": {e: sorted(days) for e, days in chunk}}


def _owner(pk: str) -> str:
    """The tenant or agent of a `T#<tenant>...` or `A#<agent>...` partition."""
    return pk.split(keys.SEP)[1]


def _chunks(items: list) -> Iterable[list]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def counted_from(today: date) -> date:
    return store.counted_from(today)


def plan(until: date) -> Iterator[dict]:
    rebuild = Rebuild(until)
    for item in scans.every(*KINDS):
        rebuild.add(item)
    yield from rebuild.tasks()


def work(task: dict) -> bool:
    """One task of `plan`; True when it wrote anything."""
    if "day" in task:
        day = date.fromisoformat(task["day"])
        written = [
            store.set_day(day, shard, task["shards"].get(str(shard), {}), rebuilt)
            for shard in range(store.DAY_SHARDS)
        ]
        return any(written)
    if "parties" in task:
        return any([_join_late(party) for party in task["parties"]])
    written = [
        store.mark_active(task["active"], entity, task["month"], set(days))
        for entity, days in task["days"].items()
    ]
    return any(written)


def _join_late(party: dict) -> bool:
    stages = {
        stage: (datetime.fromisoformat(when) if when else None, subject)
        for stage, (when, subject) in party["stages"].items()
    }
    try:
        # 9 actions at most: the marker, and a cohort stage and a day per stage (4 a side at most)
        with transaction() as tx:
            store.joined_late(
                tx,
                party["side"],
                party["entity"],
                signed_up=date.fromisoformat(party["signed_up"]),
                stages=stages,
            )
    except Conflict:
        return False  # it has its marker: counted already
    return True
