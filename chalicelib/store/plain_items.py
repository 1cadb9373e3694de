"""Items read as plain dicts, for readers of many wide items (the metrics aggregates: a year of
day items, each with up to 201 histogram buckets).

Why: PynamoDB makes a model instance per item, walking every attribute the model declares (a
metrics day declares about 250) and answering each `getattr` through a descriptor; reading a year
of a business's days and its agents' days that way took about 0.8 s of CPU per dashboard, most of
it there and none of it in DynamoDB. These readers take the Query's own answer (through the bound
PynamoDB connection, so requests are counted and bound to the table as usual) and turn each item
into a dict of its present attributes: numbers as int (float when not whole), strings, maps, lists,
booleans. Writes stay with the models (the ADD actions, conditions, discriminators).

**Items as DynamoDB sent them.** botocore parses an answer against the operation's shape, one
Python call per attribute value: with the week sums (store/metric_weeks.py) that was still two
thirds of a year's dashboard CPU (about 200 ms of 300). DynamoDB's JSON already is the AttributeValue
form botocore would build (`{"N": "12"}`), binary values aside (base64 text, which `value_of`
decodes). So these readers take the items out of the answer's body before botocore parses it
(botocore's `before-parse` event, registered on the bound client, acting only while one of these
readers waits for its answer) and decode them here, in one pass; botocore parses the rest (the
count, the key to go on from, unprocessed keys). Error answers are left to botocore whole."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pynamodb.expressions.condition import Condition

from chalicelib.store.base import Entity


def kind_of(model: type[Entity]) -> str:
    """The discriminator value a model's items carry in `kind`."""
    return str(Entity.kind.serialize(model))


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return json.loads(text)  # as PynamoDB's NumberAttribute reads it


def value_of(attribute: dict[str, Any]) -> Any:
    """One DynamoDB AttributeValue ({"N": "12"}) as a plain Python value."""
    if "N" in attribute:
        return _number(attribute["N"])
    if "S" in attribute:
        return attribute["S"]
    if "M" in attribute:
        return {name: value_of(inner) for name, inner in attribute["M"].items()}
    if "L" in attribute:
        return [value_of(inner) for inner in attribute["L"]]
    if "BOOL" in attribute:
        return bool(attribute["BOOL"])
    if "NULL" in attribute:
        return None
    if "SS" in attribute:
        return set(attribute["SS"])
    if "NS" in attribute:
        return {_number(n) for n in attribute["NS"]}
    if "B" in attribute:
        return _bytes(attribute["B"])
    if "BS" in attribute:
        return {_bytes(b) for b in attribute["BS"]}
    raise ValueError(f"an attribute value of no known type: {sorted(attribute)}")


def plain(item: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A whole item (name -> AttributeValue) as name -> plain value. Numbers and strings, nearly
    every attribute of an aggregate, are decoded inline."""
    out: dict[str, Any] = {}
    for name, attribute in item.items():
        if "N" in attribute:
            text = attribute["N"]
            out[name] = int(text) if text.isdigit() else _number(text)
        elif "S" in attribute:
            out[name] = attribute["S"]
        else:
            out[name] = value_of(attribute)
    return out


def _bytes(value: str | bytes) -> bytes:
    """A binary value: base64 text as DynamoDB sends it, or bytes as botocore parses it."""
    return base64.b64decode(value) if isinstance(value, str) else value


# While one of these readers waits for its answer: the answer's member that holds the items
# ("Items" of a Query, "Responses" of a BatchGetItem), which botocore is to leave unparsed.
_UNPARSED: ContextVar[str | None] = ContextVar("plain_items_unparsed", default=None)


def _take_items(response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any) -> None:
    """botocore's `before-parse` hook: the items, as sent, into the parsed answer (botocore adds
    `customized_response_dict` to what it parses), the rest of the body left to botocore."""
    member = _UNPARSED.get()
    if member is None or response_dict.get("status_code") != 200:
        return
    body = json.loads(response_dict["body"])
    if member in body:
        customized_response_dict[member] = body.pop(member)
        response_dict["body"] = json.dumps(body).encode()


@contextmanager
def _unparsed(connection: Any, member: str) -> Iterator[None]:
    events = connection.connection.client.meta.events
    for operation in ("Query", "BatchGetItem"):  # once per client: the same unique id is kept once
        events.register(
            f"before-parse.dynamodb.{operation}", _take_items, unique_id=f"deskhire-plain-items-{operation}"
        )
    token = _UNPARSED.set(member)
    try:
        yield
    finally:
        _UNPARSED.reset(token)


def query(
    model: type[Entity] | tuple[type[Entity], ...],
    hash_key: str,
    condition: Condition | None = None,
    *,
    consistent: bool = False,
) -> Iterator[dict[str, Any]]:
    """The items of partition `hash_key` (whose sort key meets `condition`) that are `model`'s
    kind (or one of the models' kinds: `item["kind"]` says which), in sort-key order, as plain
    dicts (every page: as many Query requests as Model.query); strongly consistent if asked."""
    models = model if isinstance(model, tuple) else (model,)
    connection = models[0]._get_connection()  # pyright: ignore[reportPrivateUsage]
    kinds = {kind_of(m) for m in models}
    start: dict[str, Any] | None = None
    while True:
        with _unparsed(connection, "Items"):
            page = connection.query(
                hash_key, range_key_condition=condition, exclusive_start_key=start, consistent_read=consistent
            )
        for item in page.get("Items", ()):
            if item.get("kind", {}).get("S") in kinds:
                yield plain(item)
        start = page.get("LastEvaluatedKey")
        if not start:
            return


BATCH_KEYS = 100  # BatchGetItem's most keys a request


def batch_get(models: tuple[type[Entity], ...], keys: list[tuple[str, str]]) -> Iterator[dict[str, Any]]:
    """The items at `keys` (pk, sk) that exist and are one of `models`' kinds, as plain dicts, in
    no particular order: one BatchGetItem per BATCH_KEYS keys, and again for the keys DynamoDB
    leaves unprocessed (it may, under load)."""
    if not keys:
        return
    connection = models[0]._get_connection()  # pyright: ignore[reportPrivateUsage]
    kinds = {kind_of(m) for m in models}
    for start in range(0, len(keys), BATCH_KEYS):
        pending: list[Any] = [
            {"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in keys[start : start + BATCH_KEYS]
        ]
        while pending:
            with _unparsed(connection, "Responses"):
                answer = connection.batch_get_item(pending)
            for item in answer.get("Responses", {}).get(connection.table_name, ()):
                if item.get("kind", {}).get("S") in kinds:
                    yield plain(item)
            pending = answer.get("UnprocessedKeys", {}).get(connection.table_name, {}).get("Keys", [])
