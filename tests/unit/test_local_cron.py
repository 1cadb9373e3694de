"""The local scheduler reads EventBridge's cron rules as AWS does."""

from datetime import UTC, datetime

import pytest

from chalicelib.jobs.schedules import SCHEDULES
from local.cron import CronRule


def at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_the_week_lock_fires_on_monday_noon_only():
    rule = CronRule.parse(SCHEDULES["lock-week"])
    assert rule.matches(at(30, 12))  # Monday
    assert not rule.matches(at(30, 12, 1)) and not rule.matches(at(29, 12))  # Sunday


def test_every_quarter_hour_and_a_fixed_minute_past_each_hour():
    quarter = CronRule.parse(SCHEDULES["close-clocks"])
    assert [m for m in range(60) if quarter.matches(at(26, 9, m))] == [0, 15, 30, 45]
    hourly = CronRule.parse(SCHEDULES["expire-offers"])
    assert hourly.matches(at(26, 3, 5)) and not hourly.matches(at(26, 3, 0))


def test_the_review_close_fires_at_saturday_midnight():
    rule = CronRule.parse(SCHEDULES["close-review"])
    assert rule.matches(datetime(2026, 12, 5, 0, 0, tzinfo=UTC))
    assert rule.fired_between(
        datetime(2026, 12, 4, 23, 59, 30, tzinfo=UTC), datetime(2026, 12, 5, 0, 0, 20, tzinfo=UTC)
    )
    assert rule.fired_between(at(30, 0), at(30, 23)) is None


def test_ranges_lists_and_names():
    rule = CronRule.parse("0 9-17/4 ? JAN,NOV MON-FRI *")
    assert rule.matches(at(26, 13)) and not rule.matches(at(26, 11)) and not rule.matches(at(28, 9))


@pytest.mark.parametrize("text", ["0 12 * *", "61 * * * ? *", "0 25 * * ? *", "0 0 ? * FUNDAY *"])
def test_bad_rules_are_refused(text):
    with pytest.raises((ValueError, KeyError)):
        CronRule.parse(text)
