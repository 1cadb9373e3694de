"""Support metrics as arithmetic on mergeable aggregates (DESIGN.md, "Metrics definitions").

Every figure here is computed from counts, sums and histograms that events add to as they
happen, never from the raw events, so that a dashboard reads a bounded number of small items
whatever the number of inquiries. Aggregates merge by addition: a week is the sum of its days, a
business the sum of its agents.

- **Durations** (first response time) go into a fixed histogram with log-scaled buckets: bucket
  `i` holds durations `d` with BASE**i <= d < BASE**(i+1) seconds (bucket 0 also holds 0 and 1 s).
  A quantile read from it is the geometric middle of its bucket, so it lies within
  `sqrt(BASE) - 1` (4.9 %) of a duration in that bucket: QUANTILE_ERROR.
- **CSAT**: ratings of 4 or 5 over all ratings. **NPS**: % promoters - % detractors.
- **Contact intensity**: contacts / orders x 100 for the period (None when no orders were posted).
- **SLA attainment**: first replies within target over first replies (met + breached).
- **Cost per contact**: labour cost (invoiced for hours and bonuses) / contacts.
- **Spikes**: a period's value above median + SPIKE_MADS x MAD of the baseline (the previous 28
  days, or the same hour of the previous 28 days), and at least SPIKE_FLOOR contacts, so that a
  business with two contacts a day is not alerted by a third. An hour (`hour_spike`) must stand
  out of both the same hour of the day over the previous 28 days and the same hour of the same
  weekday over the previous 4 weeks (a Monday morning is compared with mornings, and with Monday
  mornings), with at least HOUR_SPIKE_FLOOR contacts in the hour.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction

BASE = 1.1
QUANTILE_ERROR = math.sqrt(BASE) - 1
MAX_BUCKET = 200  # 1.1**200 s is about 6 years: nothing waits longer
SPIKE_MADS = 3
SPIKE_FLOOR = 5
BASELINE_DAYS = 28
HOUR_SPIKE_FLOOR = 5
WEEKDAY_WEEKS = 4  # the same hour of the same weekday, this many weeks back


def bucket_of(seconds: int | float) -> int:
    """The histogram bucket a duration falls in."""
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    if seconds < BASE:
        return 0
    return min(MAX_BUCKET, int(math.floor(math.log(seconds) / math.log(BASE) + 1e-9)))


def bucket_middle(index: int) -> float:
    """The geometric middle of bucket `index`, in seconds (what a quantile in it reads as)."""
    if index == 0:
        return 1.0
    return BASE ** (index + 0.5)


@dataclass(frozen=True)
class Histogram:
    """Counts per bucket; merges by addition."""

    counts: Mapping[int, int] = field(default_factory=lambda: {})

    @classmethod
    def of(cls, durations: Iterable[int | float]) -> Histogram:
        counts: dict[int, int] = {}
        for seconds in durations:
            index = bucket_of(seconds)
            counts[index] = counts.get(index, 0) + 1
        return cls(counts)

    def __add__(self, other: Histogram) -> Histogram:
        merged = dict(self.counts)
        for index, count in other.counts.items():
            merged[index] = merged.get(index, 0) + count
        return Histogram(merged)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def quantile(self, q: Fraction | float) -> float | None:
        """The duration (seconds) below which a share `q` of the durations fall; None when empty.
        The nearest-rank definition, read at the bucket's geometric middle."""
        total = self.total
        if total == 0:
            return None
        rank = max(1, math.ceil(float(q) * total))
        seen = 0
        for index in sorted(self.counts):
            seen += self.counts[index]
            if seen >= rank:
                return bucket_middle(index)
        raise AssertionError("unreachable: the ranks add up to the total")

    def to_attributes(self, prefix: str = "frt_b") -> dict[str, int]:
        return {f"{prefix}{index}": count for index, count in self.counts.items() if count}

    @classmethod
    def from_attributes(cls, item: Mapping[str, object], prefix: str = "frt_b") -> Histogram:
        counts: dict[int, int] = {}
        for name, value in item.items():
            if name.startswith(prefix) and name[len(prefix) :].isdigit() and isinstance(value, int | float):
                counts[int(name[len(prefix) :])] = int(value)
        return cls(counts)


