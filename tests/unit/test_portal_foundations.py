"""The portal's shared foundations (issue 14): times in the viewer's zone with the zone named,
refused forms in the user's words, the signed one-shot flash, and the navigation's counts."""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.web import forms, pages
from chalicelib.web.portal import read_flash, sign_flash

NOV_25 = datetime(2026, 11, 25, 15, 10, tzinfo=UTC)  # a Wednesday
JULY_1 = datetime(2026, 7, 1, 15, 10, tzinfo=UTC)


# -- times in the viewer's zone ---------------------------------------------------------------


def test_an_instant_shows_on_the_viewers_clock_with_the_zone_named():
    with pages.viewing_in("America/New_York"):
        assert pages.when(NOV_25) == "Wed 25 Nov 10:10 EST"
        assert pages.when(JULY_1) == "Wed 01 Jul 11:10 EDT"  # daylight time named as such
        assert pages.clock(NOV_25) == "10:10 EST"
        assert pages.day(NOV_25) == "Wed 25 Nov 2026"
        assert pages.viewer_zone() == "America/New_York"


def test_a_zone_whose_abbreviation_is_an_offset_is_named_by_its_iana_name():
    with pages.viewing_in("America/Sao_Paulo"):
        assert pages.when(NOV_25) == "Wed 25 Nov 12:10 America/Sao_Paulo"


def test_a_stranger_and_a_time_outside_a_request_read_utc():
    assert pages.viewer_zone() == "UTC"
    assert pages.when(NOV_25) == "Wed 25 Nov 15:10 UTC"


def test_the_zone_is_found_once_and_only_when_a_time_is_shown():
    asked = []

    def find():
        asked.append(1)
        return "Europe/London"

    with pages.viewing_in(find):
        assert asked == []  # a page that shows no time reads nothing for it
        assert pages.when(NOV_25) == "Wed 25 Nov 15:10 GMT"
        assert pages.when(JULY_1) == "Wed 01 Jul 16:10 BST"
        assert asked == [1]


def test_a_zone_that_cannot_be_found_shows_utc_rather_than_failing_the_page():
    def broken():
        raise RuntimeError("the table is down")

    with pages.viewing_in(broken):
        assert pages.when(NOV_25) == "Wed 25 Nov 15:10 UTC"


def test_a_span_names_the_zone_once_and_both_days_across_midnight():
    with pages.viewing_in("Asia/Kolkata"):
        assert pages.span(NOV_25, NOV_25 + timedelta(minutes=80)) == "Wed 25 Nov 20:40–22:00 IST"
        late = NOV_25 + timedelta(hours=3)
        assert pages.span(late, late + timedelta(hours=2)) == "Wed 25 Nov 23:40 – Thu 26 Nov 01:40 IST"


def test_a_span_across_a_change_of_clocks_names_both():
    start = datetime(2026, 11, 1, 5, 0, tzinfo=UTC)  # 01:00 EDT, the hour before clocks go back
    with pages.viewing_in("America/New_York"):
        assert pages.span(start, start + timedelta(hours=2)) == "Sun 01 Nov 01:00–02:00 (EDT to EST)"


def test_an_explicit_zone_wins_over_the_viewers():
    with pages.viewing_in("America/New_York"):
        assert pages.when(NOV_25, "Europe/Berlin") == "Wed 25 Nov 16:10 CET"


def test_templates_use_the_filters_and_the_zone_name():
    env = pages.environment()
    template = env.from_string("{{ at|when }} · {{ at|span(at) }} · {{ zone_name() }}")
    with pages.viewing_in("Europe/Lisbon"):
        assert (
            template.render(at=NOV_25) == "Wed 25 Nov 15:10 WET · Wed 25 Nov 15:10–15:10 WET · Europe/Lisbon"
        )


# -- refused forms in the user's words -------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "kind", "ctx", "expected"),
    [
        ("company_name", "too_short", {"min_length": 1}, "Enter your company's name."),
        ("owner_name", "missing", None, "Enter your name."),
        ("languages", "too_short", {"min_length": 1}, "Pick at least one language."),
        ("rate", "greater_than_equal", {"ge": 100}, "Enter a rate of at least 1.00."),
        ("name", "string_too_long", {"max_length": 80}, "A name must be 80 characters or fewer."),
        (
            "role",
            "literal_error",
            {"expected": "'owner', 'admin' or 'manager'"},
            "Pick a role: owner, admin or manager.",
        ),
        ("seats", "int_parsing", None, "Enter the number of agents wanted as a number."),
    ],
)
def test_a_model_refusal_reads_in_the_users_words(field, kind, ctx, expected):
    assert forms.pydantic_message(field, kind, ctx) == expected


def test_a_real_model_refusal_never_shows_the_models_words():
    from pydantic import ValidationError

    from chalicelib.schemas.identity import BusinessSignupBody

    with pytest.raises(ValidationError) as refused:
        BusinessSignupBody.model_validate({"company_name": "", "slug": "", "email": "x", "password": ""})
    messages = forms.validation_messages(refused.value)
    assert messages["company_name"] == "Enter your company's name."
    assert messages["owner_name"] == "Enter your name."
    assert messages["password"] == "Enter a password."
    text = " ".join(messages.values())
    assert "String should" not in text and "Field required" not in text and "Value should" not in text


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("give both a start and an end", "Give both a start and an end."),
        ("the client fee is 0 to 2000 basis points (20%)", "The client fee is 0% to 20%."),
        ("give either hours_per_week or block_hours", "Give either the hours a week or a block of hours."),
        ("list at least one language", "Pick at least one language."),
        ("Already a sentence.", "Already a sentence."),
    ],
)
def test_a_rules_refusal_is_a_sentence_in_the_users_words(message, expected):
    assert forms.plain(message) == expected
    assert forms.plain(forms.plain(message)) == expected  # applying it twice changes nothing


