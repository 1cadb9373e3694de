"""The composition root: the one place that turns settings into adapters, lazily.

Nothing here runs at import time; the first request that needs an adapter builds it, and tests
replace it by binding their own (store.binding.bound) or by overriding the settings."""

from __future__ import annotations

from chalicelib.settings import get_settings
from chalicelib.store import binding


def table_binding() -> binding.TableBinding:
    settings = get_settings()
    return binding.TableBinding(
        table_name=settings.table_name, region=settings.region, host=settings.dynamodb_endpoint
    )


def install() -> None:
    binding.configure_lazily(table_binding)
