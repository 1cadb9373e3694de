"""Peer review: each week a sample of every agent's replies goes to other agents of the same
business, who score it on a short rubric (correct, complete, tone; 1 to 5 each) with a comment.

The sample is SAMPLE_SHARE of the week's replies, at least MIN_SAMPLE (all of them when fewer),
picked by a hash of the week, the agent and the reply, so a re-run of the weekly job picks the
same replies (idempotent) and nobody can guess which replies will be read. Reviewers take turns
among the business's other agents that week; an agent who is the business's only one is not
reviewed (there is no peer)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from fractions import Fraction

from chalicelib.domain.errors import InvalidInput

SAMPLE_SHARE = Fraction(75, 1000)  # 7.5 %
MIN_SAMPLE = 2
MAX_COMMENT = 2_000
CRITERIA = ("correct", "complete", "tone")


def sample_size(replies: int) -> int:
    return min(replies, max(MIN_SAMPLE, math.ceil(replies * SAMPLE_SHARE)))


def sample(reply_ids: list[str], *, week: str, agent_id: str) -> list[str]:
    """The replies of `agent_id` in `week` that are reviewed, in a stable order."""

    def draw(reply_id: str) -> str:
        return hashlib.sha256(f"{week}|{agent_id}|{reply_id}".encode()).hexdigest()

    chosen = sorted(set(reply_ids), key=draw)[: sample_size(len(set(reply_ids)))]
    return sorted(chosen)


def assign(samples: dict[str, list[str]], agents: list[str]) -> list[tuple[str, str, str]]:
    """(reviewed agent, reply id, reviewer) for every sampled reply: the reviewers take turns
    among the other agents, starting after the reviewed one, so the load spreads evenly."""
    roster = sorted(set(agents))
    out: list[tuple[str, str, str]] = []
    for agent_id in sorted(samples):
        others = [a for a in roster if a != agent_id]
        if not others:
            continue
        start = roster.index(agent_id) if agent_id in roster else 0
        turn = [a for a in roster[start + 1 :] + roster[: start + 1] if a != agent_id]
        for index, reply_id in enumerate(samples[agent_id]):
            out.append((agent_id, reply_id, turn[index % len(turn)]))
    return out


@dataclass(frozen=True)
class Scores:
    correct: int
    complete: int
    tone: int
    comment: str = ""

    def __post_init__(self) -> None:
        for name in CRITERIA:
            value = getattr(self, name)
            if type(value) is not int or not 1 <= value <= 5:
                raise InvalidInput("score each from 1 to 5", field=name)
        if len(self.comment) > MAX_COMMENT:
            raise InvalidInput(f"a comment is at most {MAX_COMMENT:,} characters", field="comment")

    @property
    def mean(self) -> Fraction:
        """The review's score on the 1..5 scale (what reputation counts)."""
        return Fraction(self.correct + self.complete + self.tone, 3)
