"""Opaque, time-ordered ids (ULIDs)."""

from __future__ import annotations


def new_id() -> str:
    from ulid import ULID  # on first use; the cold start does not pay for it

    return str(ULID())
