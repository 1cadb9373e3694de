"""Attribute types that say what an item holds, for the type checker.

PynamoDB types every attribute as present (`UnicodeAttribute(null=True)` reads as `str`, never
None) and every number as a float, so a service could read a missing value as if it were there,
and every count or amount of money needed an `int(...)`. These are PynamoDB's own attributes at
run time; only their types differ:

- `IntegerAttribute`: a whole number (money in minor units, minutes, counts, epoch times), `int`;
- `StringListAttribute`: a list of strings, `list[str]` (PynamoDB's `ListAttribute(of=...)` types
  its elements as the attribute class);
- `Optional...Attribute`: stored with `null=True`, read as `... | None`, and `.set(None)` allowed
  (it writes DynamoDB's NULL, which reads back as None).

A value the services need and the item may lack is checked once, where the item is read, never
with an `assert` or a `# type: ignore` in a service."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import (
    Attribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

if TYPE_CHECKING:
    from pynamodb.expressions.operand import _Decrement, _IfNotExists, _Increment, _ListAppend
    from pynamodb.expressions.update import RemoveAction, SetAction

    # What the checker sees: the value type of each attribute (Attribute[T] reads as T on an item,
    # and is the attribute itself on the class, for conditions and update actions).

    class IntegerAttribute(Attribute[int]): ...

    class StringListAttribute(Attribute[list[str]]): ...

    class OptionalIntegerAttribute(Attribute[int | None]):
        # also copied from a whole-number attribute (a timesheet's billed minutes are its logged
        # minutes when it locks): PynamoDB's `set` takes only an attribute of the same type
        def set(
            self,
            value: int
            | None
            | Attribute[int]
            | Attribute[int | None]
            | _Increment
            | _Decrement
            | _IfNotExists
            | _ListAppend,
        ) -> SetAction | RemoveAction: ...

    class OptionalUnicodeAttribute(Attribute[str | None]): ...

    class OptionalDateTimeAttribute(Attribute[datetime | None]): ...

else:

    class IntegerAttribute(NumberAttribute):
        pass

    class StringListAttribute(ListAttribute):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(of=UnicodeAttribute, **kwargs)

    class _Nullable:
        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("null", True)
            super().__init__(**kwargs)

    class OptionalIntegerAttribute(_Nullable, NumberAttribute):
        pass

    class OptionalUnicodeAttribute(_Nullable, UnicodeAttribute):
        pass

    class OptionalDateTimeAttribute(_Nullable, UTCDateTimeAttribute):
        pass
