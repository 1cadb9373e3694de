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
  business with two contacts a day is not alerted by a third.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

BASE = 1.1
QUANTILE_ERROR = math.sqrt(BASE) - 1
MAX_BUCKET = 200  # 1.1**200 s is about 6 years: nothing waits longer
SPIKE_MADS = 3
SPIKE_FLOOR = 5
BASELINE_DAYS = 28


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


def spike(value: Fraction | int, history: list[Fraction | int], *, contacts: int) -> Spike | None:
    """A Spike when `value` stands out of `history` (the baseline periods), else None. Needs a
    week of history at least; a flat history (MAD 0) alerts on anything above it."""
    if len(history) < 7 or contacts < SPIKE_FLOOR:
        return None
    values = [Fraction(v) for v in history]
    centre = median(values)
    mad = median([abs(v - centre) for v in values])
    threshold = centre + SPIKE_MADS * mad
    current = Fraction(value)
    if current > threshold:
        return Spike(value=current, baseline=centre, threshold=threshold)
    return None


def drivers(now: Mapping[str, int], before: Mapping[str, list[int]], *, top: int = 3) -> list[str]:
    """The reason tags that grew most against their own baseline median (what drove a spike)."""
    growth: list[tuple[Fraction, str]] = []
    for tag, count in now.items():
        usual = median([Fraction(v) for v in before.get(tag, [])] or [Fraction(0)])
        if count > usual:
            growth.append((count - usual, tag))
    return [tag for _, tag in sorted(growth, key=lambda g: (-g[0], g[1]))[:top]]
