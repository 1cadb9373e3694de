"""The portal's shared foundations on the real app (issue 14): every form post either redirects or
says every problem at once, destructive actions confirm first, the flash shows once, times are in
the viewer's zone with the zone named, the audit log reads as sentences, the CSV exports, and the
navigation's counts."""

from __future__ import annotations

import csv
import io
import re

import pytest

from chalicelib.web.portal import PAGE_ROUTES
from tests.integration.contract_helpers import apply, at, hire, log, offer, published_opening, sign_in
from tests.integration.helpers import STRONG, agent, business, call, unique
from tests.integration.portal_helpers import PortalSession, signed_in
from tests.integration.test_isolation_probe import (  # noqa: F401  (world: a fixture)
    PROBES,
    Probe,
    fill,
    filled,
    world,
)

pytestmark = pytest.mark.integration

# POSTs whose success is a page by design, each with its reason.
SUCCESS_IS_A_PAGE = {
    # the only answers that ever show a secret (an API key, the inbound-mail address): a redirect
    # would have to carry it in a cookie or a URL
    ("POST", "/app/api-keys"): 201,
    ("POST", "/app/support/settings/inbound-mail"): 201,
}


# Routes whose object the walk's person cannot reach by design (a 404 is their right answer).
NOT_THEIRS = {
    # the walk's inquiry comes through A's API key and is routed to no one: not the contractor's
    "/agent/inquiries/{inquiry_id}": "routed to another agent",
    # the walk's business had no spike in its contacts: closing one's banner (303 and a flash) is
    # walked in test_metrics_rollup.py
    "/app/metrics/spikes/{spike_key}": "no spike to close",
}


def _answered_well(browser: PortalSession, route, response) -> str | None:
    """None when the answer is a redirect (303), or a re-rendered form with its error summary;
    otherwise what is wrong. A confirmation page is pressed first."""
    if response.status_code == 200 and "data-confirm" in response.text:
        response = browser.confirm(response)
    if response.status_code == 303:
        return None
    if (route.method, route.path) in SUCCESS_IS_A_PAGE:
        expected = SUCCESS_IS_A_PAGE[(route.method, route.path)]
        return None if response.status_code == expected else f"{response.status_code}, not {expected}"
    if 400 <= response.status_code < 500 and 'class="error-summary"' in response.text:
        return None
    if response.status_code == 404 and "{token}" in route.path:
        return None  # a made-up reset or invitation link: the link's own page says it does not work
    if response.status_code == 404 and any(route.path.startswith(p) for p in NOT_THEIRS):
        return None
    title = re.search(r"<h1>(.*?)</h1>", response.text or "", re.S)
    return f"{response.status_code} {title.group(1).strip() if title else response.text[:200]!r}"


def test_every_portal_post_redirects_or_says_every_problem(client, deps, world):  # noqa: F811
    """Walks every POST page route as the person it is for, with the probe's form and business A's
    own objects: each answers 303 (post-redirect-get), or re-renders its form with the error
    summary at the top; a confirmation page is confirmed first."""
    from chalicelib.services.accounts import create_operator
    from chalicelib.web.auth import AGENT, MEMBER, OPERATOR, TEAM_MANAGER

    a = world["a"]
    ops_email = unique("walk-ops-") + "@example.com"
    create_operator(name="Walk Ops", email=ops_email, password=STRONG, deps=deps)
    sessions = {
        MEMBER: signed_in(client, a["email"]),
        TEAM_MANAGER: None,
        AGENT: signed_in(client, a["contractor"]["email"]),
        OPERATOR: signed_in(client, ops_email),
    }
    applicant = signed_in(client, a["applicant"]["email"])  # the agent of A's application
    sessions[TEAM_MANAGER] = sessions[MEMBER]
    # a page of each session to read its CSRF token from before a post: light ones (the home pages
    # compute a dashboard and an action list)
    homes = {
        MEMBER: "/app/settings",
        TEAM_MANAGER: "/app/settings",
        AGENT: "/agent/settings",
        OPERATOR: "/admin/fees",
    }
    posts = [r for r in PAGE_ROUTES if r.method == "POST" and r.path != "/logout"]
    assert len(posts) > 60
    problems = []
    for route in posts:
        probe = PROBES.get((route.method, route.path), Probe())  # the isolation probe asks for one
        template = route.path
        if "dispute" in template:  # the entry a dispute route names is the disputed one
            template = template.replace("{entry_id}", a["disputed_entry_id"])
        path = fill(template, a)
        form = filled(probe.form, a)
        if route.access.public:
            browser = PortalSession(client)
            browser.get("/login")
        elif route.access is AGENT and "{application_id}" in route.path:
            browser = applicant
            browser.get("/agent/settings")
        else:
            browser = sessions[route.access]
            browser.get(homes[route.access])  # a fresh CSRF token from a page of this session
        response = browser.post(path, form)
        if (wrong := _answered_well(browser, route, response)) is not None:
            problems.append(f"{route.method} {route.path}: {wrong}")
    assert not problems, "\n".join(problems)
    member = sessions[MEMBER]
    member.get("/app")
    assert member.post("/logout").status_code == 303


