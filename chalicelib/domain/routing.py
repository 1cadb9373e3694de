"""Smart routing: which agent on shift takes a new inquiry, and why.

Only agents on shift for the business (clocked in on an active contract with it) are candidates.
Each must speak the inquiry's language at the business's level or above, cover its channel, and
have the tier its reason needs. Among those who pass, the one with the fewest open inquiries
takes it; ties go to the better reputation, then to whoever waited longest since their last
assignment (so two equal agents share the work), then to the agent id (so the same facts always
give the same answer). Every candidate's verdict is kept with the decision, as matching keeps the
components of a rank: a business asking "why did Lia get this one?" gets an answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from chalicelib.domain.vocabulary import LEVELS, language_name, level_name

# An agent helps a customer in a language they speak at B2 or above unless the business says
# otherwise (its support settings).
DEFAULT_LANGUAGE_LEVEL = LEVELS.index("b2")


@dataclass(frozen=True)
class OnShift:
    """An agent on shift for the business, as routing sees them."""

    agent_id: str
    name: str
    languages: dict[str, int]  # code -> level rank (vocabulary.LEVELS)
    channels: frozenset[str]
    tier: int
    open_inquiries: int
    reputation: Fraction  # 0..1
    last_assigned_at: datetime | None = None


@dataclass(frozen=True)
class Need:
    """What an inquiry asks of the agent who takes it."""

    language: str
    channel: str
    tier: int
    language_level: int = DEFAULT_LANGUAGE_LEVEL
    # Agents it must not go to (the one it breached its SLA with, when re-routing).
    excluding: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Verdict:
    agent_id: str
    name: str
    refusals: tuple[str, ...]  # why they cannot take it; empty when they can
    open_inquiries: int
    reputation: Fraction
    rank: int | None = None  # 1 for the chosen one, among those who could

    @property
    def eligible(self) -> bool:
        return not self.refusals

    def reason(self) -> str:
        if self.refusals:
            return "; ".join(self.refusals)
        return (
            f"{self.open_inquiries} open inquir{'y' if self.open_inquiries == 1 else 'ies'}, "
            f"reputation {float(self.reputation) * 100:.0f}/100"
        )


@dataclass(frozen=True)
class Decision:
    need: Need
    chosen: str | None
    verdicts: tuple[Verdict, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        if self.chosen is not None:
            winner = next(v for v in self.verdicts if v.agent_id == self.chosen)
            return f"to {winner.name}: {winner.reason()}"
        if not self.verdicts:
            return "nobody is on shift: waits in the queue"
        return "nobody on shift fits: waits in the queue"


def refusals(need: Need, agent: OnShift) -> list[str]:
    reasons: list[str] = []
    if agent.agent_id in need.excluding:
        reasons.append("missed this inquiry's first-response target")
    level = agent.languages.get(need.language)
    if level is None:
        reasons.append(f"does not speak {language_name(need.language)}")
    elif level < need.language_level:
        reasons.append(
            f"speaks {language_name(need.language)} at {level_name(level)}, "
            f"below {level_name(need.language_level)}"
        )
    if need.channel not in agent.channels:
        reasons.append(f"does not list {need.channel} among their channels")
    if agent.tier < need.tier:
        reasons.append(f"tier {agent.tier}, the reason needs tier {need.tier}")
    return reasons


def route(need: Need, on_shift: list[OnShift]) -> Decision:
    """The agent who takes an inquiry needing `need`, with every candidate's verdict."""
    eligible = [a for a in on_shift if not refusals(need, a)]
    ordered = sorted(
        eligible,
        key=lambda a: (
            a.open_inquiries,
            -a.reputation,
            a.last_assigned_at is not None,  # never assigned yet goes first
            a.last_assigned_at or datetime.min,
            a.agent_id,
        ),
    )
    ranks = {a.agent_id: i for i, a in enumerate(ordered, start=1)}
    verdicts = tuple(
        Verdict(
            agent_id=a.agent_id,
            name=a.name,
            refusals=tuple(refusals(need, a)),
            open_inquiries=a.open_inquiries,
            reputation=a.reputation,
            rank=ranks.get(a.agent_id),
        )
        for a in sorted(on_shift, key=lambda a: (ranks.get(a.agent_id, len(ranks) + 1), a.agent_id))
    )
    return Decision(need=need, chosen=ordered[0].agent_id if ordered else None, verdicts=verdicts)
