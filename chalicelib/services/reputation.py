"""Reputation (issue 15, slice 9): the Bayesian score of domain/reputation.py, kept per agent and
moved by customers' ratings, peer reviews, missed first-response targets and disputes upheld
against the agent; shown with its counts; read by matching, routing and the operators' tier list.

- **One item per agent** (`A#<agent>` / `REPUTATION`, store/reputation.py) holds the decayed sums;
  every piece of evidence updates it under its version **in the transaction that records the
  evidence** (the rating, the review, the breach's count, the dispute's ending): `add(tx, ...)`.
- In the same transaction the agent's record gets the new snapshot (`AgentRecord.reputation`)
  and their matching cards (one per language they are listed under) the same, so that matching
  ranks from the cards alone and the clock-in's on-shift item copies it for routing: neither reads
  another item. The week's history row gets the standing at that moment and what the week added.
- A lost race (another rating for the same agent at the same moment, the agent saving their
  profile) cancels the whole transaction: the caller reads again and retries (`retrying`).
- Breaches (`sla.on_breach`) and upheld disputes are counted once: an event item under
  `attribute_not_exists` in the same transaction. The breach hook runs after the breach's own mark,
  so a crash between the two leaves that breach uncounted (at most once, never twice).
- A helpdesk ticket's rating and missed target are moved by the difference instead (they can be
  replaced or undone: services/support/helpdesk_counts.py, helpdesk_sla.py), under the ticket's
  state item's version; `revisions(tx)` gathers what one event moves for an agent into one write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from chalicelib.domain import reputation as rules
from chalicelib.domain.errors import Conflict, Contended, NotFound
from chalicelib.domain.reputation import Evidence, Kind, Reputation
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.store import keys
from chalicelib.store.base import read_batch
from chalicelib.store.identity import AgentRecord
from chalicelib.store.reputation import (
    REPUTATIONS,
    ReputationEvent,
    ReputationRecord,
    ReputationWeekRecord,
    event_key,
    history_pk,
    reputation_key,
    reputation_sk,
    week_key,
)
from chalicelib.web.observability import logger

ATTEMPTS = 4
HISTORY_WEEKS = 26


class Stale(Conflict):
    code = "contended"


STALE = Stale("the agent's reputation changed meanwhile")


class AlreadyCounted(Conflict):
    code = "already_counted"


ALREADY_COUNTED = AlreadyCounted("this was counted already")

_T = TypeVar("_T")


def retrying(attempt: Callable[[], _T]) -> _T:
    """Read, build, commit; again when the commit finds that something read has changed."""
    for _ in range(ATTEMPTS):
        try:
            return attempt()
        except (Stale, Contended):
            continue
    raise Conflict("the agent's reputation kept changing; try again", code="contended")


@dataclass(frozen=True)
class Standing:
    """What an update reads first: the agent's evidence item and their record (one BatchGetItem)."""

    agent: AgentId
    record: ReputationRecord | None
    profile: AgentRecord | None

    @property
    def evidence(self) -> Evidence:
        return self.record.evidence() if self.record is not None else Evidence()


def standing(agent: AgentId) -> Standing:
    wanted = [reputation_key(agent), (keys.agent_pk(agent), "AGENT")]
    batch = read_batch(wanted)
    return Standing(agent, batch.get(wanted[0], ReputationRecord), batch.get(wanted[1], AgentRecord))


def add(
    tx,
    current: Standing,
    kind: Kind,
    *,
    at: datetime,
    value: int | float = 1,
    event: str | None = None,
) -> Reputation:
    """Add one piece of evidence to `tx`: the evidence item (under its version), the week's
    history row, the agent's record and matching cards (the snapshot), and, for a breach or a
    dispute, the event item that makes it count once. Returns the new reputation."""
    return revise(tx, current, kind, added=(at, value), event=event)


def revise(
    tx,
    current: Standing,
    kind: Kind,
    *,
    added: tuple[datetime, int | float] | None = None,
    withdrawn: tuple[datetime, int | float] | None = None,
    event: str | None = None,
) -> Reputation:
    """`add`, and/or take back evidence added before (`withdrawn`: its moment and value), in one
    write of the agent's items: a helpdesk's customer who changes their rating replaces it."""
    changes = [(kind, -1, *withdrawn)] if withdrawn is not None else []
    changes += [(kind, 1, *added)] if added is not None else []
    return _write(tx, current, changes, event=(kind, event) if event is not None else None)


