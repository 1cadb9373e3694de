"""Models of the knowledge-base routes (see chalicelib/schemas/__init__.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from chalicelib.schemas.base import Command, Line, Query, Title, View

LanguageCode = Field(min_length=2, max_length=3, pattern=r"^[a-z]{2,3}$", description="ISO 639-1, e.g. en")
# The domain counts the body's bytes (64 KiB, a 413 above); this only keeps a body within the
# API's 256 KiB request limit from being parsed twice over.
Body = Field(description="Markdown (CommonMark with tables); raw HTML is shown as text")


class ArticleBody(Command):
    title: Title
    body: str = Body
    language: str = LanguageCode
    slug: str | None = Field(default=None, max_length=80, description="Made from the title when left out")
    category: str | None = Field(default=None, max_length=80, description="A category's slug")
    status: Literal["draft", "published"] = "draft"


class ArticleChangesBody(Command):
    title: Title | None = None
    body: str | None = Field(default=None, description="Markdown (CommonMark with tables)")
    language: str | None = Field(default=None, min_length=2, max_length=3, pattern=r"^[a-z]{2,3}$")
    slug: str | None = Field(default=None, max_length=80)
    category: str | None = Field(default=None, max_length=80, description='A category\'s slug; "" for none')
    version: int | None = Field(
        default=None, ge=1, description="The version you edited: a newer one makes this a 409"
    )


class ArticleQuery(Query):
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2000)


class ArticleSummaryView(View):
    id: str
    title: str
    slug: str
    category: str | None
    language: str
    status: Literal["draft", "published"]
    excerpt: str
    updated_at: datetime
    published_at: datetime | None
    version: int


class ArticleView(ArticleSummaryView):
    body: str = Field(description="The markdown as written")
    html: str = Field(description="The body rendered and sanitised, as the help centre shows it")
    created_at: datetime
    public_path: str | None = Field(description="Where the help centre shows it, once published")


class ArticlePage(View):
    articles: list[ArticleSummaryView]
    next_cursor: str | None


class CategoryBody(Command):
    name: Line = Field(min_length=1, max_length=60)


class CategoryView(View):
    slug: str
    name: str
    article_count: int


class CategoryList(View):
    categories: list[CategoryView]


class SearchQuery(Query):
    q: str = Field(max_length=1000, description="What to look for; cut to 200 characters")
    language: str | None = Field(
        default=None,
        min_length=2,
        max_length=3,
        pattern=r"^[a-z]{2,3}$",
        description="Search the articles in this language (all when left out)",
    )
    limit: int = Field(default=10, ge=1, le=50)


class SearchResultView(View):
    id: str
    title: str
    slug: str
    excerpt: str
    language: str
    category: str | None
    score: float


class SearchResults(View):
    query: str
    results: list[SearchResultView]


def summary_view(record) -> dict:
    return dict(
        id=record.article_id,
        title=record.title,
        slug=record.slug,
        category=record.category,
        language=record.language,
        status=record.status,
        excerpt=record.excerpt,
        updated_at=record.updated_at,
        published_at=record.published_at,
        version=record.version,
    )


def article_view(record, business_slug: str | None) -> ArticleView:
    published = record.status == "published" and business_slug
    return ArticleView(
        **summary_view(record),
        body=record.body,
        html=record.html,
        created_at=record.created_at,
        public_path=f"/help/{business_slug}/articles/{record.slug}" if published else None,
    )
