"""Opaque, time-ordered ids (ULIDs)."""

from __future__ import annotations


def new_id() -> str:
    from ulid import ULID  # on first use; the cold start does not pay for it

    return str(ULID())


def new_id_in_week(week_start) -> str:
    """A ULID whose time part is `week_start` (a billing week's Monday 00:00 UTC): ids made for
    one week share their first ten characters, so a key built from them sorts and groups by week
    (see store/contracts.py). The 80 random bits keep them unique."""
    from ulid import ULID

    return str(ULID.from_timestamp(week_start.timestamp()))


def week_prefix(week_start) -> str:
    """The first ten characters every id made by `new_id_in_week(week_start)` shares."""
    from ulid import ULID

    return str(ULID.from_timestamp(week_start.timestamp()))[:10]


def week_start_of(entry_id: str):
    """The billing week start an id from `new_id_in_week` carries, or None for a malformed id."""
    from ulid import ULID

    try:
        return ULID.from_str(entry_id).datetime
    except (ValueError, TypeError):
        return None
