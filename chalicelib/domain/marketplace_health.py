"""The operators' marketplace health (issue 16): the rules that turn the platform's counters into
figures. Pure arithmetic on what events added as they happened (store/platform_metrics.py).

- **GMV**: what businesses were invoiced (invoice totals, client fee included), on the day the
  invoice was finalised, per currency (never summed across currencies).
- **Platform revenue**: the fees the ledger recognises (the client fee and the agent fee), on the
  day the payout run recognises them, less the fees it gives back (a refund after payout returns
  the fees on its minutes), on the day of the refund: `revenue_of`, the ledger's revenue account.
  A refund does not lower GMV or what was paid (they say what was invoiced and paid, on their
  days): it lowers revenue, and so the take rate. **Take rate** = revenue / GMV, per currency.
- **Fill rate** = openings filled / openings posted in the period; **applications per opening**
  = applications / openings posted.
- **Time to hire**: an opening's posting to its first accepted offer; **time to fill**: to the
  acceptance that takes its last seat. Kept as log-scaled histograms (domain/metrics.Histogram),
  so medians and p90s are within 4.9 %, and as sums and counts for the mean.
- **Active**: a business or agent with a logged entry (or, for a business, an invoice) on a day
  of the period.
- **Churn**: an entity is lost once CHURN_DAYS days pass without activity after it was active.
  Over a period [first, last]: the base is every entity active in the CHURN_DAYS days before
  `first`; those of them whose last activity up to `last` is CHURN_DAYS or more days before
  `last` churned. Rate = churned / base.
- **Lifetime value** per side = revenue per active entity in the period / the period's churn
  rate (expected lifetime ≈ period / churn rate, and the period cancels out). None without churn.
- **Funnels**: the businesses (signup → card on file → first opening → first hire) and agents
  (signup → approved → payouts enabled → first contract) of the signup months in the period,
  each stage counted once per entity; drop-off is the share lost from the stage before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from chalicelib.domain.ledger import Posting

CHURN_DAYS = 30
REVENUE_ACCOUNT = "revenue"  # the ledger's account of the platform's fees (domain/ledger.py)
MAX_DAYS = 366 * 2  # the longest period a request may ask for

BUSINESS = "B"
AGENT = "A"
SIDES = (BUSINESS, AGENT)
STAGES: Mapping[str, tuple[str, ...]] = {
    BUSINESS: ("signup", "card", "opening", "hire"),
    AGENT: ("signup", "approved", "payouts", "contract"),
}
STAGE_LABELS: Mapping[str, str] = {
    "signup": "Signed up",
    "card": "Card on file",
    "opening": "Posted an opening",
    "hire": "Hired",
    "approved": "Approved",
    "payouts": "Payouts enabled",
    "contract": "First contract",
}


def ratio(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator else None


def take_rate(revenue_minor: int, gmv_minor: int) -> Fraction | None:
    return ratio(revenue_minor, gmv_minor)


def fill_rate(filled: int, posted: int) -> Fraction | None:
    return ratio(filled, posted)


def per_opening(applications: int, openings: int) -> Fraction | None:
    return ratio(applications, openings)


def mean(total: int, count: int) -> Fraction | None:
    return ratio(total, count)


def revenue_of(postings: Iterable[Posting]) -> dict[str, int]:
    """The platform revenue ledger postings recognise, per currency (currencies with none left
    out): their amounts on the revenue account, negated (the ledger credits revenue, and credits
    are negative). A fee kept adds; a fee given back takes away. The counting as journals are
    written and the backfill from stored postings both go by this."""
    found: dict[str, int] = {}
    for posting in postings:
        if posting.account == REVENUE_ACCOUNT and posting.amount:
            found[posting.currency] = found.get(posting.currency, 0) - posting.amount
    return {currency: amount for currency, amount in found.items() if amount}


# -- periods ----------------------------------------------------------------------------------------


def check_period(first: date, last: date) -> None:
    if last < first:
        raise ValueError("the period ends before it starts")
    if (last - first).days + 1 > MAX_DAYS:
        raise ValueError(f"a period is at most {MAX_DAYS} days")


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months(first: date, last: date) -> list[str]:
    """The months `first` to `last` touch, oldest first: '2026-05', '2026-06'."""
    found: list[str] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# -- counters ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counters:
    """Named integer counters (a platform day, or a sum of days); merge by addition. Money is kept
    as `<name>_<currency>` (gmv_usd), so currencies never mix."""

    values: Mapping[str, int] = field(default_factory=lambda: {})

    def __add__(self, other: Counters) -> Counters:
        merged = dict(self.values)
        for name, value in other.values.items():
            merged[name] = merged.get(name, 0) + value
        return Counters(merged)

    def get(self, name: str) -> int:
        return self.values.get(name, 0)

    def money(self, name: str) -> dict[str, int]:
        """{currency: minor units} of a money counter."""
        prefix = name + "_"
        return {
            key[len(prefix) :]: value
            for key, value in self.values.items()
            if key.startswith(prefix) and key[len(prefix) :].isalpha() and value
        }


def total(counters: Iterable[Counters]) -> Counters:
    summed = Counters()
    for one in counters:
        summed = summed + one
    return summed


# -- funnels and cohorts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    stage: str
    count: int
    of_first: Fraction | None  # share of the first stage that got this far
    drop_off: Fraction | None  # share of the stage before that did not get here (None for the first)


def funnel(stages: Sequence[tuple[str, int]]) -> list[FunnelStep]:
    steps: list[FunnelStep] = []
    first = stages[0][1] if stages else 0
    previous: int | None = None
    for stage, count in stages:
        drop = None if previous is None else ratio(previous - count, previous)
        steps.append(FunnelStep(stage, count, ratio(count, first), drop))
        previous = count
    return steps


@dataclass(frozen=True)
class CohortRow:
    month: str
    steps: list[FunnelStep]

    @property
    def signups(self) -> int:
        return self.steps[0].count if self.steps else 0


def cohorts(side: str, by_month: Mapping[str, Mapping[str, int]], wanted: Sequence[str]) -> list[CohortRow]:
    """One row per signup month in `wanted`: how many reached each stage (so far)."""
    return [
        CohortRow(month, funnel([(stage, by_month.get(month, {}).get(stage, 0)) for stage in STAGES[side]]))
        for month in wanted
    ]


def side_funnel(side: str, rows: Sequence[CohortRow]) -> list[FunnelStep]:
    """The cohorts of the period taken together."""
    return funnel([(stage, sum(row.steps[i].count for row in rows)) for i, stage in enumerate(STAGES[side])])


# -- activity, churn and lifetime value ------------------------------------------------------------------


def active(activity: Mapping[str, Iterable[date]], first: date, last: date) -> int:
    """How many entities have a day of activity within [first, last]."""
    return sum(1 for seen in activity.values() if any(first <= day <= last for day in seen))


@dataclass(frozen=True)
class Churn:
    base: int  # active in the CHURN_DAYS days before the period
    churned: int  # of those, silent for CHURN_DAYS days by the period's last day

    @property
    def rate(self) -> Fraction | None:
        return ratio(self.churned, self.base)


def churn(activity: Mapping[str, Iterable[date]], first: date, last: date) -> Churn:
    """`activity` must hold every day from first - CHURN_DAYS to last."""
    window_start = first - timedelta(days=CHURN_DAYS)
    silent_since = last - timedelta(days=CHURN_DAYS)
    base = churned = 0
    for seen in activity.values():
        known = [day for day in seen if day <= last]
        if not any(window_start <= day < first for day in known):
            continue
        base += 1
        if max(known) <= silent_since:
            churned += 1
    return Churn(base, churned)


def lifetime_value(revenue_minor: int, active_count: int, churn_rate: Fraction | None) -> Fraction | None:
    """Revenue per active entity over the period, divided by the period's churn rate (minor units
    of one currency; rounded only when shown)."""
    if not active_count or not churn_rate:
        return None
    return Fraction(revenue_minor, active_count) / churn_rate
