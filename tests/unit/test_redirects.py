"""Issue 12 item 1: `next` after sign-in never leaves the site, as a browser reads the URL
(WHATWG: tabs and newlines removed, C0 controls and spaces trimmed, `\\` read as `/`)."""

from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.web.redirects import browser_normalised, safe_next

SITE = "https://deskhire.example/"


def lands_on(location: str) -> str:
    """The host a browser goes to when it follows `Location: location` from SITE."""
    return urlsplit(urljoin(SITE, browser_normalised(location))).netloc


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example/phish",
        "\\/evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "\t//evil.example",
        " //evil.example",
        "\x00//evil.example",
        "/%2Fevil.example",
        "/%5Cevil.example",
        "/%252F%252Fevil.example",
        "%2F%2Fevil.example",
        "javascript:alert(1)",
        "java\tscript:alert(1)",
        "http:evil.example",
        "https:/evil.example",
        "app",
        "/app\r\nSet-Cookie: x=1",
        "",
    ],
)
def test_what_a_browser_would_take_off_site_falls_back(target):
    assert safe_next(target, "/app") == "/app"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/app/team", "/app/team"),
        ("/app/timesheets?week=2026-W48", "/app/timesheets?week=2026-W48"),
        ("/app/a b", "/app/a%20b"),
        ("/app/x%2Fy", "/app/x%2Fy"),
        ("/app/caf\u00e9", "/app/caf%C3%A9"),
        ("/app/contracts/01J?x=1#top", "/app/contracts/01J?x=1#top"),
    ],
)
def test_paths_on_the_site_are_kept_in_plain_ascii(target, expected):
    assert safe_next(target, "/app") == expected


@given(st.text(max_size=40))
def test_any_text_either_falls_back_or_lands_on_this_site(text):
    result = safe_next(text, "/fallback")
    assert result.isascii() and result.isprintable() and "\\" not in result
    assert result.startswith("/") and not result.startswith("//")
    assert lands_on(result) == "deskhire.example"


@given(
    st.lists(
        st.sampled_from(["/", "\\", "\t", "\n", "%2F", "%5C", "%25", "evil.example", ":", " "]), max_size=8
    )
)
def test_slashes_and_their_disguises_never_reach_another_host(parts):
    result = safe_next("".join(parts), "/fallback")
    assert lands_on(result) == "deskhire.example"