Change = tuple[Kind, int, datetime, int | float]  # kind, +1 added or -1 withdrawn, moment, value
_WEEK_COUNTS = {Kind.PEER: "reviews", Kind.SLA_BREACH: "breaches", Kind.UPHELD_DISPUTE: "upheld"}


def _write(
    tx, current: Standing, changes: list[Change], *, event: tuple[Kind, str] | None = None
) -> Reputation:
    """Evidence added and taken back, of any kinds, in one write of the agent's items (a
    transaction may name an item once): the evidence item (under its version), each touched
    week's history row, the agent's record and matching cards (the snapshot), and `event`'s item
    that makes a breach or a dispute count once."""
    agent = current.agent
    evidence = current.evidence
    weeks: dict[BillingWeek, dict[str, int]] = {}  # what each week touched adds
    moments: list[datetime] = []
    last_upheld = current.record.last_upheld_at if current.record is not None else None
    for kind, sign, at, value in changes:
        evidence = evidence.add(kind, at, value) if sign > 0 else evidence.withdraw(kind, at, value)
        counts = weeks.setdefault(BillingWeek.containing(at), {})
        if kind is Kind.CUSTOMER:
            counts["ratings"] = counts.get("ratings", 0) + sign
            counts["good"] = counts.get("good", 0) + (sign if int(value) >= 4 else 0)
        else:
            name = _WEEK_COUNTS[kind]
            counts[name] = counts.get(name, 0) + sign
        if kind is Kind.UPHELD_DISPUTE and sign > 0:
            last_upheld = at if last_upheld is None else max(last_upheld, at)
        moments.append(at)
    if not moments:
        raise ValueError("nothing to add or withdraw")
    at = max(moments)
    moment = evidence.as_of or at
    reputation = evidence.reputation(moment)
    score = round(reputation.score * 10_000)
    record = ReputationRecord(
        *reputation_key(agent),
        agent_id=agent.value,
        as_of=evidence.as_of,
        weight=evidence.weight,
        weighted=evidence.weighted,
        ratings=evidence.ratings,
        good_ratings=evidence.good_ratings,
        rating_total=evidence.rating_total,
        reviews=evidence.reviews,
        breaches=evidence.breaches,
        upheld=evidence.upheld,
        last_upheld_at=last_upheld,
        score=score,
        gsi2pk=REPUTATIONS,
        gsi2sk=reputation_sk(score, agent),
    )
    if current.record is not None:
        record.version = current.record.version  # saved under the version read (a new one: none yet)
    tx.save(record, on_conflict=STALE)
    for week, counts in weeks.items():
        tx.update(
            ReputationWeekRecord(*week_key(agent, week)),
            actions=[
                ReputationWeekRecord.kind.set(ReputationWeekRecord),
                ReputationWeekRecord.week.set(str(week)),
                ReputationWeekRecord.score.set(score),
                ReputationWeekRecord.ratings.set(evidence.ratings),
                ReputationWeekRecord.reviews.set(evidence.reviews),
                ReputationWeekRecord.breaches.set(evidence.breaches),
                ReputationWeekRecord.upheld.set(evidence.upheld),
                ReputationWeekRecord.week_ratings.add(counts.get("ratings", 0)),
                ReputationWeekRecord.week_good.add(counts.get("good", 0)),
                ReputationWeekRecord.week_reviews.add(counts.get("reviews", 0)),
                ReputationWeekRecord.week_breaches.add(counts.get("breaches", 0)),
                ReputationWeekRecord.week_upheld.add(counts.get("upheld", 0)),
                ReputationWeekRecord.updated_at.set(at),
            ],
        )
    if event is not None:
        tx.save(
            ReputationEvent(*event_key(agent, event[0].value, event[1]), at=at),
            condition=ReputationEvent.pk.does_not_exist(),
            on_conflict=ALREADY_COUNTED,
        )
    if current.profile is not None:
        _move_snapshot(tx, current.profile, reputation)
    return reputation


class Revisions:
    """Evidence that several parts of one transaction move (a helpdesk event moves a ticket's
    rating and its missed target, perhaps for one agent): gathered per agent and written as one
    `_write` per agent just before the transaction commits. `revisions(tx)` gives the one of `tx`."""

    def __init__(self) -> None:
        self._agents: dict[AgentId, tuple[Standing, list[Change]]] = {}

    def revise(
        self,
        current: Standing,
        kind: Kind,
        *,
        added: tuple[datetime, int | float] | None = None,
        withdrawn: tuple[datetime, int | float] | None = None,
    ) -> None:
        """As `revise`, written when the transaction commits (the first standing read counts)."""
        _standing, changes = self._agents.setdefault(current.agent, (current, []))
        changes += [(kind, -1, *withdrawn)] if withdrawn is not None else []
        changes += [(kind, 1, *added)] if added is not None else []

    def apply(self, tx) -> None:
        for current, changes in self._agents.values():
            if changes:
                _write(tx, current, changes)


