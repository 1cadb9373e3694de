"""Languages and skills are chosen from lists (issue 14, item 2): "English" typed into the
profile or the opening form is refused by name, never saved as "eng" (which matched nobody);
the forms offer the languages by name with their level; the API refuses a code that is not on the
list, naming the field."""

import re

import pytest

from tests.integration.helpers import STRONG, business, call, opening_body, profile_body, unique
from tests.integration.portal_helpers import PortalSession, signed_in

pytestmark = pytest.mark.integration
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def _windows() -> dict[str, str]:
    fields: dict[str, str] = {}
    for row, day in enumerate(WEEKDAYS):
        fields |= {f"window_{row}_day": day, f"window_{row}_start": "09:00", f"window_{row}_end": "17:00"}
    return fields


def _profile(**overrides) -> dict[str, str]:
    return {
        "headline": "Email support",
        "min_rate": "20",
        "currency": "usd",
        "skills": "email",
        "language_0": "en",
        "level_0": "c2",
        **_windows(),
        **overrides,
    }


def test_the_profile_form_offers_languages_by_name_and_refuses_anything_else(client, deps):
    browser = PortalSession(client)
    browser.get("/agents/signup")
    email = unique("lang-") + "@example.com"
    browser.post(
        "/agents/signup",
        {
            "name": "Lia Lang",
            "email": email,
            "password": STRONG,
            "time_zone": "Europe/Lisbon",
            "country": "PT",
        },
    )
    form = browser.get("/agent/profile")
    # a list of names, with the level in words
    assert re.search(r'<select id="language_0" name="language_0"', form.text)
    assert '<option value="en" >English</option>' in form.text
    assert "C1 advanced" in form.text and "Native" in form.text
    assert 'maxlength="3"' not in form.text

    # what the old text box let through: the first three letters of "English" as a code
    for typed in ("English", "eng"):
        refused = browser.post("/agent/profile", _profile(language_0=typed))
        assert refused.status_code == 400, typed
        assert f"Language 1: “{typed}” is not on the list; pick a language from the list." in refused.text
        assert 'href="#language_0"' in refused.text  # the summary links to the field
        assert f'<option value="{typed}" selected>“{typed}” (not on the list)</option>' in refused.text
    profile = call(client, "GET", "/api/v1/agent/profile", token=_token(client, email))
    assert profile.json["languages"] == []  # nothing was saved

    # every row's problem at once, with the other fields' problems
    refused = browser.post(
        "/agent/profile", _profile(language_0="", language_1="Portugese", level_1="c1", min_rate="x")
    )
    assert refused.status_code == 400
    assert "Language 2: “Portugese” is not on the list" in refused.text and "Enter an amount" in refused.text
    twice = browser.post("/agent/profile", _profile(language_1="en"))
    assert twice.status_code == 400 and "Language 2: English is already chosen above." in twice.text
    none = browser.post("/agent/profile", _profile(language_0=""))
    assert none.status_code == 400 and "Pick at least one language you speak." in none.text

    # a skill that is not on the list (a forged checkbox) is refused, named
    forged = browser.post("/agent/profile", _profile(skills="cooking"))
    assert forged.status_code == 400 and "“cooking” is not a skill on the list" in forged.text
    assert 'href="#skills"' in forged.text

    saved = browser.post("/agent/profile", _profile(language_1="pt", level_1="native"))
    assert saved.status_code == 303
    profile = call(client, "GET", "/api/v1/agent/profile", token=_token(client, email))
    assert {(lang["code"], lang["level"]) for lang in profile.json["languages"]} == {
        ("en", "c2"),
        ("pt", "native"),
    }
    again = browser.get("/agent/profile")
    assert '<option value="pt" selected>Portuguese</option>' in again.text


def _token(client, email: str) -> str:
    response = call(client, "POST", "/api/v1/sessions", {"email": email, "password": STRONG})
    return response.json["token"]


