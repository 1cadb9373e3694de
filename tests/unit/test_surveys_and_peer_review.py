"""CSAT and NPS answers (domain/surveys.py) and the weekly peer-review sample (domain/peer_review.py)."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.adapters.markdown import plain_text
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.peer_review import Scores, assign, sample, sample_size
from chalicelib.domain.surveys import NpsTally, check_comment, check_nps_answer, check_rating


def test_nps_is_promoters_less_detractors_in_percent():
    tally = NpsTally()
    for score in (10, 9, 9, 8, 7, 6, 0):
        tally = tally.add(score)
    assert (tally.promoters, tally.passives, tally.detractors) == (3, 2, 2)
    assert tally.score == Fraction(100, 7)  # (3 - 2) / 7 of 100
    assert NpsTally().score is None
    assert NpsTally().add(10).score == 100 and NpsTally().add(0).score == -100


def test_answers_outside_their_scale_are_refused_with_the_field():
    assert check_rating(5) == 5 and check_nps_answer(0) == 0
    for bad in (0, 6, True):
        with pytest.raises(InvalidInput) as refused:
            check_rating(bad)
        assert refused.value.field == "score"
    with pytest.raises(InvalidInput):
        check_nps_answer(11)
    assert check_comment("  fine\r\nthanks ", plain=plain_text) == "fine\nthanks"
    with pytest.raises(InvalidInput):
        check_comment("x" * 2001, plain=plain_text)


def test_the_sample_is_at_least_two_about_seven_and_a_half_percent_and_stable():
    assert [sample_size(n) for n in (0, 1, 2, 10, 40, 100)] == [0, 1, 2, 2, 3, 8]
    replies = [f"r{i:03d}" for i in range(100)]
    picked = sample(replies, week="2026-W48", agent_id="lia")
    assert len(picked) == 8 and set(picked) <= set(replies)
    assert sample(list(reversed(replies)), week="2026-W48", agent_id="lia") == picked  # a re-run
    assert sample(replies, week="2026-W49", agent_id="lia") != picked  # another week, others


def test_reviewers_take_turns_among_the_others_and_a_lone_agent_is_not_reviewed():
    pairs = assign({"lia": ["l1", "l2"], "raj": ["r1", "r2"], "ana": ["a1"]}, ["lia", "raj", "ana"])
    assert all(reviewed != reviewer for reviewed, _, reviewer in pairs)
    assert {(r, rv) for _, r, rv in pairs} == {
        ("a1", "lia"),
        ("l1", "raj"),
        ("l2", "ana"),
        ("r1", "ana"),
        ("r2", "lia"),
    }
    assert assign({"lia": ["l1"]}, ["lia"]) == []


@given(
    st.dictionaries(st.sampled_from("abcdef"), st.lists(st.text("xyz", min_size=1), max_size=5), max_size=6)
)
def test_nobody_reviews_themselves_and_every_sampled_reply_is_reviewed_once_when_there_is_a_peer(samples):
    agents = list(samples)
    pairs = assign(samples, agents)
    assert all(reviewed != reviewer and reviewer in agents for reviewed, _, reviewer in pairs)
    if len(set(agents)) > 1:
        assert len(pairs) == sum(len(v) for v in samples.values())


def test_the_rubric_scores_one_to_five_and_its_mean_counts():
    assert Scores(correct=5, complete=4, tone=3).mean == 4
    with pytest.raises(InvalidInput) as refused:
        Scores(correct=6, complete=4, tone=3)
    assert refused.value.field == "correct"
