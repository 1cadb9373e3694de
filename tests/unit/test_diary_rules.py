"""The work diary's rules (DESIGN.md section 3), without any I/O."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import diary as d
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.time import BillingWeek

NOW = datetime(2026, 11, 26, 15, 0, 30, tzinfo=UTC)  # Thursday of 2026-W48


def at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_a_span_is_minutes_in_utc():
    span = d.check_span(at(26, 9, 0).replace(second=59), at(26, 10, 30), now=NOW)
    assert span == d.Span(at(26, 9), at(26, 10, 30)) and span.minutes == 90


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (at(26, 10), at(26, 9), "ends before it starts"),
        (at(26, 9), at(26, 9), "at least one minute"),
        (at(26, 14), at(26, 15, 1), "future"),
        (at(24, 9), at(25, 9, 1), "24 hours"),
    ],
)
def test_malformed_spans_are_400s_naming_the_end(start, end, message):
    with pytest.raises(InvalidInput, match=message) as caught:
        d.check_span(start, end, now=NOW)
    assert caught.value.field == "ended_at"


def test_memo_and_tickets_are_trimmed_and_bounded():
    assert d.check_memo("  refunds  ", ["#12", " #12 ", "", "ZD-9"]) == ("refunds", ("#12", "ZD-9"))
    with pytest.raises(InvalidInput) as caught:
        d.check_memo("x" * 2001, [])
    assert caught.value.field == "memo"
    with pytest.raises(InvalidInput):
        d.check_memo("", [f"T{i}" for i in range(21)])


def test_an_entry_across_monday_midnight_is_two_entries():
    span = d.Span(datetime(2026, 11, 29, 22, tzinfo=UTC), datetime(2026, 11, 30, 1, 30, tzinfo=UTC))
    pieces = d.split_by_week(span)
    assert [(str(w), p.minutes) for w, p in pieces] == [("2026-W48", 120), ("2026-W49", 90)]


@given(st.integers(0, 7 * 24 * 60), st.integers(1, 24 * 60))
def test_splitting_keeps_every_minute_once_and_each_piece_in_one_week(offset, minutes):
    start = datetime(2026, 11, 23, tzinfo=UTC) + timedelta(minutes=offset)
    span = d.Span(start, start + timedelta(minutes=minutes))
    pieces = d.split_by_week(span)
    assert sum(p.minutes for _, p in pieces) == minutes
    assert 1 <= len(pieces) <= 2
    for week, piece in pieces:
        assert week.starts_at <= piece.start and piece.end <= week.ends_at


def test_a_week_locks_at_monday_noon_of_the_next():
    week = BillingWeek(2026, 48)
    d.check_week_open(week, now=datetime(2026, 11, 30, 11, 59, tzinfo=UTC))
    with pytest.raises(d.EntryRejected) as caught:
        d.check_week_open(week, now=datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
    assert caught.value.code == "week_locked"


def test_the_cap_says_how_many_minutes_are_left():
    week = BillingWeek(2026, 48)
    d.check_cap(week, cap=750, logged=700, adding=50)
    with pytest.raises(d.EntryRejected) as caught:
        d.check_cap(week, cap=750, logged=700, adding=51)
    assert caught.value.code == "over_weekly_cap" and caught.value.minutes_left == 50
    assert "50 min are left" in caught.value.message and "12 h 30 min" in caught.value.message
    assert caught.value.extra == {"minutes_left": 50}
    with pytest.raises(d.EntryRejected) as caught:
        d.check_block(block=600, used=600, adding=1)
    assert caught.value.code == "block_exhausted" and caught.value.minutes_left == 0


def test_diary_days_find_overlap_across_midnight_and_ignore_the_entry_being_edited():
    logged = d.Span(at(25, 23), at(26, 1))
    days = d.days_with({}, logged, "t/c/e1")
    assert sorted(days) == [date(2026, 11, 25), date(2026, 11, 26)]
    assert days[date(2026, 11, 26)] == [d.DaySpan(0, 60, "t/c/e1")]
    assert d.find_clash(d.Span(at(26, 0, 59), at(26, 2)), days) == d.Span(at(26, 0), at(26, 1))
    assert d.find_clash(d.Span(at(26, 1), at(26, 2)), days) is None  # half-open: touching is fine
    assert d.find_clash(d.Span(at(26, 0, 30), at(26, 2)), days, ignore=frozenset({"t/c/e1"})) is None
    with pytest.raises(d.EntryRejected) as caught:
        d.check_no_overlap(d.Span(at(25, 22), at(25, 23, 1)), days)
    assert caught.value.code == "overlap"
    removed = d.days_without(days, logged, "t/c/e1")
    assert removed == {date(2026, 11, 25): [], date(2026, 11, 26): []}


def test_time_overlapping_an_open_clock_is_refused():
    with pytest.raises(d.EntryRejected, match="clocked in"):
        d.check_no_overlap(d.Span(at(26, 9), at(26, 10)), {}, clock=d.Span(at(26, 9, 30), NOW))


@given(
    st.lists(st.tuples(st.integers(0, 3 * 24 * 60), st.integers(1, 600)), max_size=12),
    st.tuples(st.integers(0, 3 * 24 * 60), st.integers(1, 600)),
)
def test_the_guard_agrees_with_brute_force(existing, candidate):
    """Whatever was logged, the diary-day guard refuses a span exactly when it shares a minute
    with one of the spans it accepted before."""
    base = datetime(2026, 11, 23, tzinfo=UTC)
    days: dict = {}
    accepted: list[d.Span] = []
    for index, (offset, minutes) in enumerate(existing):
        span = d.Span(base + timedelta(minutes=offset), base + timedelta(minutes=offset + minutes))
        if d.find_clash(span, days) is None:
            assert not any(span.overlaps(a) for a in accepted)
            days.update(d.days_with(days, span, f"t/c/{index}"))
            accepted.append(span)
        else:
            assert any(span.overlaps(a) for a in accepted)
    offset, minutes = candidate
    span = d.Span(base + timedelta(minutes=offset), base + timedelta(minutes=offset + minutes))
    assert (d.find_clash(span, days) is not None) == any(span.overlaps(a) for a in accepted)


def test_a_clock_stops_at_the_first_limit():
    start = at(26, 8)
    plain = d.clock_stop(
        start, at(26, 9, 15), period_stop=None, cap_left=None, block_left=None, next_busy=None
    )
    assert plain == d.ClockStop(at(26, 9, 15), None)
    forgotten = d.clock_stop(
        start, at(27, 8), period_stop=None, cap_left=None, block_left=None, next_busy=None
    )
    assert forgotten == d.ClockStop(at(26, 20), d.FORGOTTEN)
    capped = d.clock_stop(
        start,
        at(26, 12),
        period_stop=None,
        cap_left={BillingWeek(2026, 48): 90},
        block_left=None,
        next_busy=None,
    )
    assert capped == d.ClockStop(at(26, 9, 30), d.AT_CAP)
    block = d.clock_stop(start, at(26, 12), period_stop=None, cap_left=None, block_left=30, next_busy=None)
    assert block == d.ClockStop(at(26, 8, 30), d.BLOCK_USED)
    paused = d.clock_stop(
        start, at(26, 12), period_stop=at(26, 10), cap_left=None, block_left=None, next_busy=None
    )
    assert paused == d.ClockStop(at(26, 10), d.CONTRACT_STOPPED)


def test_a_clock_across_monday_counts_each_weeks_cap():
    start = datetime(2026, 11, 29, 23, tzinfo=UTC)
    stop = d.clock_stop(
        start,
        datetime(2026, 11, 30, 3, tzinfo=UTC),
        period_stop=None,
        cap_left={BillingWeek(2026, 48): 600, BillingWeek(2026, 49): 60},
        block_left=None,
        next_busy=None,
    )
    assert stop == d.ClockStop(datetime(2026, 11, 30, 1, tzinfo=UTC), d.AT_CAP)


def test_the_review_window_runs_from_the_lock_to_friday_night():
    week = BillingWeek(2026, 48)
    with pytest.raises(Conflict) as caught:
        d.check_review_window(week, now=datetime(2026, 11, 30, 11, tzinfo=UTC), action="dispute")
    assert caught.value.code == "week_open"
    d.check_review_window(week, now=datetime(2026, 11, 30, 12, tzinfo=UTC), action="dispute")
    d.check_review_window(week, now=datetime(2026, 12, 4, 23, 59, tzinfo=UTC), action="dispute")
    with pytest.raises(Conflict) as caught:
        d.check_review_window(week, now=datetime(2026, 12, 5, tzinfo=UTC), action="dispute")
    assert caught.value.code == "review_window_closed" and "Fri 04 Dec 23:59" in caught.value.message


def test_entry_status_follows_the_timeline():
    week = BillingWeek(2026, 48)
    status = d.entry_status
    assert status("", week=week, timesheet_closed=False, now=at(27, 9)) == "logged"
    assert status("", week=week, timesheet_closed=False, now=datetime(2026, 12, 1, tzinfo=UTC)) == "in_review"
    assert status("", week=week, timesheet_closed=True, now=datetime(2026, 12, 1, tzinfo=UTC)) == "approved"
    assert status("", week=week, timesheet_closed=False, now=datetime(2026, 12, 5, tzinfo=UTC)) == "approved"
    assert (
        status("disputed", week=week, timesheet_closed=True, now=datetime(2026, 12, 9, tzinfo=UTC))
        == "disputed"
    )


def test_week_minutes_split():
    minutes = d.WeekMinutes(billed=600, approved=300, disputed=60, upheld=30, released=30)
    assert minutes.payable == 330 and minutes.awaiting_review == 180


def test_hours_and_minutes_reads_well():
    assert [d.hours_and_minutes(m) for m in (45, 60, 750)] == ["45 min", "1 h", "12 h 30 min"]


def test_a_refusal_names_its_times_on_the_readers_clock():
    """Issue 14, item 8: the week's lock, an overlap, a running clock and the review window, each
    on the clock of the one refused, the zone named."""
    week = BillingWeek(2026, 48)
    with pytest.raises(d.EntryRejected) as caught:
        d.check_week_open(week, now=datetime(2026, 12, 1, tzinfo=UTC), zone="America/Sao_Paulo")
    assert "week 2026-W48 locked at Mon 30 Nov 09:00 America/Sao_Paulo;" in caught.value.message
    days = d.days_with({}, d.Span(at(25, 23), at(26, 1)), "t/c/e1")
    with pytest.raises(d.EntryRejected) as caught:
        d.check_no_overlap(d.Span(at(25, 22), at(25, 23, 1)), days, zone="Asia/Kolkata")
    assert "(Thu 26 Nov 04:30–05:30 IST)" in caught.value.message  # the clashing day's piece
    with pytest.raises(d.EntryRejected) as caught:
        d.check_no_overlap(
            d.Span(at(26, 9), at(26, 10)), {}, clock=d.Span(at(26, 9, 30), NOW), zone="America/New_York"
        )
    assert "clocked in since Thu 26 Nov 04:30 EST;" in caught.value.message
    with pytest.raises(Conflict) as caught:
        d.check_review_window(
            week, now=datetime(2026, 11, 30, 11, tzinfo=UTC), action="approve", zone="America/New_York"
        )
    assert "the agent may fix it until Mon 30 Nov 07:00 EST;" in caught.value.message
    with pytest.raises(Conflict) as caught:
        d.check_review_window(
            week, now=datetime(2026, 12, 5, tzinfo=UTC), action="x", zone="America/New_York"
        )
    assert caught.value.message.endswith("closed at Fri 04 Dec 18:59 EST")
    assert "UTC" not in caught.value.message
