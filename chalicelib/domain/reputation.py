"""Reputation as a Bayesian average, so that three 5-star ratings do not outrank two hundred 4.8s
and a newcomer is neither buried nor inflated: every agent starts from the prior (the platform's
typical rating) as if they had PRIOR_WEIGHT ratings at it, and their own ratings pull them away."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

PRIOR_MEAN = Fraction(4)  # on the 1..5 scale
PRIOR_WEIGHT = 10


@dataclass(frozen=True)
class Reputation:
    ratings: int = 0
    total: int = 0  # sum of the 1..5 ratings

    @property
    def is_new(self) -> bool:
        return self.ratings == 0

    @property
    def score(self) -> Fraction:
        """The Bayesian average on the 1..5 scale."""
        return (PRIOR_MEAN * PRIOR_WEIGHT + self.total) / (PRIOR_WEIGHT + self.ratings)

    @property
    def unit(self) -> Fraction:
        """The score mapped to 0..1 for ranking."""
        return (self.score - 1) / 4

    def label(self) -> str:
        if self.is_new:
            return "new"
        return f"{float(self.score):.2f} from {self.ratings} rating{'s' if self.ratings != 1 else ''}"
