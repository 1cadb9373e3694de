"""The staffing plan: how many agents a business needs in each hour of the week.

1. **Forecast** (`forecast`): contacts per hour of the week (168 slots, Monday 00:00 first, in
   the business's zone) from the last weeks' counts: each slot's mean over the weeks, scaled by the
   trend of the weekly totals (a least-squares line over the weeks, projected one week ahead,
   clamped to half or double the mean so that a short history cannot run away). Seasonality within
   the week is captured by the slots; seasons longer than the history are not, nor holidays.
2. **Erlang C** (`agents_needed`): an hour with `arrivals` contacts, each needing `handle_seconds`
   of an agent, is a queue with traffic A = arrivals x handle / 3600 erlangs. With N agents the
   chance a contact waits is Erlang C(N, A) (computed through Erlang B's recursion, which stays
   stable for large N), and the share answered within `target_seconds` is
   1 - C(N, A) x exp(-(N - A) x target / handle). The plan takes the fewest N that reaches the
   service level and keeps occupancy A / N at or under `max_occupancy`. Erlang C assumes
   customers never give up and arrivals are Poisson within the hour; for email and chat inquiries
   that wait hours, the occupancy cap usually decides.
3. **Gap**: agents needed minus agents contracted in that hour (from the contracts' coverage).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

HOURS_IN_WEEK = 168


def erlang_c(agents: int, traffic: float) -> float:
    """The probability that a contact waits, with `agents` serving `traffic` erlangs."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    inverse_b = 1.0
    for n in range(1, agents + 1):
        inverse_b = 1.0 + inverse_b * n / traffic
    b = 1.0 / inverse_b
    return agents * b / (agents - traffic * (1 - b))


def service_level(agents: int, traffic: float, *, handle_seconds: float, target_seconds: float) -> float:
    """The share of contacts answered within `target_seconds`."""
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    waiting = erlang_c(agents, traffic)
    return max(0.0, 1 - waiting * math.exp(-(agents - traffic) * target_seconds / handle_seconds))


@dataclass(frozen=True)
class Requirement:
    agents: int
    traffic: float
    service_level: float
    occupancy: float


def agents_needed(
    arrivals: float,
    *,
    handle_seconds: float,
    target_seconds: float,
    target_level: float = 0.8,
    max_occupancy: float = 0.85,
) -> Requirement:
    """The fewest agents for an hour with `arrivals` contacts."""
    if arrivals < 0 or handle_seconds <= 0 or target_seconds <= 0:
        raise ValueError("arrivals, handling time and target must be positive")
    if not 0 < target_level < 1 or not 0 < max_occupancy <= 1:
        raise ValueError("the service level and the occupancy cap are shares between 0 and 1")
    traffic = arrivals * handle_seconds / 3600
    if traffic == 0:
        return Requirement(agents=0, traffic=0.0, service_level=1.0, occupancy=0.0)
    agents = max(1, math.floor(traffic) + 1)
    while (
        service_level(agents, traffic, handle_seconds=handle_seconds, target_seconds=target_seconds)
        < target_level
        or traffic / agents > max_occupancy
    ):
        agents += 1
    level = service_level(agents, traffic, handle_seconds=handle_seconds, target_seconds=target_seconds)
    return Requirement(agents=agents, traffic=traffic, service_level=level, occupancy=traffic / agents)


def forecast(weeks: list[list[int]]) -> list[float]:
    """Contacts expected per hour of next week from past weeks' counts (oldest first), each a list
    of 168 hourly counts."""
    if not weeks:
        return [0.0] * HOURS_IN_WEEK
    for week in weeks:
        if len(week) != HOURS_IN_WEEK:
            raise ValueError("a week has 168 hours")
    means = [sum(week[h] for week in weeks) / len(weeks) for h in range(HOURS_IN_WEEK)]
    totals = [sum(week) for week in weeks]
    mean_total = sum(totals) / len(totals)
    if len(weeks) < 3 or mean_total == 0:
        return means
    xs = list(range(len(totals)))
    x_bar = sum(xs) / len(xs)
    slope = sum((x - x_bar) * (t - mean_total) for x, t in zip(xs, totals, strict=True)) / sum(
        (x - x_bar) ** 2 for x in xs
    )
    projected = mean_total + slope * (len(totals) - x_bar)
    factor = min(2.0, max(0.5, projected / mean_total))
    return [m * factor for m in means]


@dataclass(frozen=True)
class HourPlan:
    hour: int  # 0..167 from Monday 00:00 in the business's zone
    expected: float
    needed: int
    contracted: int

    @property
    def gap(self) -> int:
        """Agents missing (positive) or spare (negative) in this hour."""
        return self.needed - self.contracted


def plan(
    expected: list[float],
    contracted: list[int],
    *,
    handle_seconds: float,
    target_seconds: float,
    target_level: float = 0.8,
    max_occupancy: float = 0.85,
) -> list[HourPlan]:
    if len(expected) != HOURS_IN_WEEK or len(contracted) != HOURS_IN_WEEK:
        raise ValueError("a plan covers the 168 hours of a week")
    return [
        HourPlan(
            hour=h,
            expected=expected[h],
            needed=agents_needed(
                expected[h],
                handle_seconds=handle_seconds,
                target_seconds=target_seconds,
                target_level=target_level,
                max_occupancy=max_occupancy,
            ).agents,
            contracted=contracted[h],
        )
        for h in range(HOURS_IN_WEEK)
    ]


def missing_hours(hours: list[HourPlan]) -> int:
    """Agent-hours a week the business lacks (what a new opening or a surge request would buy)."""
    return sum(max(0, h.gap) for h in hours)
