"""More kinds registered than DynamoDB's IN takes operands (100): the reads of several kinds at
once still work against DynamoDB Local, and no request carries more than 100 values in an IN.

PynamoDB filters a Query or Scan through a class on `kind IN` every kind registered below it:
through Entity that was every kind there is, so with 101 kinds an inquiry's thread and the
backfills' Scan failed with a ValidationException. The extra kinds here are registered for the
test only and unregistered after."""

from __future__ import annotations

import gc
import re
import types
import uuid

import pytest
from pynamodb.attributes import UnicodeAttribute
from pynamodb.connection.base import Connection

from chalicelib.services.metrics.health_backfill import KINDS as BACKFILL_KINDS
from chalicelib.store import scans
from chalicelib.store.base import IN_OPERANDS, Entity, Versioned, kinds_below, query_kinds
from tests.integration.helpers import call
from tests.integration.support_helpers import ask, hire_team

pytestmark = pytest.mark.integration

EXTRA = 110


@pytest.fixture
def many_kinds():
    """EXTRA more kinds (test_extra_<n>, each with a `label`), more than IN takes in all."""

    def body(namespace):
        namespace["__module__"] = __name__
        namespace["label"] = UnicodeAttribute(null=True)

    extra = [
        types.new_class(f"ExtraKind{n}", (Entity,), {"discriminator": f"test_extra_{n}"}, body)
        for n in range(EXTRA)
    ]
    try:
        assert len(kinds_below((Entity,))) > IN_OPERANDS
        yield extra
    finally:
        for kind in extra:
            value = Entity.kind._class_map.pop(kind)
            del Entity.kind._discriminator_map[value]
        extra.clear()
        gc.collect()


@pytest.fixture
def requests(monkeypatch):
    """Every request's operation and its arguments as sent."""
    sent: list[tuple[str, dict]] = []
    original = Connection._make_api_call

    def recording(self, operation_name, operation_kwargs):
        sent.append((operation_name, operation_kwargs))
        return original(self, operation_name, operation_kwargs)

    monkeypatch.setattr(Connection, "_make_api_call", recording)
    return sent


def most_in_operands(sent: list[tuple[str, dict]]) -> int:
    """The most operands any IN of any of these requests' expressions had."""
    counts = [0]
    for _operation, arguments in sent:
        for name in ("FilterExpression", "ConditionExpression", "KeyConditionExpression"):
            for listed in re.findall(r"\bIN \(([^)]*)\)", arguments.get(name, "")):
                counts.append(listed.count(",") + 1)
        for action in arguments.get("TransactItems", ()):
            for part in action.values():
                for listed in re.findall(r"\bIN \(([^)]*)\)", part.get("ConditionExpression", "")):
                    counts.append(listed.count(",") + 1)
    return max(counts)


def test_an_inquiry_thread_is_read_with_more_kinds_than_in_takes(client, deps, many_kinds, requests):
    team = hire_team(client, deps)
    made = ask(client, team["key"], subject="Order 1042")
    requests.clear()
    read = call(client, "GET", f"/api/v1/inquiries/{made['id']}", token=team["owner"]["token"])
    assert read.status_code == 200, read.json
    assert read.json["subject"] == "Order 1042" and read.json["messages"]
    queries = [arguments for operation, arguments in requests if operation == "Query"]
    assert any("#INQ#" in str(q["ExpressionAttributeValues"]) for q in queries), "the thread's Query"
    # filtered on the three kinds it shows, never on every kind there is
    assert most_in_operands(requests) == 3


def test_a_mixed_partition_reads_the_kinds_asked_for_whatever_their_number(
    ddb, fresh_table, many_kinds, requests
):
    from local import dynamodb

    pk = f"T#{uuid.uuid4().hex}"
    for n, kind in enumerate(many_kinds):
        kind(pk, f"ITEM#{n:03d}", label=f"item {n}").save()
    # an item of a kind this code does not know (a newer deployment's): left out, not a failure
    table = Entity._get_connection().table_name
    unknown = {"pk": {"S": pk}, "sk": {"S": "ITEM#999"}, "kind": {"S": "from_a_newer_deployment"}}
    dynamodb.client(ddb).put_item(TableName=table, Item=unknown)
    requests.clear()

    two = list(query_kinds(many_kinds[:2], pk))
    assert [(type(i), i.label) for i in two] == [(many_kinds[0], "item 0"), (many_kinds[1], "item 1")]
    assert most_in_operands(requests) == 2

    every = list(query_kinds((Entity,), pk, consistent=True))
    assert [i.sk for i in every] == [f"ITEM#{n:03d}" for n in range(EXTRA)]
    assert [type(i) for i in every] == many_kinds
    newest = list(query_kinds(many_kinds, pk, Entity.sk.startswith("ITEM#10"), newest_first=True))
    assert [i.label for i in newest] == [f"item {n}" for n in range(109, 99, -1)]
    assert most_in_operands(requests) <= IN_OPERANDS


def test_the_backfills_scan_with_more_kinds_than_in_takes(ddb, fresh_table, many_kinds, requests):
    from chalicelib.store.identity import TenantRecord

    pk = f"T#{uuid.uuid4().hex}"
    for n, kind in enumerate(many_kinds[:20]):
        kind(pk, f"ITEM#{n:03d}", label=f"item {n}").save()
    requests.clear()

    # the backfill's own kinds (none of them in this table): an empty answer, not a failure
    assert list(scans.every(*BACKFILL_KINDS)) == []
    assert list(scans.segment(TenantRecord, 0)) == []
    # a few kinds: filtered on them
    assert sorted(i.sk for i in scans.every(*many_kinds[:3])) == ["ITEM#000", "ITEM#001", "ITEM#002"]
    segments = [i.sk for number in range(scans.SEGMENTS) for i in scans.segment(many_kinds[5], number)]
    assert segments == ["ITEM#005"]
    assert most_in_operands(requests) == len(BACKFILL_KINDS)
    # more kinds than IN takes: read unfiltered, the others left out
    assert sorted(i.sk for i in scans.every(*many_kinds[10:])) == [f"ITEM#{n:03d}" for n in range(10, 20)]
    assert most_in_operands(requests) <= IN_OPERANDS


@pytest.mark.parametrize("model", [Entity, Versioned])
def test_a_base_class_refuses_the_reads_that_would_name_every_kind(model):
    with pytest.raises(TypeError, match="query_kinds"):
        model.query("T#x")
    with pytest.raises(TypeError, match="scan_kinds"):
        model.scan()
    with pytest.raises(TypeError):
        model.count("T#x")
    with pytest.raises(TypeError):
        model.gsi1.query("X")