def test_a_confirmation_says_what_will_happen_and_changes_nothing_until_pressed(client, deps):
    owner = business(client, company_name="Corner Shop")
    browser = signed_in(client, owner["email"])
    key = call(client, "POST", "/api/v1/api-keys", {"name": "Zapier"}, token=owner["token"]).json
    asked = browser.post(f"/app/api-keys/{key['id']}/revoke")
    assert asked.status_code == 200 and "data-confirm" in asked.text
    assert (
        "Revoke the API key &#34;Zapier&#34;?" in asked.text or 'Revoke the API key "Zapier"?' in asked.text
    )
    assert "refused" in asked.text and 'name="confirm" value="yes"' in asked.text
    assert 'href="/app/api-keys">Cancel, go back</a>' in asked.text  # a way out, without JavaScript
    whoami = call(client, "GET", "/api/v1/integrations/whoami", token=key["secret"])
    assert whoami.status_code == 200  # not revoked by the first press
    done = browser.confirm(asked)
    assert done.status_code == 303
    assert browser.flash(browser.follow(done)) == 'The API key "Zapier" is revoked.'
    assert call(client, "GET", "/api/v1/integrations/whoami", token=key["secret"]).status_code == 401


def test_the_flash_shows_once_and_a_forged_one_shows_nothing(client, deps):
    owner = business(client)
    browser = signed_in(client, owner["email"])
    browser.get("/app/team")
    sent = browser.post("/app/team/invites", {"email": unique("mate-") + "@example.com", "role": "manager"})
    assert sent.status_code == 303 and "dh_flash" in browser.cookies
    first = browser.follow(sent)
    assert "Invitation sent to" in browser.flash(first)
    assert "dh_flash" not in browser.cookies  # the page that showed it took it away
    assert browser.flash(browser.get("/app/team")) == ""
    browser.cookies["dh_flash"] = "eyJtIjogIkNhbGwgKzEgNTU1In0.00000000000000000000000000000000"
    assert browser.flash(browser.get("/app/team")) == ""


def test_a_refused_form_keeps_what_was_typed_and_links_each_problem(client, deps):
    owner = business(client)
    browser = signed_in(client, owner["email"])
    browser.get("/app/openings/new")
    refused = browser.post(
        "/app/openings",
        {
            "title": "Night chat",
            "rate_min": "20",
            "rate_max": "abc",
            "start_date": "2027-01-04",
            "window_0_day": "mon",
            "window_0_start": "09:00",
        },
    )
    assert refused.status_code == 400
    assert 'class="error-summary"' in refused.text and "There is a problem" in refused.text
    assert 'value="Night chat"' in refused.text and 'value="20"' in refused.text
    summary = refused.text.split('class="error-summary"')[1].split("</div>")[0]
    targets = re.findall(r'<a href="#([^"]+)">', summary)
    assert {"rate_max", "window_0_end"} <= set(targets), summary  # every problem at once, not the first
    for target in targets:
        assert f'id="{target}"' in refused.text, target  # every link lands on its field
    someone = agent(client)
    phone = signed_in(client, someone["email"])
    phone.get("/agent/profile")
    profile = phone.post(
        "/agent/profile",
        {"min_rate": "lots", "window_1_day": "tue", "window_1_start": "09:00", "language_0": "en"},
    )
    assert profile.status_code == 400
    summary = profile.text.split('class="error-summary"')[1].split("</div>")[0]
    assert {"min_rate", "window_1_end"} <= set(re.findall(r'<a href="#([^"]+)">', summary)), summary
    assert 'value="lots"' in profile.text and 'value="09:00"' in profile.text


