"""An opening with no match is told which requirement to ease, and how many agents each would add
(issue 14, item 12)."""

from chalicelib.domain.matching import Relaxation, relaxations
from chalicelib.domain.money import Money
from tests.unit.test_matching import candidate, need


def test_each_requirement_eased_alone_counts_the_agents_it_adds():
    wanted = need(languages={"en": 5, "es": 4}, tier=2, rate_max=Money(3000, "usd"))  # en C2, es C1
    pool = [
        candidate("b2-english", languages={"en": 4, "es": 4}, tier=2),  # English one level short
        candidate("no-spanish", languages={"en": 6}, tier=2),  # no Spanish at all
        candidate("tier-one", languages={"en": 6, "es": 6}, tier=1),  # tier 1
        candidate("dear", languages={"en": 6, "es": 6}, tier=3, min_rate=Money(3500, "usd")),
        candidate("dearer", languages={"en": 6, "es": 6}, tier=3, min_rate=Money(4200, "usd")),
        # above the range and a tier short: raising the rate alone does not bring them
        candidate("both", languages={"en": 6, "es": 6}, tier=1, min_rate=Money(9000, "usd")),
        candidate("a1-english", languages={"en": 0, "es": 6}, tier=2),  # far too little English
    ]
    found = relaxations(wanted, pool)
    assert found == [
        Relaxation("language", "drop English from the languages", 2),  # b2-english and a1-english
        Relaxation(
            "rate",
            "raise the top of the rate range from 30.00 to 42.00 USD an hour (agents who fit otherwise ask 35.00 to 42.00)",
            2,
        ),
        Relaxation("language", "accept English at C1 advanced instead of C2 proficient", 1),
        Relaxation("language", "drop Spanish from the languages", 1),
        Relaxation("tier", "accept tier 1 instead of 2", 1),
    ]


def test_nothing_is_suggested_that_adds_no_one():
    wanted = need(languages={"en": 4}, tier=1)
    assert relaxations(wanted, []) == []
    fits = candidate("fits", languages={"en": 6})
    assert relaxations(wanted, [fits]) == []  # already a match: nothing to ease for them
    # a beginner is two levels short: one level down adds no one
    assert relaxations(wanted, [candidate("a2", languages={"en": 1})]) == []
