"""The marketplace in the portal: the agent fills in a profile, an operator approves, a business
posts and publishes an opening and sees the agent among its explained matches; the agent sees
the opening in their feed."""

import pytest

from tests.integration.helpers import STRONG, operator, unique
from tests.integration.portal_helpers import PortalSession, signed_in

pytestmark = pytest.mark.integration
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def windows(rows: list[tuple[str, str, str]]) -> dict[str, str]:
    """The portal's weekly-window rows: window_<n>_day, _start, _end."""
    fields: dict[str, str] = {}
    for row, (day, start, end) in enumerate(rows):
        fields |= {f"window_{row}_day": day, f"window_{row}_start": start, f"window_{row}_end": end}
    return fields


def test_profile_vetting_opening_matches_and_feed_in_the_portal(client, deps):
    # an agent signs up and fills in the profile form
    agent_browser = PortalSession(client)
    agent_browser.get("/agents/signup")
    agent_email = unique("pat-") + "@example.com"
    name = unique("Pat Portal ")
    agent_browser.post(
        "/agents/signup",
        {
            "name": name,
            "email": agent_email,
            "password": STRONG,
            "time_zone": "Europe/Lisbon",
            "country": "PT",
        },
    )
    agent_browser.get("/agent/profile")
    fields = {
        "headline": "Shopify email pro",
        "products": "Shopify",
        # Dutch: the table is shared by the whole session, and other tests' English speakers can
        # fill the opening's 50 matches ahead of Pat; nobody else lists Dutch
        "language_0": "nl",
        "level_0": "c2",
        "min_rate": "21.50",
        "currency": "usd",
        "skills": "zendesk",
    }
    fields.update(windows([(d, "14:00", "22:00") for d in WEEKDAYS]))
    saved = agent_browser.post("/agent/profile", fields)
    assert saved.status_code == 303 and "Your profile is saved." in agent_browser.flash(
        agent_browser.follow(saved)
    )
    bad = agent_browser.post("/agent/profile", {**fields, "min_rate": "21.505"})
    assert bad.status_code == 400 and "decimals" in bad.text

    # an operator approves from the queue
    ops = operator(client, deps)
    ops_browser = signed_in(client, ops["email"])
    queue = ops_browser.get("/admin")
    assert name in queue.text
    agent_id = queue.text.split(name)[1].split("/admin/agents/")[1].split("/")[0]
    approved = ops_browser.post(f"/admin/agents/{agent_id}/approve", {"tier": "2"})
    assert approved.status_code == 303
    assert f"{name} is approved at tier 2" in ops_browser.flash(ops_browser.follow(approved))

    # a business posts and publishes an opening, and sees Pat with reasons
    business = PortalSession(client)
    business.get("/signup")
    slug = unique("cafe-")
    business.post(
        "/signup",
        {
            "company_name": "Cafe",
            "slug": slug,
            "owner_name": "Cleo",
            "email": f"{slug}@example.com",
            "password": STRONG,
            "time_zone": "America/New_York",
            "currency": "usd",
        },
    )
    form = business.get("/app/openings/new")
    assert form.status_code == 200
    opening = {
        "title": "Morning email cover",
        "language_0": "nl",
        "level_0": "c1",
        "hours_per_week": "12.5",
        "rate_min": "20",
        "rate_max": "30",
        "seats": "1",
        "tier": "1",
        "start_date": "2027-02-01",
        "skills": "email",
    }
    opening.update(windows([(d, "09:00", "17:00") for d in WEEKDAYS]))
    wrong = business.post("/app/openings", {**opening, "rate_min": "40"})
    assert wrong.status_code == 400 and "The lowest rate is above the highest" in wrong.text
    created = business.post("/app/openings", opening)
    assert created.status_code == 303
    page = business.follow(created)
    assert "Morning email cover" in page.text and "draft" in page.text
    opening_path = created.headers["Location"]
    business.post(opening_path + "/publish")
    page = business.get(opening_path)
    assert name in page.text and "h/week" in page.text and "/100" in page.text

    # the agent sees it in the feed
    home = agent_browser.get("/agent")
    assert "Morning email cover · Cafe" in home.text
    board = agent_browser.get("/agent/board?skill=email&min_overlap_hours=10")
    assert (
        board.status_code == 200
        and "Morning email cover" in board.text
        and "overlap with your hours" in board.text
    )
    assert "Morning email cover" not in agent_browser.get("/agent/board?skill=phone").text
    assert agent_browser.get("/agent/board?min_hours=lots").status_code == 400

    # the business invites from the matches; the agent applies from the opening page
    invited = business.post(opening_path + "/invitations", {"agent_id": agent_id})
    assert invited.status_code == 303
    opening_id = opening_path.rsplit("/", 1)[1]
    assert "Morning email cover" in agent_browser.get("/agent/applications").text  # the invitation
    agent_browser.get(f"/agent/openings/{opening_id}")
    wrong = agent_browser.post(
        f"/agent/openings/{opening_id}/apply",
        {"cover_note": "Hi", "rate": "abc", "earliest_start": "2027-02-01"},
    )
    assert wrong.status_code == 400 and "Enter an amount" in wrong.text
    applied = agent_browser.post(
        f"/agent/openings/{opening_id}/apply",
        {"cover_note": "Mornings are my thing", "rate": "24", "earliest_start": "2027-02-01"},
    )
    assert applied.status_code == 303
    thread_path = applied.headers["Location"]
    application_id = thread_path.rsplit("/", 1)[1]
    agent_browser.get(thread_path)
    agent_browser.post(thread_path + "/messages", {"body": "Happy to start in February"})

    page = business.get(opening_path)
    assert "1 unread" in page.text
    business_thread = f"/app/applications/{application_id}"
    thread = business.get(business_thread)
    assert "Happy to start in February" in thread.text and "Mornings are my thing" in thread.text
    business.post(business_thread + "/messages", {"body": "<script>alert(1)</script> Great!"})
    business.get(business_thread)
    assert business.post(business_thread + "/shortlist").status_code == 303
    # an interview: the business proposes slots in New York time, the agent books one in Lisbon time
    business.get(business_thread)
    bad = business.post(
        business_thread + "/interviews", {"slot_0": "2020-01-01T10:00", "duration_minutes": "30"}
    )
    assert bad.status_code == 400 and "in the past" in bad.text
    business.post(
        business_thread + "/interviews",
        {"slot_0": "2027-02-02T10:00", "slot_1": "2027-02-03T10:00", "duration_minutes": "30"},
    )
    offered = agent_browser.get(thread_path)
    assert "Tue 02 Feb 2027, 15:00 (Europe/Lisbon)" in offered.text  # 10:00 in New York
    interview_id = offered.text.split("/interviews/")[1].split("/")[0]
    booked = agent_browser.post(
        f"{thread_path}/interviews/{interview_id}/book", {"slot": "2027-02-02T15:00:00Z"}
    )
    assert booked.status_code == 303
    calendar = agent_browser.client.http.get(
        f"{thread_path}/interviews/{interview_id}/calendar.ics",
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in agent_browser.cookies.items())},
    )
    assert calendar.status_code == 200 and b"DTSTART:20270202T150000Z" in calendar.body
    assert "Tue 02 Feb 2027, 10:00 (America/New_York)" in business.get(business_thread).text
    seen = agent_browser.get(thread_path)
    assert "shortlisted" in seen.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Great!" in seen.text and "<script>alert(1)" not in seen.text
