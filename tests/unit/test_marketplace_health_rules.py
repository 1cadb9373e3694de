"""The operators' marketplace health rules (domain/marketplace_health.py): funnels, churn, active
counts, lifetime value, months and counters, against direct recomputations."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import marketplace_health as rules

START = date(2026, 1, 1)
days_ = st.integers(min_value=0, max_value=200).map(lambda n: START + timedelta(days=n))
activity_ = st.dictionaries(st.text("abcdef", min_size=1, max_size=3), st.sets(days_, min_size=1, max_size=8))


def test_funnel_shares_and_drop_off():
    steps = rules.funnel([("signup", 10), ("card", 4), ("opening", 3), ("hire", 0)])
    assert [s.of_first for s in steps] == [1, Fraction(2, 5), Fraction(3, 10), 0]
    assert [s.drop_off for s in steps] == [None, Fraction(3, 5), Fraction(1, 4), 1]
    empty = rules.funnel([("signup", 0), ("card", 0)])
    assert [(s.of_first, s.drop_off) for s in empty] == [(None, None), (None, None)]


@given(st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=6))
def test_drop_offs_chain_to_the_share_of_the_first(counts):
    counts = sorted(counts, reverse=True)  # a funnel only narrows
    steps = rules.funnel([(str(i), c) for i, c in enumerate(counts)])
    share = Fraction(1)
    for step in steps[1:]:
        if step.drop_off is None:
            break
        share *= 1 - step.drop_off
        assert step.of_first == share


def test_churn_counts_who_went_silent_for_30_days():
    first, last = date(2026, 12, 1), date(2026, 12, 27)
    activity = {
        "left": {date(2026, 11, 25)},  # silent since: 32 days by the 27th
        "stayed": {date(2026, 11, 30)},  # 27 days: not yet
        "back": {date(2026, 11, 2), date(2026, 12, 20)},
        "new": {date(2026, 12, 5)},  # not in the base
        "old": {date(2026, 10, 1)},  # before the base's window
    }
    churn = rules.churn(activity, first, last)
    assert (churn.base, churn.churned, churn.rate) == (3, 1, Fraction(1, 3))
    assert rules.active(activity, first, last) == 2


@given(activity_, days_, st.integers(min_value=0, max_value=90))
def test_churn_against_its_definition(activity, first, length):
    last = first + timedelta(days=length)
    churn = rules.churn(activity, first, last)
    base = [d for d in activity.values() if any(first - timedelta(days=30) <= x < first for x in d)]
    lost = [d for d in base if all((last - x).days >= 30 for x in d if x <= last)]
    assert (churn.base, churn.churned) == (len(base), len(lost))
    assert 0 <= churn.churned <= churn.base


def test_lifetime_value_is_revenue_per_active_over_churn():
    assert rules.lifetime_value(10_000, 4, Fraction(1, 4)) == 10_000
    assert rules.lifetime_value(10_000, 0, Fraction(1, 4)) is None
    assert rules.lifetime_value(10_000, 4, Fraction(0)) is None
    assert rules.lifetime_value(10_000, 4, None) is None


def test_rates_say_nothing_without_a_denominator():
    assert rules.take_rate(975, 7875) == Fraction(975, 7875)
    assert rules.take_rate(975, 0) is None
    assert rules.fill_rate(1, 2) == Fraction(1, 2) and rules.per_opening(3, 0) is None


def test_months_and_periods():
    assert rules.months(date(2026, 11, 20), date(2027, 2, 1)) == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert rules.months(date(2026, 11, 20), date(2026, 11, 21)) == ["2026-11"]
    assert len(rules.days(date(2026, 2, 27), date(2026, 3, 2))) == 4
    for first, last in ((date(2026, 2, 1), date(2026, 1, 1)), (date(2024, 1, 1), date(2026, 1, 2))):
        try:
            rules.check_period(first, last)
        except ValueError:
            continue
        raise AssertionError("accepted")


@given(st.lists(st.dictionaries(st.sampled_from(["gmv_usd", "gmv_eur", "hires"]), st.integers(-50, 50))))
def test_counters_merge_by_addition_and_keep_currencies_apart(parts):
    summed = rules.total(rules.Counters(p) for p in parts)
    for name in ("gmv_usd", "gmv_eur", "hires"):
        assert summed.get(name) == sum(p.get(name, 0) for p in parts)
    money = summed.money("gmv")
    assert set(money) <= {"usd", "eur"} and all(money.values())
    assert "hires" not in summed.money("hi")  # a counter's name is not a currency


def test_cohorts_list_every_month_asked_for():
    rows = rules.cohorts(rules.AGENT, {"2026-11": {"signup": 3, "approved": 2}}, ["2026-11", "2026-12"])
    assert [(r.month, r.signups) for r in rows] == [("2026-11", 3), ("2026-12", 0)]
    assert [s.count for s in rows[0].steps] == [3, 2, 0, 0]
    assert [s.count for s in rules.side_funnel(rules.AGENT, rows)] == [3, 2, 0, 0]


def test_revenue_is_what_the_ledger_credits_to_revenue_less_what_it_gives_back():
    from chalicelib.domain import ledger
    from chalicelib.domain.clawbacks import Clawback

    kept = ledger.Journal(
        "transfer.committed",
        (
            ledger.Posting("held:in_1", 7500, "usd"),
            ledger.Posting("payable:a", -6900, "usd"),
            ledger.Posting("revenue", -600, "usd"),
        ),
    )
    fee = ledger.move("client_fee.earned", "usd", 375, debit="held:in_1", credit="revenue")
    step = Clawback(minutes=60, gross=2500, agent_fee=200, client_fee=125)
    given_back = ledger.Journal(  # as services/clawbacks/refunds.py writes it
        "clawback.committed",
        (
            ledger.Posting("revenue", step.revenue_returned, "usd"),
            ledger.Posting("reversal:a", step.reversal, "usd"),
            ledger.Posting("held:in_1", -step.refund, "usd"),
        ),
    )
    assert rules.revenue_of(kept.postings + fee.postings) == {"usd": 975}
    assert rules.revenue_of(given_back.postings) == {"usd": -325}
    assert rules.revenue_of(kept.postings + fee.postings + given_back.postings) == {"usd": 650}
    euro = ledger.move("client_fee.earned", "eur", 40, debit="held:in_2", credit="revenue")
    assert rules.revenue_of(euro.postings + given_back.postings) == {"eur": 40, "usd": -325}
    # postings elsewhere, and a revenue that nets to nothing, say nothing
    paid = ledger.move("invoice.paid", "usd", 7875, debit="stripe", credit="receivable:t")
    assert rules.revenue_of(paid.postings) == {}
    back = ledger.move("client_fee.returned", "usd", 375, debit="revenue", credit="held:in_1")
    assert rules.revenue_of(fee.postings + back.postings) == {}
