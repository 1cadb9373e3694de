"""The portal's weekly-window rows (web/forms.py): several windows a day, night shifts written
with the next morning's end, every row's problem at once under that row's field."""

import pytest

from chalicelib.domain.schedule import WeeklySchedule, Window
from chalicelib.web import forms


def rows(*windows: tuple[str, str, str], first: int = 0) -> dict[str, str]:
    values: dict[str, str] = {}
    for row, (day, start, end) in enumerate(windows, start=first):
        values |= {f"window_{row}_day": day, f"window_{row}_start": start, f"window_{row}_end": end}
    return values


def test_several_windows_a_day_and_a_night_read_as_typed():
    values = rows(("mon", "08:00", "12:00"), ("mon", "13:00", "17:00"), ("fri", "22:00", "06:00"))
    values |= {"window_3_day": "sat", "window_3_start": "", "window_3_end": ""}  # a blank row: skipped
    assert forms.weekly_windows(values) == [
        ("mon", "08:00", "12:00"),
        ("mon", "13:00", "17:00"),
        ("fri", "22:00", "06:00"),
    ]


def test_every_rows_problem_at_once_under_its_row():
    values = rows(
        ("mon", "09:00", "17:00"),
        ("tue", "09:00", ""),  # half a row
        ("wed", "9 am", "17:00"),  # not a time
        ("thu", "10:00", "10:00"),  # no length
        ("someday", "10:00", "12:00"),
    )
    with pytest.raises(forms.FormProblems) as refused:
        forms.weekly_windows(values)
    assert refused.value.problems == {
        "window_1_end": "window 2: give both a start and an end",
        "window_2_start": "window 3: write the time as HH:MM, such as 09:00",
        "window_3_start": "window 4: it ends when it starts: a night shift ends at the next morning's "
        "time, such as 22:00 to 06:00",
        "window_4_day": "window 5: pick a day",
    }


@pytest.mark.parametrize(
    ("windows", "field", "message"),
    [
        (
            [("mon", "22:00", "06:00"), ("tue", "05:00", "09:00")],
            "window_1_start",
            "window 2 (Tue 05:00–09:00) overlaps window 1 (Mon 22:00–Tue 06:00)",
        ),
        (
            [("mon", "05:00", "09:00"), ("wed", "09:00", "10:00"), ("sun", "23:00", "06:00")],
            "window_2_start",
            "window 3 (Sun 23:00–Mon 06:00) overlaps window 1 (Mon 05:00–09:00)",
        ),
    ],
)
def test_an_overlap_names_the_later_row_and_the_one_it_runs_into(windows, field, message):
    with pytest.raises(forms.FormProblems) as refused:
        forms.weekly_windows(rows(*windows))
    assert refused.value.problems == {field: message}


def test_a_collector_keeps_every_rows_problem():
    found = forms.Collector()
    values = rows(("mon", "09:00", ""), ("tue", "x", "10:00"))
    assert found.read("window_0_start", lambda: forms.weekly_windows(values)) is None
    with pytest.raises(forms.FormProblems) as refused:
        found.done()
    assert set(refused.value.problems) == {"window_0_end", "window_1_start"}


def test_a_stored_schedule_fills_a_row_per_window_and_reads_back_the_same():
    schedule = WeeklySchedule.build(
        "UTC",
        [
            Window.parse("sun", "22:00", "06:00", field="w"),
            Window.parse("mon", "18:00", "24:00", field="w"),
            Window.parse("mon", "08:00", "12:00", field="w"),
        ],
    )
    fields = forms.window_fields(schedule.to_json())
    assert fields == rows(("mon", "08:00", "12:00"), ("mon", "18:00", "00:00"), ("sun", "22:00", "06:00"))
    read = forms.weekly_windows(fields)
    again = WeeklySchedule.build("UTC", [Window.parse(*w, field="w") for w in read])
    assert again == schedule


def test_a_form_shows_a_row_a_day_or_the_filled_rows_and_two_more():
    assert forms.window_rows({}) == range(7)
    assert forms.window_rows(rows(("mon", "09:00", "17:00"), first=8)) == range(11)
    assert forms.window_rows(rows(("mon", "09:00", "17:00"), first=27)) == range(28)
