"""The metrics dashboards (issue 16): the business's figures for a date range, per agent too, an
agent's scorecard, and this week's figures at a glance on the home pages.

A dashboard never reads raw events: it reads the aggregate items the events added to at write
time (store/metrics.py) and computes the figures with domain/metrics.py. The business's dashboard
reads each ISO week wholly inside the range from its week sums (store/metric_weeks.py, kept in the
events' own transactions, so exactly the sum of their days) and only the days at the range's ends
one by one (at most six at each end; domain/metric_weeks.py); its rows by day, up to CHART_DAYS
days, read the business's days. The requests are bounded whatever the number of inquiries:

- the week sums of the whole weeks (business, reason tags, agents): one Query (pages aside);
- the business's days: one Query per stretch of days outside the weeks (two at most), or one for
  the range when the rows are days; the knowledge base's deflection days: one Query;
- its contacts by reason tag on those days: one Query per calendar month of each stretch;
- the agents it contracted and its hours contracted: one Query of its contract items;
- those agents' days outside the weeks: one BatchGetItem (per 100 agent-days);
- the open spike (M1's `open_spikes`) and the business's record (its currency): one request each.

Days are UTC days, as the aggregates are kept. A range is at most MAX_DAYS long; over CHART_DAYS
days the charts and the table go by ISO week (a week is the sum of its days: the aggregates merge
by addition, histograms included), else by day."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, TypeVar

from chalicelib.domain import metrics as rules
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.identity import Principal, PrincipalKind
from chalicelib.domain.metrics import Histogram
from chalicelib.domain.tenancy import AgentId, TenantId

if TYPE_CHECKING:
    from chalicelib.composition import Deps
    from chalicelib.store.contracts import ContractRecord
    from chalicelib.store.metrics import AgentDay, BusinessDay

_Day = TypeVar("_Day", "BusinessDay", "AgentDay")

MAX_DAYS = 366
DEFAULT_DAYS = 28
CHART_DAYS = 92  # up to about a quarter, a point per day; beyond it, a point per ISO week
# Contract states in which the agent has worked (or works) for the business: its dashboard and
# their scorecard are the business's to read. An offer never accepted gives no such right.
WORKED = frozenset({"active", "paused", "ended"})


# -- the date range -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def each_day(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]

    @property
    def by_week(self) -> bool:
        return self.days > CHART_DAYS

    def months(self) -> list[str]:
        """The calendar months the range touches, as yyyy-mm."""
        found: list[str] = []
        for day in self.each_day():
            month = f"{day:%Y-%m}"
            if not found or found[-1] != month:
                found.append(month)
        return found

    def query(self) -> str:
        return f"from={self.first.isoformat()}&to={self.last.isoformat()}"

    def __str__(self) -> str:
        if self.first == self.last:
            return f"{self.first:%d %b %Y}"
        if self.first.year == self.last.year:
            return f"{self.first:%d %b} to {self.last:%d %b %Y}"
        return f"{self.first:%d %b %Y} to {self.last:%d %b %Y}"


def _day(text: str, field_name: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("enter a date like 2026-11-25", field=field_name) from None


def date_range(first: str | None, last: str | None, *, today: date) -> Range:
    """The range asked for (`from`, `to`: ISO dates, both included), or the last DEFAULT_DAYS days
    to today. Refused, with the field named: a date that is not one, an end before the start, a
    range over MAX_DAYS days."""
    end = _day(last, "to") if last else today
    start = _day(first, "from") if first else end - timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise InvalidInput("the end of the range is before its start", field="to")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput(f"a range is at most {MAX_DAYS} days", field="from")
    return Range(start, end)


def this_week(now: datetime) -> Range:
    """Monday of this ISO week (UTC) to today."""
    today = now.date()
    return Range(today - timedelta(days=today.weekday()), today)


# -- figures --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """A business's days added up (aggregates merge by addition)."""

    contacts: int = 0
    first_replies: int = 0
    frt: Histogram = field(default_factory=Histogram)
    resolved: int = 0
    sla_met: int = 0
    sla_breached: int = 0
    csat_ratings: int = 0
    csat_good: int = 0
    nps_promoters: int = 0
    nps_passives: int = 0
    nps_detractors: int = 0
    orders: int = 0
    deflected: int = 0
    help_visits: int = 0
    help_searched: int = 0
    labour_minor: int = 0
    minutes_used: int = 0
    minutes_contracted: int = 0

    @classmethod
    def of(cls, days: Iterable[BusinessDay]) -> Totals:
        total = cls()
        for day in days:
            total = Totals(
                contacts=total.contacts + day.contacts,
                first_replies=total.first_replies + day.first_replies,
                frt=total.frt + day.frt,
                resolved=total.resolved + day.resolved,
                sla_met=total.sla_met + day.sla_met,
                sla_breached=total.sla_breached + day.sla_breached,
                csat_ratings=total.csat_ratings + day.csat_ratings,
                csat_good=total.csat_good + day.csat_good,
                nps_promoters=total.nps_promoters + day.nps_promoters,
                nps_passives=total.nps_passives + day.nps_passives,
                nps_detractors=total.nps_detractors + day.nps_detractors,
                orders=total.orders + day.orders,
                deflected=total.deflected + day.deflected,
                help_visits=total.help_visits + day.help_visits,
                help_searched=total.help_searched + day.help_searched,
                labour_minor=total.labour_minor + day.labour_minor,
                minutes_used=total.minutes_used + day.minutes_used,
                minutes_contracted=total.minutes_contracted + day.minutes_contracted,
            )
        return total


