"""What needs me now (issue 14, item 6): the home pages' action lists and their counts beside the
navigation, the notice mails (a new application, an interview booked, an offer, a vetting
decision, a dispute and its outcome), each sent once with its link, and the per-person setting
that turns each kind off while account mail is still sent."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from chalicelib.domain.disputes import Outcome
from chalicelib.mail import Subject
from tests.integration.contract_helpers import (
    MONDAY,
    apply,
    approved,
    at,
    hire,
    iso,
    log,
    offer,
    published_opening,
    sign_in,
)
from tests.integration.helpers import business, call, operator
from tests.integration.portal_helpers import PortalSession, signed_in

pytestmark = pytest.mark.integration


def mails(deps, to: str, subject) -> list:
    """The mail sent to `to` under this subject (a Subject, or its line with its fields)."""
    line = subject.line() if isinstance(subject, Subject) else subject
    return [m for m in deps.mailer.sent if m.to == to and m.subject == line]


def needs(page) -> dict[str, tuple[int, list[str]]]:
    """The action list: {label: (count, [each line's href])}."""
    if 'id="needs"' not in page.text:
        return {}
    section = page.text.split('id="needs"', 1)[1].split("</section>", 1)[0]
    found = {}
    for article in re.findall(r'<article class="need".*?</article>', section, re.S):
        label = re.search(r"<strong>([^<]+)</strong>", article)
        count = re.search(r'<span class="count">(\d+)</span>', article)
        assert label and count, article
        found[label.group(1)] = (int(count.group(1)), re.findall(r'<li><a href="([^"]+)"', article))
    return found


def nav_count(page, href: str) -> int:
    """The count beside a menu item (0 when none is shown)."""
    nav = page.text.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    item = re.search(rf'<a href="{re.escape(href)}"[^>]*>[^<]*(?:<span class="count">(\d+))?', nav)
    return int(item.group(1)) if item and item.group(1) else 0


def post_list(browser: PortalSession, path: str, fields: list[tuple[str, str]]):
    """A form post with repeated fields (checkboxes), as a browser sends it."""
    body = urlencode([*fields, ("csrf_token", browser.csrf or "")])
    headers = browser._headers({"Content-Type": "application/x-www-form-urlencoded"})
    return browser._absorb(browser.client.http.post(path, headers=headers, body=body))


def footer(deps, side: str) -> str:
    return f"You can turn these off in Settings: {deps.link(f'/{side}/settings')}"


def test_hiring_mails_once_with_links_and_both_action_lists(client, deps):
    deps.clock.now = MONDAY
    ops = operator(client, deps)
    someone = approved(client, ops)
    (vetted,) = mails(deps, someone["email"], Subject.AGENT_APPROVED)
    assert (
        "tier 2" in vetted.text
        and deps.link("/agent") in vetted.text
        and footer(deps, "agent") in vetted.text
    )

    owner = business(client)
    opening = published_opening(client, owner)
    application = apply(client, someone, opening)
    app_id = application["id"]
    (new,) = mails(deps, owner["email"], Subject.NEW_APPLICATION)
    assert deps.link(f"/app/applications/{app_id}") in new.text and footer(deps, "app") in new.text
    assert "25.00 USD an hour" in new.text and "In the agent's own words" in new.text

    shop = signed_in(client, owner["email"])
    home = shop.get("/app")
    assert needs(home)["Applications to review"] == (1, [f"/app/applications/{app_id}"])
    assert nav_count(home, "/app/openings") == 1

    # an interview: proposed, the agent sees a slot to pick (and Applications 1 in the menu)
    slots = [MONDAY + timedelta(days=2, hours=6), MONDAY + timedelta(days=3, hours=6)]
    proposed = call(
        client,
        "POST",
        f"/api/v1/applications/{app_id}/interviews",
        {"slots": [iso(s) for s in slots], "duration_minutes": 30},
        token=owner["token"],
    )
    assert proposed.status_code == 201, proposed.json
    agent_browser = signed_in(client, someone["email"])
    agent_home = agent_browser.get("/agent")
    assert needs(agent_home)["Interviews"] == (1, [f"/agent/applications/{app_id}"])
    assert "Pick a slot" in agent_home.text and nav_count(agent_home, "/agent/applications") == 1

    before = len(mails(deps, owner["email"], Subject.APPLICATION_MESSAGE))
    booked = call(
        client,
        "POST",
        f"/api/v1/applications/{app_id}/interviews/{proposed.json['id']}/book",
        {"slot": iso(slots[0])},
        token=someone["token"],
    )
    assert booked.status_code == 200, booked.json
    (to_agent,) = mails(deps, someone["email"], Subject.INTERVIEW_BOOKED)
    (to_owner,) = mails(deps, owner["email"], Subject.INTERVIEW_BOOKED_BY_AGENT)
    assert (
        deps.link(f"/agent/applications/{app_id}") in to_agent.text and footer(deps, "agent") in to_agent.text
    )
    assert deps.link(f"/app/applications/{app_id}") in to_owner.text and "calendar.ics" in to_owner.text
    # the booking's thread message no longer mails the business a second time
    assert len(mails(deps, owner["email"], Subject.APPLICATION_MESSAGE)) == before
    home = shop.get("/app")
    assert needs(home)["Interviews"] == (1, [f"/app/applications/{app_id}"])
    assert nav_count(agent_browser.get("/agent"), "/agent/applications") == 0  # booked: nothing to pick

    # an offer: the agent is mailed once; both lists and both menus count it
    contract = offer(client, owner, app_id)
    (offered,) = mails(deps, someone["email"], Subject.OFFER_RECEIVED)
    assert deps.link(f"/agent/contracts/{contract['id']}") in offered.text
    home = shop.get("/app")
    listed = needs(home)
    assert listed["Offers waiting for the agent"] == (1, [f"/app/contracts/{contract['id']}"])
    assert "Applications to review" not in listed  # the offer answered the application
    assert nav_count(home, "/app/contracts") == 1 and nav_count(home, "/app/openings") == 0
    agent_home = agent_browser.get("/agent")
    assert needs(agent_home)["Offers to answer"] == (1, [f"/agent/contracts/{contract['id']}"])
    assert nav_count(agent_home, "/agent/contracts") == 1


def test_an_invitation_and_a_rejection(client, deps):
    deps.clock.now = MONDAY
    ops = operator(client, deps)
    someone = approved(client, ops)
    owner = business(client)
    opening = published_opening(client, owner)
    invited = call(
        client,
        "POST",
        f"/api/v1/openings/{opening['id']}/invitations",
        {"agent_id": someone["id"], "note": "You fit"},
        token=owner["token"],
    )
    assert invited.status_code in (200, 201), invited.json
    agent_browser = signed_in(client, someone["email"])
    page = agent_browser.get("/agent")
    assert needs(page)["Invitations to apply"] == (1, [f"/agent/openings/{opening['id']}"])
    assert nav_count(page, "/agent/applications") == 1
    apply(client, someone, opening)
    page = agent_browser.get("/agent")
    assert "Invitations to apply" not in needs(page) and nav_count(page, "/agent/applications") == 0

    # a rejected agent is told why, once, with the operator's words quoted
    from tests.integration.helpers import agent

    newcomer = agent(client)
    refused = call(
        client,
        "POST",
        f"/api/v1/admin/agents/{newcomer['id']}/reject",
        {"reason": "No support experience yet"},
        token=ops["token"],
    )
    assert refused.status_code == 200, refused.json
    (told,) = mails(deps, newcomer["email"], Subject.AGENT_NOT_APPROVED)
    assert "> No support experience yet" in told.text and footer(deps, "agent") in told.text


def _disputed(client, deps, *, by_teammate: bool = False):
    """A contract with one hour logged in W48, the week locked (Monday of W49), and the business
    disputing it (by the owner who made the offer, or by a teammate)."""
    hired = hire(client, deps)
    someone, owner, cid = hired["agent"], hired["owner"], hired["contract"]["id"]
    deps.clock.now = at(24, 12)
    sign_in(client, someone)
    entry = log(client, someone, cid, at(24, 9), at(24, 10)).json["entries"][0]["id"]
    later = log(client, someone, cid, at(24, 10, 30), at(24, 11))  # not disputed: still to review
    assert later.status_code == 201, later.json
    deps.clock.now = at(30, 13)
    sign_in(client, someone)
    sign_in(client, owner)
    filer = owner
    if by_teammate:
        from tests.integration.test_team_api import invite_and_accept

        filer = hired["mate"] = invite_and_accept(client, deps, owner, "manager")
    filed = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/entries/{entry}/dispute",
        {"reason": "No chats that hour"},
        token=filer["token"],
    )
    assert filed.status_code == 201, filed.json
    return hired, entry


def test_a_dispute_is_listed_and_mailed_and_its_outcome_respects_each_setting(client, deps):
    hired, entry = _disputed(client, deps)
    someone, owner, cid = hired["agent"], hired["owner"], hired["contract"]["id"]
    (filed,) = mails(deps, someone["email"], Subject.DISPUTE_FILED.line(minutes=60))
    assert deps.link(f"/agent/contracts/{cid}/disputes/{entry}") in filed.text
    assert footer(deps, "agent") in filed.text
    # the owner filed it: nobody at the business is told what they did themselves
    assert mails(deps, owner["email"], Subject.DISPUTE_FILED_BY_TEAM.line(minutes=60)) == []

    agent_browser = signed_in(client, someone["email"])
    page = agent_browser.get("/agent")
    assert needs(page)["Disputes to answer"] == (1, [f"/agent/contracts/{cid}/disputes/{entry}"])
    assert nav_count(page, "/agent/contracts") == 1
    shop = signed_in(client, owner["email"])
    home = shop.get("/app")
    listed = needs(home)
    assert listed["Disputes"] == (1, [f"/app/contracts/{cid}/timesheets/2026-W48"])
    assert listed["Timesheets to review"] == (1, ["/app/timesheets"])
    assert nav_count(home, "/app/timesheets") == 1
    # the agent's next shift: the contract's coverage on their clock, the zone named
    shift = needs(page)["Your next shift"]
    assert shift == (1, [f"/agent/contracts/{cid}"]) and "Times in Europe/Lisbon" in page.text

    # the agent turns dispute mail off; the business keeps it
    saved = post_list(agent_browser, "/agent/settings", [("notices", "offer"), ("notices", "interview")])
    assert saved.status_code == 303
    assert "no longer mails you about vetting decisions, disputes" in agent_browser.flash(
        agent_browser.follow(saved)
    )
    settled = Subject.DISPUTE_SETTLED.line(outcome=Outcome.CONCEDED)
    conceded = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/entries/{entry}/dispute/concede",
        {"keep_minutes": 0},
        token=someone["token"],
    )
    assert conceded.status_code == 200, conceded.json
    (told,) = mails(deps, owner["email"], settled)
    assert deps.link(f"/app/contracts/{cid}/entries/{entry}/dispute") in told.text
    assert footer(deps, "app") in told.text
    assert mails(deps, someone["email"], settled) == []
    assert "Disputes to answer" not in needs(agent_browser.get("/agent"))


def test_settings_pages_save_refuse_and_account_mail_still_goes(client, deps):
    deps.clock.now = MONDAY
    ops = operator(client, deps)
    someone = approved(client, ops)
    owner = business(client)
    opening = published_opening(client, owner)
    shop = signed_in(client, owner["email"])

    page = shop.get("/app/settings")
    assert page.status_code == 200
    assert page.text.count('type="checkbox"') == 3 and page.text.count("checked") == 3
    assert "password resets" in page.text

    refused = post_list(shop, "/app/settings", [("notices", "interview"), ("notices", "payouts")])
    assert refused.status_code == 400 and 'class="error-summary"' in refused.text
    assert '<a href="#notices">' in refused.text
    assert 'value="interview" checked' in refused.text  # what was ticked stays
    assert shop.get("/app/settings").text.count("checked") == 3  # nothing kept

    # every box unticked: every notice off
    saved = post_list(shop, "/app/settings", [])
    assert saved.status_code == 303
    flash = shop.flash(shop.follow(saved))
    assert "no longer mails you about new applications, interviews booked, disputes" in flash
    assert "checked" not in shop.get("/app/settings").text.split('id="notices"')[1].split("</fieldset>")[0]

    application = apply(client, someone, opening)
    assert mails(deps, owner["email"], Subject.NEW_APPLICATION) == []
    # the action list still has it
    assert needs(shop.get("/app"))["Applications to review"] == (
        1,
        [f"/app/applications/{application['id']}"],
    )
    # a password reset is account mail: always sent
    reset = PortalSession(client)
    reset.get("/password-reset")
    assert reset.post("/password-reset", {"email": owner["email"]}).status_code == 303
    assert mails(deps, owner["email"], Subject.PASSWORD_RESET)

    # turned back on, the next application is mailed
    post_list(shop, "/app/settings", [("notices", "new_application")])
    other = approved(client, ops)
    apply(client, other, opening)
    assert len(mails(deps, owner["email"], Subject.NEW_APPLICATION)) == 1

    # the agent's page has the agent's kinds
    agent_page = signed_in(client, someone["email"]).get("/agent/settings")
    assert agent_page.status_code == 200 and 'value="offer"' in agent_page.text
    assert 'value="new_application"' not in agent_page.text


def test_invoices_due_are_listed_and_counted_beside_billing(client, deps):
    """An open invoice (finalized, not paid) is due; a paid one is not."""
    from chalicelib.domain.tenancy import TenantId
    from chalicelib.domain.time import BillingWeek
    from chalicelib.store.billing import InvoiceRecord, invoice_key

    deps.clock.now = MONDAY
    owner = business(client)
    tenant = TenantId(owner["tenant_id"])
    for week, status in (("2026-W46", "paid"), ("2026-W47", "open")):
        InvoiceRecord(
            *invoice_key(tenant, BillingWeek.parse(week)),
            invoice_id=week,
            week=week,
            business_name="Acme Widgets",
            status=status,
            currency="usd",
            subtotal=10000,
            client_fee=500,
            total=10500,
            last_failure="Your card was declined." if status == "open" else None,
            created_at=MONDAY,
        ).save()
    home = signed_in(client, owner["email"]).get("/app")
    assert needs(home)["Invoices due"] == (1, ["/app/billing"])
    assert "Week 2026-W47: 105.00 USD due · the last payment failed" in home.text
    assert nav_count(home, "/app/billing") == 1


def test_a_dispute_a_teammate_files_is_mailed_to_the_businesss_point_of_contact(client, deps):
    hired, entry = _disputed(client, deps, by_teammate=True)
    owner, mate, cid = hired["owner"], hired["mate"], hired["contract"]["id"]
    (told,) = mails(deps, owner["email"], Subject.DISPUTE_FILED_BY_TEAM.line(minutes=60))
    assert deps.link(f"/app/contracts/{cid}/entries/{entry}/dispute") in told.text
    assert "No chats that hour" in told.text and footer(deps, "app") in told.text
    assert mails(deps, mate["email"], Subject.DISPUTE_FILED_BY_TEAM.line(minutes=60)) == []
    assert len(mails(deps, hired["agent"]["email"], Subject.DISPUTE_FILED.line(minutes=60))) == 1
