"""Knowledge-base items: articles, their slug claims, categories, the stored search index, and the
help centre's visits and daily deflection counts. Keys are built here with store.keys only
(keys.py's table lists them):

| item                   | pk                         | sk                          |
|------------------------|----------------------------|-----------------------------|
| the KB's head          | `T#<t>#KB`                 | `HEAD`                      |
| an article             | `T#<t>#KB`                 | `ART#<article id>`          |
| an article's slug      | `T#<t>#KB`                 | `SLUG#<slug>`               |
| a category             | `T#<t>#KB`                 | `CAT#<category slug>`       |
| search index chunks    | `T#<t>#KBIDX`              | `<version:010>#<chunk:04>`  |
| a help-centre visit    | `T#<t>#VISIT#<yyyy-mm-dd>` | `<visit id>` (TTL)          |
| deflection, per day    | `T#<t>#DEFLECTION`         | `<yyyy-mm-dd>`              |

The head holds two versions: `content_version` moves in the transaction of every change to what
the help centre shows (publish, unpublish, an edit or a deletion of a published article), and
`index_version` says which content the stored index was built from. Searches read the head (one
GetItem) and, when their container has not cached that version yet, its chunks (one Query page per
~1 MB). The index lives in its own partition so that listing articles never reads it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from pynamodb.attributes import BinaryAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.domain.tenancy import TenantId
from chalicelib.store import keys
from chalicelib.store.attributes import (
    IntegerAttribute,
    OptionalDateTimeAttribute,
    OptionalUnicodeAttribute,
)
from chalicelib.store.base import Entity, Versioned

HEAD = "HEAD"
CHUNK_BYTES = 300_000  # three to a 1 MB Query page, well under the 400 KB item limit


def kb_pk(tenant: TenantId) -> str:
    return keys.tenant_pk(tenant, "KB")


def article_sk(article_id: str) -> str:
    return keys.sort_key("ART", article_id)


def slug_sk(slug: str) -> str:
    return keys.sort_key("SLUG", slug)


def category_sk(category: str) -> str:
    return keys.sort_key("CAT", category)


def index_pk(tenant: TenantId) -> str:
    return keys.tenant_pk(tenant, "KBIDX")


def index_sk(version: int, chunk: int) -> str:
    return keys.sort_key(f"{version:010d}", f"{chunk:04d}")


def visit_pk(tenant: TenantId, day: date) -> str:
    return keys.tenant_pk(tenant, "VISIT", day.isoformat())


def deflection_pk(tenant: TenantId) -> str:
    return keys.tenant_pk(tenant, "DEFLECTION")


class KnowledgeHead(Entity, discriminator="kb_head"):
    content_version = IntegerAttribute(default=0)
    index_version = IntegerAttribute(default=0)
    index_chunks = IntegerAttribute(default=0)
    index_bytes = IntegerAttribute(default=0)
    article_count = IntegerAttribute(default=0)
    published_count = IntegerAttribute(default=0)
    category_count = IntegerAttribute(default=0)
    indexed_at = OptionalDateTimeAttribute()


class ArticleRecord(Versioned, discriminator="kb_article"):
    article_id = UnicodeAttribute()
    title = UnicodeAttribute()
    slug = UnicodeAttribute()
    body = UnicodeAttribute()  # markdown, as the author wrote it
    html = UnicodeAttribute()  # rendered and sanitised when saved
    excerpt = UnicodeAttribute(default="")
    category = OptionalUnicodeAttribute()  # a category's slug
    language = UnicodeAttribute()
    status = UnicodeAttribute(default="draft")
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    published_at = OptionalDateTimeAttribute()
    author_id = UnicodeAttribute()
    editor_id = UnicodeAttribute()


class ArticleSlug(Entity, discriminator="kb_slug"):
    """Uniqueness of an article's slug within the business, by key; points at the article."""

    article_id = UnicodeAttribute()


class CategoryRecord(Entity, discriminator="kb_category"):
    category = UnicodeAttribute()  # its slug
    name = UnicodeAttribute()
    # Kept in each article's transaction, so that deleting a category in use is refused by a
    # condition rather than by reading every article.
    article_count = IntegerAttribute(default=0)
    created_at = UTCDateTimeAttribute()


class IndexChunk(Entity, discriminator="kb_index"):
    data = BinaryAttribute(legacy_encoding=False)


