"""The stored search index of a business's published articles.

**Rebuilt** (`rebuild`) right after every change to what is published, in the request that made
it: read the head (its `content_version` C), every published article and the categories, build
the bundle (adapters/search_index.py), write it in chunks under C, then move the head's
`index_version` to C on condition that the content is still C and the index older. A rebuild that
loses that race (someone published meanwhile: their rebuild follows theirs) deletes its chunks;
the winner deletes the chunks of the version it replaced. A rebuild that never finishes (a
timeout) leaves the head with `index_version` < `content_version`: searches go on with the older
index, and the knowledge page offers to rebuild.

**Read** (`current`): one GetItem of the head, then the bundle from this container's cache when
it holds that version, else one Query (a page per ~1 MB) that brings it in. The cache keeps the
most recently used businesses' indexes, unpacked under the temporary directory."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from chalicelib.domain.knowledge import Status, excerpt
from chalicelib.domain.tenancy import TenantId
from chalicelib.store import knowledge as store

if TYPE_CHECKING:
    from chalicelib.adapters.search_index import OpenIndex
    from chalicelib.composition import Deps

CACHED_BUSINESSES = 16
_lock = threading.RLock()
_cache: OrderedDict[str, tuple[int, OpenIndex]] = OrderedDict()
_T = TypeVar("_T")


def rebuild(tenant: TenantId, *, deps: Deps) -> bool:
    """Bring the stored index up to the head's content; True when this call did it."""
    from pynamodb.exceptions import UpdateError

    from chalicelib.adapters import markdown, search_index
    from chalicelib.store import keys
    from chalicelib.store.base import is_condition_failure
    from chalicelib.store.identity import TenantRecord

    head = store.head(tenant, consistent=True)
    if head is None or head.index_version >= head.content_version:
        return False
    version = head.content_version
    names = {c.category: c.name for c in store.categories(tenant)}
    published = [
        search_index.IndexedArticle(
            article_id=a.article_id,
            slug=a.slug,
            title=a.title,
            category=a.category,
            language=a.language,
            text=markdown.to_text(a.html),
            excerpt=a.excerpt or excerpt(markdown.to_text(a.html)),
            updated_at=a.updated_at.isoformat(),
        )
        for a in store.all_articles(tenant)
        if a.status == Status.PUBLISHED
    ]
    business = TenantRecord.find(keys.tenant_pk(tenant), "TENANT")
    bundle = search_index.build(
        published, categories=names, business_slug=business.slug if business is not None else None
    )
    chunks = store.write_index(tenant, version, bundle)
    replaced = (head.index_version, head.index_chunks)
    try:
        store.head_key(tenant).update(
            actions=[
                store.KnowledgeHead.index_version.set(version),
                store.KnowledgeHead.index_chunks.set(chunks),
                store.KnowledgeHead.index_bytes.set(len(bundle)),
                store.KnowledgeHead.published_count.set(len(published)),
                store.KnowledgeHead.indexed_at.set(deps.now()),
            ],
            # (a head never indexed has no index_version at all, which no comparison matches)
            condition=(store.KnowledgeHead.content_version == version)
            & (
                (store.KnowledgeHead.index_version < version)
                | store.KnowledgeHead.index_version.does_not_exist()
            ),
        )
    except UpdateError as error:
        if not is_condition_failure(error):
            raise
        store.delete_index(tenant, version, chunks)
        return False
    if replaced[0]:
        store.delete_index(tenant, *replaced)
    return True


def current(tenant: TenantId) -> OpenIndex | None:
    """The business's index as stored now, or None when it has never published an article."""
    for _ in range(2):
        head = store.head(tenant)
        if head is None or not head.index_version:
            return None
        opened = _opened(tenant, head.index_version, head.index_chunks)
        if opened is not None:
            return opened
        # Its chunks went between the two reads (a newer index replaced them): read the head again.
    return None


def using(tenant: TenantId, work: Callable[[OpenIndex | None], _T]) -> _T:
    """Run `work` on the business's current index, holding the cache's lock (a tantivy searcher
    is not shared between threads here: searches take well under a millisecond)."""
    for _ in range(3):
        index = current(tenant)
        with _lock:
            # Replaced by a newer version in another thread between the two lines: read again.
            if index is None or not index.closed:
                return work(index)
    return work(None)


def _opened(tenant: TenantId, version: int, chunks: int) -> OpenIndex | None:
    from chalicelib.adapters import search_index

    with _lock:
        cached = _cache.get(tenant.value)
        if cached is not None and cached[0] == version:
            _cache.move_to_end(tenant.value)
            return cached[1]
    data = store.read_index(tenant, version, chunks)
    if data is None:
        return None
    directory = search_index.scratch_root() / tenant.value / f"{version:010d}-{threading.get_ident()}"
    opened = search_index.open_bundle(data, directory)
    with _lock:
        cached = _cache.get(tenant.value)
        if cached is not None and cached[0] >= version:
            # Another thread brought in this version (or a newer one) meanwhile: keep that one.
            opened.close()
            _cache.move_to_end(tenant.value)
            return cached[1]
        if cached is not None:
            cached[1].close()
        _cache[tenant.value] = (version, opened)
        _cache.move_to_end(tenant.value)
        while len(_cache) > CACHED_BUSINESSES:
            _, (_, evicted) = _cache.popitem(last=False)
            evicted.close()
        return opened


@contextmanager
def cold_cache() -> Iterator[None]:
    """Forget every cached index (a fresh container), for tests and the benchmark."""
    with _lock:
        for _, opened in _cache.values():
            opened.close()
        _cache.clear()
    yield
