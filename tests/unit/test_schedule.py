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
        (("mon", "24:00", "06:00"), "w.start"),
        (("mon", "09:00", "09:00"), "w"),  # not a 24-hour shift: an empty one
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


def test_an_overnight_window_ends_the_next_day():
    night = Window.parse("mon", "22:00", "06:00", field="w")
    assert night == Window(0, 22 * 60, 30 * 60)
    assert night.overnight and night.minutes == 8 * 60
    assert night.label() == "mon 22:00-tue 06:00"
    assert Window.parse("sun", "22:00", "06:00", field="w").label() == "sun 22:00-mon 06:00"
    # JSON keeps the clock as written, and reads back to the same window
    assert night.to_json() == {"day": "mon", "start": "22:00", "end": "06:00"}
    assert Window.parse(**night.to_json(), field="w") == night
    # ending at midnight is not overnight: 00:00 and 24:00 are the same end (a time input has no 24:00)
    evening = Window.parse("mon", "18:00", "00:00", field="w")
    assert evening == Window.parse("mon", "18:00", "24:00", field="w") == Window(0, 18 * 60, 24 * 60)
    assert not evening.overnight and evening.to_json()["end"] == "24:00"
    assert evening.label() == "mon 18:00-24:00"


def test_several_windows_a_day_and_a_night_shift():
    schedule = WeeklySchedule.build(
        "Europe/Lisbon",
        [
            Window.parse("mon", "20:00", "02:00", field="w"),
            Window.parse("mon", "08:00", "12:00", field="w"),
            Window.parse("mon", "13:00", "17:00", field="w"),
            Window.parse("tue", "02:00", "04:00", field="w"),  # touches the night's end: not an overlap
            Window.parse("sun", "23:00", "00:00", field="w"),
        ],
    )
    assert schedule.nominal_minutes == (6 + 4 + 4 + 2 + 1) * 60
    assert [w.label() for w in schedule.windows] == [
        "mon 08:00-12:00",
        "mon 13:00-17:00",
        "mon 20:00-tue 02:00",
        "tue 02:00-04:00",
        "sun 23:00-24:00",
    ]
    # the stored JSON reads back to the same schedule
    from chalicelib.store.marketplace import schedule_of

    assert schedule_of(schedule.to_json()) == schedule


@pytest.mark.parametrize(
    ("windows", "field", "message"),
    [
        # the night runs into Tuesday morning
        (
            [("mon", "22:00", "06:00"), ("tue", "05:00", "09:00")],
            "windows.1",
            "tue 05:00-09:00 overlaps mon 22:00-tue 06:00",
        ),
        # named by the later one given, whatever the days' order
        (
            [("tue", "05:00", "09:00"), ("mon", "22:00", "06:00")],
            "windows.1",
            "mon 22:00-tue 06:00 overlaps tue 05:00-09:00",
        ),
        # Sunday night runs into Monday morning: the week wraps
        (
            [("mon", "05:00", "09:00"), ("sun", "22:00", "06:00")],
            "windows.1",
            "sun 22:00-mon 06:00 overlaps mon 05:00-09:00",
        ),
        (
            [("wed", "09:00", "12:00"), ("wed", "11:00", "13:00")],
            "windows.1",
            "wed 11:00-13:00 overlaps wed 09:00-12:00",
        ),
    ],
)
def test_overlapping_windows_are_refused_naming_the_later(windows, field, message):
    with pytest.raises(InvalidInput) as raised:
        WeeklySchedule.build("UTC", [Window.parse(*w, field="w") for w in windows])
    assert (raised.value.field, raised.value.message) == (field, message)


def _night(tz: str, day: str) -> WeeklySchedule:
    return WeeklySchedule.build(tz, [Window.parse(day, "22:00", "06:00", field="w")])


