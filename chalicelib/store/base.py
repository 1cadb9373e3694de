"""The base model every deskhire item derives from: the single table's key and index attributes,
the per-request connection binding, and optimistic locking.

**Reading several kinds at once.** A Query or Scan through a model class is filtered by PynamoDB
on `kind IN (...)`, every kind registered below that class. Through one kind's class that is one
value; through Entity it would be every kind there is (93 in 2026), and DynamoDB's IN takes at
most 100 operands (IN_OPERANDS): past that, every such read would fail with a ValidationException.
So Entity and the other bases refuse `query`, `scan` and `count` (TypeError, at the first call
in any test), and a mixed partition is read with `query_kinds` naming the kinds wanted: filtered
on them while there are few enough, else unfiltered and the other kinds left out while decoding
(as are kinds this code does not know, e.g. one a newer deployment wrote)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Self, TypeVar

from pynamodb.attributes import DiscriminatorAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.connection.base import MetaTable
from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.pagination import PageIterator, ResultIterator

from chalicelib.domain.errors import Conflict
from chalicelib.store import binding
from chalicelib.store.attributes import OptionalIntegerAttribute, OptionalUnicodeAttribute

# DynamoDB's IN comparator takes at most this many operands, in condition and filter expressions.
IN_OPERANDS = 100


class Gsi1(GlobalSecondaryIndex):
    """The other party's view: an agent's items across businesses (see keys.py)."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex):
    """Platform listings: the openings board, the vetting queue, unique lookups (see keys.py)."""

    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class Entity(Model):
    """Base of every item. Subclasses add their attributes and a discriminator; they do not declare
    a Meta (the table name comes from the binding, not from the class):

        class Tenant(Entity, discriminator="tenant"): ..."""

    class Meta:  # pyright: ignore[reportIncompatibleVariableOverride]  (MetaModel fills in the rest)
        # A placeholder that PynamoDB insists on; `_get_connection` uses the bound table instead.
        table_name = "deskhire"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    # Which entity an item is; queries over a mixed partition come back as the right classes.
    kind = DiscriminatorAttribute()
    gsi1pk = OptionalUnicodeAttribute()
    gsi1sk = OptionalUnicodeAttribute()
    gsi2pk = OptionalUnicodeAttribute()
    gsi2sk = OptionalUnicodeAttribute()
    # Epoch seconds after which DynamoDB may delete the item (the table's TTL attribute).
    expires_at = OptionalIntegerAttribute()

    gsi1 = Gsi1()
    gsi2 = Gsi2()

    @classmethod
    def _get_connection(cls):
        current = binding.current()
        # Keep PynamoDB's own uses of Meta.table_name (batch reads) pointing at the bound table.
        cls.Meta.table_name = current.table_name
        return binding.table_connection(current, _meta_table(current.table_name))

    # PynamoDB filters these on `kind IN` every kind below the class: one kind's class only (see
    # the module's docstring; a mixed partition is read with `query_kinds`).
    @classmethod
    def query(cls, *args: Any, **kwargs: Any) -> ResultIterator[Self]:
        _one_kind(cls, "query")
        return super().query(*args, **kwargs)

    @classmethod
    def scan(cls, *args: Any, **kwargs: Any) -> ResultIterator[Self]:
        _one_kind(cls, "scan")
        return super().scan(*args, **kwargs)

    @classmethod
    def count(cls, *args: Any, **kwargs: Any) -> int:
        _one_kind(cls, "count")
        return super().count(*args, **kwargs)

    @classmethod
    def find(cls, hash_key: str, range_key: str, *, consistent: bool = False) -> Self | None:
        """The item, or None. Also None when the item at that key is of another kind (read as an
        Entity: `cls.get` would raise PynamoDB's ValueError for another kind's discriminator)."""
        try:
            item = Entity.get(hash_key, range_key, consistent_read=consistent)
        except DoesNotExist:
            return None
        return item if isinstance(item, cls) else None

    @classmethod
    def load(cls, hash_key: str, range_key: str) -> Self:
        """The item at a key that must hold one (read again after a write, or named by another
        item that exists only with it), consistently. Its absence is a fault, not a 404."""
        item = cls.find(hash_key, range_key, consistent=True)
        if item is None:
            raise MissingItem(f"no {cls.__name__} at {hash_key} / {range_key}")
        return item

    def reloaded(self) -> Self:
        """This item as it is now in the table (consistent read); see `load`."""
        return type(self).load(self.pk, self.sk)

    def save_new(self) -> None:
        """Create the item; a 409 if one with the same key exists (uniqueness by key)."""
        try:
            self.save(condition=Entity.pk.does_not_exist())
        except PutError as error:
            raise_conflict_if_condition_failed(error, "it already exists")
            raise


class MissingItem(LookupError):
    """An item that must exist does not: a broken invariant, answered as a 500 (never a 404,
    which would tell a caller that the thing it named does not exist)."""


class MissingAttribute(LookupError):
    """An item lacks a value its state promises (an open invoice without its Stripe id): a
    broken invariant, answered as a 500."""


_V = TypeVar("_V")
_E = TypeVar("_E", bound=Entity)


