"""store/plain_items.py: an item's DynamoDB values as plain Python values, as PynamoDB's models read
them (whole numbers as int, others as float, strings, maps, lists, booleans, null)."""

from __future__ import annotations

import pytest

from chalicelib.store import plain_items
from chalicelib.store.metrics import AgentDayRecord, BusinessDayRecord


def test_an_item_reads_as_plain_values():
    item = {
        "pk": {"S": "T#1#MDAY"},
        "frt_b12": {"N": "3"},
        "negative": {"N": "-4"},
        "half": {"N": "0.5"},
        "figures": {"M": {"csat": {"S": "17/20"}}},
        "tags": {"L": [{"S": "a"}, {"N": "2"}]},
        "flag": {"BOOL": True},
        "nothing": {"NULL": True},
        "names": {"SS": ["x", "y"]},
    }
    assert plain_items.plain(item) == {
        "pk": "T#1#MDAY",
        "frt_b12": 3,
        "negative": -4,
        "half": 0.5,
        "figures": {"csat": "17/20"},
        "tags": ["a", 2],
        "flag": True,
        "nothing": None,
        "names": {"x", "y"},
    }
    assert type(plain_items.plain(item)["frt_b12"]) is int


def test_the_same_values_as_the_model_reads():
    record = BusinessDayRecord("T#1#MDAY", "2026-03-10", currency="usd", contacts=7, frt_b12=3)
    as_plain = plain_items.plain(record.serialize())
    assert {name: as_plain[name] for name in ("sk", "currency", "contacts", "frt_b12")} == {
        "sk": "2026-03-10",
        "currency": "usd",
        "contacts": 7,
        "frt_b12": 3,
    }
    assert as_plain["kind"] == plain_items.kind_of(BusinessDayRecord) != plain_items.kind_of(AgentDayRecord)


def test_an_unknown_value_type_is_refused():
    with pytest.raises(ValueError):
        plain_items.value_of({"X": "1"})