@pytest.mark.parametrize(
    ("tz", "monday", "hours"),
    [
        ("America/New_York", date(2026, 3, 2), 7),  # Sat 7 -> Sun 8 March: clocks spring forward at 02:00
        ("America/New_York", date(2026, 10, 26), 9),  # Sat 31 Oct -> Sun 1 Nov: clocks fall back
        ("America/New_York", date(2026, 6, 1), 8),
        ("Europe/London", date(2026, 3, 23), 7),  # Sat 28 -> Sun 29 March
        ("Europe/London", date(2026, 10, 19), 9),  # Sat 24 -> Sun 25 October
    ],
)
def test_a_night_across_a_change_of_clocks_is_an_hour_shorter_or_longer(tz, monday, hours):
    night = _night(tz, "sat")
    assert overlap_minutes(night, WeeklySchedule.around_the_clock("UTC"), start=monday, weeks=1) == hours * 60
    # and against a business in another zone that wants the whole of that Sunday morning
    morning = WeeklySchedule.build(tz, [Window.parse("sun", "00:00", "12:00", field="w")])
    assert overlap_minutes(night, morning, start=monday, weeks=1) == (hours - 2) * 60


def test_sunday_night_counts_in_the_week_it_runs_into():
    # the span is Monday to Monday in UTC: the Sunday night before it gives its Monday morning
    night = _night("UTC", "sun")
    assert (
        overlap_minutes(night, WeeklySchedule.around_the_clock(), start=date(2026, 6, 1), weeks=1) == 8 * 60
    )
    mornings = WeeklySchedule.build("UTC", [Window.parse("mon", "00:00", "06:00", field="w")])
    assert overlap_minutes(night, mornings, start=date(2026, 6, 1), weeks=2) == 2 * 6 * 60


windows = st.builds(
    # any length up to a day: a window from 22:00 for 8 hours runs overnight (end past 24:00)
    lambda day, start, length: Window(day, start, start + length),
    st.integers(0, 6),
    st.integers(0, 24 * 60 - 15),
    st.integers(15, 24 * 60 - 1),
)
zones = st.sampled_from(["UTC", "America/New_York", "Europe/Lisbon", "Asia/Kolkata", "Australia/Sydney"])


def _schedule(zone, ws):
    """The windows that do not overlap one kept before them (across the week's wrap too)."""
    kept: list[Window] = []
    for w in sorted(set(ws)):
        try:
            WeeklySchedule.build(zone, [*kept, w])
        except InvalidInput:
            continue
        kept.append(w)
    return WeeklySchedule.build(zone, kept)


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


def _split(window: Window) -> list[Window]:
    """An overnight window as the two windows people used to write: to midnight, and from it."""
    return [Window(window.day, window.start, 24 * 60), Window((window.day + 1) % 7, 0, window.end - 24 * 60)]


@settings(max_examples=80, deadline=None)
@given(
    zones,
    st.integers(0, 6),
    st.integers(60, 24 * 60 - 1),
    st.integers(1, 24 * 60 - 60),
    zones,
    st.lists(windows, min_size=1, max_size=6),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 1)),
    st.integers(1, 3),
)
def test_an_overnight_window_overlaps_as_its_two_halves(zone, day, start, end, other_zone, ws, first, weeks):
    """Across zones and DST changes, a night shift counts exactly as the two windows split at
    midnight that it replaces."""
    from datetime import timedelta

    if end >= start:
        end = start - 1  # the end on the next day's clock, before the start
    night = Window.parse(
        DAYS[day], f"{start // 60:02d}:{start % 60:02d}", f"{end // 60:02d}:{end % 60:02d}", field="w"
    )
    assert night.overnight
    whole = WeeklySchedule.build(zone, [night])
    halves = WeeklySchedule.build(zone, _split(night))
    other = _schedule(other_zone, ws)
    assert overlap_minutes(whole, other, start=first, weeks=weeks) == overlap_minutes(
        halves, other, start=first, weeks=weeks
    )
    # and the calendar lays it out on the same real minutes (laid out from a day before, since
    # the halves start their morning on the first date and the night the evening before it)
    from datetime import UTC, datetime, time

    from chalicelib.domain import calendar

    last = first + timedelta(days=7 * weeks)
    inside = (
        (
            calendar.epoch_minute(datetime.combine(first, time(0), tzinfo=UTC)),
            calendar.epoch_minute(datetime.combine(last, time(0), tzinfo=UTC)),
        ),
    )
    assert calendar.intersect(calendar.laid_out(whole, first - timedelta(days=2), last), inside) == (
        calendar.intersect(calendar.laid_out(halves, first - timedelta(days=2), last), inside)
    )
