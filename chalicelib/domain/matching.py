"""Matching agents and openings, with the reasons for every rank.

Hard filters first (languages at level, tier, the agent's floor within the rate range, one
currency); then a score out of 100 from five components, each shown with its weight and detail:
skills and channels covered, availability overlap in real hours per week (across time zones and
DST), product knowledge, reputation (Bayesian, so a newcomer is neither buried nor inflated) and
rate fit."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction

from chalicelib.domain.money import Money, format_amount
from chalicelib.domain.reputation import Reputation
from chalicelib.domain.schedule import WeeklySchedule, overlap_minutes
from chalicelib.domain.vocabulary import LANGUAGE_NAMES, LEVEL_NAMES, LEVELS, SKILLS

WEIGHTS = {"skills": 30, "availability": 30, "reputation": 20, "products": 10, "rate": 10}
# Overlap is judged over the first weeks a contract would run (DST changes fall inside them).
WEEKS_JUDGED = 8


@dataclass(frozen=True)
class Candidate:
    agent_id: str
    name: str
    headline: str
    languages: dict[str, int]  # code -> level rank
    skills: frozenset[str]
    products: frozenset[str]
    tier: int
    min_rate: Money
    availability: WeeklySchedule
    reputation: Reputation


@dataclass(frozen=True)
class Need:
    opening_id: str
    title: str
    languages: dict[str, int]
    skills: frozenset[str]
    products: frozenset[str]
    tier: int
    rate_min: Money
    rate_max: Money
    minutes_per_week: int | None
    coverage: WeeklySchedule
    start: date


@dataclass(frozen=True)
class Component:
    name: str
    weight: int
    value: Fraction  # 0..1
    detail: str

    @property
    def points(self) -> Fraction:
        return self.value * self.weight


@dataclass(frozen=True)
class Match:
    agent_id: str
    opening_id: str
    score: int  # 0..100
    components: tuple[Component, ...]


def refusals(need: Need, candidate: Candidate) -> list[str]:
    """Why the candidate cannot take the opening at all (empty when they can)."""
    reasons: list[str] = []
    for code, rank in need.languages.items():
        has = candidate.languages.get(code)
        if has is None or has < rank:
            reasons.append(f"needs {LANGUAGE_NAMES.get(code, code)} at {LEVEL_NAMES[LEVELS[rank]]} or above")
    if candidate.tier < need.tier:
        reasons.append(f"needs tier {need.tier}")
    if candidate.min_rate.currency != need.rate_max.currency:
        reasons.append(f"pays in {need.rate_max.currency}, the agent works in {candidate.min_rate.currency}")
    elif candidate.min_rate.minor > need.rate_max.minor:
        reasons.append("the agent's lowest rate is above the range")
    return reasons


def _fraction_of(wanted: frozenset[str], held: frozenset[str]) -> Fraction:
    return Fraction(1) if not wanted else Fraction(len(wanted & held), len(wanted))


def score(need: Need, candidate: Candidate) -> Match:
    missing_skills = sorted(need.skills - candidate.skills)
    skills = Component(
        "skills",
        WEIGHTS["skills"],
        _fraction_of(need.skills, candidate.skills),
        "has every skill asked for"
        if not missing_skills
        else "missing " + ", ".join(SKILLS.get(s, s) for s in missing_skills),
    )
    shared = overlap_minutes(candidate.availability, need.coverage, start=need.start, weeks=WEEKS_JUDGED)
    weekly = Fraction(shared, WEEKS_JUDGED * 60)
    wanted = (
        Fraction(need.minutes_per_week, 60)
        if need.minutes_per_week
        else Fraction(need.coverage.nominal_minutes, 60)
    )
    availability = Component(
        "availability",
        WEIGHTS["availability"],
        min(Fraction(1), weekly / wanted) if wanted else Fraction(0),
        f"{float(weekly):.1f} h/week of the coverage windows (needs {float(wanted):g})",
    )
    missing_products = sorted(need.products - candidate.products)
    products = Component(
        "products",
        WEIGHTS["products"],
        _fraction_of(need.products, candidate.products),
        "knows every product named" if not missing_products else "not " + ", ".join(missing_products),
    )
    reputation = Component(
        "reputation", WEIGHTS["reputation"], candidate.reputation.unit, candidate.reputation.label()
    )
    spread = need.rate_max.minor - need.rate_min.minor
    above = candidate.min_rate.minor - need.rate_min.minor
    fit = (
        Fraction(1)
        if above <= 0
        else (Fraction(0) if spread == 0 else max(Fraction(0), 1 - Fraction(above, spread)))
    )
    rate = Component(
        "rate",
        WEIGHTS["rate"],
        fit,
        "asks at most the low end of the range"
        if above <= 0
        else f"asks {format_amount(above, need.rate_min.currency)} above the low end",
    )
    components = (skills, availability, products, reputation, rate)
    total = sum((c.points for c in components), Fraction(0))
    return Match(candidate.agent_id, need.opening_id, round(total), components)


def rank_agents(need: Need, candidates: list[Candidate]) -> list[Match]:
    by_id = {c.agent_id: c for c in candidates}
    matches = [score(need, c) for c in candidates if not refusals(need, c)]
    # ties: the better-known reputation first, then a stable order
    return sorted(matches, key=lambda m: (-m.score, -by_id[m.agent_id].reputation.score, m.agent_id))


def rank_openings(candidate: Candidate, needs: list[Need]) -> list[Match]:
    matches = [score(n, candidate) for n in needs if not refusals(n, candidate)]
    return sorted(matches, key=lambda m: (-m.score, m.opening_id))


@dataclass(frozen=True)
class Relaxation:
    """One requirement of an opening eased, and how many more agents would then match."""

    requirement: str  # "language", "tier" or "rate"
    change: str  # what to change, in the business's words
    adds: int


def _fits(need: Need, candidate: Candidate) -> bool:
    return not refusals(need, candidate)


def relaxations(need: Need, pool: list[Candidate]) -> list[Relaxation]:
    """For an opening with few or no matches: each hard requirement eased on its own (a language's
    level one step down, a language dropped when others remain, the tier one step down, the top of
    the rate range raised to the lowest rate the agents it keeps out ask), with the number of agents
    of `pool` it would add; those that add none are left out, the most helpful first. `pool` holds
    the agents who could match once a requirement is eased: those who speak any language asked, at
    any level, in the opening's currency."""
    current = {c.agent_id for c in pool if _fits(need, c)}

    def added(eased: Need) -> int:
        return sum(1 for c in pool if c.agent_id not in current and _fits(eased, c))

    found: list[Relaxation] = []
    for code, rank in sorted(need.languages.items()):
        name = LANGUAGE_NAMES.get(code, code)
        if rank > 0:
            lower = {**need.languages, code: rank - 1}
            found.append(
                Relaxation(
                    "language",
                    f"accept {name} at {LEVEL_NAMES[LEVELS[rank - 1]]} instead of {LEVEL_NAMES[LEVELS[rank]]}",
                    added(replace(need, languages=lower)),
                )
            )
        if len(need.languages) > 1:
            rest = {k: v for k, v in need.languages.items() if k != code}
            found.append(
                Relaxation(
                    "language", f"drop {name} from the languages", added(replace(need, languages=rest))
                )
            )
    if need.tier > 1:
        found.append(
            Relaxation(
                "tier",
                f"accept tier {need.tier - 1} instead of {need.tier}",
                added(replace(need, tier=need.tier - 1)),
            )
        )
    currency = need.rate_max.currency
    above = [c for c in pool if c.min_rate.currency == currency and c.min_rate.minor > need.rate_max.minor]
    if above:
        # the agents kept out by the rate alone: they fit once the top reaches what they ask
        ceiling = replace(need, rate_max=Money(max(c.min_rate.minor for c in above), currency))
        asks = sorted(c.min_rate.minor for c in above if c.agent_id not in current and _fits(ceiling, c))
        if asks:
            low, high = format_amount(asks[0], currency), format_amount(asks[-1], currency)
            found.append(
                Relaxation(
                    "rate",
                    f"raise the top of the rate range from {format_amount(need.rate_max.minor, currency)} "
                    f"to {high} {currency.upper()} an hour (agents who fit otherwise ask "
                    + (f"{low}" if low == high else f"{low} to {high}")
                    + ")",
                    len(asks),
                )
            )
    return sorted((r for r in found if r.adds > 0), key=lambda r: -r.adds)
