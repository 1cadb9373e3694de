"""A business's knowledge base and its public help centre: the rules, with no I/O.

- **Articles** have a title, a slug (the last part of `/help/<business>/articles/<slug>`, unique
  within the business), a body in markdown (at most `MAX_BODY_BYTES` of UTF-8: a larger one is
  refused as too large, a 413), a category from the business's own list (or none), a language from
  deskhire's list, and a status: a `draft` is seen by the business only, a `published` article by
  everyone on the help centre and by the agents' suggestions.
- **Slugs** are lowercase ASCII letters and digits in words joined by single hyphens, 1 to 80
  characters; one is made from the title when none is given (`slug_from`).
- **Search** ranks the published articles of one business with BM25, the words stemmed in the
  article's language where a stemmer for it exists (`STEMMERS`) and its commonest words left out
  (`STOPWORDS`); Japanese and Chinese, written without spaces, are split into overlapping pairs
  of characters instead.
- **Deflection**: a help-centre *visit* is what one browser does with no 30-minute pause
  (`VISIT_IDLE`), for at most `VISIT_MAX`. A visit is *deflected* when it searched, opened an
  article and did not send the contact form. Counts are kept per day (UTC) of the visit's start,
  each moving once, when a visit first reaches a state (`counted`): `engaged` (searched and
  opened an article) and `engaged_contacted` (engaged and sent the form, in either order), so
  deflected = engaged - engaged_contacted, at any moment, and final once no visit of that day can
  still change (`day_is_final`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.text import TITLE_MAX_LENGTH, check_line, check_text
from chalicelib.domain.vocabulary import LANGUAGE_NAMES

MAX_BODY_BYTES = 64 * 1024
MAX_SLUG_LENGTH = 80
MAX_CATEGORY_NAME = 60
MAX_ARTICLES = 2_000  # per business: keeps the search index, and so a search's reads, bounded
MAX_CATEGORIES = 50
MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 24
EXCERPT_CHARS = 220

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Snowball stemmers (tantivy's `Filter.stemmer`) for the languages deskhire offers; the others are
# matched word for word (lowercased, accents folded), or by character pairs where words have no spaces.
STEMMERS = {
    "en": "english",
    "es": "spanish",
    "pt": "portuguese",
    "fr": "french",
    "de": "german",
    "it": "italian",
    "nl": "dutch",
    "ru": "russian",
    "tr": "turkish",
    "ar": "arabic",
}
UNSPACED = frozenset({"ja", "zh"})
# Languages whose most common words ("the", "and", "de", "la") are left out of the index and of
# queries, so that "how do I get a refund" searches for "get refund" (tantivy's built-in lists).
STOPWORDS = frozenset({"en", "es", "pt", "fr", "de", "it", "nl", "ru"})

VISIT_IDLE = timedelta(minutes=30)
VISIT_MAX = timedelta(hours=4)
VISIT_KEPT = timedelta(days=90)  # visit items go (TTL); the daily counts stay


class Status(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class BodyTooLarge(InvalidInput):
    """An article body over `MAX_BODY_BYTES` (the edge answers 413)."""

    code = "too_large"


def check_slug(slug: str, *, field: str = "slug") -> str:
    if len(slug) > MAX_SLUG_LENGTH or not _SLUG.match(slug):
        raise InvalidInput(
            "use lowercase letters and digits, words joined by single hyphens, up to 80 characters",
            field=field,
        )
    return slug


def slug_from(title: str) -> str:
    """A slug for a title: accents dropped, words joined by hyphens, cut at a word. Empty when the
    title has no Latin letter or digit (the caller then asks for one or makes one)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_SLUG_LENGTH:
            break
        slug = candidate
    return slug or (words[0][:MAX_SLUG_LENGTH] if words else "")


def check_title(title: str) -> str:
    title = check_line(title, field="title").strip()
    if not title:
        raise InvalidInput("give the article a title", field="title")
    if len(title) > TITLE_MAX_LENGTH:
        raise InvalidInput(f"keep the title to {TITLE_MAX_LENGTH} characters", field="title")
    return title


