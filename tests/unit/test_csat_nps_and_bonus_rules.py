"""Rules of slices 7 and 9 of issue 15: who an NPS survey goes to (addresses parsed strictly),
the contract's performance bonus (CSAT that week, to the cent, rounded half-even once), and the
operators' tier-promotion rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from chalicelib.domain import billing, surveys
from chalicelib.domain import reputation as rep
from chalicelib.domain.errors import InvalidInput

# -- recipients ---------------------------------------------------------------------------------


def test_a_csv_export_gives_its_email_column_and_a_plain_list_its_lines():
    export = "Name,Email,Orders\nJane,Jane@Example.com,3\nJoão,joao@example.pt,1\n"
    assert surveys.parse_recipients(export) == ["jane@example.com", "joao@example.pt"]
    assert surveys.parse_recipients("a@example.com\r\nb@example.com\n\n a@example.com ") == [
        "a@example.com",
        "b@example.com",
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("email\nok@example.com\nnot-an-address\n", 3),
        ('ok@example.com\n"a@example.com, b@example.com"\n', 2),  # two addresses in one cell
        ("ok@example.com\nx@example.com\r\nBcc: evil@example.com\n", 3),  # a header, not an address
        ("Jane <jane@example.com>\n", 1),
    ],
)
def test_a_line_that_is_not_one_plain_address_refuses_the_list_with_its_number(text, line):
    with pytest.raises(InvalidInput) as refused:
        surveys.parse_recipients(text)
    assert refused.value.field == "recipients" and f"line {line} " in refused.value.message


def test_a_survey_goes_to_at_least_one_and_at_most_the_cap():
    with pytest.raises(InvalidInput):
        surveys.parse_recipients("email\n")
    many = "\n".join(f"c{i}@example.com" for i in range(surveys.MAX_RECIPIENTS + 1))
    with pytest.raises(InvalidInput) as refused:
        surveys.parse_recipients(many)
    assert f"at most {surveys.MAX_RECIPIENTS}" in refused.value.message
    assert len(surveys.parse_recipients("\n".join(many.split("\n")[:-1]))) == surveys.MAX_RECIPIENTS


# -- the performance bonus ------------------------------------------------------------------------


def _performance(good: int, ratings: int, *, percent_bps=1000, min_csat_bps=9000, min_ratings=10):
    return billing.Performance("c1", percent_bps, min_csat_bps, min_ratings, good, ratings)


@pytest.mark.parametrize(
    ("good", "ratings", "earned"),
    [
        (9, 10, True),  # exactly 90% over exactly 10
        (8, 9, False),  # 89%, and too few
        (9, 9, False),  # 100% but 9 ratings
        (17, 19, False),  # 89.47%
        (18, 20, True),
        (0, 0, False),
    ],
)
def test_the_bonus_is_earned_at_ninety_percent_over_ten_ratings(good, ratings, earned):
    assert _performance(good, ratings).earned is earned


@pytest.mark.parametrize(
    ("line", "bonus"),
    [
        (15025, 1502),  # 1502.5: half to even, down
        (15035, 1504),  # 1503.5: half to even, up
        (15038, 1504),  # 1503.8
        (1, 0),  # 0.1
        (5, 0),  # 0.5: to even, 0
        (15, 2),  # 1.5: to even, 2
    ],
)
def test_the_bonus_is_its_percent_of_the_weeks_line_rounded_half_even_once(line, bonus):
    assert _performance(10, 10).amount(line, "usd") == bonus
    assert _performance(8, 10).amount(line, "usd") == 0


def test_an_earned_bonus_is_a_line_of_its_own_billed_with_the_client_fee_and_settled_to_the_cent():
    week = billing.WorkedWeek("c1", "a1", "Support", "Lia", rate_minor=3005, billed=300, payable=300)
    other = billing.WorkedWeek("c2", "a2", "Support", "Raj", rate_minor=2000, billed=60, payable=60)
    plan = billing.plan_invoice(
        [week, other],
        [],
        currency="usd",
        fees=billing.FeeSchedule(),
        week_label="2026-W48",
        performance=[_performance(9, 10), billing.Performance("c2", 1000, 9000, 10, 5, 10)],
    )
    assert plan is not None
    lines = {line.line_id: line for line in plan.lines}
    assert lines["hours-c1"].amount == 15025  # 300 min x 30.05/h
    bonus = lines["performance-c1"]
    assert (bonus.kind, bonus.amount, bonus.agent_id, bonus.contract_id) == ("bonus", 1502, "a1", "c1")
    assert "CSAT 90% over 10 ratings" in bonus.description and "+10%" in bonus.description
    assert "performance-c2" not in lines  # Raj's CSAT was 50%
    assert plan.subtotal == 15025 + 1502 + 2000
    assert plan.client_fee == 926  # 5% of 18527 = 926.35
    settled = billing.settle(
        plan, {"c1": week, "c2": other}, tiers={"a1": 1, "a2": 1}, fees=billing.FeeSchedule()
    )
    lia = next(s for s in settled.shares if s.agent_id == "a1")
    assert (lia.gross, lia.fee, lia.net) == (16527, 1653, 14874)  # 10% tier-1 fee on 16527 = 1652.7
    assert settled.balanced() and settled.paid == settled.transfers + settled.refunds + settled.revenue


def test_no_bonus_line_without_hours_that_week():
    plan = billing.plan_invoice(
        [billing.WorkedWeek("c1", "a1", "Support", "Lia", rate_minor=3000, billed=0)],
        [],
        currency="usd",
        fees=billing.FeeSchedule(),
        week_label="2026-W48",
        performance=[_performance(10, 10)],
    )
    assert plan is None


# -- the operators' tier list ---------------------------------------------------------------------

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _reputation(ratings, score, reviews=5):
    return rep.Reputation(ratings=ratings, total=0, reviews=reviews, weighted_score=Fraction(score))


def test_a_tier_one_agent_qualifies_for_tier_two_with_enough_good_evidence_and_no_recent_upheld_dispute():
    rule = rep.PROMOTIONS[2]
    assert "at least 20 customer ratings" in rule.describe() and "90 days" in rule.describe()
    good = _reputation(20, Fraction(46, 10))
    assert rep.promotion_for(good, tier=1, last_upheld_at=None, now=NOW) is rule
    assert rep.promotion_for(_reputation(19, Fraction(46, 10)), tier=1, last_upheld_at=None, now=NOW) is None
    assert (
        rep.promotion_for(_reputation(50, Fraction(449, 100)), tier=1, last_upheld_at=None, now=NOW) is None
    )
    recent = NOW - timedelta(days=89)
    assert rep.promotion_for(good, tier=1, last_upheld_at=recent, now=NOW) is None
    assert rep.promotion_for(good, tier=1, last_upheld_at=NOW - timedelta(days=90), now=NOW) is rule
    assert rep.promotion_for(_reputation(80, Fraction(49, 10)), tier=3, last_upheld_at=None, now=NOW) is None


def test_the_snapshot_carries_the_score_and_counts_and_reads_back_the_same():
    evidence = rep.Evidence().add(rep.Kind.CUSTOMER, NOW, 5).add(rep.Kind.PEER, NOW, Fraction(13, 3))
    evidence = evidence.add(rep.Kind.SLA_BREACH, NOW)
    reputation = evidence.reputation(NOW)
    shown = rep.snapshot(reputation)
    assert shown["ratings"] == 1 and shown["reviews"] == 1 and shown["breaches"] == 1
    back = rep.from_snapshot(shown)
    assert back.score == reputation.score and back.label() == reputation.label()
    assert rep.from_snapshot(None, ratings=2, total=10).score == rep.Reputation(2, 10).score
    assert 0 <= rep.scaled(back) <= 10_000