def present(item: Entity, name: str, value: _V | None) -> _V:
    """`value`, the item's `name`, which its state promises: the one place such a promise is
    checked (records call it from their `require_...` methods)."""
    if value is None:
        raise MissingAttribute(f"{type(item).__name__} {item.pk} / {item.sk} has no {name}")
    return value


class Batch:
    """Items read together by key (one BatchGetItem); `get` answers an item only if it is of the
    kind asked for, as `Entity.find` does."""

    def __init__(self, items: Sequence[Entity]) -> None:
        self._items = {(item.pk, item.sk): item for item in items}

    def get(self, key: tuple[str, str], kind: type[_E]) -> _E | None:
        item = self._items.get(key)
        return item if isinstance(item, kind) else None

    def all(self, kind: type[_E]) -> list[_E]:
        return [item for item in self._items.values() if isinstance(item, kind)]


def read_batch(wanted: Sequence[tuple[str, str]]) -> Batch:
    """The items at these keys, consistently (PynamoDB splits the read into requests of 100 and
    retries what DynamoDB leaves unprocessed)."""
    return Batch(list(Entity.batch_get(list(wanted), consistent_read=True)) if wanted else [])


def _one_kind(model: type[Entity], operation: str) -> None:
    kinds = Entity.kind.get_registered_subclasses(model)
    if len(kinds) != 1:
        raise TypeError(
            f"{model.__name__}.{operation} would filter on `kind IN` its {len(kinds)} kinds (DynamoDB "
            f"takes at most {IN_OPERANDS}): read with store.base.query_kinds or scan_kinds, naming the kinds"
        )


def kinds_below(models: Iterable[type[Entity]]) -> dict[str, type[Entity]]:
    """The classes of the items of `models` by their `kind` value (a base class: every kind
    registered below it)."""
    return {
        str(Entity.kind.serialize(kind)): kind
        for model in models
        for kind in Entity.kind.get_registered_subclasses(model)
    }


def kind_filter(kinds: dict[str, type[Entity]]) -> Condition | None:
    """`kind IN (kinds)` while DynamoDB takes that many operands; None beyond (the reader then
    leaves the other kinds out itself: read, and paid for, but not returned)."""
    if len(kinds) > IN_OPERANDS:
        return None
    return Entity.kind.is_in(*(kinds[value] for value in sorted(kinds)))


def query_kinds(
    models: Sequence[type[_E]],
    hash_key: str,
    range_key_condition: Condition | None = None,
    *,
    consistent: bool = False,
    newest_first: bool = False,
) -> Iterator[_E]:
    """The items of `models` in one partition (between sort keys), in sort-key order, each as its
    own class: one Query, page after page to the partition's end."""
    kinds = kinds_below(models)
    connection = Entity._get_connection()  # pyright: ignore[reportPrivateUsage]
    arguments: dict[str, Any] = {
        "range_key_condition": range_key_condition,
        "filter_condition": kind_filter(kinds),
        "consistent_read": consistent,
        "scan_index_forward": not newest_first,
    }
    yield from _decoded(PageIterator(connection.query, (hash_key,), arguments), kinds)


def scan_kinds(models: Sequence[type[_E]], *, segment: int, total_segments: int) -> Iterator[_E]:
    """The items of `models` in one segment of the whole table (the backfills only: store/scans.py)."""
    kinds = kinds_below(models)
    connection = Entity._get_connection()  # pyright: ignore[reportPrivateUsage]
    arguments: dict[str, Any] = {
        "filter_condition": kind_filter(kinds),
        "segment": segment,
        "total_segments": total_segments,
    }
    yield from _decoded(PageIterator(connection.scan, (), arguments), kinds)


def _decoded(pages: PageIterator[dict[str, Any]], kinds: dict[str, type[Entity]]) -> Iterator[Any]:
    for page in pages:
        for raw in page.get("Items", ()):
            if raw.get("kind", {}).get("S") in kinds:
                yield Entity.from_raw_data(raw)


class Versioned(Entity):
    """An aggregate with states: every save checks the version it read (optimistic locking)."""

    version = VersionAttribute()

    def save_checked(self) -> None:
        try:
            self.save()
        except PutError as error:
            raise_conflict_if_condition_failed(error, "it changed since you read it; reload and retry")
            raise


def raise_conflict_if_condition_failed(error: PutError | UpdateError | DeleteError, message: str) -> None:
    if is_condition_failure(error):
        raise Conflict(message, code="stale_or_duplicate") from error


def is_condition_failure(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


@functools.cache
def _meta_table(table_name: str) -> MetaTable:
    """The table's keys and indexes: the same for every model, which all derive from Entity."""
    schema = Entity._get_schema()
    return MetaTable(
        {
            "TableName": table_name,
            "KeySchema": schema["key_schema"],
            "AttributeDefinitions": schema["attribute_definitions"],
            "GlobalSecondaryIndexes": [
                {"IndexName": index["index_name"], "KeySchema": index["key_schema"]}
                for index in schema["global_secondary_indexes"]
            ],
            "LocalSecondaryIndexes": [],
        }
    )
