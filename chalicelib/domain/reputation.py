"""Reputation as a Bayesian average, so that three 5-star ratings do not outrank two hundred 4.8s
and a newcomer is neither buried nor inflated: every agent starts from the prior (the platform's
typical rating) as if they had PRIOR_WEIGHT ratings at it, and their own evidence pulls them away.

The evidence (DESIGN.md, "Reputation"):
- customers' CSAT ratings, 1 to 5, each weighing 1;
- peer reviews of their replies by other agents of the same business, the rubric's mean on the
  same 1 to 5 scale, each weighing PEER_WEIGHT;
- reliability: a missed first-response target counts as a 1-star rating weighing BREACH_WEIGHT,
  and minutes upheld against them in a dispute as a 1-star rating weighing UPHELD_WEIGHT.
Recent evidence counts more: a rating's weight halves every HALF_LIFE_DAYS. `Evidence` keeps the
decayed sums as of its last event, so one rating updates it without reading the others; the
counts shown beside the score are plain counts, never decayed. Ratings are never deleted, only
outweighed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from typing import Any

PRIOR_MEAN = Fraction(4)  # on the 1..5 scale
PRIOR_WEIGHT = 10
HALF_LIFE_DAYS = 90
PEER_WEIGHT = 0.5
BREACH_WEIGHT = 0.5
UPHELD_WEIGHT = 2.0
_PRECISION = 10_000  # the score is kept to four decimals: enough to rank, stable to store


class Kind(StrEnum):
    CUSTOMER = "customer"  # a CSAT rating, 1..5
    PEER = "peer"  # a peer review's mean, 1..5
    SLA_BREACH = "sla_breach"
    UPHELD_DISPUTE = "upheld_dispute"


_WEIGHT = {
    Kind.CUSTOMER: 1.0,
    Kind.PEER: PEER_WEIGHT,
    Kind.SLA_BREACH: BREACH_WEIGHT,
    Kind.UPHELD_DISPUTE: UPHELD_WEIGHT,
}


@dataclass(frozen=True)
class Reputation:
    """What matching, routing and pages read: the score with the counts it rests on."""

    ratings: int = 0  # customer ratings
    total: int = 0  # sum of the 1..5 customer ratings (kept for callers of the first version)
    reviews: int = 0  # peer reviews
    breaches: int = 0
    upheld: int = 0
    weighted_score: Fraction | None = None  # the decayed Bayesian score; None: from ratings alone

    @property
    def is_new(self) -> bool:
        return self.ratings == 0 and self.reviews == 0 and self.breaches == 0 and self.upheld == 0

    @property
    def score(self) -> Fraction:
        """The Bayesian average on the 1..5 scale."""
        if self.weighted_score is not None:
            return self.weighted_score
        return (PRIOR_MEAN * PRIOR_WEIGHT + self.total) / (PRIOR_WEIGHT + self.ratings)

    @property
    def unit(self) -> Fraction:
        """The score mapped to 0..1 for ranking."""
        return (self.score - 1) / 4

    def label(self) -> str:
        if self.is_new:
            return "new"
        parts = [f"{self.ratings} rating{'s' if self.ratings != 1 else ''}"]
        if self.reviews:
            parts.append(f"{self.reviews} peer review{'s' if self.reviews != 1 else ''}")
        return f"{float(self.score):.2f} from {', '.join(parts)}"


@dataclass(frozen=True)
class Evidence:
    """An agent's decayed sums as of `as_of` (the moment of the last event)."""

    as_of: datetime | None = None
    weight: float = 0.0  # sum of decayed weights
    weighted: float = 0.0  # sum of decayed weight x rating
    ratings: int = 0
    good_ratings: int = 0  # customer ratings of 4 or 5 (CSAT's numerator)
    rating_total: int = 0
    reviews: int = 0
    breaches: int = 0
    upheld: int = 0

    def decayed_to(self, moment: datetime) -> Evidence:
        """The same evidence seen from `moment` (later than as_of: weights shrink)."""
        if self.as_of is None:
            return replace(self, as_of=moment)
        if moment <= self.as_of:
            return self
        factor = _decay(self.as_of, moment)
        return replace(self, as_of=moment, weight=self.weight * factor, weighted=self.weighted * factor)

    def add(self, kind: Kind, at: datetime, value: int | float | Fraction = 1) -> Evidence:
        """Record one piece of evidence; `value` is the 1..5 rating for customer and peer kinds.
        Evidence older than the last recorded counts with its own age (decayed back)."""
        rating = float(value) if kind in (Kind.CUSTOMER, Kind.PEER) else 1.0
        if not 1 <= rating <= 5:
            raise ValueError(f"a rating is from 1 to 5, not {value}")
        if self.as_of is None or at >= self.as_of:
            base, weight = self.decayed_to(at), _WEIGHT[kind]
        else:  # evidence older than the last recorded counts with its own age
            base, weight = self, _WEIGHT[kind] * _decay(at, self.as_of)
        counted = replace(base, weight=base.weight + weight, weighted=base.weighted + weight * rating)
        if kind is Kind.CUSTOMER:
            whole = int(value)
            return replace(
                counted,
                ratings=counted.ratings + 1,
                good_ratings=counted.good_ratings + (1 if whole >= 4 else 0),
                rating_total=counted.rating_total + whole,
            )
        if kind is Kind.PEER:
            return replace(counted, reviews=counted.reviews + 1)
        if kind is Kind.SLA_BREACH:
            return replace(counted, breaches=counted.breaches + 1)
        return replace(counted, upheld=counted.upheld + 1)

    def withdraw(self, kind: Kind, at: datetime, value: int | float | Fraction = 1) -> Evidence:
        """Take back one piece of evidence `add` recorded (a helpdesk's customer who changed their
        rating: the new one replaces it): its weight as it stands now, decayed from `at`, and its
        counts. Adding then withdrawing the same evidence leaves the sums as they were."""
        if self.as_of is None:
            return self
        rating = float(value) if kind in (Kind.CUSTOMER, Kind.PEER) else 1.0
        weight = _WEIGHT[kind] * (_decay(at, self.as_of) if at < self.as_of else 1.0)
        left = replace(
            self,
            weight=max(0.0, self.weight - weight),
            weighted=max(0.0, self.weighted - weight * rating),
        )
        if kind is Kind.CUSTOMER:
            whole = int(value)
            return replace(
                left,
                ratings=max(0, left.ratings - 1),
                good_ratings=max(0, left.good_ratings - (1 if whole >= 4 else 0)),
                rating_total=max(0, left.rating_total - whole),
            )
        if kind is Kind.PEER:
            return replace(left, reviews=max(0, left.reviews - 1))
        if kind is Kind.SLA_BREACH:
            return replace(left, breaches=max(0, left.breaches - 1))
        return replace(left, upheld=max(0, left.upheld - 1))

    def reputation(self, now: datetime) -> Reputation:
        seen = self.decayed_to(now) if self.as_of is not None else self
        score = (float(PRIOR_MEAN) * PRIOR_WEIGHT + seen.weighted) / (PRIOR_WEIGHT + seen.weight)
        return Reputation(
            ratings=self.ratings,
            total=self.rating_total,
            reviews=self.reviews,
            breaches=self.breaches,
            upheld=self.upheld,
            weighted_score=Fraction(round(score * _PRECISION), _PRECISION),
        )


