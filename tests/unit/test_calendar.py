"""Weekly calendars: the business's coverage and the agent's commitments, on real minutes."""

from datetime import UTC, date, datetime

from chalicelib.domain import calendar as cal
from chalicelib.domain.schedule import WeeklySchedule, Window

MONDAY = date(2026, 11, 23)


def weekdays(zone, start, end, days=range(5)):
    return WeeklySchedule.build(
        zone,
        [
            Window.parse(("mon", "tue", "wed", "thu", "fri", "sat", "sun")[d], start, end, field="w")
            for d in days
        ],
    )


def test_interval_arithmetic():
    a = cal.merge([(0, 10), (5, 20), (30, 40)])
    assert a == ((0, 20), (30, 40))
    assert cal.intersect(a, ((15, 35),)) == ((15, 20), (30, 35))
    assert cal.subtract(a, ((5, 8), (35, 50))) == ((0, 5), (8, 20), (30, 35))
    assert cal.total(a) == 30
    # a contract's hours from its start to its end only (open-ended: to the last of them)
    assert cal.clip(a, start=8) == ((8, 20), (30, 40))
    assert cal.clip(a, start=8, end=32) == ((8, 20), (30, 32))
    assert cal.clip(a, start=50) == () and cal.clip((), start=0) == ()


def test_business_coverage_marks_gaps_coverage_overlap_and_extra():
    ny = "America/New_York"
    wanted = cal.Layer(
        "wanted", "Wanted", "wanted", cal.schedule_in_week(weekdays(ny, "09:00", "17:00"), ny, MONDAY)
    )
    lia = cal.Layer("c1", "Lia", "schedule", cal.schedule_in_week(weekdays(ny, "09:00", "13:00"), ny, MONDAY))
    raj = cal.Layer("c2", "Raj", "schedule", cal.schedule_in_week(weekdays(ny, "12:00", "14:00"), ny, MONDAY))
    late = cal.Layer(
        "c3", "Mo", "schedule", cal.schedule_in_week(weekdays(ny, "18:00", "19:00", [0]), ny, MONDAY)
    )
    grid = cal.week_grid(ny, MONDAY, [wanted, lia, raj, late], business_view=True)
    rows = {row.label: row for row in grid.rows}
    monday = 0
    assert rows["09:00"].cells[monday].state == "covered"
    assert rows["12:00"].cells[monday].state == "overlap"
    assert set(rows["12:00"].cells[monday].labels) == {"Lia", "Raj"}
    assert rows["15:00"].cells[monday].state == "gap"
    assert rows["18:00"].cells[monday].state == "extra"
    assert rows["18:00"].cells[1].state == ""
    assert grid.totals["wanted"] == 5 * 8 * 60
    assert grid.totals["gap"] == 5 * 3 * 60  # 14:00-17:00
    assert grid.totals["overlap"] == 5 * 60  # 12:00-13:00
    assert grid.totals["covered"] == 5 * 5 * 60
    assert grid.rows[0].label == "09:00" and grid.rows[-1].label == "18:30"


def test_an_agent_sees_contracts_from_other_zones_in_their_own_and_the_clash():
    lisbon = "Europe/Lisbon"
    ny_job = cal.Layer(
        "c1",
        "Northwind",
        "schedule",
        cal.schedule_in_week(weekdays("America/New_York", "09:00", "13:00"), lisbon, MONDAY),
    )
    berlin_job = cal.Layer(
        "c2",
        "Kaffee",
        "schedule",
        cal.schedule_in_week(weekdays("Europe/Berlin", "16:00", "18:00"), lisbon, MONDAY),
    )
    logged = cal.Layer(
        "logged",
        "Logged",
        "logged",
        (
            (
                cal.epoch_minute(datetime(2026, 11, 23, 14, tzinfo=UTC)),
                cal.epoch_minute(datetime(2026, 11, 23, 15, tzinfo=UTC)),
            ),
        ),
    )
    grid = cal.week_grid(lisbon, MONDAY, [ny_job, berlin_job, logged], business_view=False)
    rows = {row.label: row for row in grid.rows}
    # New York 09:00 is 14:00 in Lisbon in November; Berlin 16:00 is 15:00 in Lisbon
    assert rows["14:00"].cells[0].state == "scheduled" and rows["14:00"].cells[0].logged
    assert rows["15:00"].cells[0].state == "conflict"
    assert rows["17:00"].cells[0].state == "scheduled"
    assert grid.totals["overlap"] == 5 * 2 * 60
    assert grid.totals["logged"] == 60


def test_collisions_are_found_on_real_dates_across_a_dst_change():
    # 2027-03-14: New York moves to summer time, Lisbon only on 2027-03-28
    offer = weekdays("America/New_York", "09:00", "11:00")
    other = weekdays("Europe/Lisbon", "13:00", "14:00")
    before = cal.collisions(offer, [("Kaffee", other)], start=date(2027, 3, 8))
    after = cal.collisions(offer, [("Kaffee", other)], start=date(2027, 3, 15))
    # before: NY 09:00-11:00 = 14:00-16:00 UTC, Lisbon 13:00-14:00 UTC: no clash
    assert before == []
    # after: NY 09:00-11:00 = 13:00-15:00 UTC: the Lisbon hour clashes every weekday
    assert len(after) == 5 and all(c.minutes == 60 and c.label == "Kaffee" for c in after)
    assert after[0].start == datetime(2027, 3, 15, 13, tzinfo=UTC)


def test_an_empty_week_still_shows_office_hours():
    grid = cal.week_grid("UTC", MONDAY, [], business_view=True)
    assert grid.rows[0].label == "09:00" and len(grid.rows) == 18
    assert grid.totals["wanted"] == 0
