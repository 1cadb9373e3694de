"""A browser-less portal session over chalice's test client: keeps cookies, reads CSRF tokens from
the forms it is shown, and posts forms the way a browser does."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode


class PortalSession:
    def __init__(self, client):
        self.client = client
        self.cookies: dict[str, str] = {}
        self.csrf: str | None = None

    def _headers(self, extra=None):
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _absorb(self, response):
        raw = response.headers.get("Set-Cookie") or response.headers.get("set-cookie")
        values = raw if isinstance(raw, list) else ([raw] if raw else [])
        for value in values:
            name, _, rest = value.partition("=")
            content = rest.split(";")[0]
            if "Max-Age=0" in value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = content
        body = response.body.decode() if response.body else ""
        response.text = body
        if match := re.search(r'name="csrf_token" value="([^"]+)"', body):
            self.csrf = match.group(1)
        return response

    def get(self, path: str):
        return self._absorb(self.client.http.get(path, headers=self._headers()))

    def post(self, path: str, fields: dict | None = None, *, csrf: bool = True):
        data = dict(fields or {})
        if csrf and self.csrf:
            data["csrf_token"] = self.csrf
        headers = self._headers({"Content-Type": "application/x-www-form-urlencoded"})
        return self._absorb(self.client.http.post(path, headers=headers, body=urlencode(data)))

    def follow(self, response):
        assert response.status_code == 303, (response.status_code, response.body[:500])
        return self.get(response.headers["Location"])

    def confirm(self, response, fields: dict | None = None):
        """Press the button of a confirmation page (PageContext.confirm): it posts the form again
        with every field it carried and confirm=yes."""
        assert response.status_code == 200 and "data-confirm" in response.text, (
            response.status_code,
            response.text[:800],
        )
        action = re.search(r'<form method="post" action="([^"]+)"', response.text.split("data-confirm", 1)[1])
        carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', response.text))
        carried.pop("csrf_token", None)
        return self.post(html.unescape(action.group(1)), {**carried, **(fields or {})})

    def post_confirmed(self, path: str, fields: dict | None = None):
        """Post a form that confirms first, confirm it, and return the answer to the confirmed post."""
        return self.confirm(self.post(path, fields))

    def flash(self, page) -> str:
        """What the page's flash says (the message a redirect left), or ''."""
        found = re.search(r'<p class="notice flash" role="status">(.*?)</p>', page.text, re.S)
        return html.unescape(found.group(1)) if found else ""


def fits_a_phone(page) -> None:
    """As far as a test without a browser can tell, the page fits a 375 px screen: the viewport
    is set, every table either becomes cards on a phone (`table.cards`, a label on every cell) or
    scrolls inside its own region that a keyboard can reach, and nothing sets a fixed width. The
    browser tests measure it for real (tests/browser/test_phones.py)."""
    text = page.text
    assert 'name="viewport" content="width=device-width' in text
    tables = text.count("<table")
    cards = len(re.findall(r'<table class="cards"', text))
    regions = len(
        re.findall(r'<div class="table-scroll" tabindex="0" role="region" aria-label="[^"]+">\s*<table', text)
    )
    assert cards + regions == tables, (cards, regions, tables)
    for table in re.findall(r'<table class="cards".*?</table>', text, re.S):
        body = table.split("<tbody>", 1)[-1]
        cells = re.findall(r"<td( [^>]*)?>", body)
        assert all("data-label" in (attrs or "") or "colspan" in (attrs or "") for attrs in cells), table[
            :300
        ]
    assert not re.search(r'style="[^"]*width', text) and "<pre" not in text


def signed_in(client, email: str) -> PortalSession:
    """A portal session signed in as `email` (every test person has the password STRONG)."""
    from tests.integration.helpers import STRONG

    browser = PortalSession(client)
    browser.get("/login")
    landed = browser.post("/login", {"email": email, "password": STRONG})
    assert landed.status_code == 303
    browser.follow(landed)  # the landing page's forms carry this session's CSRF token
    return browser
