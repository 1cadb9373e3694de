"""This week at a glance, for the business's and the agent's home pages (issue 16): hours used
against hours contracted, open inquiries, first response time, CSAT, spend or earnings, and the
next thing to do.

"This week" is the billing week (ISO, UTC) so far. Its hours are the time logged on the week's
timesheets (what the week will bill), since approved time, which the aggregates count, only comes
after the week's review; its response time and CSAT come from the aggregates' days. Every read is
a fixed handful of requests whatever the account's size: the week's days (two Queries), the
contracts (one Query) and their timesheets (one BatchGetItem), the open queue (a COUNT Query)."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from chalicelib.domain.errors import Forbidden
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.tenancy import AgentId

if TYPE_CHECKING:
    from chalicelib.composition import Deps

NEARLY_USED = Fraction(9, 10)  # at 90 % of the contracted hours, buying more is the next step


@dataclass(frozen=True)
class Step:
    label: str
    detail: str
    href: str


@dataclass(frozen=True)
class Glance:
    minutes_used: int  # logged this week
    minutes_contracted: int  # the live contracts' weekly caps
    open_inquiries: int
    frt_median_s: float | None
    csat: Fraction | None
    csat_ratings: int
    money: dict[str, int] = field(default_factory=lambda: {})  # spend or earnings so far, by currency
    steps: list[Step] = field(default_factory=lambda: [])

    @property
    def next_step(self) -> Step | None:
        return self.steps[0] if self.steps else None

    @property
    def used_share(self) -> Fraction | None:
        return Fraction(self.minutes_used, self.minutes_contracted) if self.minutes_contracted else None


def _week_figures(days) -> tuple[float | None, Fraction | None, int]:
    from chalicelib.domain import metrics as rules
    from chalicelib.domain.metrics import Histogram

    frt, good, ratings = Histogram(), 0, 0
    for day in days:
        frt, good, ratings = frt + day.frt, good + day.csat_good, ratings + day.csat_ratings
    return frt.quantile(Fraction(1, 2)), rules.csat(good, ratings), ratings


def business(actor: Principal, *, deps: Deps) -> Glance:
    """The business's week so far, and what to do next (the most pressing first)."""
    from chalicelib.domain.time import BillingWeek
    from chalicelib.services import timesheets
    from chalicelib.services.invoicing import planning
    from chalicelib.services.metrics import dashboards
    from chalicelib.store import metrics as store
    from chalicelib.store.support import QueueItem, queue_pk
    from chalicelib.web import nav

    tenant = actor.require_tenant()
    now = deps.now()
    window = dashboards.this_week(now)
    frt, csat, ratings = _week_figures(store.business_days(tenant, window.first, window.last))
    rows = timesheets.overview(actor, BillingWeek.containing(now), deps=deps)
    live = [r.contract for r in rows if r.contract.status == "active"]
    used = sum(r.logged for r in rows)
    contracted = sum(int(c.weekly_cap_minutes or 0) for c in live if c.contract_kind == "hourly")
    open_count = QueueItem.count(queue_pk(tenant))
    estimate = planning.estimate(actor, deps=deps)
    glance = Glance(
        minutes_used=used,
        minutes_contracted=contracted,
        open_inquiries=open_count,
        frt_median_s=frt,
        csat=csat,
        csat_ratings=ratings,
        money={estimate.currency: estimate.total},
    )
    steps: list[Step] = []
    spikes = store.open_spikes(tenant, limit=1)
    if spikes:
        steps.append(Step("Look at the spike in contacts", _spike_detail(spikes[0]), "/app/metrics"))
    waiting = nav.timesheets_to_review(actor, deps).get("/app/timesheets", 0)
    if waiting:
        steps.append(
            Step(
                "Review last week's timesheets",
                f"{waiting} waiting for your decision before Saturday",
                "/app/timesheets",
            )
        )
    if open_count:
        steps.append(Step("Answer the open inquiries", f"{open_count} in the queue", "/app/inquiries"))
    if not live:
        steps.append(Step("Post an opening", "No agent is working for you this week", "/app/openings/new"))
    elif glance.used_share is not None and glance.used_share >= NEARLY_USED:
        steps.append(
            Step(
                "Add hours before they run out",
                f"{used // 60} h of {contracted // 60} h used this week",
                "/app/contracts",
            )
        )
    steps.append(Step("See the metrics", "Figures and charts for any period", "/app/metrics"))
    return Glance(**{**glance.__dict__, "steps": steps})


def _spike_detail(spike) -> str:
    drivers = f", driven by {', '.join(spike.drivers)}" if spike.drivers else ""
    hour = f" {spike.starts_at:%H:%M}–{spike.ends_at:%H:%M} UTC" if spike.hour is not None else ""
    return f"On {spike.day:%a %d %b}{hour}{drivers}"


def agent(actor: Principal, *, deps: Deps) -> Glance:
    """The agent's week so far across their contracts, and what to do next."""
    from chalicelib.domain.time import BillingWeek
    from chalicelib.services import earnings, peer_review
    from chalicelib.services.contracts import records
    from chalicelib.services.metrics import dashboards
    from chalicelib.services.support import lists
    from chalicelib.store import metrics as store

    if actor.kind is not PrincipalKind.AGENT:
        raise Forbidden("the week at a glance is the agent's own")
    now = deps.now()
    window = dashboards.this_week(now)
    frt, csat, ratings = _week_figures(store.agent_own_days(AgentId(actor.id), window.first, window.last))
    week = BillingWeek.containing(now)
    contracts = records.listed(actor)
    live = [c for c in contracts if records.status_of(c, now).value == "active"]
    offers = [c for c in contracts if records.status_of(c, now).value == "offered"]
    found = earnings.earnings(actor, deps=deps)
    this_week = [w for w in found.weeks if w.week == week]
    money: dict[str, int] = {}
    for row in this_week:
        money[row.contract.currency] = money.get(row.contract.currency, 0) + row.amount
    used = sum(w.minutes for w in this_week)
    contracted = sum(int(c.weekly_cap_minutes or 0) for c in live if c.contract_kind == "hourly")
    queue = lists.my_queue(actor)
    steps: list[Step] = []
    if offers:
        steps.append(Step("Answer your offers", f"{len(offers)} waiting for your answer", "/agent/contracts"))
    if queue:
        steps.append(Step("Answer your open inquiries", f"{len(queue)} assigned to you", "/agent/inquiries"))
    reviews = len(peer_review.to_do(actor))
    if reviews:
        steps.append(Step("Review your peers' replies", f"{reviews} to score this week", "/agent/reviews"))
    if live and not used:
        steps.append(Step("Log your time", "Nothing logged this week yet", "/agent/diary"))
    steps.append(Step("See your scorecard", "Your figures and reputation over time", "/agent/scorecard"))
    return Glance(
        minutes_used=used,
        minutes_contracted=contracted,
        open_inquiries=len(queue),
        frt_median_s=frt,
        csat=csat,
        csat_ratings=ratings,
        money=money,
        steps=steps,
    )
