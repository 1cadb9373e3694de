"""What each counted event adds to the metrics aggregates (notes/metrics-design.md), called by the
service that records the event, INSIDE its transaction: `recording.inquiry_created(tx, ...)`.

The counts join the transaction's metric writes (store/metric_writes.py `pending`), merged into one
update per aggregate item just before it commits, so the figure moves with the event or not at all:
an event its own condition refuses (a second rating of one inquiry, a retried reply) counts nothing.
Every day and hour is UTC.

| event                       | business day                        | elsewhere                     |
|-----------------------------|-------------------------------------|-------------------------------|
| inquiry created             | contacts, ch_<channel>, src_<source>| hour; reason day and reason   |
|                             |                                     |   hour (contacts)             |
| first reply                 | first_replies, frt_sum_s, frt_b<i>, | the replying agent's days     |
|                             |   sla_met or sla_breached           |   (same)                      |
| resolved                    | resolved                            | reason day; the agent's days  |
| SLA breached (the job)      | sla_breached                        | the agent who missed it       |
| a helpdesk ticket's SLA     | sla_met (the reply's day) or        | the first reply's agent       |
|   outcome                   |   sla_breached (the due time's day) |                               |
| CSAT rating                 | csat_ratings, csat_good (4 or 5)    | the rated agent's days        |
| NPS answer                  | nps_promoters/passives/detractors   |                               |
| peer review scored          |                                     | the reviewed agent's days:    |
|                             |                                     |   peer_reviews, peer_score_sum|
| minutes approved            | minutes_used (the entry's day)      | the agent's minutes_approved  |
| invoice finalised           | labour_minor (hours, bonus and block| each agent's earn_<currency>  |
|                             |   lines) on the billed week's Monday|   (the gross of their lines)  |
| agents' lines refunded      | labour_minor, less, on that Monday  | the agent's earn_<currency>,  |
|   (upheld, unused, clawback)|   too                               |   less                        |

Labour cost is what the business was invoiced for hours, bonuses and blocks in the period
(DESIGN.md "Metrics definitions"), the period being the week an invoice bills: a refund of an
agent's line (minutes upheld in a dispute, refunded by the payout run; a block's minutes unused
when it ends; a refund after payout) lowers what the business was invoiced for that week, so it
is taken off the day its line was counted on, with the agent's earnings, in the refund's own
transaction (`labour_refunded`).

SLA: an inquiry's outcome is counted once. A first reply at or before its due time is met; a late
first reply that the sla-check job has not marked yet is breached (the job's mark needs no first
reply, so it will not count it again); one the job marked was counted by the mark. A helpdesk
ticket's outcome is counted apart from its first reply (`sla_outcome`, moved by the difference
from what was counted before: services/support/helpdesk_sla.py), since its events come in any
order and a reply may arrive after the job counted its ticket late.

Peer scores are summed in hundredths of a point (a mean of 4.33 adds 433).

`sign=-1` takes back what a call added (a helpdesk integration's ticket whose later events move its
creation, first reply, resolution or rating: services/support/helpdesk_counts.py moves the figures
by the difference, so that its events in any order count once)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from fractions import Fraction

from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.store import metric_writes as writes

LABOUR_KINDS = ("hours", "bonus", "block")


def _seconds(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds()))


def inquiry_created(
    tx, tenant: TenantId, *, at: datetime, channel: str, source: str, reason: str | None, sign: int = 1
) -> None:
    pending = writes.pending(tx)
    writes.day_update(pending, tenant, at, {"contacts": sign, f"ch_{channel}": sign, f"src_{source}": sign})
    writes.hour_update(pending, tenant, at, sign)
    if reason:
        writes.reason_update(pending, tenant, at, reason, {"contacts": sign})
        writes.hour_reason_update(pending, tenant, at, reason, sign)


def first_reply(
    tx,
    tenant: TenantId,
    *,
    created_at: datetime,
    at: datetime,
    agent: str | None,
    due_at: datetime | None,
    breached_at: datetime | None,
    sign: int = 1,
) -> None:
    """The inquiry's first reply to its customer, `at`, by `agent` (None: a member of the team)."""
    counts = writes.frt_counts(_seconds(created_at, at))
    if breached_at is None and due_at is not None:
        counts["sla_met" if at <= due_at else "sla_breached"] = 1
    counts = {name: sign * count for name, count in counts.items()}
    pending = writes.pending(tx)
    writes.day_update(pending, tenant, at, counts)
    if agent:
        writes.agent_update(pending, tenant, AgentId(agent), at, counts)


