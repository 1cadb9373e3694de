"""The knowledge base's rules (domain/knowledge.py): slugs, sizes, and what counts as a deflected
help-centre visit, when."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import knowledge as rules
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.knowledge import COUNTERS, Event, VisitState, counted

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("slug", ["refunds", "refund-policy", "a", "v2-api-keys", "x" * 80])
def test_good_slugs(slug):
    assert rules.check_slug(slug) == slug


@pytest.mark.parametrize(
    "slug",
    [
        "",
        "Refunds",
        "refund policy",
        "-refund",
        "refund-",
        "refund--policy",
        "refund_policy",
        "réfund",
        "x" * 81,
        "a/b",
        "a#b",
    ],
)
def test_bad_slugs_say_which_field(slug):
    with pytest.raises(InvalidInput) as refused:
        rules.check_slug(slug)
    assert refused.value.field == "slug"


def test_a_slug_is_made_from_a_title():
    assert rules.slug_from("How do I get a refund?") == "how-do-i-get-a-refund"
    assert rules.slug_from("  Política de reembolsos  ") == "politica-de-reembolsos"
    assert rules.slug_from("Über   Lieferung -- & Versand!") == "uber-lieferung-versand"
    assert rules.slug_from("返金ポリシー") == ""  # no Latin letter: the author gives one
    long = rules.slug_from(" ".join(["word"] * 40))
    assert len(long) <= rules.MAX_SLUG_LENGTH and not long.endswith("-") and long.endswith("word")
    assert rules.check_slug(long) == long


def test_the_body_limit_counts_bytes_and_says_too_large():
    rules.check_body("é" * (rules.MAX_BODY_BYTES // 2))  # two bytes each: exactly at the limit
    with pytest.raises(rules.BodyTooLarge) as refused:
        rules.check_body("é" * (rules.MAX_BODY_BYTES // 2) + "x")
    assert refused.value.field == "body" and refused.value.code == "too_large"


def test_titles_languages_and_category_names():
    assert rules.check_title("  Refunds  ") == "Refunds"
    for bad in ("", "   ", "two\nlines", "x" * 121, "hidden\u202eeman"):
        with pytest.raises(InvalidInput):
            rules.check_title(bad)
    assert rules.check_language("pt") == "pt"
    with pytest.raises(InvalidInput):
        rules.check_language("xx")
    with pytest.raises(InvalidInput):
        rules.check_category_name("返金")  # its slug would be empty


def test_a_query_is_trimmed_and_cut_never_refused():
    assert rules.check_query("  refund \n\t policy ") == "refund policy"
    assert len(rules.check_query("x" * 5000)) == rules.MAX_QUERY_CHARS


# -- deflection ---------------------------------------------------------------------------------


def replay(events: list[Event]) -> tuple[VisitState, dict[str, int]]:
    state, totals = VisitState(), dict.fromkeys(COUNTERS, 0)
    for event in events:
        after = state.after(event)
        for name, n in counted(state, after).items():
            totals[name] += n
        state = after
    return state, totals


def test_a_visit_that_searched_and_read_and_did_not_write_is_deflected():
    state, totals = replay([Event.SEARCH, Event.VIEW, Event.VIEW, Event.SEARCH])
    assert state.deflected
    assert totals == {
        "visits": 1,
        "searched": 1,
        "viewed": 1,
        "contacted": 0,
        "engaged": 1,
        "engaged_contacted": 0,
    }
    assert rules.DeflectionDay(date(2026, 11, 25), **totals).deflected == 1


def test_reading_without_searching_or_writing_after_reading_is_not_deflected():
    assert not replay([Event.VIEW])[0].deflected  # opened an article from a list: no search
    state, totals = replay([Event.SEARCH, Event.VIEW, Event.SUBMIT])
    assert not state.deflected
    assert rules.DeflectionDay(date(2026, 11, 25), **totals).deflected == 0
    # in the other order too: wrote first, then searched and read
    state, totals = replay([Event.SUBMIT, Event.SEARCH, Event.VIEW])
    assert rules.DeflectionDay(date(2026, 11, 25), **totals).deflected == 0


@given(st.lists(st.sampled_from(list(Event)), max_size=12))
def test_each_counter_moves_once_per_visit_whatever_the_order(events):
    state, totals = replay(events)
    assert all(n in (0, 1) for n in totals.values())
    assert totals["visits"] == (1 if events else 0)
    assert totals["engaged"] == int(state.engaged)
    assert totals["engaged_contacted"] == int(state.engaged and state.submitted)
    assert totals["engaged"] - totals["engaged_contacted"] == int(state.deflected)
    # replaying any event again changes nothing (a retried request, a second tab)
    for event in events:
        assert counted(state, state.after(event)) == {}


@given(st.integers(min_value=0, max_value=7))
def test_flags_round_trip(flags):
    assert VisitState.from_flags(flags).flags == flags


def test_a_visit_ends_after_30_idle_minutes_or_4_hours():
    start = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert rules.visit_goes_on(start, start + timedelta(minutes=10), start + timedelta(minutes=39))
    assert not rules.visit_goes_on(start, start + timedelta(minutes=10), start + timedelta(minutes=40))
    assert not rules.visit_goes_on(start, start + timedelta(hours=3, minutes=59), start + timedelta(hours=4))


def test_a_day_is_final_once_its_last_visit_cannot_go_on():
    day = date(2026, 11, 25)
    assert not rules.day_is_final(day, datetime(2026, 11, 26, 4, 29, tzinfo=UTC))
    assert rules.day_is_final(day, datetime(2026, 11, 26, 4, 30, tzinfo=UTC))


def test_the_cold_start_loads_no_markdown_sanitiser_or_search_library():
    code = (
        "import sys; import app;"
        "loaded = [m for m in ('tantivy', 'markdown_it', 'nh3', 'chalicelib.adapters.markdown',"
        " 'chalicelib.adapters.search_index', 'chalicelib.services.knowledge') if m in sys.modules];"
        "assert not loaded, loaded; print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
