"""Helpers the knowledge-base tests share."""

from __future__ import annotations

from collections import Counter


class RequestCounter:
    """Counts the DynamoDB requests PynamoDB makes inside the block, by operation name."""

    def __init__(self):
        from pynamodb.connection.base import Connection

        self.calls: Counter[str] = Counter()
        self._cls = Connection
        self._original = Connection._make_api_call

    @property
    def by_operation(self) -> dict[str, int]:
        return dict(self.calls)

    def __enter__(self):
        original = self._original

        def counting(connection, operation_name, operation_kwargs):
            self.calls[operation_name] += 1
            return original(connection, operation_name, operation_kwargs)

        self._cls._make_api_call = counting
        return self

    def __exit__(self, *exc):
        self._cls._make_api_call = self._original