@dataclass(frozen=True)
class Figures:
    """A business's figures for a period (docs/metrics.md states each formula)."""

    totals: Totals
    frt_median_s: float | None
    frt_p90_s: float | None
    csat: Fraction | None  # share of ratings that are 4 or 5
    nps: Fraction | None  # % promoters - % detractors
    intensity: Fraction | None  # contacts per 100 orders
    sla: Fraction | None  # first replies within target / first replies judged
    cost_per_contact: Fraction | None  # minor units
    deflection: Fraction | None  # deflected / help-centre visits that searched

    @property
    def nps_answers(self) -> int:
        t = self.totals
        return t.nps_promoters + t.nps_passives + t.nps_detractors

    @property
    def hours_share(self) -> Fraction | None:
        """Hours used over hours contracted."""
        return rules.ratio(self.totals.minutes_used, self.totals.minutes_contracted)


def figures(totals: Totals) -> Figures:
    t = totals
    return Figures(
        totals=t,
        frt_median_s=t.frt.quantile(Fraction(1, 2)),
        frt_p90_s=t.frt.quantile(Fraction(9, 10)),
        csat=rules.csat(t.csat_good, t.csat_ratings),
        nps=rules.nps(t.nps_promoters, t.nps_passives, t.nps_detractors),
        intensity=rules.contact_intensity(t.contacts, t.orders),
        sla=rules.sla_attainment(t.sla_met, t.sla_breached),
        cost_per_contact=rules.cost_per_contact(t.labour_minor, t.contacts),
        deflection=rules.deflection_rate(t.deflected, t.help_searched),
    )


@dataclass(frozen=True)
class AgentTotals:
    first_replies: int = 0
    frt: Histogram = field(default_factory=Histogram)
    resolved: int = 0
    sla_met: int = 0
    sla_breached: int = 0
    csat_ratings: int = 0
    csat_good: int = 0
    peer_reviews: int = 0
    peer_score_sum: int = 0
    minutes_approved: int = 0
    earnings: Mapping[str, int] = field(default_factory=lambda: {})  # minor units by currency

    @classmethod
    def of(cls, days: Iterable[AgentDay]) -> AgentTotals:
        total = cls()
        for day in days:
            earned = dict(total.earnings)
            for currency, amount in day.earnings.items():
                earned[currency] = earned.get(currency, 0) + amount
            total = AgentTotals(
                first_replies=total.first_replies + day.first_replies,
                frt=total.frt + day.frt,
                resolved=total.resolved + day.resolved,
                sla_met=total.sla_met + day.sla_met,
                sla_breached=total.sla_breached + day.sla_breached,
                csat_ratings=total.csat_ratings + day.csat_ratings,
                csat_good=total.csat_good + day.csat_good,
                peer_reviews=total.peer_reviews + day.peer_reviews,
                peer_score_sum=total.peer_score_sum + day.peer_score_sum,
                minutes_approved=total.minutes_approved + day.minutes_approved,
                earnings=earned,
            )
        return total


@dataclass(frozen=True)
class AgentFigures:
    totals: AgentTotals
    frt_median_s: float | None
    frt_p90_s: float | None
    csat: Fraction | None
    sla: Fraction | None
    peer_score: Fraction | None  # the mean review score, 1 to 5


