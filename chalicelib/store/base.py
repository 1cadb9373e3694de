"""The base model every deskhire item derives from: the single table's key and index attributes,
the per-request connection binding, and optimistic locking."""

from __future__ import annotations

import functools

from pynamodb.attributes import DiscriminatorAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.connection.base import MetaTable
from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.domain.errors import Conflict
from chalicelib.store import binding


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

    class Meta:
        # A placeholder that PynamoDB insists on; `_get_connection` uses the bound table instead.
        table_name = "deskhire"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    # Which entity an item is; queries over a mixed partition come back as the right classes.
    kind = DiscriminatorAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    # Epoch seconds after which DynamoDB may delete the item (the table's TTL attribute).
    expires_at = NumberAttribute(null=True)

    gsi1 = Gsi1()
    gsi2 = Gsi2()

    @classmethod
    def _get_connection(cls):
        current = binding.current()
        # Keep PynamoDB's own uses of Meta.table_name (batch reads) pointing at the bound table.
        cls.Meta.table_name = current.table_name
        return binding.table_connection(current, _meta_table(current.table_name))

    @classmethod
    def find(cls, hash_key: str, range_key: str, *, consistent: bool = False):
        """The item, or None. Also None when the item at that key is of another kind."""
        try:
            item = cls.get(hash_key, range_key, consistent_read=consistent)
        except cls.DoesNotExist:
            return None
        return item if isinstance(item, cls) else None

    def save_new(self) -> None:
        """Create the item; a 409 if one with the same key exists (uniqueness by key)."""
        try:
            self.save(condition=Entity.pk.does_not_exist())
        except PutError as error:
            raise_conflict_if_condition_failed(error, "it already exists")
            raise


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
