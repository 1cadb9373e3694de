"""Reading the whole table, for the one-off backfills only (jobs/backfill_jobs.py): a Scan is never
on a request path. A backfill splits the table into SEGMENTS parallel segments (DynamoDB's own
split by key hash), one job task each, so that the jobs queue's workers read them side by side; a
segment is read page by page, keeping only the kinds asked for (filtered on them, at most
IN_OPERANDS of them, by store.base.scan_kinds: the items of other kinds are read but not returned)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from chalicelib.store.base import Entity, scan_kinds

SEGMENTS = 8

_E = TypeVar("_E", bound=Entity)


def segment(kind: type[_E], number: int, *, of: int = SEGMENTS) -> Iterator[_E]:
    """The items of `kind` (and its subclasses) in segment `number` of `of`."""
    if not 0 <= number < of:
        raise ValueError(f"segment {number} is not one of 0..{of - 1}")
    yield from scan_kinds((kind,), segment=number, total_segments=of)


def every(*kinds: type[Entity], of: int = SEGMENTS) -> Iterator[Entity]:
    """The items of any of `kinds`, every segment in turn."""
    for number in range(of):
        yield from scan_kinds(kinds, segment=number, total_segments=of)