def resolved(
    tx, tenant: TenantId, *, at: datetime, agent: str | None, reason: str | None, sign: int = 1
) -> None:
    pending = writes.pending(tx)
    writes.day_update(pending, tenant, at, {"resolved": sign})
    if reason:
        writes.reason_update(pending, tenant, at, reason, {"resolved": sign})
    if agent:
        writes.agent_update(pending, tenant, AgentId(agent), at, {"resolved": sign})


def sla_breached(tx, tenant: TenantId, *, at: datetime, agent: str | None) -> None:
    pending = writes.pending(tx)
    writes.day_update(pending, tenant, at, {"sla_breached": 1})
    if agent:
        writes.agent_update(pending, tenant, AgentId(agent), at, {"sla_breached": 1})


def sla_outcome(tx, tenant: TenantId, *, at: datetime, met: bool, agent: str | None, sign: int = 1) -> None:
    """A first-response target met or missed, counted at `at`, for `agent` too when one is named."""
    counts = {"sla_met" if met else "sla_breached": sign}
    pending = writes.pending(tx)
    writes.day_update(pending, tenant, at, counts)
    if agent:
        writes.agent_update(pending, tenant, AgentId(agent), at, counts)


def csat_rating(tx, tenant: TenantId, *, at: datetime, agent: str | None, score: int, sign: int = 1) -> None:
    counts = {"csat_ratings": sign, "csat_good": sign if score >= 4 else 0}
    pending = writes.pending(tx)
    writes.day_update(pending, tenant, at, counts)
    if agent:
        writes.agent_update(pending, tenant, AgentId(agent), at, counts)


def nps_answer(tx, tenant: TenantId, *, at: datetime, score: int) -> None:
    group = "nps_promoters" if score >= 9 else "nps_passives" if score >= 7 else "nps_detractors"
    writes.day_update(writes.pending(tx), tenant, at, {group: 1})


def peer_review(tx, tenant: TenantId, *, at: datetime, agent: str, mean: Fraction) -> None:
    hundredths = round(Fraction(mean) * 100)  # half to even
    writes.agent_update(
        writes.pending(tx), tenant, AgentId(agent), at, {"peer_reviews": 1, "peer_score_sum": hundredths}
    )


def minutes_approved(tx, tenant: TenantId, *, agent: str, by_day: Iterable[tuple[date, int]]) -> None:
    """Minutes of the agent's entries approved, each on its entry's (UTC start) day."""
    pending = writes.pending(tx)
    for day, minutes in by_day:
        if minutes:
            writes.day_update(pending, tenant, day, {"minutes_used": minutes})
            writes.agent_update(pending, tenant, AgentId(agent), day, {"minutes_approved": minutes})


def invoice_finalised(
    tx, tenant: TenantId, *, week_starts: date, currency: str, lines: Iterable[tuple[str, str | None, int]]
) -> None:
    """An invoice's lines (kind, agent, amount) count as labour cost of the week they bill (on its
    first day) and as their agents' earnings there."""
    labour = 0
    earned: dict[str, int] = {}
    for kind, agent, amount in lines:
        if kind not in LABOUR_KINDS:
            continue
        labour += amount
        if agent:
            earned[agent] = earned.get(agent, 0) + amount
    if not labour:
        return
    pending = writes.pending(tx)
    writes.day_update(pending, tenant, week_starts, {"labour_minor": labour}, currency=currency)
    for agent, amount in earned.items():
        writes.agent_update(pending, tenant, AgentId(agent), week_starts, {f"earn_{currency}": amount})


def labour_refunded(
    tx, tenant: TenantId, week_starts: date, currency: str, by_agent: Mapping[str, int]
) -> None:
    """Agents' lines refunded to the business (`by_agent`: agent -> amount, before any fee) come off
    the labour cost and those agents' earnings of the week the invoice bills (on its first day,
    where `invoice_finalised` counted them)."""
    refunded = {agent: amount for agent, amount in by_agent.items() if amount}
    if not refunded:
        return
    pending = writes.pending(tx)
    writes.day_update(
        pending, tenant, week_starts, {"labour_minor": -sum(refunded.values())}, currency=currency
    )
    for agent, amount in refunded.items():
        writes.agent_update(pending, tenant, AgentId(agent), week_starts, {f"earn_{currency}": -amount})
