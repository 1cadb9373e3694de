"""Full-text search of a business's published articles: BM25 (tantivy), the words stemmed in each
article's language, scoped to the one business whose index is read (the index holds nothing
else). Used by the JSON API (`GET /api/v1/kb/search`), the help centre, and the agent workspace's
suggestions (`knowledge.suggest`). A search reads the KB's head and, once per container and index
version, the index; never an article, never an inquiry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.domain import knowledge as rules
from chalicelib.domain.identity import Principal
from chalicelib.domain.tenancy import TenantId
from chalicelib.services.knowledge import index

if TYPE_CHECKING:
    from chalicelib.adapters.search_index import OpenIndex

MAX_LIMIT = 50


@dataclass(frozen=True)
class Result:
    article_id: str
    title: str
    slug: str
    excerpt: str
    language: str
    category: str | None
    category_name: str | None
    updated_at: str
    score: float


@dataclass(frozen=True)
class Suggestion:
    """An article that may answer an inquiry, for the agent workspace."""

    article_id: str
    title: str
    slug: str
    excerpt: str
    language: str
    path: str  # the article on the public help centre: /help/<business slug>/articles/<slug>
    score: float


@dataclass(frozen=True)
class Catalogue:
    """What the help centre lists: the published articles (as indexed), their categories and
    languages, and the business's help-centre slug."""

    articles: list[Result]
    categories: dict[str, str]
    languages: list[str]
    business_slug: str | None


def _result(opened: OpenIndex, entry: dict[str, Any], score: float = 0.0) -> Result:
    category = entry.get("category")
    return Result(
        article_id=entry["article_id"],
        title=entry["title"],
        slug=entry["slug"],
        excerpt=entry["excerpt"],
        language=entry["language"],
        category=category,
        category_name=opened.categories.get(category) if category else None,
        updated_at=entry["updated_at"],
        score=round(score, 4),
    )


def find(tenant: TenantId, text: str, *, language: str | None = None, limit: int = 10) -> list[Result]:
    """The published articles of `tenant` that best match `text`, best first."""
    return _found(tenant, text, language=language, limit=limit)[0]


def _found(
    tenant: TenantId, text: str, *, language: str | None, limit: int
) -> tuple[list[Result], str | None]:
    query = rules.check_query(text)
    limit = max(1, min(limit, MAX_LIMIT))
    if not query:
        return [], None

    def work(opened: OpenIndex | None) -> tuple[list[Result], str | None]:
        if opened is None:
            return [], None
        hits = opened.search(query, language=language, limit=limit)
        found = [
            _result(opened, opened.catalogue[h.article_id], h.score)
            for h in hits
            if h.article_id in opened.catalogue
        ]
        return found, opened.business_slug

    return index.using(tenant, work)


def search(actor: Principal, text: str, *, language: str | None = None, limit: int = 10) -> list[Result]:
    """The API's search: the caller's own business (a member or the business's API key)."""
    tenant = actor.require_tenant()
    if language is not None:
        rules.check_language(language)
    return find(tenant, text, language=language, limit=limit)


def suggest(tenant: TenantId, text: str, *, language: str | None = None, limit: int = 5) -> list[Suggestion]:
    """See `chalicelib.services.knowledge.suggest`, which the support slices call."""
    found, slug = _found(tenant, text, language=language, limit=max(1, min(limit, 20)))
    return [
        Suggestion(
            article_id=r.article_id,
            title=r.title,
            slug=r.slug,
            excerpt=r.excerpt,
            language=r.language,
            path=f"/help/{slug}/articles/{r.slug}" if slug else "",
            score=r.score,
        )
        for r in found
    ]


def browse(
    tenant: TenantId, text: str, *, choose_language: Callable[[Catalogue], str], limit: int = 20
) -> tuple[Catalogue, str, list[Result] | None]:
    """What a help-centre page shows, from one read of the head: the catalogue, the language
    `choose_language` picks from it, and the results for `text` in that language (None when
    `text` has no words: a page without a search)."""
    query = rules.check_query(text)

    def work(opened: OpenIndex | None) -> tuple[Catalogue, str, list[Result] | None]:
        listed = _catalogue_of(opened)
        language = choose_language(listed)
        if not query:
            return listed, language, None
        if opened is None:
            return listed, language, []
        hits = opened.search(query, language=language, limit=max(1, min(limit, MAX_LIMIT)))
        found = [
            _result(opened, opened.catalogue[h.article_id], h.score)
            for h in hits
            if h.article_id in opened.catalogue
        ]
        return listed, language, found

    return index.using(tenant, work)


def catalogue(tenant: TenantId) -> Catalogue:
    """The help centre's lists, from the same cached index as search (no article is read)."""

    return index.using(tenant, _catalogue_of)


def _catalogue_of(opened: OpenIndex | None) -> Catalogue:
    if opened is None:
        return Catalogue(articles=[], categories={}, languages=[], business_slug=None)
    entries = sorted(opened.catalogue.values(), key=lambda e: e["title"].lower())
    return Catalogue(
        articles=[_result(opened, entry) for entry in entries],
        categories=dict(opened.categories),
        languages=list(opened.languages),
        business_slug=opened.business_slug,
    )
