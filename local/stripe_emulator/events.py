"""Events: recorded on every state change Stripe announces, retrievable through /v1/events, and
queued for delivery to the webhook endpoint that Stripe would use.

Events about the platform's own objects go to the platform endpoint; events on a connected
account (`account.updated`, anything owned by `acct_...`) carry `"account": "acct_..."` and go to
the Connect endpoint, as Stripe routes them.
"""

from __future__ import annotations

import time
from typing import Any

from . import views
from .context import Ctx

API_VERSION = "2026-10-28.endive"


def emit(
    ctx: Ctx, type_: str, obj: dict[str, Any], previous: dict[str, Any] | None, *, account: str | None
) -> dict[str, Any]:
    store = ctx.store
    snapshot = views.render(ctx, obj) if views.is_stored(obj) else obj
    data: dict[str, Any] = {"object": snapshot}
    if previous:
        data["previous_attributes"] = previous
    event: dict[str, Any] = {
        "id": store.new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": ctx.now,
        "data": data,
        "livemode": False,
        "pending_webhooks": 0,
        "request": {"id": ctx.request_id, "idempotency_key": ctx.idempotency_key},
        "type": type_,
    }
    if account:
        event["account"] = account
    store.add(event, account=account)
    endpoint = "connect" if account else "platform"
    if ctx.emu.endpoint_url(endpoint):
        store.deliveries.append(
            {
                "id": store.new_id("whdel"),
                "event": event["id"],
                "type": type_,
                "endpoint": endpoint,
                "status": "pending",
                "attempts": 0,
                "next_at": time.time(),
                "history": [],
            }
        )
        event["pending_webhooks"] = 1
        ctx.emu.webhooks.kick()
    return event


def changes(before: Any, after: Any) -> dict[str, Any]:
    """`previous_attributes`: the old values of what changed; nested objects list only their
    changed keys, as Stripe does (`{"capabilities": {"transfers": "inactive"}}`)."""
    out: dict[str, Any] = {}
    for key, old in before.items():
        new = after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict) and old.get("object") != "list":
            out[key] = changes(old, new)
        else:
            out[key] = old
    return out


def emit_update(ctx: Ctx, type_: str, obj: dict[str, Any], before: dict[str, Any], **kwargs) -> None:
    """Emit `type_` with previous_attributes computed from a render taken before the change;
    nothing is emitted when nothing visible changed."""
    previous = changes(before, views.render(ctx, obj))
    if previous:
        ctx.emit(type_, obj, previous, **kwargs)
