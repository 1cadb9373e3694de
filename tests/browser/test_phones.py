"""Phones (issue 14): at 390 px wide no page of the portal scrolls sideways, and a table shown as
cards keeps its money and its actions in view. Walks every GET page route as the person it is for,
with the demo-like data of tests/browser/demo.py (the accessibility walk's)."""

from __future__ import annotations

import pytest

from chalicelib.web.auth import AGENT, MEMBER, OPERATOR, PUBLIC, TEAM_MANAGER
from tests.browser.conftest import sign_in_as
from tests.browser.test_accessibility import routes_for

pytestmark = pytest.mark.browser

WIDTH = 390  # an iPhone 12 to 15, in CSS pixels

# What sticks out past the screen's right edge: the page itself, or a card's money or action.
MEASURE = """(width) => {
  const out = [];
  if (document.documentElement.scrollWidth > width) {
    out.push(`the page is ${document.documentElement.scrollWidth}px wide`);
  }
  for (const cell of document.querySelectorAll('table.cards td.num, table.cards td.actions, table.cards td.actions *')) {
    const box = cell.getBoundingClientRect();
    if (box.width && (box.right > width + 1 || box.left < -1)) {
      out.push(`${cell.tagName.toLowerCase()}.${cell.className} "${cell.textContent.trim().slice(0, 30)}" ends at ${Math.round(box.right)}px`);
    }
  }
  return out;
}"""


@pytest.fixture
def phone_context(browser):
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=3
    )
    yield context
    context.close()


def test_no_page_scrolls_sideways_on_a_phone(phone_context, portal_url, demo):
    problems: dict[str, list[str]] = {}
    walked = 0
    walks = [
        (email, routes_for(accesses, demo)[0])
        for accesses, email in (
            ({PUBLIC}, None),
            ({MEMBER, TEAM_MANAGER}, demo.owner["email"]),
            ({AGENT}, demo.someone["email"]),
            ({OPERATOR}, demo.ops["email"]),
        )
    ]
    # states only other people's pages show
    walks += demo.also
    for email, paths in walks:
        page = sign_in_as(phone_context, portal_url, email) if email else phone_context.new_page()
        for label, path in paths:
            page.goto(portal_url + path)
            walked += 1
            if found := page.evaluate(MEASURE, WIDTH):
                problems[f"{label} ({path})"] = found
        page.close()
        phone_context.clear_cookies()
    assert walked > 50
    assert not problems, "\n".join(f"{where}: {found}" for where, found in problems.items())


def test_a_table_becomes_cards_with_its_money_and_actions_in_view(phone_context, portal_url, demo):
    page = sign_in_as(phone_context, portal_url, demo.owner["email"])
    page.goto(portal_url + "/app/api-keys")
    card = page.locator("table.cards tbody tr").first
    # a card: the column's name beside each value, and the row's action in view and usable
    assert page.locator("table.cards thead").evaluate("e => e.getBoundingClientRect().height") <= 1
    label = card.locator("td[data-label='Name']").evaluate("e => getComputedStyle(e, '::before').content")
    assert label == '"Name"'
    revoke = card.get_by_role("button", name="Revoke…")
    assert revoke.is_visible()
    box = revoke.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    page.goto(portal_url + "/app/contracts")
    terms = page.locator("table.cards td.num").first
    assert terms.is_visible() and "USD" in terms.inner_text()