def check_body(body: str) -> str:
    body = check_text(body, field="body")
    size = len(body.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise BodyTooLarge(
            f"the article is {size:,} bytes; keep it to {MAX_BODY_BYTES:,} (split it into several)",
            field="body",
        )
    return body


def check_language(code: str, *, field: str = "language") -> str:
    if code not in LANGUAGE_NAMES:
        raise InvalidInput("pick a language from the list", field=field)
    return code


def check_category_name(name: str) -> str:
    name = check_line(name, field="name").strip()
    if not name:
        raise InvalidInput("give the category a name", field="name")
    if len(name) > MAX_CATEGORY_NAME:
        raise InvalidInput(f"keep the name to {MAX_CATEGORY_NAME} characters", field="name")
    if not slug_from(name):
        raise InvalidInput("use at least one Latin letter or digit in the name", field="name")
    return name


def check_query(text: str) -> str:
    """What a visitor typed into the search box: one line, trimmed, capped (never refused for
    its length: a long paste is cut, not answered with an error)."""
    cleaned = " ".join(text.replace("\x00", " ").split())
    return cleaned[:MAX_QUERY_CHARS]


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The first words of an article's text, for result lists."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    cut = words[:limit].rsplit(" ", 1)[0]
    return cut + "\u2026"


# -- deflection ---------------------------------------------------------------------------------


class Event(StrEnum):
    SEARCH = "search"
    VIEW = "view"  # opened an article
    SUBMIT = "submit"  # sent the contact form


@dataclass(frozen=True)
class VisitState:
    """What a visit has done so far (each at least once). `known` is False for a visit not yet
    recorded."""

    searched: bool = False
    viewed: bool = False
    submitted: bool = False
    known: bool = False

    @property
    def engaged(self) -> bool:
        return self.searched and self.viewed

    @property
    def deflected(self) -> bool:
        return self.engaged and not self.submitted

    @property
    def flags(self) -> int:
        return int(self.searched) | int(self.viewed) << 1 | int(self.submitted) << 2

    @classmethod
    def from_flags(cls, flags: int) -> VisitState:
        return cls(bool(flags & 1), bool(flags & 2), bool(flags & 4), known=True)

    def after(self, event: Event) -> VisitState:
        return VisitState(
            searched=self.searched or event is Event.SEARCH,
            viewed=self.viewed or event is Event.VIEW,
            submitted=self.submitted or event is Event.SUBMIT,
            known=True,
        )


COUNTERS = ("visits", "searched", "viewed", "contacted", "engaged", "engaged_contacted")


def counted(before: VisitState, after: VisitState) -> dict[str, int]:
    """The daily counters that move when a visit goes from `before` to `after`: each counts the
    visits that reached a state, so each moves at most once per visit, whatever the order."""
    reached = {
        "visits": (before.known, after.known),
        "searched": (before.searched, after.searched),
        "viewed": (before.viewed, after.viewed),
        "contacted": (before.submitted, after.submitted),
        "engaged": (before.engaged, after.engaged),
        "engaged_contacted": (before.engaged and before.submitted, after.engaged and after.submitted),
    }
    return {name: 1 for name, (was, now) in reached.items() if now and not was}


@dataclass(frozen=True)
class DeflectionDay:
    day: date
    visits: int = 0
    searched: int = 0
    viewed: int = 0
    contacted: int = 0
    engaged: int = 0
    engaged_contacted: int = 0
    final: bool = False

    @property
    def deflected(self) -> int:
        """Visits that searched, opened an article and did not send the contact form."""
        return self.engaged - self.engaged_contacted


def visit_goes_on(started_at: datetime, last_seen: datetime, now: datetime) -> bool:
    """Is a request at `now` part of the visit, or does it start a new one?"""
    return now - last_seen < VISIT_IDLE and now - started_at < VISIT_MAX


def day_is_final(day: date, now: datetime) -> bool:
    """No visit that started on `day` can change any more: the last one to start that day has
    ended by its longest span plus the idle time that closes it."""
    end_of_day = datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)
    return now >= end_of_day + VISIT_MAX + VISIT_IDLE
