"""The landing page in a real browser: styled by the vendored Pico.css, htmx loaded, no errors
(the Content-Security-Policy would report a blocked inline style or a foreign script), and no
sideways scrolling on a phone."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_landing_page_loads_styled_and_clean(page, portal_url):
    page.goto(portal_url + "/")
    assert "deskhire" in page.title()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # Pico's custom properties are defined only when its stylesheet has loaded.
    font = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--pico-font-family')")
    assert font.strip()
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.problems == []


def test_landing_page_fits_a_phone(phone, portal_url):
    phone.goto(portal_url + "/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
