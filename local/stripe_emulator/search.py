"""Stripe's search query language, enough of it for `/v1/invoices/search` and friends:

    metadata['order']:'123' AND status:'open'      -customer:'cus_1'      total>=1000
    email~'example.com' OR name:'Ada'               created>1700000000     number:null

Clauses join with AND or with OR (not both, as on Stripe); `:` is a case-insensitive exact match,
`~` a substring match (three characters at least), `-` negates, and numbers compare with
`> < >= <=`. Unlike Stripe, results are immediately consistent (Stripe's search index lags writes
by up to a minute).
"""

from __future__ import annotations

import base64
import re
from typing import Any

from . import views
from .context import Ctx
from .errors import invalid
from .params import require

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<and>AND\b)|(?P<or>OR\b)
      | (?P<clause>(?P<neg>-)?
            (?P<field>metadata\[(?P<mq>['"])(?P<mkey>.*?)(?P=mq)\]|[a-z_][a-z0-9_.]*)
            \s*(?P<op>>=|<=|:|~|>|<)\s*
            (?:(?P<q>['"])(?P<str>.*?)(?P=q)|(?P<num>-?\d+(?:\.\d+)?)|(?P<null>null))
        )
    )""",
    re.VERBOSE,
)


def parse(query: str) -> tuple[str, list[dict[str, Any]]]:
    position, clauses, joins = 0, [], set()
    expect_clause = True
    while position < len(query):
        if not query[position:].strip():
            break
        match = _TOKEN.match(query, position)
        if not match:
            raise invalid(
                f"Invalid query: unexpected text at position {position}: {query[position:][:30]!r}.", "query"
            )
        position = match.end()
        if match.group("clause"):
            if not expect_clause:
                raise invalid("Invalid query: clauses must be joined with AND or OR.", "query")
            value: Any
            if match.group("null"):
                value = None
            elif match.group("num") is not None:
                value = float(match.group("num"))
            else:
                value = match.group("str")
            clauses.append(
                {
                    "negate": bool(match.group("neg")),
                    "field": "metadata" if match.group("mkey") is not None else match.group("field"),
                    "key": match.group("mkey"),
                    "op": match.group("op"),
                    "value": value,
                }
            )
            expect_clause = False
        else:
            if expect_clause:
                raise invalid("Invalid query: AND/OR must join two clauses.", "query")
            joins.add("and" if match.group("and") else "or")
            expect_clause = True
    if not clauses or expect_clause:
        raise invalid("Invalid query: the query is empty or ends with AND/OR.", "query")
    if len(joins) > 1:
        raise invalid("Invalid query: a query cannot combine AND and OR.", "query")
    return (joins.pop() if joins else "and"), clauses


def _matches(obj: dict[str, Any], clause: dict[str, Any], fields: dict[str, str], resource: str) -> bool:
    field, op, wanted = clause["field"], clause["op"], clause["value"]
    kind = fields.get(field)
    if kind is None:
        raise invalid(
            f"Field `{field}` is an unsupported search field for resource `{resource}`. See "
            f"http://stripe.com/docs/search#query-fields-for-{resource.replace('_', '-')} for a list of supported "
            "fields.",
            "query",
        )
    actual: Any  # a field's value, whatever it holds
    if kind == "metadata":
        actual = (obj.get("metadata") or {}).get(clause["key"])
    else:
        actual = obj
        for part in field.split("."):
            actual = actual.get(part) if isinstance(actual, dict) else None
    if op in (">", "<", ">=", "<="):
        if kind != "number" or not isinstance(wanted, float):
            raise invalid(f"Invalid query: `{op}` only applies to numeric fields.", "query")
        if actual is None:
            return False
        return {">": actual > wanted, "<": actual < wanted, ">=": actual >= wanted, "<=": actual <= wanted}[
            op
        ]
    if wanted is None:
        return actual is None
    if actual is None:
        return False
    if op == "~":
        if len(str(wanted)) < 3:
            raise invalid("Invalid query: a substring match needs at least 3 characters.", "query")
        return str(wanted).lower() in str(actual).lower()
    if kind == "number":
        return float(actual) == float(wanted)
    return str(actual).lower() == (str(int(wanted)) if isinstance(wanted, float) else str(wanted)).lower()


def search_response(ctx: Ctx, items: list[dict[str, Any]], fields: dict[str, str], resource: str) -> dict:
    require(ctx.params, "query")
    join, clauses = parse(ctx.params["query"])
    rendered = [(obj, views.render(ctx, obj)) for obj in items]
    combine = all if join == "and" else any
    hits = [
        obj
        for obj, view in rendered
        if combine(_matches(view, c, fields, resource) != c["negate"] for c in clauses)
    ]
    hits.sort(key=lambda obj: obj["_seq"], reverse=True)
    limit = ctx.params.get("limit") or 10
    if not 1 <= limit <= 100:
        raise invalid("This value must be between 1 and 100.", param="limit")
    offset = _page_offset(ctx.params.get("page"))
    page = hits[offset : offset + limit]
    has_more = offset + limit < len(hits)
    result: dict[str, Any] = {
        "object": "search_result",
        "data": [views.render(ctx, obj) for obj in page],
        "has_more": has_more,
        "next_page": _page_token(offset + limit) if has_more else None,
        "url": f"/v1/{resource}/search",
    }
    expand = ctx.params.get("expand")
    if expand and "total_count" in expand:
        result["total_count"] = len(hits)
        ctx.params["expand"] = [path for path in expand if path != "total_count"]
    return result


def _page_token(offset: int) -> str:
    return "page_" + base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _page_offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        raw = token.removeprefix("page_")
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        return int(text.removeprefix("offset:"))
    except ValueError:
        raise invalid("Invalid page: not a page token from a previous search.", param="page") from None
