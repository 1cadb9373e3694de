"""Hours contracted per UTC day (domain/contracted.py): a week's days add up to its weekly cap
exactly; a day counts when the contract was active at any moment of it; the cap that governs
each week is the terms history's (a raised cap at once, a lowered one from the next Monday)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.contracted import HourlyTerms, contracted_by_day, day_share
from chalicelib.domain.contracts import ActivePeriods, Period, TermsChange

MON = date(2026, 11, 23)  # Monday of 2026-W48
SUN = MON + timedelta(days=6)


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def hourly(cap: int, *periods: tuple[datetime, datetime | None], changes=(), ends_at=None) -> HourlyTerms:
    terms = (TermsChange(at(20), 2500, cap), *changes)
    return HourlyTerms(terms, ActivePeriods(tuple(Period(s, e) for s, e in periods), ends_at))


@given(st.integers(min_value=0, max_value=10_080))
def test_a_weeks_shares_add_up_to_the_cap(cap):
    shares = [day_share(cap, d) for d in range(7)]
    assert sum(shares) == cap
    assert max(shares) - min(shares) <= 1


def test_a_contract_active_all_week_contracts_its_cap():
    days = contracted_by_day([hourly(750, (at(20, 9), None))], MON, SUN)
    assert sum(days.values()) == 750 and len(days) == 7
    assert days == {MON + timedelta(days=i): day_share(750, i) for i in range(7)}


def test_only_the_days_it_was_active_count():
    # starts Thursday 15:00, paused all Saturday (Fri 23:00 to Sun 06:00), ends Sunday 12:00
    contract = hourly(700, (at(26, 15), at(27, 23)), (at(29, 6), at(29, 12)))
    days = contracted_by_day([contract], MON, SUN)
    assert days == {date(2026, 11, 26): 100, date(2026, 11, 27): 100, date(2026, 11, 29): 100}
    # the contract's end date stops an open period too
    ended = hourly(700, (at(20), None), ends_at=at(25))
    assert sorted(contracted_by_day([ended], MON, SUN)) == [date(2026, 11, 23), date(2026, 11, 24)]


def test_each_week_has_the_cap_that_governs_it():
    raised = hourly(700, (at(20), None), changes=(TermsChange(at(25, 10), 2500, 1400),))  # at once
    assert sum(contracted_by_day([raised], MON, SUN).values()) == 1400
    lowered = hourly(700, (at(20), None), changes=(TermsChange(at(30), 2500, 350),))  # next Monday
    days = contracted_by_day([lowered], MON, SUN + timedelta(days=7))
    assert sum(v for d, v in days.items() if d <= SUN) == 700
    assert sum(v for d, v in days.items() if d > SUN) == 350


def test_contracts_add_up_and_nothing_before_the_first_period():
    two = [hourly(700, (at(20), None)), hourly(350, (at(20), None))]
    assert sum(contracted_by_day(two, MON, SUN).values()) == 1050
    assert contracted_by_day([hourly(700, (at(23, 8), None))], date(2026, 11, 16), date(2026, 11, 22)) == {}
    assert contracted_by_day([HourlyTerms((), ActivePeriods((Period(at(20)),)))], MON, SUN) == {}