def revisions(tx) -> Revisions:
    found = getattr(tx, "_reputation_revisions", None)
    if found is None:
        found = Revisions()
        tx._reputation_revisions = found
        tx.before_commit(found.apply)
    return found


def _move_snapshot(tx, profile: AgentRecord, reputation: Reputation) -> None:
    """The agent's record and matching cards carry the new score (under the record's version, so
    the cards written are the ones its `index_keys` lists now)."""
    from chalicelib.store.marketplace import MatchIndexItem, card_of

    shown = rules.snapshot(reputation)
    tx.update(
        profile,
        actions=[
            AgentRecord.reputation.set(shown),
            AgentRecord.rating_count.set(reputation.ratings),
            AgentRecord.rating_total.set(reputation.total),
        ],
        on_conflict=STALE,
    )
    profile.reputation, profile.rating_count, profile.rating_total = (
        shown,
        reputation.ratings,
        reputation.total,
    )
    if profile.index_keys:
        card = card_of(profile)
        # a card per language listed, 15 at most (vocabulary.LANGUAGE_NAMES): with the evidence
        # item, a history row per week touched (4 at most: a rating and a miss, each withdrawn and
        # added), the record and the event item, one agent's evidence is 22 actions at most
        for key in profile.index_keys:
            pk, sk = key.split("|", 1)
            tx.save(MatchIndexItem(pk, sk, agent_id=profile.agent_id, card=card))


def count(agent: AgentId, kind: Kind, *, at: datetime, event: str) -> bool:
    """Count a breach or an upheld dispute once, in a transaction of its own; False when it was
    counted already."""
    from chalicelib.store.transactions import transaction

    def attempt() -> bool:
        current = standing(agent)
        try:
            with transaction() as tx:
                add(tx, current, kind, at=at, event=event)
        except AlreadyCounted:
            return False
        return True

    return retrying(attempt)


def count_breach(tenant: TenantId, head, agent_id: str | None, deps) -> None:
    """`sla.on_breach`: the agent who missed an inquiry's first-response target (none when it was
    waiting in the queue: nobody missed it) gets a breach on their reputation, once."""
    if not agent_id:
        return
    at = head.breached_at or deps.now()
    if count(AgentId(agent_id), Kind.SLA_BREACH, at=at, event=head.inquiry_id):
        logger.info("a breach counted on the agent's reputation", extra={"inquiry": head.inquiry_id})


# -- recency for the snapshot ----------------------------------------------------------------------

REFRESH_CHUNK = 25  # agents per task of the weekly job


def with_evidence() -> list[str]:
    """Every agent with evidence (the tier list's index holds one item per agent), by id."""
    return sorted(
        r.agent_id for r in ReputationRecord.gsi2.query(REPUTATIONS) if isinstance(r, ReputationRecord)
    )


def refresh(agent: AgentId, *, now: datetime) -> bool:
    """Bring the agent's snapshot to `now`: the same evidence seen from `now` (its weights decayed:
    a score drifts toward the prior while no new evidence comes), written where matching, the next
    clock-in and the tier list read it (the agent's record and matching cards, the evidence item's
    score). The weekly peer-review job runs it for every agent with evidence, so that matching and
    routing weigh recency too. False when the snapshot says so already (a second run at the same
    moment writes nothing); a concurrent rating or review wins, and is read again."""
    from chalicelib.store.transactions import transaction

    def attempt() -> bool:
        current = standing(agent)
        if current.record is None or current.profile is None:
            return False
        reputation = current.evidence.reputation(now)
        score = round(reputation.score * 10_000)
        shown = rules.snapshot(reputation)
        if int(current.record.score or 0) == score and dict(current.profile.reputation or {}) == shown:
            return False
        with transaction() as tx:
            tx.update(
                current.record,
                actions=[
                    ReputationRecord.score.set(score),
                    ReputationRecord.gsi2sk.set(reputation_sk(score, agent)),
                ],
                on_conflict=STALE,
            )
            _move_snapshot(tx, current.profile, reputation)
        return True

    return retrying(attempt)


