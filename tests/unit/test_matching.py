"""Matching rules: hard filters, the five scored components, ranking, and the Bayesian reputation."""

from datetime import date

import pytest

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.matching import Candidate, Need, rank_agents, rank_openings, refusals, score
from chalicelib.domain.money import Money
from chalicelib.domain.openings import OpeningStatus, OpeningTerms, hours_to_minutes, next_status
from chalicelib.domain.reputation import Reputation
from chalicelib.domain.schedule import DAYS, WeeklySchedule, Window

NY_DAYS = WeeklySchedule.build(
    "America/New_York", [Window.parse(d, "09:00", "17:00", field="w") for d in DAYS[:5]]
)
LISBON_AFTERNOONS = WeeklySchedule.build(
    "Europe/Lisbon", [Window.parse(d, "14:00", "22:00", field="w") for d in DAYS[:5]]
)
LISBON_MORNINGS = WeeklySchedule.build(
    "Europe/Lisbon", [Window.parse(d, "06:00", "10:00", field="w") for d in DAYS[:5]]
)


def need(**overrides) -> Need:
    values = dict(
        opening_id="o1",
        title="Email support",
        languages={"en": 4},
        skills=frozenset({"zendesk", "email"}),
        products=frozenset({"shopify"}),
        tier=1,
        rate_min=Money(2000, "usd"),
        rate_max=Money(3000, "usd"),
        minutes_per_week=750,
        coverage=NY_DAYS,
        start=date(2026, 1, 5),
    )
    values.update(overrides)
    return Need(**values)


def candidate(agent_id="a1", **overrides) -> Candidate:
    values = dict(
        agent_id=agent_id,
        name="Ana",
        headline="",
        languages={"en": 5, "pt": 6},
        skills=frozenset({"zendesk", "email", "chat"}),
        products=frozenset({"shopify"}),
        tier=1,
        min_rate=Money(2000, "usd"),
        availability=LISBON_AFTERNOONS,
        reputation=Reputation(),
    )
    values.update(overrides)
    return Candidate(**values)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"languages": {"en": 3}}, "needs English at C1 advanced or above"),
        ({"languages": {"pt": 6}}, "needs English"),
        ({"tier": 0}, "needs tier 1"),
        ({"min_rate": Money(3500, "usd")}, "above the range"),
        ({"min_rate": Money(2000, "eur")}, "pays in usd"),
    ],
)
def test_hard_filters_say_why(overrides, reason):
    reasons = refusals(need(), candidate(**overrides))
    assert any(reason in r for r in reasons), reasons


def test_a_full_fit_scores_high_and_explains_each_component():
    match = score(need(), candidate(reputation=Reputation(ratings=50, total=240)))
    parts = {c.name: c for c in match.components}
    assert set(parts) == {"skills", "availability", "products", "reputation", "rate"}
    assert parts["skills"].value == 1 and parts["products"].value == 1 and parts["rate"].value == 1
    assert parts["availability"].value == 1  # 40 h/week of overlap for a 12.5 h need
    assert "h/week" in parts["availability"].detail
    assert match.score >= 95


def test_partial_fit_loses_points_where_it_falls_short():
    weak = candidate(skills=frozenset({"email"}), availability=LISBON_MORNINGS, min_rate=Money(2500, "usd"))
    parts = {c.name: c for c in score(need(), weak).components}
    assert parts["skills"].value == 0.5 and "missing Zendesk" in parts["skills"].detail
    assert parts["availability"].value < 1  # Lisbon 06-10 barely meets New York 09-17
    assert parts["rate"].value == 0.5


def test_newcomer_is_neither_buried_nor_inflated():
    newcomer = Reputation()
    three_fives = Reputation(ratings=3, total=15)
    many_good = Reputation(ratings=200, total=960)  # 4.8 average
    assert newcomer.label() == "new"
    assert many_good.score > three_fives.score > newcomer.score
    assert Reputation(ratings=200, total=400).score < newcomer.score  # a poor record ranks below new


def test_ranking_orders_by_score_and_filters_refusals():
    strong = candidate("strong", reputation=Reputation(ratings=40, total=190))
    weak = candidate("weak", skills=frozenset({"email"}))
    refused = candidate("refused", languages={"pt": 6})
    ranked = rank_agents(need(), [weak, refused, strong])
    assert [m.agent_id for m in ranked] == ["strong", "weak"]
    openings = rank_openings(
        strong, [need(opening_id="o2", skills=frozenset({"phone"})), need(opening_id="o1")]
    )
    assert [m.opening_id for m in openings] == ["o1", "o2"]


@pytest.mark.parametrize(("hours", "minutes"), [(12.5, 750), (10, 600), (0.25, 15), (168, 10080)])
def test_fractional_hours(hours, minutes):
    assert hours_to_minutes(hours, field="h") == minutes


@pytest.mark.parametrize("hours", [12.3, 0, -1, 168.25, True, "12"])
def test_bad_hours(hours):
    with pytest.raises(InvalidInput):
        hours_to_minutes(hours, field="h")


def test_opening_terms_are_checked_as_a_whole():
    base = dict(
        languages={"en": 3},
        skills=frozenset(),
        products=frozenset(),
        coverage=NY_DAYS,
        minutes_per_week=600,
        block_minutes=None,
        rate_min=Money(2000, "usd"),
        rate_max=Money(3000, "usd"),
        tier=1,
        seats=1,
        start_date=date(2026, 1, 5),
    )
    OpeningTerms(**base)
    for change, field in [
        ({"rate_min": Money(4000, "usd")}, "rate_min"),
        ({"block_minutes": 2400}, "hours_per_week"),
        ({"minutes_per_week": 50 * 60}, "hours_per_week"),
        ({"languages": {}}, "languages"),
        ({"seats": 0}, "seats"),
    ]:
        with pytest.raises(InvalidInput) as raised:
            OpeningTerms(**{**base, **change})
        assert raised.value.field == field


def test_opening_status_machine():
    assert next_status(OpeningStatus.DRAFT, "publish") is OpeningStatus.OPEN
    assert next_status(OpeningStatus.OPEN, "pause") is OpeningStatus.PAUSED
    assert next_status(OpeningStatus.PAUSED, "publish") is OpeningStatus.OPEN
    with pytest.raises(Conflict) as raised:
        next_status(OpeningStatus.CLOSED, "publish")
    assert "closed" in raised.value.message
