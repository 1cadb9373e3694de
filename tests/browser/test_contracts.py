"""The contracts path in a real browser: an agent on a phone clocks in and out and logs time by
hand; a business reviews last week's timesheet, approves an entry and disputes another after the
pre-check; the agent amends the disputed entry downwards on the phone.

The portal runs in its own process on a fixed clock (PORTAL_NOW, a Wednesday afternoon), so
everything is seeded relative to it: the agent's contract started the day before, and the reviewed
contract ran last week, which the portal sees locked and in review."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from chalicelib.domain.time import BillingWeek
from tests.browser.conftest import PORTAL_NOW
from tests.integration.contract_helpers import hire, log
from tests.integration.helpers import STRONG

pytestmark = pytest.mark.browser

LISBON = ZoneInfo("Europe/Lisbon")  # helpers.agent()'s default zone
NEW_YORK = ZoneInfo("America/New_York")  # helpers.business()'s default zone
TITLE = "Weekday email support"  # helpers.opening_body()'s title, which the contract takes


def sign_in(page, url, email):
    page.goto(url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(STRONG)
    page.get_by_role("button", name="Sign in").click()


def fits_a_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def watch_for_errors(page) -> list[str]:
    """The `page` fixture's console watch, for the `phone` fixture's page."""
    problems: list[str] = []

    def on_console(message):
        if message.type == "error" and "the server responded with a status of 4" not in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def past_half_hour(now: datetime) -> tuple[datetime, datetime]:
    """A 30-minute slot in the agent's zone that ended at least 45 minutes ago, inside one day."""
    local = now.astimezone(LISBON) - timedelta(minutes=75)
    start = local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)
    if (start + timedelta(minutes=30)).date() != start.date():
        start = start.replace(hour=23, minute=0)
    return start, start + timedelta(minutes=30)


def test_agent_clocks_in_and_out_and_logs_time_on_a_phone(client, deps, phone, portal_url):
    now = PORTAL_NOW
    # the contract started yesterday (the business's day), so every past slot of today is inside it
    yesterday = now - timedelta(days=1)
    hired = hire(client, deps, now=yesterday, start_date=yesterday.astimezone(NEW_YORK).date().isoformat())
    someone, cid = hired["agent"], hired["contract"]["id"]
    problems = watch_for_errors(phone)

    sign_in(phone, portal_url, someone["email"])
    phone.wait_for_url("**/agent")
    phone.goto(portal_url + "/agent/diary")
    expect(phone.get_by_role("heading", name="Work diary")).to_be_visible()
    assert fits_a_phone(phone)

    phone.get_by_role("button", name="Clock in").tap()
    expect(phone.get_by_role("status")).to_contain_text(f"Clocked in on {TITLE}")  # the flash
    expect(phone.locator(".clock-card")).to_contain_text(f"Clocked in on {TITLE} since")
    assert fits_a_phone(phone)
    phone.get_by_role("button", name="Clock out").tap()
    # the portal's clock stands still: clocked out in the minute it clocked in, nothing is logged
    expect(phone.get_by_role("status")).to_have_text(re.compile(r"^Clocked out: under a minute"))
    expect(phone.get_by_role("button", name="Clock in")).to_be_visible()

    start, end = past_half_hour(now)
    phone.get_by_text("Log time by hand").tap()
    phone.get_by_label("Day", exact=True).fill(start.date().isoformat())
    phone.get_by_label("From", exact=True).fill(start.strftime("%H:%M"))
    phone.get_by_label("To", exact=True).fill(end.strftime("%H:%M"))
    phone.get_by_label("Memo", exact=True).fill("Refund backlog")
    phone.get_by_role("button", name="Log it").tap()
    expect(phone.get_by_role("status")).to_contain_text("Logged 30 min")
    week = BillingWeek.containing(start)
    expect(phone.get_by_text("Refund backlog")).to_be_visible()
    assert fits_a_phone(phone)

    # the contract's week, from the diary
    phone.get_by_role("link", name=TITLE).tap()
    phone.wait_for_url(f"**/agent/contracts/{cid}/timesheets/{week}")
    expect(phone.get_by_role("heading", name=re.compile(rf"^{TITLE} · \d{{4}}-W\d\d$"))).to_be_visible()
    expect(phone.get_by_text(f"{start:%H:%M}–{end:%H:%M}")).to_be_visible()
    assert fits_a_phone(phone)
    assert problems == []


