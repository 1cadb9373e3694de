"""What customers are asked and how their answers add up.

- **CSAT**: after an inquiry is resolved, the customer rates it 1 to 5; CSAT is the share of
  ratings that are 4 or 5 (domain/reputation.csat).
- **NPS**: "How likely are you to recommend ...?" 0 to 10; promoters answer 9-10, detractors 0-6;
  NPS = % promoters - % detractors, from -100 to 100.
A link that carries an answer is signed, single use and expires after LINK_DAYS (PROMISES R1)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from chalicelib.domain.errors import InvalidInput

LINK_DAYS = 14
MAX_COMMENT = 2_000


def check_rating(score: int) -> int:
    if type(score) is not int or not 1 <= score <= 5:
        raise InvalidInput("choose from 1 (very poor) to 5 (excellent)", field="score")
    return score


def check_nps_answer(score: int) -> int:
    if type(score) is not int or not 0 <= score <= 10:
        raise InvalidInput("choose from 0 (not at all likely) to 10 (extremely likely)", field="score")
    return score


def check_comment(comment: str | None) -> str:
    text = (comment or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_COMMENT:
        raise InvalidInput(f"a comment is at most {MAX_COMMENT:,} characters", field="comment")
    return text


@dataclass(frozen=True)
class NpsTally:
    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    def add(self, score: int) -> NpsTally:
        check_nps_answer(score)
        if score >= 9:
            return NpsTally(self.promoters + 1, self.passives, self.detractors)
        if score >= 7:
            return NpsTally(self.promoters, self.passives + 1, self.detractors)
        return NpsTally(self.promoters, self.passives, self.detractors + 1)

    @property
    def responses(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> Fraction | None:
        """NPS from -100 to 100 (None before any answer)."""
        if not self.responses:
            return None
        return Fraction(100 * (self.promoters - self.detractors), self.responses)
