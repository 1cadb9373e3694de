"""Availability and coverage as people work (issue 14, item 9): several windows a day and night
shifts across midnight, in the portal's forms (a row per window, no JavaScript) as in the API."""

import re

import pytest

from tests.integration.helpers import agent, business, call, operator, profile_body
from tests.integration.portal_helpers import fits_a_phone, signed_in

pytestmark = pytest.mark.integration


def rows(*windows: tuple[str, str, str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for row, (day, start, end) in enumerate(windows):
        fields |= {f"window_{row}_day": day, f"window_{row}_start": start, f"window_{row}_end": end}
    return fields


PROFILE = {
    "headline": "Nights and split shifts",
    "language_0": "en",
    "level_0": "c2",
    "min_rate": "21.50",
    "currency": "usd",
    "skills": "zendesk",
}


def _summary(page) -> tuple[list[str], str]:
    summary = page.text.split('class="error-summary"')[1].split("</div>")[0]
    return re.findall(r'<a href="#([^"]+)">', summary), summary


def test_an_agent_saves_split_shifts_and_a_night_and_reads_them_back(client, deps):
    someone = agent(client)
    phone = signed_in(client, someone["email"])
    form = phone.get("/agent/profile")
    fits_a_phone(form)
    # a row a day to start with, each with its day, from and until
    assert all(f'id="window_{row}_day"' in form.text for row in range(7))
    assert 'aria-label="Window 1: from"' in form.text
    week = rows(
        ("mon", "08:00", "12:00"),
        ("mon", "17:00", "20:00"),  # a second window the same day
        ("fri", "22:00", "06:00"),  # Friday night into Saturday morning
        ("sun", "18:00", "00:00"),  # to midnight
    )
    saved = phone.post("/agent/profile", {**PROFILE, **week})
    assert saved.status_code == 303, saved.text[:2000]
    assert "Your profile is saved." in phone.flash(phone.follow(saved))

    mine = call(client, "GET", "/api/v1/agent/profile", token=someone["token"]).json
    assert mine["availability"] == [
        {"day": "mon", "start": "08:00", "end": "12:00"},
        {"day": "mon", "start": "17:00", "end": "20:00"},
        {"day": "fri", "start": "22:00", "end": "06:00"},
        {"day": "sun", "start": "18:00", "end": "24:00"},
    ]
    # the form shows a row per window (midnight as 00:00, which a time input can hold) and spare rows
    again = phone.get("/agent/profile")
    for row, (day, start, end) in enumerate(
        [
            ("mon", "08:00", "12:00"),
            ("mon", "17:00", "20:00"),
            ("fri", "22:00", "06:00"),
            ("sun", "18:00", "00:00"),
        ]
    ):
        assert f'name="window_{row}_start" value="{start}"' in again.text
        assert f'name="window_{row}_end" value="{end}"' in again.text
        day_select = again.text.split(f'name="window_{row}_day"')[1].split("</select>")[0]
        assert f'<option value="{day}" selected>' in day_select
    assert 'id="window_6_day"' in again.text  # a row a day, at least


def test_a_refused_week_names_each_row_and_keeps_what_was_typed(client, deps):
    someone = agent(client)
    phone = signed_in(client, someone["email"])
    phone.get("/agent/profile")
    week = rows(
        ("mon", "22:00", "06:00"),
        ("tue", "05:00", "09:00"),  # runs into Monday night's end
        ("wed", "09:00", "09:00"),  # no length
        ("thu", "10:00", ""),  # no end
    )
    refused = phone.post("/agent/profile", {**PROFILE, **week})
    assert refused.status_code == 400
    targets, summary = _summary(refused)
    assert {"window_2_start", "window_3_end"} <= set(targets), summary
    for target in targets:
        assert f'id="{target}"' in refused.text, target
    assert "Window 3: it ends when it starts" in summary and "Window 4" in summary
    assert 'name="window_0_end" value="06:00"' in refused.text  # nothing typed is lost
    # once the rows are right, the overlap is named with both rows
    fixed = {**week, "window_2_end": "12:00", "window_3_end": "14:00"}
    overlap = phone.post("/agent/profile", {**PROFILE, **fixed})
    assert overlap.status_code == 400
    targets, summary = _summary(overlap)
    assert targets == ["window_1_start"]
    assert "Window 2 (Tue 05:00–09:00) overlaps window 1 (Mon 22:00–Tue 06:00)" in summary
    assert 'aria-invalid="true" aria-describedby="window_1_start-error"' in overlap.text


def test_a_business_covers_a_night_and_the_agent_sees_it_labelled(client, deps):
    owner = business(client)
    shop = signed_in(client, owner["email"])
    form = shop.get("/app/openings/new")
    assert 'name="window_0_start" value="09:00"' in form.text  # weekdays 9 to 5 to start with
    opening = {
        "title": "Night chat",
        "language_0": "en",
        "level_0": "c1",
        "hours_per_week": "20",
        "rate_min": "20",
        "rate_max": "30",
        "seats": "1",
        "tier": "1",
        "start_date": "2027-02-01",
        "skills": "chat",
        **rows(
            ("mon", "22:00", "06:00"),
            ("tue", "22:00", "06:00"),
            ("sat", "10:00", "14:00"),
            ("sat", "18:00", "22:00"),
        ),
    }
    created = shop.post("/app/openings", opening)
    assert created.status_code == 303, created.text[:2000]
    opening_id = created.headers["Location"].rsplit("/", 1)[1]
    listed = call(client, "GET", f"/api/v1/openings/{opening_id}", token=owner["token"]).json
    assert listed["coverage"][:2] == [
        {"day": "mon", "start": "22:00", "end": "06:00"},
        {"day": "tue", "start": "22:00", "end": "06:00"},
    ]
    revise = shop.get(f"/app/openings/{opening_id}/edit")
    assert revise.status_code == 200 and 'name="window_3_start" value="18:00"' in revise.text
    shop.post(f"/app/openings/{opening_id}/publish")

    someone = agent(client)
    assert (
        call(
            client,
            "PUT",
            "/api/v1/agent/profile",
            profile_body(availability=[{"day": "mon", "start": "23:00", "end": "07:00"}]),
            token=someone["token"],
        ).status_code
        == 200
    )
    ops = operator(client, deps)
    approve = f"/api/v1/admin/agents/{someone['id']}/approve"
    assert call(client, "POST", approve, {"tier": 1}, token=ops["token"]).status_code == 200
    phone = signed_in(client, someone["email"])
    page = phone.get(f"/agent/openings/{opening_id}")
    assert page.status_code == 200
    assert "Mon 22:00–Tue 06:00 (overnight)" in page.text and "Sat 18:00–22:00" in page.text
