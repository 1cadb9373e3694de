"""Every page of the portal passes axe with no serious or critical violation (STYLE.md, issue 14).

axe-core comes from the npm registry (package.json, pinned) and is copied at install time
(`make install`: tests/browser/axe.min.js); it is injected into each page by the test, never served
by the portal (the context bypasses the page's Content-Security-Policy for that alone). The walk
covers every GET page route (chalicelib/web/portal.py PAGE_ROUTES) as the person it is for, with
ids from demo-like data (tests/browser/demo.py), the public pages, the pages of states only another
person shows (demo.also), and the states a page shows after a form: a refused form with its error
summary, a confirmation, a flash message. Each page must also show the demo's states it is meant
to (demo.SHOWN: unchecked markup otherwise passes unseen) and fit the desktop's width."""

from __future__ import annotations

import pytest

from chalicelib.web.auth import AGENT, MEMBER, OPERATOR, TEAM_MANAGER
from chalicelib.web.portal import PAGE_ROUTES
from tests.browser.conftest import AXE, CHROMIUM_ARGS, sign_in_as  # noqa: F401
from tests.browser.demo import NOT_PAGES, READ_LAST, SHOWN

pytestmark = pytest.mark.browser

SERIOUS = ("serious", "critical")
DESKTOP = 1280  # the walk's viewport width
# Pages answered on purpose with a status other than 200 in the walk, each with why.
NOT_200 = {
    "/agent/inquiries/{inquiry_id}": (404,),  # the demo's inquiry is not routed to the agent
}


def axe_problems(page) -> list[str]:
    """axe's serious and critical violations on the page as it is now, one line each."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    lines = []
    for violation in result["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return lines


def walk(
    page,
    portal_url: str,
    paths: list[tuple[str, str]],
    problems: dict[str, list[str]],
    statuses: dict[str, int],
):
    for label, path in paths:
        response = page.goto(portal_url + path)
        statuses[label] = response.status if response else 0
        if found := axe_problems(page):
            problems[f"{label} ({path})"] = found
        # and nothing pushes the page sideways on a desktop's screen either (phones: test_phones.py)
        if (wide := page.evaluate("document.documentElement.scrollWidth")) > DESKTOP:
            problems.setdefault(f"{label} ({path})", []).append(f"the page is {wide}px wide at {DESKTOP}px")
        if missing := [s for s in SHOWN.get(label, []) if not page.locator(s).count()]:
            problems.setdefault(f"{label} ({path})", []).append(
                f"the demo's state is not shown: nothing matches {missing}"
            )


def routes_for(accesses, demo) -> tuple[list[tuple[str, str]], list[str]]:
    """(label, path) of every GET page route for these accesses; and those it could not fill."""
    paths, unfilled = [], []
    for route in PAGE_ROUTES:
        if route.method != "GET" or route.access not in accesses:
            continue
        if route.path in NOT_PAGES or route.path.endswith((".csv", ".ics")):
            continue
        path = demo.path(route.path)
        if path is None:
            unfilled.append(route.path)
        else:
            paths.append((route.path, path))
    # the pages that mark something read last, so that those before show it unread
    return sorted(paths, key=lambda labelled: labelled[0] in READ_LAST), unfilled


@pytest.fixture
def context(browser):
    context = browser.new_context(bypass_csp=True, viewport={"width": DESKTOP, "height": 900})
    yield context
    context.close()


def test_every_page_passes_axe_with_no_serious_or_critical_violation(context, portal_url, demo):
    from chalicelib.web.auth import PUBLIC

    problems: dict[str, list[str]] = {}
    statuses: dict[str, int] = {}
    unfilled: list[str] = []

    # strangers: the public pages, a refused form with its summary, the 404 page
    public, missing = routes_for({PUBLIC}, demo)
    unfilled += missing
    page = context.new_page()
    walk(page, portal_url, public, problems, statuses)
    page.goto(portal_url + "/signup")
    page.get_by_role("button", name="Create my business account").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    problems.update({"signup refused": p} if (p := axe_problems(page)) else {})
    page.goto(portal_url + "/no-such-page")
    problems.update({"404 page": p} if (p := axe_problems(page)) else {})
    page.close()
    context.clear_cookies()

    for accesses, email in (
        ({MEMBER, TEAM_MANAGER}, demo.owner["email"]),
        ({AGENT}, demo.someone["email"]),
        ({OPERATOR}, demo.ops["email"]),
    ):
        paths, missing = routes_for(accesses, demo)
        unfilled += missing
        page = sign_in_as(context, portal_url, email)
        walk(page, portal_url, paths, problems, statuses)
        if MEMBER in accesses:
            # a confirmation page, then the flash its confirmation leaves
            page.goto(portal_url + "/app/api-keys")
            page.get_by_role("button", name="Revoke…").first.click()
            page.get_by_role("button", name="Revoke the key").wait_for()
            problems.update({"confirmation": p} if (p := axe_problems(page)) else {})
            page.get_by_role("button", name="Revoke the key").click()
            page.get_by_role("status").wait_for()
            problems.update({"flash": p} if (p := axe_problems(page)) else {})
        page.close()
        context.clear_cookies()

    # states only other people's pages show (demo.also)
    for email, paths in demo.also:
        page = sign_in_as(context, portal_url, email)
        walk(page, portal_url, paths, problems, statuses)
        page.close()
        context.clear_cookies()

    report = "\n".join(f"{where}:\n  " + "\n  ".join(found) for where, found in problems.items())
    assert not problems, (
        f"{len(problems)} pages with serious or critical violations (or missing states):\n{report}"
    )
    assert not unfilled, f"give these pages ids in tests/browser/demo.py: {unfilled} ({demo.skipped})"
    wrong = {
        label: status
        for label, status in statuses.items()
        if status != 200 and status not in NOT_200.get(label, ())
    }
    assert not wrong, f"pages that did not open: {wrong}"