def ratio(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator else None


def csat(good: int, ratings: int) -> Fraction | None:
    return ratio(good, ratings)


def nps(promoters: int, passives: int, detractors: int) -> Fraction | None:
    answers = promoters + passives + detractors
    return Fraction(100 * (promoters - detractors), answers) if answers else None


def contact_intensity(contacts: int, orders: int) -> Fraction | None:
    """Contacts per 100 orders."""
    return Fraction(100 * contacts, orders) if orders else None


def sla_attainment(met: int, breached: int) -> Fraction | None:
    return ratio(met, met + breached)


def cost_per_contact(labour_minor: int, contacts: int) -> Fraction | None:
    """In minor units of the business's currency (round only when shown)."""
    return Fraction(labour_minor, contacts) if contacts else None


def deflection_rate(deflected: int, searching_visits: int) -> Fraction | None:
    return ratio(deflected, searching_visits)


# -- spikes ---------------------------------------------------------------------------------------


def median(values: list[Fraction]) -> Fraction:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True)
class Spike:
    value: Fraction
    baseline: Fraction  # the median
    threshold: Fraction  # median + 3 MAD

    @property
    def times_baseline(self) -> Fraction | None:
        return self.value / self.baseline if self.baseline else None


def _baseline(history: Sequence[Fraction | int]) -> tuple[Fraction, Fraction]:
    """The median of `history` and median + SPIKE_MADS x MAD (the median absolute deviation)."""
    values = [Fraction(v) for v in history]
    centre = median(values)
    mad = median([abs(v - centre) for v in values])
    return centre, centre + SPIKE_MADS * mad


def spike(value: Fraction | int, history: list[Fraction | int], *, contacts: int) -> Spike | None:
    """A Spike when `value` stands out of `history` (the baseline periods), else None. Needs a
    week of history at least; a flat history (MAD 0) alerts on anything above it."""
    if len(history) < 7 or contacts < SPIKE_FLOOR:
        return None
    centre, threshold = _baseline(history)
    current = Fraction(value)
    if current > threshold:
        return Spike(value=current, baseline=centre, threshold=threshold)
    return None


def hour_spike(contacts: int, same_hour: Sequence[int], same_weekday_hour: Sequence[int]) -> Spike | None:
    """An hour's contacts against two baselines (`hour_history` makes them): the same hour of the
    day on each of the previous 28 days (a week of them at least), and the same hour of the same
    weekday in the previous 4 weeks (those there are). A Spike when the hour is above median + 3
    MAD of both and has at least HOUR_SPIKE_FLOOR contacts; its baseline and threshold are those
    of the higher threshold. So an hour that is busy every Monday does not alert on a Monday, and
    a quiet business's hour of 2 contacts where 0 is usual never alerts."""
    if contacts < HOUR_SPIKE_FLOOR or len(same_hour) < 7:
        return None
    baselines = [_baseline(same_hour)]
    if same_weekday_hour:
        baselines.append(_baseline(same_weekday_hour))
    centre, threshold = max(baselines, key=lambda b: (b[1], b[0]))
    if contacts > threshold:
        return Spike(value=Fraction(contacts), baseline=centre, threshold=threshold)
    return None


def hour_history(
    counts: Mapping[datetime, int], hour: datetime, *, since: date | None
) -> tuple[list[int], list[int]]:
    """The two baselines of `hour` from contacts per hour (`counts`, hours with none absent): the
    same hour on each of the BASELINE_DAYS days before, and on the same weekday of the
    WEEKDAY_WEEKS weeks before, leaving out the days before `since` (the business's first day
    with contacts: before it, a quiet hour is no baseline)."""
    days = [
        hour - timedelta(days=n)
        for n in range(1, BASELINE_DAYS + 1)
        if since is not None and (hour - timedelta(days=n)).date() >= since
    ]
    same_hour = [counts.get(h, 0) for h in days]
    same_weekday = [
        counts.get(h, 0) for h in days if (hour - h).days % 7 == 0 and (hour - h).days <= 7 * WEEKDAY_WEEKS
    ]
    return same_hour, same_weekday


def last_complete_hour(at: datetime) -> datetime:
    """The last whole hour before `at` (its start): what the hourly job looks at."""
    return at.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)


def complete_hours(at: datetime, first: date, last: date) -> list[datetime]:
    """Every whole hour (its start, UTC) of the days `first` to `last` that ended by `at`."""
    start = datetime.combine(first, datetime.min.time(), tzinfo=at.tzinfo)
    hours: list[datetime] = []
    hour = start
    while hour.date() <= last and hour + timedelta(hours=1) <= at:
        hours.append(hour)
        hour += timedelta(hours=1)
    return hours


def drivers(now: Mapping[str, int], before: Mapping[str, list[int]], *, top: int = 3) -> list[str]:
    """The reason tags that grew most against their own baseline median (what drove a spike)."""
    growth: list[tuple[Fraction, str]] = []
    for tag, count in now.items():
        usual = median([Fraction(v) for v in before.get(tag, [])] or [Fraction(0)])
        if count > usual:
            growth.append((count - usual, tag))
    return [tag for _, tag in sorted(growth, key=lambda g: (-g[0], g[1]))[:top]]