class VisitRecord(Entity, discriminator="help_visit"):
    flags = IntegerAttribute(default=0)  # domain.knowledge.VisitState.flags
    searches = IntegerAttribute(default=0)
    empty_searches = IntegerAttribute(default=0)  # searches that found nothing: gaps in the KB
    views = IntegerAttribute(default=0)
    started_at = UTCDateTimeAttribute()
    last_seen = UTCDateTimeAttribute()


class DeflectionRecord(Entity, discriminator="deflection_day"):
    visits = IntegerAttribute(default=0)
    searched = IntegerAttribute(default=0)
    viewed = IntegerAttribute(default=0)
    contacted = IntegerAttribute(default=0)
    engaged = IntegerAttribute(default=0)
    engaged_contacted = IntegerAttribute(default=0)


def head(tenant: TenantId, *, consistent: bool = False) -> KnowledgeHead | None:
    return KnowledgeHead.find(kb_pk(tenant), HEAD, consistent=consistent)


def head_key(tenant: TenantId) -> KnowledgeHead:
    """The head as a key for updates (UpdateItem makes it when it is not there yet)."""
    return KnowledgeHead(kb_pk(tenant), HEAD)


def article(tenant: TenantId, article_id: str, *, consistent: bool = False) -> ArticleRecord | None:
    return ArticleRecord.find(kb_pk(tenant), article_sk(article_id), consistent=consistent)


def article_by_slug(tenant: TenantId, slug: str) -> ArticleRecord | None:
    claim = ArticleSlug.find(kb_pk(tenant), slug_sk(slug))
    return None if claim is None else article(tenant, claim.article_id)


def all_articles(tenant: TenantId) -> Iterator[ArticleRecord]:
    for item in ArticleRecord.query(kb_pk(tenant), ArticleRecord.sk.startswith("ART#"), consistent_read=True):
        if isinstance(item, ArticleRecord):
            yield item


def categories(tenant: TenantId) -> list[CategoryRecord]:
    return [
        item
        for item in CategoryRecord.query(kb_pk(tenant), CategoryRecord.sk.startswith("CAT#"))
        if isinstance(item, CategoryRecord)
    ]


def category(tenant: TenantId, slug: str, *, consistent: bool = False) -> CategoryRecord | None:
    return CategoryRecord.find(kb_pk(tenant), category_sk(slug), consistent=consistent)


# -- the stored index -----------------------------------------------------------------------------


def write_index(tenant: TenantId, version: int, bundle: bytes) -> int:
    """Store a bundle under `version` in chunks (BatchWriteItem); the number of chunks."""
    chunks = [bundle[i : i + CHUNK_BYTES] for i in range(0, len(bundle), CHUNK_BYTES)] or [b""]
    with IndexChunk.batch_write() as batch:
        for number, data in enumerate(chunks):
            batch.save(IndexChunk(index_pk(tenant), index_sk(version, number), data=data))
    return len(chunks)


def read_index(tenant: TenantId, version: int, chunks: int) -> bytes | None:
    """The bundle stored under `version` (one Query, a page per ~1 MB), or None when it is not
    all there (replaced by a newer version meanwhile)."""
    prefix = keys.sort_key(f"{version:010d}", "")
    parts = [
        item.data
        for item in IndexChunk.query(index_pk(tenant), IndexChunk.sk.startswith(prefix))
        if isinstance(item, IndexChunk)
    ]
    if len(parts) != chunks:
        return None
    return b"".join(parts)


def delete_index(tenant: TenantId, version: int, chunks: int) -> None:
    with IndexChunk.batch_write() as batch:
        for number in range(chunks):
            batch.delete(IndexChunk(index_pk(tenant), index_sk(version, number)))


# -- visits ---------------------------------------------------------------------------------------


def visit(tenant: TenantId, day: date, visit_id: str) -> VisitRecord | None:
    return VisitRecord.find(visit_pk(tenant, day), visit_id, consistent=True)


def deflection_days(tenant: TenantId, first: date, last: date) -> Sequence[DeflectionRecord]:
    return [
        item
        for item in DeflectionRecord.query(
            deflection_pk(tenant), DeflectionRecord.sk.between(first.isoformat(), last.isoformat())
        )
        if isinstance(item, DeflectionRecord)
    ]