def _decay(earlier: datetime, later: datetime) -> float:
    days = (later - earlier).total_seconds() / 86_400
    return 0.5 ** (days / HALF_LIFE_DAYS)


def csat(good: int, all_ratings: int) -> Fraction | None:
    """CSAT: the share of 1-to-5 ratings that are 4 or 5 (None before any rating)."""
    return Fraction(good, all_ratings) if all_ratings else None


# -- what other places keep of it ---------------------------------------------------------------


def snapshot(reputation: Reputation) -> dict[str, int]:
    """The reputation as matching's index cards and the agent's record carry it (integers only:
    the score to four decimals, times 10,000), so that matching and routing read no other item."""
    return {
        "ratings": reputation.ratings,
        "total": reputation.total,
        "reviews": reputation.reviews,
        "breaches": reputation.breaches,
        "upheld": reputation.upheld,
        "score": round(reputation.score * _PRECISION),
    }


def from_snapshot(data: dict[str, Any] | None, *, ratings: int = 0, total: int = 0) -> Reputation:
    """A snapshot read back; without one (an agent nobody rated since reputations were kept),
    the plain Bayesian average of the counts given."""
    if not data:
        return Reputation(ratings, total)
    return Reputation(
        ratings=int(data.get("ratings", 0)),
        total=int(data.get("total", 0)),
        reviews=int(data.get("reviews", 0)),
        breaches=int(data.get("breaches", 0)),
        upheld=int(data.get("upheld", 0)),
        weighted_score=Fraction(int(data["score"]), _PRECISION),
    )


def scaled(reputation: Reputation) -> int:
    """The score on 0..10,000 (its unit, 0..1, times 10,000): routing's snapshot."""
    return round(reputation.unit * _PRECISION)


# -- the operators' tier list ---------------------------------------------------------------------


@dataclass(frozen=True)
class Promotion:
    """What an agent's reputation must show before operators consider them for `to_tier`: enough
    customer ratings to mean something, a score at least `min_score` on the 1..5 scale, enough
    peer reviews, and no dispute upheld against them in the last `quiet_days`. Operators decide;
    the list only says who qualifies and why."""

    to_tier: int
    min_ratings: int
    min_score: Fraction
    min_reviews: int = 0
    quiet_days: int = 90

    def describe(self) -> str:
        parts = [
            f"at least {self.min_ratings} customer ratings",
            f"a score of at least {float(self.min_score):.2f}",
        ]
        if self.min_reviews:
            parts.append(f"at least {self.min_reviews} peer reviews")
        parts.append(f"no dispute upheld against them in {self.quiet_days} days")
        return f"Tier {self.to_tier}: " + ", ".join(parts)

    def met_by(self, reputation: Reputation, *, last_upheld_at: datetime | None, now: datetime) -> bool:
        from datetime import timedelta

        quiet = last_upheld_at is None or now - last_upheld_at >= timedelta(days=self.quiet_days)
        return (
            reputation.ratings >= self.min_ratings
            and reputation.score >= self.min_score
            and reputation.reviews >= self.min_reviews
            and quiet
        )


PROMOTIONS = {
    2: Promotion(to_tier=2, min_ratings=20, min_score=Fraction(45, 10), min_reviews=2),
    3: Promotion(to_tier=3, min_ratings=50, min_score=Fraction(47, 10), min_reviews=5),
}
# The lowest score any rule asks: the operators' list reads agents from the top score down to it.
PROMOTION_FLOOR = min(rule.min_score for rule in PROMOTIONS.values())


def promotion_for(
    reputation: Reputation, *, tier: int, last_upheld_at: datetime | None, now: datetime
) -> Promotion | None:
    """The next tier's rule when the agent meets it (None at the top tier or when they do not)."""
    rule = PROMOTIONS.get(tier + 1)
    if rule is None or not rule.met_by(reputation, last_upheld_at=last_upheld_at, now=now):
        return None
    return rule
