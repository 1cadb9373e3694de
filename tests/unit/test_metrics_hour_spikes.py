"""Hour spikes (domain/metrics.py `hour_spike`, `hour_history`): an hour's contacts against the same
hour of the previous 28 days and the same hour of the same weekday of the previous 4 weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import metrics
from chalicelib.domain.metrics import HOUR_SPIKE_FLOOR, complete_hours, hour_history, hour_spike

counts = st.integers(0, 60)
days_28 = st.lists(counts, min_size=7, max_size=28)
weeks_4 = st.lists(counts, min_size=0, max_size=4)


def threshold(values) -> Fraction:
    ordered = sorted(Fraction(v) for v in values)
    middle = metrics.median(ordered)
    return middle + 3 * metrics.median([abs(v - middle) for v in ordered])


def test_an_hour_stands_out_of_the_same_hour_of_its_days_and_of_its_weekday():
    usual = [1, 2, 3, 2, 4, 2, 3] * 4  # 10:00 on the 28 days before: median 2, MAD 1
    found = hour_spike(12, usual, [2, 3, 2, 2])
    assert found is not None and (found.value, found.baseline, found.threshold) == (12, 2, 5)
    assert hour_spike(5, usual, [2, 3, 2, 2]) is None  # not above 2 + 3 x 1
    assert hour_spike(6, usual, [2, 3, 2, 2]) is not None
    # busy every Monday at 10:00: a Monday's 12 is no spike, though the other days' 10:00 are quiet
    assert hour_spike(12, usual, [11, 12, 10, 13]) is None
    mondays = hour_spike(20, usual, [11, 12, 10, 13])
    assert (
        mondays is not None and mondays.baseline == Fraction(23, 2) and mondays.threshold == Fraction(29, 2)
    )
    # a quiet business: 4 contacts in an hour where 0 is usual is under the floor
    assert hour_spike(HOUR_SPIKE_FLOOR - 1, [0] * 28, [0] * 4) is None
    assert hour_spike(HOUR_SPIKE_FLOOR, [0] * 28, [0] * 4) is not None
    assert hour_spike(40, usual[:6], []) is None  # not a week of history yet


@given(st.integers(0, HOUR_SPIKE_FLOOR - 1), days_28, weeks_4)
def test_an_hour_under_the_floor_never_alerts(contacts, same_hour, same_weekday):
    assert hour_spike(contacts, same_hour, same_weekday) is None


@given(st.integers(0, 200), days_28, weeks_4)
def test_a_spike_is_above_both_baselines_and_only_then(contacts, same_hour, same_weekday):
    found = hour_spike(contacts, same_hour, same_weekday)
    above_days = contacts > threshold(same_hour)
    above_weekday = not same_weekday or contacts > threshold(same_weekday)
    assert (found is not None) == (contacts >= HOUR_SPIKE_FLOOR and above_days and above_weekday)
    if found is not None:
        assert found.threshold == max(
            [threshold(same_hour)] + ([threshold(same_weekday)] if same_weekday else [])
        )
        assert found.baseline <= found.threshold < found.value == contacts


@given(st.integers(0, 200), st.integers(1, 50), days_28, weeks_4)
def test_more_contacts_in_a_spike_hour_is_still_a_spike(contacts, more, same_hour, same_weekday):
    if hour_spike(contacts, same_hour, same_weekday) is not None:
        assert hour_spike(contacts + more, same_hour, same_weekday) is not None


@given(st.integers(0, 200), days_28, weeks_4, st.randoms())
def test_the_order_of_the_history_does_not_matter(contacts, same_hour, same_weekday, random):
    shuffled = list(same_hour)
    random.shuffle(shuffled)
    assert hour_spike(contacts, same_hour, same_weekday) == hour_spike(contacts, shuffled, same_weekday)


def test_the_baselines_are_the_same_hour_of_each_day_and_of_each_weekday_since_the_first_day():
    hour = datetime(2026, 11, 23, 10, tzinfo=UTC)  # a Monday
    seen = {hour - timedelta(days=n): n for n in range(1, 29)}  # n contacts n days before
    seen[hour - timedelta(days=3, hours=1)] = 99  # another hour of the day: not in the baselines
    same_hour, same_weekday = hour_history(seen, hour, since=date(2026, 10, 1))
    assert same_hour == list(range(1, 29))
    assert same_weekday == [7, 14, 21, 28]
    # a business whose first contact was 10 days before: the days before it are no baseline
    same_hour, same_weekday = hour_history(seen, hour, since=hour.date() - timedelta(days=10))
    assert same_hour == list(range(1, 11)) and same_weekday == [7]
    # hours with no item are 0
    same_hour, _ = hour_history({}, hour, since=hour.date() - timedelta(days=8))
    assert same_hour == [0] * 8
    assert hour_history(seen, hour, since=None) == ([], [])


def test_the_job_looks_at_the_last_whole_hour_or_every_whole_hour_of_a_range():
    at = datetime(2026, 11, 23, 10, 35, tzinfo=UTC)
    assert metrics.last_complete_hour(at) == datetime(2026, 11, 23, 9, tzinfo=UTC)
    hours = complete_hours(at, date(2026, 11, 22), date(2026, 11, 23))
    assert len(hours) == 24 + 10 and hours[0] == datetime(2026, 11, 22, tzinfo=UTC)
    assert hours[-1] == datetime(2026, 11, 23, 9, tzinfo=UTC)  # 10:00 is not over
    assert complete_hours(at, date(2026, 11, 20), date(2026, 11, 20))[-1] == datetime(
        2026, 11, 20, 23, tzinfo=UTC
    )
