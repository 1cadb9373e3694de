"""Stripe's form encoding: `a[b][c]=v`, `list[]=v`, `list[0][k]=v`, booleans as "true"/"false".

Decoding yields nested dicts of strings; `list[]=v` appends under the next free index, so
`expand[]=a&expand[]=b` and `expand[0]=a&expand[1]=b` decode alike. Whether an index-keyed dict is
a list is only known from the endpoint's declared parameters (`metadata[0]=x` is a metadata key),
so `params.py` makes lists where a parameter is declared as one.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from .errors import invalid

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")


def _split(key: str) -> list[str | None]:
    """`a[b][]` -> ["a", "b", None]; None stands for an append."""
    match = _KEY.match(key)
    if not match:
        return [key]
    return [match.group(1), *[(p if p != "" else None) for p in _PART.findall(match.group(2))]]


def decode_pairs(pairs: list[tuple[str, str]]) -> dict:
    root: dict = {}
    for key, value in pairs:
        parts = _split(key)
        node = root
        for i, part in enumerate(parts):
            name = str(len(node)) if part is None else part
            if i == len(parts) - 1:
                if isinstance(node.get(name), dict):
                    raise invalid(f"Invalid hash: {key}", param=key)
                node[name] = value
            else:
                child = node.setdefault(name, {})
                if not isinstance(child, dict):
                    raise invalid(f"Invalid hash: {key}", param=key)
                node = child
    return root


def decode(body: str) -> dict:
    return decode_pairs(parse_qsl(body, keep_blank_values=True))


def as_list(value) -> list | None:
    """An index-keyed dict (or a list) as a list, ordered by index; None when it is neither."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and all(k.isdigit() for k in value):
        return [value[k] for k in sorted(value, key=int)]
    return None
