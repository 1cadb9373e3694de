"""Chalice's Request as the app reads it, where chalice's annotations are looser than what it
does: `raw_body` is annotated `str | bytes` but is always bytes (chalice encodes a text body), and
`query_params` is a MultiDict or None."""

from __future__ import annotations

from chalice.app import Request


def body_bytes(request: Request) -> bytes:
    """The body as sent; empty when there is none."""
    raw = request.raw_body
    return raw if isinstance(raw, bytes) else raw.encode("utf-8")


def query_lists(request: Request) -> dict[str, list[str]]:
    """Every query parameter with all its values, in the order sent."""
    params = request.query_params
    if params is None:
        return {}
    return {key: params.getlist(key) for key in params}