def test_times_show_in_the_viewers_zone_with_the_zone_named(client, deps):
    hired = hire(client, deps)  # the business in America/New_York, the agent in Europe/Lisbon
    someone, owner, cid = hired["agent"], hired["owner"], hired["contract"]["id"]
    deps.clock.now = at(24, 18)
    sign_in(client, someone)
    assert log(client, someone, cid, at(24, 14), at(24, 15, 30)).status_code == 201
    agent = signed_in(client, someone["email"])
    sheet = agent.get(f"/agent/contracts/{cid}/timesheets/2026-W48")
    assert "Tue 24 Nov 14:00–15:30 WET" in sheet.text  # Lisbon is on UTC in November
    shop = signed_in(client, owner["email"])
    review = shop.get(f"/app/contracts/{cid}/timesheets/2026-W48")
    assert "Tue 24 Nov 09:00–10:30 EST" in review.text
    assert " UTC" not in review.text.split("Billing week 2026-W48")[1].split("Your time")[1]


def test_the_audit_log_reads_as_sentences_in_the_viewers_zone(client, deps):
    owner = business(client, owner_name="Olivia Owner", time_zone="America/New_York")
    browser = signed_in(client, owner["email"])
    browser.get("/app/team")
    email = unique("ana-") + "@example.com"
    browser.post("/app/team/invites", {"email": email, "role": "manager"})
    page = browser.get("/app/audit-log")
    lines = [re.sub(r"<[^>]+>", "", li) for li in re.findall(r"<li>(.*?)</li>", page.text, re.S)]
    assert any(
        line.startswith(f"Olivia Owner invited {email} as a manager — Wed 25 Nov 10:10 EST") for line in lines
    ), lines
    assert any("Olivia Owner signed up the business Acme Widgets" in line for line in lines), lines
    assert "{" not in page.text.split("<ol")[1].split("</ol>")[0]  # no dicts, no ids


