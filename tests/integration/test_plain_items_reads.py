"""store/plain_items.py reads the items of a Query's and a BatchGetItem's answer as DynamoDB sent
them, before botocore parses the answer: every kind of value reads exactly as it does from
botocore's parsed answer, a long partition is read page by page, items of other kinds are left
out, and reads made through PynamoDB's models around them still get botocore's parsing."""

from __future__ import annotations

import base64
import uuid

import pytest

from chalicelib.store import plain_items
from chalicelib.store.base import Entity
from chalicelib.store.metrics import AgentDayRecord, BusinessDayRecord

pytestmark = pytest.mark.integration


def _item(pk: str, sk: str, kind: str, **values) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": sk}, "kind": {"S": kind}, **values}


EVERY_TYPE = {
    "frt_b12": {"N": "3"},
    "negative": {"N": "-4"},
    "half": {"N": "0.5"},
    "big": {"N": "123456789012345678901234567890"},
    "text": {"S": 'héllo "quoted" \\ / \u2028'},
    "blob": {"B": b"\x00\xffbytes"},
    "blobs": {"BS": [b"a", b"\x01\x02"]},
    "names": {"SS": ["x", "y"]},
    "numbers": {"NS": ["1", "2.5"]},
    "figures": {"M": {"csat": {"S": "17/20"}, "inner": {"L": [{"N": "1"}, {"NULL": True}]}}},
    "tags": {"L": [{"S": "a"}, {"N": "2"}, {"BOOL": False}, {"B": b"z"}]},
    "flag": {"BOOL": True},
    "nothing": {"NULL": True},
}


@pytest.fixture
def attribute_values_parsed(monkeypatch):
    """How many AttributeValues botocore's parser walks (a list, counting)."""
    from botocore import parsers

    walked: list[int] = [0]
    original = parsers.ResponseParser._parse_shape

    def counting(self, shape, node):
        if shape.name == "AttributeValue":
            walked[0] += 1
        return original(self, shape, node)

    monkeypatch.setattr(parsers.ResponseParser, "_parse_shape", counting)
    return walked


def test_items_read_unparsed_equal_botocores_parse(ddb, attribute_values_parsed):
    from local import dynamodb

    client = dynamodb.client(ddb)
    table = BusinessDayRecord._get_connection().table_name
    pk = f"T#{uuid.uuid4().hex}#MDAY"
    day, agent = plain_items.kind_of(BusinessDayRecord), plain_items.kind_of(AgentDayRecord)
    client.put_item(TableName=table, Item=_item(pk, "2026-03-10", day, **EVERY_TYPE))
    client.put_item(TableName=table, Item=_item(pk, "2026-03-11", agent, resolved={"N": "1"}))
    # a partition over DynamoDB's 1 MB page: read in several Queries
    filler = {"pad": {"S": "x" * 30_000}}
    for n in range(45):
        client.put_item(TableName=table, Item=_item(pk, f"2026-04-{n:02d}", day, **filler))

    read = list(plain_items.query(BusinessDayRecord, pk))
    # not one of the items' values went through botocore: only the key to go on from (pk, sk)
    assert attribute_values_parsed == [2]
    assert len(read) == 46 and [r["sk"] for r in read] == sorted(r["sk"] for r in read)
    assert read[0] == {
        "pk": pk,
        "sk": "2026-03-10",
        "kind": day,
        "frt_b12": 3,
        "negative": -4,
        "half": 0.5,
        "big": 123456789012345678901234567890,
        "text": 'héllo "quoted" \\ / \u2028',
        "blob": b"\x00\xffbytes",
        "blobs": {b"a", b"\x01\x02"},
        "names": {"x", "y"},
        "numbers": {1, 2.5},
        "figures": {"csat": "17/20", "inner": [1, None]},
        "tags": ["a", 2, False, b"z"],
        "flag": True,
        "nothing": None,
    }
    # what botocore's own parse gives, page by page, is the same (the other kind aside)
    parsed = []
    start = None
    connection = BusinessDayRecord._get_connection()
    while True:
        page = connection.query(pk, exclusive_start_key=start)
        parsed += [plain_items.plain(i) for i in page["Items"] if i["kind"]["S"] == day]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert read == parsed
    assert attribute_values_parsed[0] > 46 * 3
    assert base64.b64encode(read[0]["blob"])  # bytes, as botocore gives them
    (other,) = plain_items.query(AgentDayRecord, pk)
    assert other["resolved"] == 1

    got = list(
        plain_items.batch_get((BusinessDayRecord,), [(pk, "2026-03-10"), (pk, "2026-03-11"), (pk, "no")])
    )
    assert got == [read[0]]
    walked = attribute_values_parsed[0]
    # PynamoDB's own reads around them are parsed by botocore as ever
    model = Entity.get(pk, "2026-03-11")
    assert isinstance(model, AgentDayRecord) and model.attribute_values["resolved"] == 1
    assert attribute_values_parsed[0] > walked