def test_the_opening_form_and_the_api_refuse_a_language_not_on_the_list(client):
    owner = business(client)
    browser = signed_in(client, owner["email"])
    form = browser.get("/app/openings/new")
    assert (
        '<option value="en" selected>English</option>' in form.text
        and "B2 upper intermediate or above" in form.text
    )
    opening = {
        "title": "Weekday email",
        "language_0": "Eng",
        "level_0": "b2",
        "hours_per_week": "10",
        "rate_min": "20",
        "rate_max": "30",
        "seats": "1",
        "tier": "1",
        "start_date": "2027-02-01",
        "skills": "email",
        **_windows(),
    }
    refused = browser.post("/app/openings", opening)
    assert refused.status_code == 400
    assert "Language 1: “Eng” is not on the list; pick a language from the list." in refused.text
    assert "/app/openings/" not in (refused.headers.get("Location") or "")
    assert browser.post("/app/openings", {**opening, "language_0": "en"}).status_code == 303

    # the API: a code off the list is a 400 naming the field, for openings and profiles alike
    wrong = call(
        client,
        "POST",
        "/api/v1/openings",
        opening_body(languages=[{"code": "eng", "level": "b2"}]),
        token=owner["token"],
    )
    assert wrong.status_code == 400 and wrong.json["error"]["field"] == "languages.0.code"
    assert "not a language on the list" in wrong.json["error"]["message"]
    agent_email = unique("api-lang-") + "@example.com"
    call(
        client,
        "POST",
        "/api/v1/signup/agent",
        {"name": "Api Lang", "email": agent_email, "password": STRONG, "time_zone": "UTC"},
    )
    wrong = call(
        client,
        "PUT",
        "/api/v1/agent/profile",
        profile_body(languages=[{"code": "en", "level": "c1"}, {"code": "xyz", "level": "b2"}]),
        token=_token(client, agent_email),
    )
    assert wrong.status_code == 400 and wrong.json["error"]["field"] == "languages.1.code"
    wrong = call(
        client,
        "PUT",
        "/api/v1/agent/profile",
        profile_body(skills=["cooking"]),
        token=_token(client, agent_email),
    )
    assert wrong.status_code == 400 and wrong.json["error"]["field"] == "skills.0"


def test_languages_are_read_by_name_wherever_people_read_them(client, deps):
    """Stored as codes with a level ("pt": "native"); shown by name everywhere (issue 14, item 1):
    the operator's vetting list, the business's opening and its matches, the agent's board (its
    filter a list of names) and opening page; the API keeps the codes and adds the names."""
    from tests.integration.contract_helpers import approved, published_opening
    from tests.integration.helpers import agent, operator

    ops = operator(client, deps)
    pending = agent(client, name="Paula Pending")
    body = profile_body(languages=[{"code": "pt", "level": "native"}, {"code": "es", "level": "b1"}])
    assert call(client, "PUT", "/api/v1/agent/profile", body, token=pending["token"]).status_code == 200
    vetting = signed_in(client, ops["email"]).get("/admin")
    assert "Languages: Portuguese (Native), Spanish (B1 intermediate)" in vetting.text
    assert "Skills: Zendesk, Email, Chat" in vetting.text
    assert "pt (native)" not in vetting.text

    someone = approved(client, ops)  # English C2, Portuguese native
    owner = business(client)
    opening = published_opening(
        client, owner, languages=[{"code": "en", "level": "b2"}, {"code": "pt", "level": "native"}]
    )
    page = signed_in(client, owner["email"]).get(f"/app/openings/{opening['id']}")
    assert (
        "Languages: Portuguese (Native), English (B2 upper intermediate or above) · Skills: Zendesk, Email"
        in page.text
    )
    assert "Speaks Portuguese (Native), English (C2 proficient)" in page.text  # the match

    board = signed_in(client, someone["email"])
    listed = board.get("/agent/board")
    assert '<select id="language" name="language"' in listed.text and 'placeholder="en"' not in listed.text
    assert '<option value="pt" >Portuguese</option>' in listed.text
    assert "Portuguese (Native), English (B2 upper intermediate or above)" in listed.text
    chosen = board.get("/agent/board?language=pt&currency=all")
    assert '<option value="pt" selected>Portuguese</option>' in chosen.text
    assert f'/agent/openings/{opening["id"]}"' in chosen.text
    assert f'/agent/openings/{opening["id"]}"' not in board.get("/agent/board?language=ja&currency=all").text
    seen = board.get(f"/agent/openings/{opening['id']}")
    assert "Languages: Portuguese (Native), English (B2 upper intermediate or above)" in seen.text
    assert "(b2+)" not in seen.text and "Skills: Zendesk, Email" in seen.text

    # the API: the codes stay, with the names beside them
    shown = call(client, "GET", f"/api/v1/openings/{opening['id']}", token=owner["token"]).json
    assert {"code": "en", "level": "b2", "name": "English", "level_name": "B2 upper intermediate"} in shown[
        "languages"
    ]
    profile = call(client, "GET", "/api/v1/agent/profile", token=someone["token"]).json
    assert {"code": "pt", "level": "native", "name": "Portuguese", "level_name": "Native"} in profile[
        "languages"
    ]
