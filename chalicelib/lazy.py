"""A module imported on first use.

Chalice must import every handler module at cold start to register the routes, but a request
needs only the services behind its own route. Handlers bind their services as lazy modules, so a
Lambda container pays for the identity services on its first identity request, not on a health
check (`make bench` measures the cold import; the goal is at most 1.5x `import boto3`)."""

from __future__ import annotations

import importlib
from types import ModuleType


class LazyModule:
    def __init__(self, name: str):
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str):
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name}{' (loaded)' if self._module else ''}>"


def lazy(name: str) -> LazyModule:
    return LazyModule(name)