def agent_figures(totals: AgentTotals) -> AgentFigures:
    t = totals
    return AgentFigures(
        totals=t,
        frt_median_s=t.frt.quantile(Fraction(1, 2)),
        frt_p90_s=t.frt.quantile(Fraction(9, 10)),
        csat=rules.csat(t.csat_good, t.csat_ratings),
        sla=rules.sla_attainment(t.sla_met, t.sla_breached),
        peer_score=peer_score(t.peer_score_sum, t.peer_reviews),
    )


def peer_score(score_sum: int, reviews: int) -> Fraction | None:
    """The mean peer-review score on the 1..5 scale. A review's score is the mean of its three
    criteria (domain/peer_review.Scores.mean), which the agent's days add in hundredths of a point
    (services/metrics/recording.py: 4.33 adds 433)."""
    return Fraction(score_sum, 100 * reviews) if reviews else None


# -- periods (the charts' points and the table's rows) ---------------------------------------------


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    label: str  # "25 Nov" or "Week of 23 Nov"


def periods(window: Range) -> list[Period]:
    """A period per day, or per ISO week (cut to the range) when the range is long."""
    if not window.by_week:
        return [Period(d, d, f"{d:%d %b}") for d in window.each_day()]
    found: list[Period] = []
    start = window.first
    while start <= window.last:
        end = min(window.last, start + timedelta(days=6 - start.weekday()))
        found.append(Period(start, end, f"Week of {start:%d %b}"))
        start = end + timedelta(days=1)
    return found


def _grouped(days: Sequence[_Day], window: Range) -> list[tuple[Period, list[_Day]]]:
    slots = periods(window)
    grouped: list[tuple[Period, list[_Day]]] = [(p, []) for p in slots]
    index = 0
    for day in sorted(days, key=lambda d: d.day):
        while index < len(slots) and day.day > slots[index].last:
            index += 1
        if index < len(slots) and slots[index].first <= day.day:
            grouped[index][1].append(day)
    return grouped


# -- the business's dashboard -----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    period: Period
    figures: Figures


@dataclass(frozen=True)
class ReasonRow:
    reason: str
    contacts: int
    share: Fraction | None  # of the period's contacts
    intensity: Fraction | None  # contacts with this reason per 100 orders


@dataclass(frozen=True)
class AgentRow:
    agent_id: str
    name: str
    figures: AgentFigures
    earnings_minor: int  # in the business's currency: what its contracts paid them


@dataclass(frozen=True)
class BusinessDashboard:
    window: Range
    currency: str
    figures: Figures
    rows: list[Row]
    reasons: list[ReasonRow]
    agents: list[AgentRow]
    spikes: list[Spike]


if TYPE_CHECKING:
    from chalicelib.store.metric_spikes import Spike


def _business(actor: Principal) -> TenantId:
    if actor.kind not in (PrincipalKind.MEMBER, PrincipalKind.API_KEY):
        raise NotFound("no such dashboard")
    return actor.require_tenant()


def _currency(tenant: TenantId, days: Sequence[BusinessDay]) -> str:
    for day in days:
        if day.currency:
            return day.currency
    from chalicelib.store import keys
    from chalicelib.store.identity import TenantRecord

    return TenantRecord.load(keys.tenant_pk(tenant), "TENANT").currency


def contracted_agents(tenant: TenantId, items: Iterable[ContractRecord] | None = None) -> dict[str, str]:
    """The agents who work or worked for the business under a contract, id -> name (one Query of
    its contract items, or `items` read already; offers never accepted do not count)."""
    from chalicelib.store.contracted import contract_items

    found: dict[str, str] = {}
    for item in contract_items(tenant) if items is None else items:
        if item.status in WORKED and item.agent_id not in found:
            found[item.agent_id] = item.agent_name
    return found


