"""The knowledge base on the JSON API: articles and categories for the business's team, and
search for the team and its integrations (API keys)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib import composition
from chalicelib.web.api import JsonApi
from chalicelib.web.auth import INTEGRATION, MEMBER
from chalicelib.web.errors import HttpError

if TYPE_CHECKING:  # for the annotations; each route imports its models when it runs
    from chalicelib.schemas import knowledge as schemas


api = JsonApi(__name__, tag="knowledge", schemas="chalicelib.schemas.knowledge")


def _too_large(error) -> HttpError:
    return HttpError(413, "too_large", error.message, field=error.field)


@api.get("/api/v1/kb/articles", query="ArticleQuery", response="ArticlePage", access=MEMBER)
def list_articles(query: schemas.ArticleQuery, principal) -> schemas.ArticlePage:
    """The business's articles, drafts and published, a page at a time."""
    from chalicelib.schemas import knowledge as schemas
    from chalicelib.services.knowledge import articles

    page = articles.page(principal, limit=query.limit, cursor=query.cursor, deps=composition.deps())
    return schemas.ArticlePage(
        articles=[schemas.ArticleSummaryView(**schemas.summary_view(r)) for r in page.items],
        next_cursor=page.next_cursor,
    )


@api.post(
    "/api/v1/kb/articles",
    body="ArticleBody",
    response="ArticleView",
    status=201,
    errors=(400, 409, 413),
    access=MEMBER,
)
def create_article(body: schemas.ArticleBody, principal) -> schemas.ArticleView:
    """Write an article, as a draft or published at once."""
    from chalicelib.domain.knowledge import BodyTooLarge
    from chalicelib.schemas import knowledge as schemas
    from chalicelib.services.knowledge import articles

    draft = articles.ArticleDraft(
        title=body.title,
        body=body.body,
        language=body.language,
        slug=body.slug or None,
        category=body.category or None,
    )
    try:
        record = articles.create(
            principal, draft, publish=body.status == "published", deps=composition.deps()
        )
    except BodyTooLarge as error:
        raise _too_large(error) from None
    return schemas.article_view(record, articles.business_slug(principal))


@api.get("/api/v1/kb/articles/{article_id}", response="ArticleView", errors=(404,), access=MEMBER)
def get_article(article_id: str, principal) -> schemas.ArticleView:
    """One article, with its markdown and the HTML the help centre shows."""
    from chalicelib.schemas import knowledge as schemas
    from chalicelib.services.knowledge import articles

    return schemas.article_view(articles.get(principal, article_id), articles.business_slug(principal))


@api.patch(
    "/api/v1/kb/articles/{article_id}",
    body="ArticleChangesBody",
    response="ArticleView",
    errors=(400, 404, 409, 413),
    access=MEMBER,
)
def revise_article(article_id: str, body: schemas.ArticleChangesBody, principal) -> schemas.ArticleView:
    """Change an article: only the fields sent change. A published article changes on the help
    centre at once."""
    from chalicelib.domain.knowledge import BodyTooLarge
    from chalicelib.schemas import knowledge as schemas
    from chalicelib.services.knowledge import articles

    changes = articles.ArticleChanges(
        title=body.title,
        body=body.body,
        language=body.language,
        slug=body.slug,
        category=body.category or None,
        clear_category=body.category == "",
        version=body.version,
    )
    try:
        record = articles.update(principal, article_id, changes, deps=composition.deps())
    except BodyTooLarge as error:
        raise _too_large(error) from None
    return schemas.article_view(record, articles.business_slug(principal))


@api.post(
    "/api/v1/kb/articles/{article_id}/publish", response="ArticleView", errors=(404, 409), access=MEMBER
)
def publish_article(article_id: str, principal) -> schemas.ArticleView:
    """Put the article on the help centre, in search and in the agents' suggestions."""
    from chalicelib.schemas import knowledge as schemas
    from chalicelib.services.knowledge import articles

    record = articles.publish(principal, article_id, deps=composition.deps())
    return schemas.article_view(record, articles.business_slug(principal))


@api.post(
    "/api/v1/kb/articles/{article_id}/unpublish", response="ArticleView", errors=(404, 409), access=MEMBER
)
def unpublish_article(article_id: str, principal) -> schemas.ArticleView:
    """Take the article off the help centre (it stays as a draft)."""
    from chalicelib.schemas import knowledge as schemas
    from chalicelib.services.knowledge import articles

    record = articles.unpublish(principal, article_id, deps=composition.deps())
    return schemas.article_view(record, articles.business_slug(principal))


@api.delete("/api/v1/kb/articles/{article_id}", status=204, errors=(404, 409), access=MEMBER)
def delete_article(article_id: str, principal) -> None:
    """Delete an article for good (unpublish it to keep it as a draft)."""
    from chalicelib.services.knowledge import articles

    articles.delete(principal, article_id, deps=composition.deps())


@api.get("/api/v1/kb/categories", response="CategoryList", access=MEMBER)
def list_categories(principal) -> schemas.CategoryList:
    """The categories articles are filed under, with how many each holds."""
    from chalicelib.schemas import knowledge as schemas
    from chalicelib.services.knowledge import articles

    return schemas.CategoryList(
        categories=[
            schemas.CategoryView(slug=c.category, name=c.name, article_count=c.article_count)
            for c in articles.categories(principal)
        ]
    )


@api.post(
    "/api/v1/kb/categories",
    body="CategoryBody",
    response="CategoryView",
    status=201,
    errors=(400, 409),
    access=MEMBER,
)
def create_category(body: schemas.CategoryBody, principal) -> schemas.CategoryView:
    """Add a category; its slug is made from its name."""
    from chalicelib.schemas import knowledge as schemas
    from chalicelib.services.knowledge import articles

    record = articles.create_category(principal, body.name, deps=composition.deps())
    return schemas.CategoryView(slug=record.category, name=record.name, article_count=0)


@api.delete("/api/v1/kb/categories/{category}", status=204, errors=(404, 409), access=MEMBER)
def delete_category(category: str, principal) -> None:
    """Delete an empty category (a 409 while articles are filed under it)."""
    from chalicelib.services.knowledge import articles

    articles.delete_category(principal, category, deps=composition.deps())


@api.get("/api/v1/kb/search", query="SearchQuery", response="SearchResults", access=INTEGRATION)
def search_articles(query: schemas.SearchQuery, principal) -> schemas.SearchResults:
    """Full-text search (BM25, stemmed per language) of the business's published articles."""
    from chalicelib.domain.knowledge import check_query
    from chalicelib.schemas import knowledge as schemas
    from chalicelib.services.knowledge import search

    found = search.search(principal, query.q, language=query.language, limit=query.limit)
    return schemas.SearchResults(
        query=check_query(query.q),
        results=[
            schemas.SearchResultView(
                id=r.article_id,
                title=r.title,
                slug=r.slug,
                excerpt=r.excerpt,
                language=r.language,
                category=r.category,
                score=r.score,
            )
            for r in found
        ],
    )