# -- the flash a redirect leaves --------------------------------------------------------------

SECRET = b"k" * 32


def test_a_flash_reads_back_once_signed():
    value = sign_flash("Offer sent to Lia.", secret=SECRET, now=NOV_25)
    assert read_flash(value, secret=SECRET, now=NOV_25) == "Offer sent to Lia."


def test_a_forged_altered_or_stale_flash_says_nothing():
    value = sign_flash("Offer sent to Lia.", secret=SECRET, now=NOV_25)
    payload, signature = value.split(".")
    forged = sign_flash("Call +1 555 0100 now", secret=b"x" * 32, now=NOV_25)
    assert read_flash(forged, secret=SECRET, now=NOV_25) is None
    assert read_flash(payload + "." + "0" * 32, secret=SECRET, now=NOV_25) is None
    assert read_flash(payload, secret=SECRET, now=NOV_25) is None
    assert read_flash(value, secret=SECRET, now=NOV_25 + timedelta(minutes=10)) is None


# -- the navigation's counts ------------------------------------------------------------------


def test_counts_keep_what_is_above_zero_cap_it_and_survive_a_failing_counter(monkeypatch):
    from chalicelib.domain.identity import Principal, PrincipalKind
    from chalicelib.web import nav

    def fine(principal, deps):
        return {"/agent/contracts": 3, "/agent/diary": 0}

    def huge(principal, deps):
        return {"/agent/applications": 5000}

    def broken(principal, deps):
        raise RuntimeError("throttled")

    monkeypatch.setitem(nav.COUNTERS, PrincipalKind.AGENT, [fine, broken, huge])
    agent = Principal(PrincipalKind.AGENT, "a1", "Ana")
    assert nav.counts(agent, deps=None) == {"/agent/contracts": 3, "/agent/applications": 100}
    assert nav.counts(None, deps=None) == {}


def test_a_collector_keeps_every_fields_refusal_for_one_summary():
    from datetime import date

    values = {
        "rate": "lots",
        "start_date": "soon",
        "window_1_day": "tue",
        "window_1_start": "09:00",
        "title": "Night chat",
    }
    found = forms.Collector()
    assert found.read("rate", lambda: forms.money(values["rate"], "usd", field="rate")) is None
    assert (
        found.read("start_date", lambda: date.fromisoformat(values["start_date"]), "pick a start date")
        is None
    )
    assert found.read("window_0_start", lambda: forms.weekly_windows(values)) is None
    assert found.read("title", lambda: values["title"]) == "Night chat"
    with pytest.raises(forms.FormProblems) as refused:
        found.done()
    assert forms.errors_of(refused.value) == {
        "rate": "enter an amount such as 25 or 25.50",
        "start_date": "pick a start date",
        "window_1_end": "window 2: give both a start and an end",  # the field the reader named
    }
    forms.Collector().done()  # nothing refused: nothing raised


def test_audit_entries_read_as_sentences_with_names_and_never_a_dict():
    from types import SimpleNamespace

    from chalicelib.web import audit_log

    class Names(audit_log.Names):
        members = {"m2": "Tara Teammate"}
        contracts = {"c1": SimpleNamespace(title="Night chat", agent_name="Ana Agent", currency="usd")}
        openings = {"o1": "Night chat"}

    names = Names(principal=None)

    def entry(action, target, summary, actor="Olivia Owner", kind="member"):
        return SimpleNamespace(
            action=action, target=target, summary=summary, actor_name=actor, actor_kind=kind
        )

    said = [
        audit_log.sentence(
            entry("invite.created", "invite:i1", {"after": {"email": "ana@example.com", "role": "manager"}}),
            names,
        ),
        audit_log.sentence(
            entry(
                "member.role_changed",
                "member:m2",
                {"before": {"role": "manager"}, "after": {"role": "admin"}},
            ),
            names,
        ),
        audit_log.sentence(
            entry("bonus.granted", "contract:c1", {"after": {"amount": 5000, "week": "2026-W48"}}), names
        ),
        audit_log.sentence(
            entry("entry.logged", "contract:c1", {"after": {"minutes": 90}}, actor="Ana Agent", kind="agent"),
            names,
        ),
        audit_log.sentence(
            entry(
                "contract.pause",
                "contract:c1",
                {"before": {"status": "active"}, "after": {"status": "paused", "reason": "Holidays"}},
            ),
            names,
        ),
        audit_log.sentence(entry("something.new", "thing:x", {"after": {"a": 1}}), names),
    ]
    assert said == [
        "Olivia Owner invited ana@example.com as a manager",
        "Olivia Owner changed Tara Teammate's role from manager to admin",
        'Olivia Owner granted a bonus of 50.00 USD on "Night chat" with Ana Agent (week 2026-W48)',
        'Ana Agent logged 1 h 30 min on "Night chat"',
        'Olivia Owner paused the contract "Night chat" with Ana Agent (reason: Holidays)',
        "Olivia Owner: something new",
    ]
