"""Weekly schedules and their overlap in real hours, across time zones and DST changes."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.schedule import DAYS, WeeklySchedule, Window, overlap_minutes, weekly_overlap_hours


def weekdays(tz: str, start: str, end: str, days=DAYS[:5]) -> WeeklySchedule:
    return WeeklySchedule.build(tz, [Window.parse(d, start, end, field="w") for d in days])


def test_same_zone_same_hours_overlap_fully():
    a = weekdays("America/New_York", "09:00", "17:00")
    assert weekly_overlap_hours(a, a, start=date(2026, 1, 5), weeks=4) == 40


def test_lisbon_afternoon_covers_new_york_morning():
    # Lisbon 14:00-22:00 is New York 09:00-17:00 in winter (5 hours apart).
    agent = weekdays("Europe/Lisbon", "14:00", "22:00")
    business = weekdays("America/New_York", "09:00", "17:00")
    assert weekly_overlap_hours(agent, business, start=date(2026, 1, 5), weeks=2) == 40


def test_dst_weeks_where_the_two_zones_differ():
    # The US springs forward on 8 March 2026, Europe on 29 March: for three weeks New York is
    # only 4 hours behind Lisbon, so the agent's 14:00-22:00 covers NY 10:00-18:00: 7 hours a day.
    agent = weekdays("Europe/Lisbon", "14:00", "22:00")
    business = weekdays("America/New_York", "09:00", "17:00")
    assert weekly_overlap_hours(agent, business, start=date(2026, 3, 9), weeks=1) == 35
    assert weekly_overlap_hours(agent, business, start=date(2026, 3, 30), weeks=1) == 40
    # over the four weeks from 9 March: three weeks of 35 hours, one of 40
    assert weekly_overlap_hours(agent, business, start=date(2026, 3, 9), weeks=4) == (35 * 3 + 40) / 4


def test_window_crossing_midnight_in_the_other_zone():
    # Manila 07:00-11:00 is 23:00-03:00 UTC: it straddles the UTC midnight.
    agent = weekdays("Asia/Manila", "07:00", "11:00", days=["tue"])
    business = WeeklySchedule.around_the_clock("UTC")
    assert overlap_minutes(agent, business, start=date(2026, 6, 1), weeks=1) == 240


def test_around_the_clock_is_the_whole_week():
    assert WeeklySchedule.around_the_clock().nominal_minutes == 7 * 24 * 60


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("mon", "9:00", "17:00"), "w.start"),
        (("mon", "09:00", "25:00"), "w.end"),
        (("funday", "09:00", "17:00"), "w.day"),
        (("mon", "17:00", "09:00"), "w"),
        (("mon", "09:00", "09:00"), "w"),
    ],
)
def test_malformed_windows_name_the_field(args, field):
    with pytest.raises(InvalidInput) as raised:
        Window.parse(*args, field="w")
    assert raised.value.field == field


def test_self_overlapping_schedule_names_the_window():
    with pytest.raises(InvalidInput) as raised:
        WeeklySchedule.build(
            "UTC",
            [
                Window.parse("mon", "09:00", "12:00", field="w"),
                Window.parse("mon", "11:00", "13:00", field="w"),
            ],
        )
    assert raised.value.field == "windows.1"
    with pytest.raises(InvalidInput):
        WeeklySchedule.build("UTC", [])


windows = st.builds(
    lambda day, start, length: Window(day, start, min(start + length, 24 * 60)),
    st.integers(0, 6),
    st.integers(0, 24 * 60 - 15),
    st.integers(15, 600),
)
zones = st.sampled_from(["UTC", "America/New_York", "Europe/Lisbon", "Asia/Kolkata", "Australia/Sydney"])


def _schedule(zone, ws):
    merged = []
    for w in sorted(set(ws)):
        if merged and merged[-1].day == w.day and w.start < merged[-1].end:
            continue
        merged.append(w)
    return WeeklySchedule.build(zone, merged)


@settings(max_examples=60, deadline=None)
@given(
    zones,
    st.lists(windows, min_size=1, max_size=6),
    zones,
    st.lists(windows, min_size=1, max_size=6),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 1)),
)
def test_overlap_is_symmetric_and_bounded(za, wa, zb, wb, start):
    a, b = _schedule(za, wa), _schedule(zb, wb)
    ab = overlap_minutes(a, b, start=start, weeks=2)
    assert ab == overlap_minutes(b, a, start=start, weeks=2)
    # never more than either schedule (plus the DST hour a week may gain)
    assert 0 <= ab <= min(a.nominal_minutes, b.nominal_minutes) * 2 + 2 * 60
    assert overlap_minutes(a, a, start=start, weeks=2) >= a.nominal_minutes * 2 - 2 * 60


@settings(max_examples=80, deadline=None)
@given(
    zones,
    st.lists(windows, min_size=1, max_size=6),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 1)),
    st.integers(8, 60),
)
def test_fast_layout_equals_the_day_by_day_layout(zone, ws, start, days):
    """The week-shifting layout (no DST change in the span) gives exactly the zoneinfo layout."""
    from datetime import timedelta

    from chalicelib.domain.schedule import _exact, _laid_out

    schedule = _schedule(zone, ws)
    end = start + timedelta(days=days)
    assert _laid_out.__wrapped__(schedule, start, end) == _exact(schedule, start, end)
