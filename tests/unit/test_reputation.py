"""Reputation (chalicelib/domain/reputation.py): a Bayesian average of customer ratings, peer
reviews and reliability, recent evidence weighing more, shown with its counts."""

from datetime import UTC, datetime, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.reputation import HALF_LIFE_DAYS, Evidence, Kind, Reputation, csat

NOW = datetime(2026, 11, 25, 15, 10, tzinfo=UTC)


def rated(*scores, kind=Kind.CUSTOMER, start=NOW, evidence=None):
    evidence = evidence or Evidence()
    for i, value in enumerate(scores):
        evidence = evidence.add(kind, start + timedelta(minutes=i), value)
    return evidence


def test_three_five_stars_do_not_outrank_two_hundred_four_point_eights():
    few = rated(5, 5, 5).reputation(NOW)
    # 200 ratings averaging 4.8: 160 fives and 40 fours
    many = rated(*([5] * 160 + [4] * 40)).reputation(NOW)
    assert many.score > few.score
    assert (few.ratings, many.ratings) == (3, 200)
    assert few.label() == "4.23 from 3 ratings"  # (10 x 4 + 15) / 13


def test_a_newcomer_sits_at_the_prior_neither_buried_nor_inflated():
    fresh = Evidence().reputation(NOW)
    assert fresh.is_new and fresh.label() == "new" and fresh.score == 4
    assert Reputation().score == 4  # the first version's callers see the same prior


def test_recent_ratings_weigh_more_than_old_ones():
    old_bad_new_good = rated(1, 1, 1, start=NOW - timedelta(days=2 * HALF_LIFE_DAYS))
    old_bad_new_good = rated(5, 5, 5, evidence=old_bad_new_good)
    old_good_new_bad = rated(5, 5, 5, start=NOW - timedelta(days=2 * HALF_LIFE_DAYS))
    old_good_new_bad = rated(1, 1, 1, evidence=old_good_new_bad)
    assert old_bad_new_good.reputation(NOW).score > old_good_new_bad.reputation(NOW).score
    # and the same evidence, seen later, drifts back toward the prior
    later = old_bad_new_good.reputation(NOW + timedelta(days=10 * HALF_LIFE_DAYS))
    assert abs(later.score - 4) < abs(old_bad_new_good.reputation(NOW).score - 4)


def test_peer_reviews_count_half_and_reliability_pulls_down():
    customers = rated(5, 5, 5, 5)
    with_peers = rated(5, 5, kind=Kind.PEER, evidence=customers)
    assert with_peers.reputation(NOW).score > customers.reputation(NOW).score
    assert (
        with_peers.reputation(NOW).label()
        == f"{float(with_peers.reputation(NOW).score):.2f} from 4 ratings, 2 peer reviews"
    )
    breached = customers.add(Kind.SLA_BREACH, NOW).add(Kind.UPHELD_DISPUTE, NOW)
    assert breached.reputation(NOW).score < customers.reputation(NOW).score
    assert (breached.breaches, breached.upheld, breached.ratings) == (1, 1, 4)


def test_csat_is_the_share_of_fours_and_fives():
    evidence = rated(5, 4, 3, 2, 1)
    assert (evidence.good_ratings, evidence.ratings) == (2, 5)
    assert csat(evidence.good_ratings, evidence.ratings) == Fraction(2, 5)
    assert csat(0, 0) is None


def test_a_rating_outside_one_to_five_is_a_bug():
    import pytest

    with pytest.raises(ValueError):
        Evidence().add(Kind.CUSTOMER, NOW, 6)


events = st.lists(
    st.tuples(st.sampled_from(list(Kind)), st.integers(0, 400), st.integers(1, 5)), min_size=1, max_size=12
)


@given(events)
def test_the_order_evidence_arrives_in_does_not_change_the_score(items):
    def build(order):
        evidence = Evidence()
        for kind, days_ago, value in order:
            evidence = evidence.add(kind, NOW - timedelta(days=days_ago), value)
        return evidence.reputation(NOW)

    in_time = build(sorted(items, key=lambda e: -e[1]))
    shuffled = build(list(reversed(items)))
    assert abs(in_time.score - shuffled.score) <= Fraction(1, 1000)
    assert (in_time.ratings, in_time.reviews, in_time.breaches, in_time.upheld) == (
        shuffled.ratings,
        shuffled.reviews,
        shuffled.breaches,
        shuffled.upheld,
    )
    assert 1 <= in_time.score <= 5
