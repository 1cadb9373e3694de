"""A schedule read on another zone's clock (issue 14, items 7 and 8): the week it is read in
decides across changes of clocks, a window over the reader's midnight is overnight, and one
carried past Sunday night wraps to Monday."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.schedule import WeeklySchedule, Window, seen_from


def schedule(zone: str, *windows: tuple[str, str, str]) -> WeeklySchedule:
    return WeeklySchedule.build(zone, [Window.parse(d, s, e, field="w") for d, s, e in windows])


def shown(s: WeeklySchedule, zone: str, week_of: date) -> list[dict]:
    return [w.to_json() for w in seen_from(s, zone, week_of=week_of).windows]


def test_the_week_read_decides_across_changes_of_clocks():
    lisbon = schedule("Europe/Lisbon", ("mon", "14:00", "22:00"))
    # New York changed its clocks on 8 March 2026, Lisbon on 29 March: for three weeks the gap is 4 h
    assert shown(lisbon, "America/New_York", date(2026, 3, 4)) == [
        {"day": "mon", "start": "09:00", "end": "17:00"}
    ]
    assert shown(lisbon, "America/New_York", date(2026, 3, 18)) == [
        {"day": "mon", "start": "10:00", "end": "18:00"}
    ]
    assert shown(lisbon, "America/New_York", date(2026, 4, 1)) == [
        {"day": "mon", "start": "09:00", "end": "17:00"}
    ]


def test_a_window_over_the_readers_midnight_is_overnight_and_sunday_night_wraps():
    sao_paulo = schedule("America/Sao_Paulo", ("fri", "22:00", "06:00"), ("sun", "20:00", "23:00"))
    assert shown(sao_paulo, "America/Los_Angeles", date(2026, 12, 2)) == [
        {"day": "fri", "start": "17:00", "end": "01:00"},
        {"day": "sun", "start": "15:00", "end": "18:00"},
    ]
    # in Tokyo (12 h ahead) Sunday 20:00 is Monday 08:00
    assert shown(sao_paulo, "Asia/Tokyo", date(2026, 12, 2)) == [
        {"day": "mon", "start": "08:00", "end": "11:00"},
        {"day": "sat", "start": "10:00", "end": "18:00"},
    ]


def test_the_same_zone_changes_nothing():
    s = schedule(
        "Europe/Berlin", ("tue", "09:00", "12:00"), ("tue", "13:00", "17:30"), ("sat", "23:00", "02:00")
    )
    assert seen_from(s, "Europe/Berlin", week_of=date(2026, 6, 10)).windows == s.windows


@given(
    st.sampled_from(["America/New_York", "Asia/Kolkata", "Pacific/Auckland", "UTC", "America/Sao_Paulo"]),
    st.integers(0, 6),
    st.integers(0, 23 * 60),
    st.integers(15, 12 * 60),
    st.dates(date(2026, 1, 1), date(2027, 12, 31)),
)
def test_minutes_are_kept_when_no_clock_changes(zone, day, start, length, week_of):
    s = WeeklySchedule("Asia/Tokyo", (Window(day, start, start + length),))  # Tokyo keeps its clock
    seen = seen_from(s, zone, week_of=week_of)
    assert seen.time_zone == zone and len(seen.windows) == 1
    assert abs(seen.windows[0].minutes - length) in (0, 60, 30)  # the reader's own change, at most
