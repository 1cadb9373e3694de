"""GET /v1/events and /v1/events/{id}: the events the emulator recorded, newest first.

As on Stripe, a connected account's events (those carrying `account`) are listed with the
`Stripe-Account` header, not among the platform's own.
"""

from __future__ import annotations

from .. import views
from ..context import Ctx
from ..errors import invalid
from ..params import BOOL, LIST, in_range


def _type_matches(pattern: str, type_: str) -> bool:
    if pattern.endswith(".*"):
        return type_.startswith(pattern[:-1])
    return pattern == type_


def list_(ctx: Ctx):
    p = ctx.params
    if p.get("type") and p.get("types"):
        raise invalid("You may only specify one of these parameters: type, types.", param="types")
    patterns = [p["type"]] if p.get("type") else (p.get("types") or [])
    items = [
        e
        for e in ctx.store.all("event", ctx.account)
        if (not patterns or any(_type_matches(pattern, e["type"]) for pattern in patterns))
        and in_range(e["created"], p.get("created"))
        and (p.get("delivery_success") is None or (e["pending_webhooks"] == 0) == p["delivery_success"])
    ]
    return views.list_object(ctx, items)


def retrieve(ctx: Ctx):
    return views.get(ctx, "event", ctx.path["id"])


def routes(router) -> None:
    router.add(
        "GET",
        "/v1/events",
        list_,
        {**LIST, "type": str, "types": [str], "delivery_success": BOOL},
        sdk="EventListParams",
    )
    router.add("GET", "/v1/events/{id}", retrieve, sdk="EventRetrieveParams")


views.register("event", "event")
