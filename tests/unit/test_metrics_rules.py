"""Metrics arithmetic (domain/metrics.py) and the staffing plan (domain/staffing.py)."""

import math
import statistics
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import metrics
from chalicelib.domain.metrics import QUANTILE_ERROR, Histogram, bucket_of, spike
from chalicelib.domain.staffing import agents_needed, erlang_c, forecast, missing_hours, plan, service_level


def exact_quantile(values, q):
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


@given(st.lists(st.integers(0, 3 * 86_400), min_size=1, max_size=300), st.sampled_from([0.5, 0.9]))
def test_a_quantile_from_the_histogram_is_within_five_percent_of_the_exact_one(durations, q):
    exact = exact_quantile(durations, q)
    read = Histogram.of(durations).quantile(q)
    if exact <= 1:
        assert read == 1.0  # bucket 0 holds 0 and 1 second
    else:
        assert abs(read - exact) <= QUANTILE_ERROR * exact + 1e-9


@given(st.lists(st.integers(0, 10**6), max_size=50), st.lists(st.integers(0, 10**6), max_size=50))
def test_histograms_merge_by_addition(a, b):
    assert Histogram.of(a) + Histogram.of(b) == Histogram.of(a + b)
    merged = Histogram.of(a + b)
    assert Histogram.from_attributes(merged.to_attributes()) == merged


def test_buckets_and_their_attributes():
    assert [bucket_of(s) for s in (0, 1, 2, 60, 3600)] == [0, 0, 7, 42, 85]
    assert Histogram().quantile(0.5) is None
    with pytest.raises(ValueError):
        bucket_of(-1)
    assert Histogram.of([60, 60, 3600]).to_attributes() == {"frt_b42": 2, "frt_b85": 1}


def test_the_figures_as_designed():
    assert metrics.csat(9, 10) == Fraction(9, 10) and metrics.csat(0, 0) is None
    assert metrics.nps(5, 3, 2) == 30 and metrics.nps(0, 0, 0) is None
    assert metrics.contact_intensity(30, 1200) == Fraction(5, 2) and metrics.contact_intensity(3, 0) is None
    assert metrics.sla_attainment(19, 1) == Fraction(19, 20)
    assert metrics.cost_per_contact(100_00, 40) == 250
    assert metrics.deflection_rate(3, 12) == Fraction(1, 4)


def test_a_spike_stands_out_of_its_four_weeks_and_names_its_reasons():
    usual = [20, 22, 19, 21, 20, 23, 18] * 4
    found = spike(60, usual, contacts=60)
    assert found is not None and found.baseline == 20 and found.value == 60
    assert spike(23, usual, contacts=23) is None  # not above median + 3 MAD (20 + 3 x 1)
    assert spike(24, usual, contacts=24) is not None
    assert spike(4, [0] * 28, contacts=4) is None  # too few contacts to alert on
    assert spike(60, usual[:6], contacts=60) is None  # not a week of history yet
    drivers = metrics.drivers(
        {"refund": 30, "shipping": 12, "login": 2},
        {"refund": [3] * 28, "shipping": [10] * 28, "login": [5] * 28},
    )
    assert drivers == ["refund", "shipping"]


def test_erlang_c_matches_the_worked_example():
    # The worked example pyworkforce's ErlangC follows (lucidmanager.org, "Call centre workforce
    # planning: Erlang C in R"): 100 calls in 30 minutes (200 an hour), 3 minutes each, 80 %
    # answered within 20 seconds: 10 erlangs, 14 agents, a 17.4 % chance of waiting, 88.8 %
    # answered in time, 71 % occupancy; 13 agents reach only 79.6 %.
    need = agents_needed(200, handle_seconds=180, target_seconds=20, target_level=0.8, max_occupancy=1.0)
    assert need.traffic == pytest.approx(10.0)
    assert need.agents == 14
    assert erlang_c(14, 10.0) == pytest.approx(0.1741, abs=1e-4)
    assert need.service_level == pytest.approx(0.8884, abs=1e-4)
    assert need.occupancy == pytest.approx(0.7143, abs=1e-4)
    assert service_level(13, 10.0, handle_seconds=180, target_seconds=20) == pytest.approx(0.7956, abs=1e-4)


def test_the_occupancy_cap_decides_for_slow_inquiries():
    need = agents_needed(10, handle_seconds=600, target_seconds=4 * 3600, max_occupancy=0.85)
    assert need.agents == 2 and need.occupancy <= 0.85  # 1.67 erlangs
    assert agents_needed(0, handle_seconds=600, target_seconds=60).agents == 0


def test_the_forecast_keeps_the_week_s_shape_and_follows_the_trend():
    week = [0] * 168
    week[9] = 10  # Monday 09:00
    growing = [[c * k for c in week] for k in (1, 2, 3, 4)]
    expected = forecast(growing)
    assert expected[9] > statistics.mean(c[9] for c in growing)  # the trend lifts it
    assert expected[10] == 0
    assert forecast([week])[9] == 10
    assert forecast([])[9] == 0


def test_the_plan_and_its_gap():
    expected = [0.0] * 168
    expected[9] = 12.0
    contracted = [0] * 168
    contracted[9] = 1
    hours = plan(expected, contracted, handle_seconds=600, target_seconds=3600)
    assert hours[9].needed >= 3 and hours[9].gap == hours[9].needed - 1
    assert missing_hours(hours) == hours[9].gap