def register_hooks() -> None:
    """Listen to support's breaches (services/support/listeners.py calls this on first use)."""
    from chalicelib.services.support import sla

    sla.on_breach(count_breach)


# -- reading it -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekRow:
    week: str
    score: float
    ratings: int
    week_ratings: int
    week_good: int
    week_reviews: int
    week_breaches: int
    week_upheld: int


@dataclass(frozen=True)
class Profile:
    """An agent's reputation as pages show it: the score now (decayed to today), its counts, CSAT
    over all ratings, the weeks it moved, and the next tier's rule with whether it is met."""

    agent_id: str
    name: str
    tier: int
    reputation: Reputation
    good_ratings: int
    history: list[WeekRow]
    last_upheld_at: datetime | None
    next_tier: rules.Promotion | None
    qualifies: bool

    @property
    def csat_percent(self) -> int | None:
        share = rules.csat(self.good_ratings, self.reputation.ratings)
        return None if share is None else round(share * 100)


def profile(agent_id: str, *, now: datetime) -> Profile:
    """An agent's reputation (their own pages, the business's view of an approved agent)."""
    agent = AgentId(agent_id)
    current = standing(agent)
    if current.profile is None:
        raise NotFound("no such agent")
    return _profile(current, now=now)


def _profile(current: Standing, *, now: datetime) -> Profile:
    record, agent = current.record, current.profile
    assert agent is not None
    evidence = current.evidence
    reputation = evidence.reputation(now) if record is not None else Reputation()
    history = [
        WeekRow(
            week=row.week,
            score=int(row.score) / 10_000,
            ratings=int(row.ratings),
            week_ratings=int(row.week_ratings),
            week_good=int(row.week_good),
            week_reviews=int(row.week_reviews),
            week_breaches=int(row.week_breaches),
            week_upheld=int(row.week_upheld),
        )
        for row in ReputationWeekRecord.query(
            history_pk(current.agent),
            ReputationWeekRecord.sk.startswith("WEEK#"),
            scan_index_forward=False,
            limit=HISTORY_WEEKS,
        )
        if isinstance(row, ReputationWeekRecord)
    ]
    tier = int(agent.tier or 1)
    last_upheld = record.last_upheld_at if record is not None else None
    rule = rules.PROMOTIONS.get(tier + 1)
    return Profile(
        agent_id=agent.agent_id,
        name=agent.name,
        tier=tier,
        reputation=reputation,
        good_ratings=evidence.good_ratings,
        history=history,
        last_upheld_at=last_upheld,
        next_tier=rule,
        qualifies=rule is not None and rule.met_by(reputation, last_upheld_at=last_upheld, now=now),
    )


@dataclass(frozen=True)
class Candidate:
    agent_id: str
    name: str
    tier: int
    reputation: Reputation
    rule: rules.Promotion
    good_ratings: int = 0


def promotable(*, now: datetime, limit: int = 200) -> list[Candidate]:
    """Approved agents whose reputation meets the next tier's rule, best first. Reads the evidence
    items from the top score down to the lowest score any rule asks (a score only falls toward the
    prior as it ages, so one stored at or above the floor is the only kind that can qualify now),
    then their records in one batch."""
    floor = round(rules.PROMOTION_FLOOR * 10_000)
    found: list[ReputationRecord] = []
    for record in ReputationRecord.gsi2.query(
        REPUTATIONS, ReputationRecord.gsi2sk >= f"{floor:05d}", scan_index_forward=False
    ):
        if isinstance(record, ReputationRecord):
            found.append(record)
        if len(found) >= limit:
            break
    agents = read_batch([(keys.agent_pk(AgentId(r.agent_id)), "AGENT") for r in found])
    out = []
    for record in found:
        agent = agents.get((keys.agent_pk(AgentId(record.agent_id)), "AGENT"), AgentRecord)
        if agent is None or agent.status != "approved":
            continue
        reputation = record.evidence().reputation(now)
        rule = rules.promotion_for(
            reputation, tier=int(agent.tier or 1), last_upheld_at=record.last_upheld_at, now=now
        )
        if rule is not None:
            out.append(
                Candidate(
                    agent.agent_id,
                    agent.name,
                    int(agent.tier or 1),
                    reputation,
                    rule,
                    good_ratings=int(record.good_ratings or 0),
                )
            )
    return sorted(out, key=lambda c: (-c.reputation.score, c.agent_id))
