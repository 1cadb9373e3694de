"""Interview slots and the iCalendar file."""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.ics import write as ics
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.interviews import CalendarEvent, check_pick, check_slots, local_label

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_slots_are_checked_and_sorted():
    later, sooner = NOW + timedelta(days=2), NOW + timedelta(days=1, seconds=42)
    assert check_slots([later, sooner], now=NOW, duration=30) == (sooner.replace(second=0), later)


@pytest.mark.parametrize(
    ("slots", "duration", "field"),
    [
        ([NOW - timedelta(hours=1)], 30, "slots.0"),
        ([NOW + timedelta(days=1)] * 2, 30, "slots.1"),
        ([], 30, "slots"),
        ([NOW + timedelta(days=i + 1) for i in range(6)], 30, "slots"),
        ([NOW + timedelta(days=1)], 20, "duration_minutes"),
        ([datetime(2027, 1, 5, 15, 0)], 30, "slots.0"),
    ],
)
def test_bad_slots_name_the_field(slots, duration, field):
    with pytest.raises(InvalidInput) as raised:
        check_slots(slots, now=NOW, duration=duration)
    assert raised.value.field == field


def test_pick_one_of_the_slots_once():
    slots = check_slots([NOW + timedelta(days=1)], now=NOW, duration=30)
    assert check_pick(slots, slots[0], status="proposed", now=NOW) == slots[0]
    with pytest.raises(InvalidInput):
        check_pick(slots, slots[0] + timedelta(minutes=5), status="proposed", now=NOW)
    with pytest.raises(Conflict):
        check_pick(slots, slots[0], status="booked", now=NOW)


def test_each_side_reads_its_own_time():
    moment = datetime(2027, 1, 5, 15, 0, tzinfo=UTC)
    assert local_label(moment, "America/New_York") == "Tue 05 Jan 2027, 10:00 (America/New_York)"
    assert local_label(moment, "Asia/Kolkata") == "Tue 05 Jan 2027, 20:30 (Asia/Kolkata)"


def test_ics_is_rfc5545():
    event = CalendarEvent(
        uid="abc@deskhire",
        start=datetime(2027, 1, 5, 15, 0, tzinfo=UTC),
        minutes=45,
        summary="Interview: Email support, Acme; Ana",
        description="Line one\nLine two " + "x" * 120,
        stamp=NOW,
    )
    text = ics(event)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert "DTSTART:20270105T150000Z\r\n" in text and "DTEND:20270105T154500Z\r\n" in text
    assert "SUMMARY:Interview: Email support\\, Acme\\; Ana" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert "Line one\\nLine two " + "x" * 120 in unfolded


def test_a_carriage_return_in_a_title_stays_inside_the_summary():
    # issue 12: a bare CR in an opening title became a line of the calendar file of its own
    event = CalendarEvent(
        uid="abc@deskhire",
        start=datetime(2027, 1, 5, 15, 0, tzinfo=UTC),
        minutes=30,
        summary="Interview: Support\rATTENDEE:mailto:boss@evil.example",
        description="x\r\nORGANIZER:mailto:a@evil.example",
        stamp=NOW,
    )
    lines = ics(event).replace("\r\n ", "").split("\r\n")
    assert not any(line.startswith(("ATTENDEE", "ORGANIZER")) for line in lines)
    assert "\r" not in "".join(lines)


def test_slots_lie_in_the_years_deskhire_means():
    with pytest.raises(InvalidInput) as raised:
        check_slots([datetime(9999, 12, 31, 23, 0, tzinfo=UTC)], now=NOW, duration=90)
    assert raised.value.field == "slots.0"
