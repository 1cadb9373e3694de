"""Rendering stored objects as Stripe does: private keys stripped, derived fields filled in,
`expand[]` applied, lists paginated.

Each object kind registers how it renders and which of its fields (dotted paths relative to the
object) may be expanded. Expansion works on the rendered JSON, so it composes: `data.` reaches into
list items, and a path continues into the object it just expanded
(`data.payment.payment_intent.latest_charge`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import EllipsisType
from typing import Any

from .context import Ctx
from .errors import invalid, no_such


@dataclass
class Kind:
    name: str
    label: str
    render: Callable[[Ctx, dict, dict], None] | None = None
    expandable: frozenset[str] = field(default_factory=frozenset)
    # Fields Stripe only includes when asked (`expand[]=payments` on an invoice).
    includable: dict[str, Callable[[Ctx, dict], Any]] = field(default_factory=dict)


KINDS: dict[str, Kind] = {}


def register(
    name: str,
    label: str,
    *,
    render: Callable[[Ctx, dict, dict], None] | None = None,
    expandable: Iterable[str] = (),
    includable: dict[str, Callable[[Ctx, dict], Any]] | None = None,
) -> None:
    KINDS[name] = Kind(name, label, render, frozenset(expandable), includable or {})


def public(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}


def render(ctx: Ctx, obj: dict[str, Any]) -> dict[str, Any]:
    out = public(obj)
    kind = KINDS.get(obj.get("object", ""))
    if kind and kind.render:
        kind.render(ctx, obj, out)
    return out


def is_stored(value: Any) -> bool:
    return isinstance(value, dict) and "_seq" in value


def get(
    ctx: Ctx,
    kind: str,
    object_id: str | None,
    *,
    param: str = "id",
    status: int = 404,
    account: str | None | EllipsisType = ...,
) -> dict[str, Any]:
    """A stored object of `kind` owned by the request's account (or `account`), else Stripe's 404."""
    owner = ctx.account if account is ... else account
    obj = ctx.store.get(object_id)
    if obj is None or obj.get("object") != kind or obj.get("_account") != owner or obj.get("_deleted"):
        raise no_such(KINDS[kind].label, str(object_id), param=param, status=status)
    return obj


# -- lists -------------------------------------------------------------------------------------


def list_object(ctx: Ctx, items: list[dict[str, Any]], url: str | None = None) -> dict[str, Any]:
    """A page of `items` (stored objects, any order) newest first, honouring limit/starting_after/
    ending_before. Cursors compare creation order, so a cursor object filtered out of this list (or
    of another list) still positions the page, as on Stripe."""
    params = ctx.params
    limit = params.get("limit")
    limit = 10 if limit is None else limit
    if limit < 1:
        raise invalid("This value must be greater than or equal to 1.", param="limit")
    if limit > 100:
        raise invalid("This value must be less than or equal to 100.", param="limit")
    ordered = sorted(items, key=lambda obj: obj["_seq"], reverse=True)
    after, before = params.get("starting_after"), params.get("ending_before")
    if after and before:
        raise invalid("You may only specify one of these parameters: ending_before, starting_after.")
    if after:
        cursor = _cursor(ctx, after, "starting_after")
        ordered = [obj for obj in ordered if obj["_seq"] < cursor]
        page, has_more = ordered[:limit], len(ordered) > limit
    elif before:
        cursor = _cursor(ctx, before, "ending_before")
        ordered = [obj for obj in ordered if obj["_seq"] > cursor]
        page, has_more = ordered[-limit:], len(ordered) > limit
    else:
        page, has_more = ordered[:limit], len(ordered) > limit
    return {
        "object": "list",
        "data": [render(ctx, obj) for obj in page],
        "has_more": has_more,
        "url": url or ctx.url,
    }


def _cursor(ctx: Ctx, object_id: str, param: str) -> int:
    obj = ctx.store.get(object_id)
    if obj is None:
        raise no_such("object", object_id, param=param, status=400)
    return obj["_seq"]


def embedded_list(ctx: Ctx, items: list[dict[str, Any]], url: str, limit: int = 10) -> dict[str, Any]:
    """A list inside an object (invoice lines, charge refunds, transfer reversals): newest first."""
    ordered = sorted(items, key=lambda obj: obj["_seq"], reverse=True)
    return {
        "object": "list",
        "data": [render(ctx, obj) for obj in ordered[:limit]],
        "has_more": len(ordered) > limit,
        "total_count": len(ordered),
        "url": url,
    }


# -- expand ------------------------------------------------------------------------------------

MAX_DEPTH = 4


def expand(ctx: Ctx, data: Any, paths: list[str] | None) -> Any:
    if not paths or not isinstance(data, dict):
        return data
    tree: dict[str, dict] = {}
    for path in paths:
        if not isinstance(path, str) or not path:
            raise invalid("Invalid expand: expected a dotted property path.", param="expand")
        parts = path.split(".")
        # "Expansions have a maximum depth of four levels", and on lists they start with `data`,
        # which counts (Stripe's "Expanding responses": data.invoice.subscription.default_source
        # is the deepest expansion when listing charges).
        if len(parts) > MAX_DEPTH:
            raise invalid(
                f"You cannot expand more than {MAX_DEPTH} levels of a property. Property: {path}",
                param="expand",
            )
        node = tree
        for part in parts:
            node = node.setdefault(part, {})
    _expand_object(ctx, data, tree)
    return data


def _expand_object(ctx: Ctx, obj: dict[str, Any], tree: dict[str, dict]) -> None:
    _expand_fields(ctx, obj, tree, obj.get("object", ""), "")


def _expand_fields(ctx: Ctx, node: dict[str, Any], tree: dict[str, dict], owner: str, prefix: str) -> None:
    if node.get("object") == "list" or node.get("object") == "search_result":
        for key, sub in tree.items():
            if key != "data":
                raise _not_expandable(prefix + key)
            for item in node.get("data", []):
                if isinstance(item, dict):
                    _expand_object(ctx, item, sub)
        return
    kind = KINDS.get(owner)
    for key, sub in tree.items():
        path = prefix + key
        if key not in node and kind is not None and not prefix and key in kind.includable:
            node[key] = kind.includable[key](ctx, node)
        if key not in node:
            raise _not_expandable(path)
        value = node[key]
        if value is None:
            continue
        if isinstance(value, str):
            if kind is None or path not in kind.expandable:
                raise _not_expandable(path)
            target = ctx.store.get(value)
            if target is None:
                # Stripe keeps the id when the target is out of reach (another account's object).
                continue
            rendered = render(ctx, target)
            _expand_object(ctx, rendered, sub)
            node[key] = rendered
        elif isinstance(value, dict):
            if "id" in value and "object" in value and value.get("object") not in ("list", "search_result"):
                # Already an object (expanded, or embedded as Stripe embeds some).
                _expand_object(ctx, value, sub)
            else:
                _expand_fields(ctx, value, sub, owner, path + ".")
        else:
            raise _not_expandable(path)


def _not_expandable(path: str):
    return invalid(f"This property cannot be expanded ({path}).", param="expand")
