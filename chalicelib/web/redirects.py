"""Where a redirect may go: only a path on this site, as a browser will read it.

A `next` parameter (after sign-in) is attacker-chosen text that ends up in a `Location` header.
Browsers do not read that header as Python's urlparse does: the WHATWG URL parser first strips
leading and trailing C0 controls and spaces, removes every tab and newline anywhere, and for
http(s) URLs reads a backslash as a slash, so `/\\evil.example`, `/\\t/evil.example` and
`\\/evil.example` all become `//evil.example`: another host. The rule here is the browser's own:
normalise the text the way the WHATWG parser does, then accept it only if it is a path-absolute
URL (one slash, then not a second slash). Text the browser would change at all (a backslash, a tab,
a control character) is refused outright: a link deskhire builds never has one. What passes goes
into the header percent-encoded to plain ASCII. Percent-encoded text is decoded (repeatedly) for the check as well, so a
slash or backslash smuggled as `%2F` or `%5C` can never be read as a second slash by any later
decoder either. Anything else gets the fallback: a legitimate `next` is always a plain path."""

from __future__ import annotations

from urllib.parse import quote, unquote

# What the WHATWG parser strips from both ends (C0 controls and space) and removes everywhere
# (ASCII tab and newline): https://url.spec.whatwg.org/#concept-basic-url-parser
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))
_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")
# Characters kept as they are in the header; everything else is percent-encoded.
_SAFE = "/?=&#%:@!$'()*+,;~-._"
MAX_LENGTH = 2000


def browser_normalised(text: str) -> str:
    """The text as a browser's URL parser sees it before it reads the structure."""
    return text.strip(_C0_AND_SPACE).translate(_TAB_OR_NEWLINE).replace("\\", "/")


def _is_path_on_this_site(text: str) -> bool:
    if not text.startswith("/") or text.startswith("//"):
        return False
    # Nothing a header or a later decoder could misread: no control characters, no DEL.
    return not any(ord(c) < 0x20 or ord(c) == 0x7F for c in text)


def safe_next(target: str | None, fallback: str) -> str:
    """`target` as a same-site path to put in a Location header, or `fallback`."""
    if not target or len(target) > MAX_LENGTH:
        return fallback
    normalised = browser_normalised(target)
    if normalised != target:
        return fallback
    # Every decoding of the text must still be a path on this site (`/%2F%2Fevil`, `/%5Cevil`,
    # double-encoded `%252F`): a proxy or a framework may decode it before a browser reads it.
    seen = normalised
    for _ in range(4):
        if not _is_path_on_this_site(browser_normalised(seen)):
            return fallback
        decoded = unquote(seen)
        if decoded == seen:
            break
        seen = decoded
    else:
        return fallback
    return quote(normalised, safe=_SAFE)