def reasons_of(by_day: Mapping[date, Mapping[str, int]], totals: Totals) -> list[ReasonRow]:
    summed: dict[str, int] = {}
    for tags in by_day.values():
        for tag, count in tags.items():
            summed[tag] = summed.get(tag, 0) + count
    return [
        ReasonRow(
            reason=tag,
            contacts=count,
            share=rules.ratio(count, totals.contacts),
            intensity=rules.contact_intensity(count, totals.orders),
        )
        for tag, count in sorted(summed.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def business(actor: Principal, window: Range, *, deps: Deps) -> BusinessDashboard:
    """The business's figures for `window`, by period, by reason tag and per agent (the module's
    docstring counts its requests)."""
    from chalicelib.domain import metric_weeks as weeks
    from chalicelib.store import metric_weeks as week_sums
    from chalicelib.store import metrics as store
    from chalicelib.store.contracted import contract_items

    tenant = _business(actor)
    contracts = contract_items(tenant)  # the hours contracted and the agents, from one Query
    # whole weeks from their sums, the days at the ends one by one (docs/metrics.md "Week sums")
    split = weeks.split(window.first, window.last)
    sums = week_sums.week_sums(tenant, split.weeks)
    # the business's own figures by day when the rows are days, else whole weeks as one each
    by_rows = split if window.by_week else weeks.days_only(window.first, window.last)
    days = week_sums.business_range(tenant, by_rows, sums, contracts=contracts)
    totals = Totals.of(days)
    currency = _currency(tenant, days)
    rows = [Row(period, figures(Totals.of(group))) for period, group in _grouped(days, window)]
    reasons = reasons_of(week_sums.reason_range(tenant, split, sums), totals)
    named = sorted(contracted_agents(tenant, contracts).items(), key=lambda kv: kv[1].lower())
    by_agent = week_sums.agent_ranges(tenant, [agent_id for agent_id, _ in named], split, sums)
    agents = []
    for agent_id, name in named:
        agent_totals = AgentTotals.of(by_agent[agent_id])
        agents.append(
            AgentRow(agent_id, name, agent_figures(agent_totals), agent_totals.earnings.get(currency, 0))
        )
    return BusinessDashboard(
        window=window,
        currency=currency,
        figures=figures(totals),
        rows=rows,
        reasons=reasons,
        agents=agents,
        spikes=store.open_spikes(tenant),
    )


# -- an agent's scorecard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentPeriod:
    period: Period
    figures: AgentFigures


@dataclass(frozen=True)
class Scorecard:
    agent_id: str
    name: str
    window: Range
    figures: AgentFigures
    rows: list[AgentPeriod]
    reputation: list[ReputationWeek]  # oldest first
    business: str | None  # the business whose view this is; None: the agent's own, everywhere

    @property
    def currencies(self) -> list[str]:
        return sorted(self.figures.totals.earnings)


if TYPE_CHECKING:
    from chalicelib.services.reputation import WeekRow as ReputationWeek


def _scorecard(
    agent_id: str, name: str, days: Sequence[AgentDay], window: Range, *, business: str | None, deps: Deps
) -> Scorecard:
    from chalicelib.services import reputation

    try:
        history = list(reversed(reputation.profile(agent_id, now=deps.now()).history))
    except NotFound:
        history = []
    first_week = f"{window.first.isocalendar().year}-W{window.first.isocalendar().week:02d}"
    last_week = f"{window.last.isocalendar().year}-W{window.last.isocalendar().week:02d}"
    return Scorecard(
        agent_id=agent_id,
        name=name,
        window=window,
        figures=agent_figures(AgentTotals.of(days)),
        rows=[AgentPeriod(p, agent_figures(AgentTotals.of(group))) for p, group in _grouped(days, window)],
        reputation=[row for row in history if first_week <= str(row.week) <= last_week],
        business=business,
    )


def agent_for_business(actor: Principal, agent_id: str, window: Range, *, deps: Deps) -> Scorecard:
    """An agent's scorecard as the business sees it: their work for this business. Only an agent
    the business contracted: anyone else is 404, whether or not they exist."""
    from chalicelib.store import metrics as store

    tenant = _business(actor)
    names = contracted_agents(tenant) if agent_id.isalnum() and len(agent_id) <= 64 else {}
    if agent_id not in names:
        raise NotFound("no such agent")
    days = store.agent_days(tenant, AgentId(agent_id), window.first, window.last)
    return _scorecard(agent_id, names[agent_id], days, window, business=tenant.value, deps=deps)


def own_scorecard(actor: Principal, window: Range, *, deps: Deps) -> Scorecard:
    """The agent's own scorecard, across every business they work for."""
    from chalicelib.store import metrics as store

    if actor.kind is not PrincipalKind.AGENT:
        raise NotFound("no such scorecard")
    days = store.agent_own_days(AgentId(actor.id), window.first, window.last)
    return _scorecard(actor.id, actor.name, days, window, business=None, deps=deps)
