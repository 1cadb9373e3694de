"""The billing week: ISO weeks from Monday 00:00 UTC, the Monday-noon lock, the Friday review close."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.time import BillingWeek, to_minute


def test_week_of_a_moment_and_its_boundaries():
    week = BillingWeek.containing(datetime(2026, 11, 25, 15, 30, tzinfo=UTC))
    assert str(week) == "2026-W48"
    assert week.starts_at == datetime(2026, 11, 23, tzinfo=UTC)
    assert week.ends_at == datetime(2026, 11, 30, tzinfo=UTC)
    assert week.locks_at == datetime(2026, 11, 30, 12, tzinfo=UTC)
    assert week.review_closes_at == datetime(2026, 12, 5, tzinfo=UTC)  # after Friday 23:59


def test_sunday_late_in_new_york_is_monday_utc():
    moment = datetime(2026, 11, 29, 20, 0, tzinfo=timezone(timedelta(hours=-5)))  # Mon 01:00 UTC
    assert str(BillingWeek.containing(moment)) == "2026-W49"


def test_year_boundary_follows_iso():
    assert str(BillingWeek.containing(datetime(2026, 12, 31, tzinfo=UTC))) == "2026-W53"
    assert str(BillingWeek.containing(datetime(2027, 1, 4, tzinfo=UTC))) == "2027-W01"
    assert BillingWeek.parse("2026-W53").next() == BillingWeek(2027, 1)


@pytest.mark.parametrize("text", ["2026-48", "2026-W5", "W48", "2025-W53", "2026-W00", ""])
def test_parse_refuses_malformed_weeks(text):
    with pytest.raises(InvalidInput) as raised:
        BillingWeek.parse(text)
    assert raised.value.field == "week"


def test_naive_times_are_refused():
    with pytest.raises(InvalidInput):
        to_minute(datetime(2026, 1, 1, 12, 0))


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_every_minute_falls_in_exactly_its_week(moment):
    week = BillingWeek.containing(moment)
    assert week.starts_at <= to_minute(moment) < week.ends_at
    assert week.starts_at.weekday() == 0 and week.starts_at.hour == 0
    assert BillingWeek.parse(str(week)) == week


@pytest.mark.parametrize("text", ["0001-W01", "9999-W52", "1989-W52", "2200-W01"])
def test_weeks_outside_the_years_deskhire_means_are_refused(text):
    # issue 12: both ends overflowed a date (a 500) when a page stepped a week back or forth
    with pytest.raises(InvalidInput) as raised:
        BillingWeek.parse(text)
    assert raised.value.field == "week"


@pytest.mark.parametrize("text", ["1990-W01", "2199-W52"])
def test_the_first_and_last_weeks_have_neighbours(text):
    week = BillingWeek.parse(text)
    assert week.starts_at < week.ends_at < week.review_closes_at


# -- on a person's clock (issue 14, item 8): the one writing pages, mails and refusals share --

NOV_25 = datetime(2026, 11, 25, 15, 10, tzinfo=UTC)


def test_an_instant_on_each_readers_clock_with_the_zone_named():
    from chalicelib.domain.time import clock, day, span, when

    assert when(NOV_25, "America/New_York") == "Wed 25 Nov 10:10 EST"
    assert when(NOV_25, "America/Sao_Paulo") == "Wed 25 Nov 12:10 America/Sao_Paulo"  # "-03" says nothing
    assert when(NOV_25, "UTC") == "Wed 25 Nov 15:10 UTC"
    assert when("2026-11-25T15:10:00Z", "Asia/Kolkata") == "Wed 25 Nov 20:40 IST"
    assert clock(NOV_25, "Europe/London") == "15:10 GMT"
    assert day(datetime(2026, 11, 26, 3, tzinfo=UTC), "America/New_York") == "Wed 25 Nov 2026"
    assert span(NOV_25, NOV_25 + timedelta(hours=10), "America/New_York") == "Wed 25 Nov 10:10–20:10 EST"
    assert (
        span(NOV_25, NOV_25 + timedelta(hours=10), "Asia/Kolkata")
        == "Wed 25 Nov 20:40 – Thu 26 Nov 06:40 IST"
    )


def test_the_portal_filters_write_what_the_domain_writes():
    from chalicelib.domain import time
    from chalicelib.web import pages

    with pages.viewing_in("America/New_York"):
        assert pages.when(NOV_25) == time.when(NOV_25, "America/New_York")
        assert pages.span(NOV_25, NOV_25 + timedelta(hours=1)) == time.span(
            NOV_25, NOV_25 + timedelta(hours=1), "America/New_York"
        )


def test_a_billing_week_says_it_is_on_utc():
    from chalicelib.domain.time import week_words

    assert week_words(BillingWeek(2026, 48)) == (
        "week 2026-W48 (a billing week, on UTC: Mon 23 Nov 00:00 to Mon 30 Nov 00:00 UTC)"
    )