def test_business_reviews_and_disputes_and_the_agent_amends(client, deps, page, phone, portal_url):
    now = PORTAL_NOW
    last_week = BillingWeek.containing(BillingWeek.containing(now).starts_at - timedelta(days=1))
    assert last_week.locks_at <= now < last_week.review_closes_at  # PORTAL_NOW is chosen so

    # a contract from last Monday 08:00 UTC, two entries logged that day (both 04:00-ish in New York)
    monday = last_week.starts_at
    hired = hire(client, deps, now=monday + timedelta(hours=8), start_date=monday.date().isoformat())
    someone, owner, cid = hired["agent"], hired["owner"], hired["contract"]["id"]
    deps.clock.now = monday + timedelta(hours=12)
    kept = log(client, someone, cid, monday + timedelta(hours=9), monday + timedelta(hours=10))
    doubted = log(
        client,
        someone,
        cid,
        monday + timedelta(hours=10, minutes=30),
        monday + timedelta(hours=11, minutes=15),
        memo="Chat follow-ups",
        tickets=["ZD-7"],
    )
    assert kept.status_code == 201 and doubted.status_code == 201, (kept.json, doubted.json)
    doubted_id = doubted.json["entries"][0]["id"]

    sign_in(page, portal_url, owner["email"])
    page.wait_for_url("**/app")
    page.goto(portal_url + "/app/timesheets")
    expect(page.get_by_role("heading", name=f"Timesheets · {last_week}")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("1 h 45 min")
    expect(row).to_contain_text("in review")
    row.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"**/app/contracts/{cid}/timesheets/{last_week}")

    entries = page.locator("article.entry")
    expect(entries).to_have_count(2)
    entries.nth(0).get_by_role("button", name="Approve", exact=True).click()
    expect(entries.nth(0).locator(".chip")).to_have_text("approved")
    expect(entries.nth(1).locator(".chip")).to_have_text("in review")

    entries.nth(1).get_by_role("link", name="Check and dispute…").click()
    page.wait_for_url(f"**/app/contracts/{cid}/entries/{doubted_id}/dispute")
    expect(page.get_by_text("What backs it:")).to_be_visible()
    expect(page.get_by_text("Ticket references: ZD-7")).to_be_visible()
    page.get_by_label("What is wrong with this time?").fill("No chats before 8 in New York")
    page.get_by_role("button", name="File the dispute").click()
    expect(page.get_by_role("heading", name="Dispute", exact=True)).to_be_visible()
    expect(page.locator("article header .chip")).to_have_text("open")
    expect(page.get_by_text("No chats before 8 in New York")).to_be_visible()
    page.get_by_role("link", name="Back to the week").click()
    expect(page.get_by_role("link", name="Dispute: open")).to_be_visible()
    assert page.problems == []

    # the agent, on the phone, finds the dispute from the week and keeps 30 of the 45 minutes
    problems = watch_for_errors(phone)
    sign_in(phone, portal_url, someone["email"])
    phone.wait_for_url("**/agent")
    phone.goto(f"{portal_url}/agent/contracts/{cid}/timesheets/{last_week}")
    expect(phone.get_by_text("in review", exact=True).first).to_be_visible()
    assert fits_a_phone(phone)
    phone.get_by_role("link", name="Dispute: open").tap()
    phone.wait_for_url(f"**/agent/contracts/{cid}/disputes/{doubted_id}")
    expect(phone.get_by_text("No chats before 8 in New York")).to_be_visible()
    assert fits_a_phone(phone)
    phone.get_by_text("Amend the entry downwards").tap()
    phone.get_by_label("Minutes to keep").fill("30")
    phone.get_by_role("button", name="Amend and settle…").tap()
    # the confirmation says what the money does before it moves
    expect(phone.get_by_text("15 min is refunded to")).to_be_visible()
    assert fits_a_phone(phone)
    phone.get_by_role("button", name="Amend and settle", exact=True).tap()
    expect(phone.locator("article header .chip")).to_have_text("resolved")
    expect(phone.get_by_text("15 min upheld")).to_be_visible()
    assert fits_a_phone(phone)
    phone.get_by_role("link", name="Back to the week").tap()
    expect(phone.get_by_role("link", name="Dispute: resolved (conceded)")).to_be_visible()
    assert problems == []