def test_timesheets_invoices_and_earnings_export_as_csv(client, paying):
    from chalicelib.jobs import runner
    from tests.integration.billing_helpers import worked_week

    hired = worked_week(client, paying)  # 3 h at 25.00 USD in 2026-W48, now Monday 12:30 of W49
    owner, someone, cid = hired["owner"], hired["agent"], hired["contract"]["id"]
    paying.add_card(owner)
    runner.run("bill-week", deps=paying.deps)
    sign_in(client, someone)
    memo = log(client, someone, cid, at(30, 9), at(30, 9, 30), memo='=HYPERLINK("http://evil")')
    assert memo.status_code == 201

    shop = signed_in(client, owner["email"])
    assert 'href="/app/timesheets.csv?week=2026-W48"' in shop.get("/app/timesheets?week=2026-W48").text
    exported = shop.get("/app/timesheets.csv?week=2026-W48")
    assert exported.status_code == 200 and exported.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert exported.headers["Content-Disposition"] == 'attachment; filename="timesheets-2026-W48.csv"'
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows and {r["contract_id"] for r in rows} == {cid}
    first = rows[0]
    assert first["started_at_utc"].endswith("Z") and first["time_zone"] == "America/New_York"
    assert first["rate"] == "25.00" and first["currency"] == "usd"
    assert sum(int(r["minutes"]) for r in rows) == 180

    mine = signed_in(client, someone["email"]).get("/agent/timesheets.csv?week=2026-W49")
    typed = [r for r in csv.DictReader(io.StringIO(mine.text.lstrip("\ufeff"))) if r["memo"]]
    assert typed[0]["memo"] == '\'=HYPERLINK("http://evil")'  # never a formula in a spreadsheet
    assert typed[0]["time_zone"] == "Europe/Lisbon" and typed[0]["hours"] == "0.5"

    invoices = list(csv.DictReader(io.StringIO(shop.get("/app/billing/invoices.csv").text.lstrip("\ufeff"))))
    assert [i["week"] for i in invoices] == ["2026-W48"]
    assert invoices[0]["total"] == "78.75" and invoices[0]["currency"] == "usd"  # 75.00 + the 5% fee

    earned = signed_in(client, someone["email"]).get("/agent/earnings.csv")
    weeks = [r for r in csv.DictReader(io.StringIO(earned.text.lstrip("\ufeff"))) if r["row"] == "week"]
    assert {(w["week"], w["gross"], w["currency"]) for w in weeks} >= {("2026-W48", "75.00", "usd")}

    # another business's export holds nothing of this one
    other = signed_in(client, business(client)["email"])
    assert cid not in other.get("/app/timesheets.csv?week=2026-W48").text
    assert other.get("/app/billing/invoices.csv").text.lstrip("\ufeff").count("\n") == 1  # the header


def test_the_navigation_counts_what_needs_the_viewer_and_marks_the_page(client, deps):
    hired = hire(client, deps)
    someone, owner, cid = hired["agent"], hired["owner"], hired["contract"]["id"]
    deps.clock.now = at(24, 18)
    sign_in(client, someone)
    assert log(client, someone, cid, at(24, 9), at(24, 10)).status_code == 201
    doubted = log(client, someone, cid, at(24, 11), at(24, 12)).json["entries"][0]["id"]
    deps.clock.now = at(30, 13)  # 2026-W48 is locked and in review
    for person in (owner, someone, hired["ops"]):
        sign_in(client, person)
    shop = signed_in(client, owner["email"])
    page = shop.get("/app/timesheets")
    nav = page.text.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    assert re.search(r'href="/app/timesheets" aria-current="page">Timesheets <span class="count">1<', nav)
    assert 'href="/app/contracts">Contracts</a>' in nav  # nothing waiting: no count

    # a dispute waits for deskhire: the operators' menu counts it (the queue is platform-wide)
    ops = signed_in(client, hired["ops"]["email"])

    def disputes_counted() -> int:
        found = re.search(
            r'href="/admin/disputes">Disputes <span class="count">(\d+)<', ops.get("/admin").text
        )
        return int(found.group(1)) if found else 0

    before = disputes_counted()
    filed = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/entries/{doubted}/dispute",
        {"reason": "Not us"},
        token=owner["token"],
    )
    assert filed.status_code == 201, filed.json
    assert disputes_counted() == min(before + 1, 100)

    # the rest approved: nothing of the week waits for the business any more
    shop.get(f"/app/contracts/{cid}/timesheets/2026-W48")
    assert shop.post(f"/app/contracts/{cid}/timesheets/2026-W48/approve").status_code == 303
    nav = shop.get("/app").text.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    assert 'href="/app/timesheets">Timesheets</a>' in nav
    assert 'href="/app" aria-current="page">Home</a>' in nav

    # an offer waits for the agent's answer: the agent's menu counts it, the business's too
    second = published_opening(client, owner, title="Weekend chat")
    application = apply(client, someone, second)
    offer(client, owner, application["id"], start_date="2026-12-07")
    agent = signed_in(client, someone["email"])
    # beside Contracts: the offer, and the dispute they have not answered (issue 14, item 6)
    assert 'href="/agent/contracts">Contracts <span class="count">2<' in agent.get("/agent").text
    assert 'href="/app/contracts">Contracts <span class="count">1<' in shop.get("/app").text
