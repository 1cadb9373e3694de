"""Markdown to safe HTML for knowledge-base articles: markdown-it-py renders (CommonMark, tables,
strikethrough; raw HTML in the source is escaped, not passed through), then nh3 (the Ammonia
sanitiser) keeps only the tags and attributes below, links only to http, https and mailto, and
marks every link `rel="noopener noreferrer nofollow"`. Both run when an article is saved or
previewed, never when it is read; both are imported here, on first use, not at cold start.

Sanitising after rendering, with an allow-list, is what holds if the renderer ever lets something
through: a `javascript:` or `data:` link, an event handler, a script or style element, an iframe."""

from __future__ import annotations

import functools
import html
import re

TAGS = frozenset(
    {
        "a",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_HEADING = re.compile(r"<(/?)h1>")


@functools.cache
def _renderer():
    from markdown_it import MarkdownIt

    # "js-default" is CommonMark with raw HTML off (escaped) and links checked by markdown-it's
    # own validator (no javascript:, vbscript:, file:, most data:), plus tables and strikethrough.
    return MarkdownIt("js-default", {"linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def sanitise(fragment: str) -> str:
    import nh3

    return nh3.clean(
        fragment,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def to_html(markdown: str) -> str:
    """The article's body as HTML safe to put in a page. A `# heading` becomes an h2: the page's
    h1 is the article's title."""
    rendered = _renderer().render(markdown)
    return sanitise(_HEADING.sub(r"<\1h2>", rendered))


def to_text(safe_html: str) -> str:
    """The words of a rendered article (for the search index and excerpts)."""
    import nh3

    stripped = nh3.clean(re.sub(r"<(/?)(p|li|h\d|br|tr|pre|blockquote)\b", r" <\1\2", safe_html), tags=set())
    return " ".join(html.unescape(stripped).split())


def plain_text(text: str) -> str:
    """`text` with any HTML markup taken out and its entities read (nh3, the Ammonia sanitiser,
    with no tag allowed): `<b>thanks</b>` keeps its words, a `<script>` or `<style>` loses its
    content too, and `a < b` stays as typed. Repeated until nothing changes, so `&lt;b&gt;`
    cannot come back as a tag; then without hidden or control characters (domain/text). Ratings',
    surveys' and peer reviews' comments go through it (domain/surveys.check_comment)."""
    from chalicelib.domain.text import without_hidden

    cleaned = without_hidden(text)
    for _ in range(5):
        if "<" not in cleaned and "&" not in cleaned:
            break
        import nh3

        once = html.unescape(nh3.clean(cleaned, tags=set()))
        if once == cleaned:
            break
        cleaned = once
    return without_hidden(cleaned)
