"""Opaque pagination cursors.

PynamoDB's `last_evaluated_key` is the raw key of the last item read. Handing it out as it is would
let a client edit it and start a query inside someone else's partition, so the cursor is signed
(HMAC-SHA256 with the app's secret) and, on the way back in, must still point inside the caller's
own scope. A tampered, truncated or foreign cursor is a 400 naming `cursor`, never a 500."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import InvalidInput
from chalicelib.store.keys import belongs_to

_TAG_BYTES = 16


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _tag(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()[:_TAG_BYTES]


def encode(last_evaluated_key: dict[str, Any] | None, *, secret: bytes) -> str | None:
    if not last_evaluated_key:
        return None
    payload = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64(payload)}.{_b64(_tag(secret, payload))}"


def decode(cursor: str | None, *, secret: bytes, scope: str, scope_attribute: str = "pk") -> dict | None:
    """The key to resume from, or None for the first page.

    `scope` is the partition the caller may read (e.g. `T#<tenant>`); `scope_attribute` the key
    attribute that must lie inside it (`pk`, or `gsi1pk` for an index query)."""
    if cursor is None or cursor == "":
        return None
    invalid = InvalidInput("the cursor is not one this API handed out", field="cursor", code="invalid_cursor")
    try:
        payload_text, tag_text = cursor.split(".", 1)
        payload, tag = _unb64(payload_text), _unb64(tag_text)
    except (ValueError, TypeError):
        raise invalid from None
    if not hmac.compare_digest(tag, _tag(secret, payload)):
        raise invalid
    try:
        key = json.loads(payload)
        partition = key[scope_attribute]["S"]
    except (ValueError, KeyError, TypeError):
        raise invalid from None
    if not isinstance(partition, str) or not belongs_to(partition, scope):
        raise invalid
    return key
