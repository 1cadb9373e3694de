"""Query one page of a partition with an opaque cursor (see cursors.py for why it is signed)."""

from __future__ import annotations

from chalicelib.store import cursors
from chalicelib.store.keys import belongs_to

MAX_LIMIT = 100


def query_page(
    model,
    hash_key: str,
    *,
    scope: str,
    secret: bytes,
    limit: int,
    cursor: str | None = None,
    index=None,
    range_key_condition=None,
    newest_first: bool = False,
) -> cursors.Page:
    """Up to `limit` items of `hash_key` (a partition inside `scope`), and the cursor for the next.

    `index` queries a GSI instead of the table; the cursor is then scoped on the index's hash key."""
    if not belongs_to(hash_key, scope):
        raise ValueError(f"{hash_key!r} is outside the caller's scope {scope!r}")
    limit = max(1, min(limit, MAX_LIMIT))
    source = index if index is not None else model
    scope_attribute = source._hash_key_attribute().attr_name if index is not None else "pk"
    start = cursors.decode(cursor, secret=secret, scope=scope, scope_attribute=scope_attribute)
    results = source.query(
        hash_key,
        range_key_condition,
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,
        scan_index_forward=not newest_first,
    )
    items = list(results)
    return cursors.Page(items=items, next_cursor=cursors.encode(results.last_evaluated_key, secret=secret))
