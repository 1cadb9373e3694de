"""Which table, endpoint and credentials the models talk to, bound per request.

PynamoDB caches one connection per model class, built from `Meta` (PynamoDB#877), which would pin
every request to the credentials of the first. deskhire instead resolves the connection on each
call from a ContextVar: the process default (platform credentials) unless a request has bound its
own, e.g. tenant-scoped credentials from STS. `Entity._get_connection` reads it; a test fails if
that override stops being used."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

from pynamodb.connection import Connection, TableConnection
from pynamodb.connection.base import MetaTable


class Credentials(NamedTuple):
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


class TableBinding(NamedTuple):
    table_name: str
    region: str
    host: str | None = None
    credentials: Credentials | None = None


class StoreNotConfigured(RuntimeError):
    pass


_default: TableBinding | None = None
_default_factory = None
_current: ContextVar[TableBinding | None] = ContextVar("deskhire_table_binding", default=None)
_lock = threading.Lock()
_table_connections: dict[TableBinding, TableConnection] = {}
_connections: dict[TableBinding, Connection] = {}
# Tenant-scoped credentials rotate; keep the caches from growing with every session seen.
_MAX_CACHED = 64

# Short timeouts: a request path should fail fast and say so, not hang for botocore's minute.
_TIMEOUTS = {"connect_timeout_seconds": 2, "read_timeout_seconds": 5, "max_retry_attempts": 3}


def configure(binding: TableBinding) -> None:
    """Set the process default (the platform's own credentials)."""
    global _default
    with _lock:
        _default = binding


def configure_lazily(factory) -> None:
    """Build the process default on first use (the composition root passes the settings reader,
    so that importing the app reads no environment and opens no connection)."""
    global _default_factory
    _default_factory = factory


def current() -> TableBinding:
    binding = _current.get() or _default
    if binding is None and _default_factory is not None:
        configure(_default_factory())
        binding = _default
    if binding is None:
        raise StoreNotConfigured("the store has no table binding; call store.binding.configure first")
    return binding


@contextmanager
def bound(binding: TableBinding) -> Iterator[TableBinding]:
    """Use `binding` for every model call made inside the block (this thread or task only)."""
    token = _current.set(binding)
    try:
        yield binding
    finally:
        _current.reset(token)


def _credential_kwargs(binding: TableBinding) -> dict:
    if binding.credentials is None:
        return {}
    return {
        "aws_access_key_id": binding.credentials.access_key_id,
        "aws_secret_access_key": binding.credentials.secret_access_key,
        "aws_session_token": binding.credentials.session_token,
    }


@functools.cache
def _service_models():
    """botocore's loader of service models, shared by every connection of the process.

    Each PynamoDB connection makes a botocore session of its own, and a new session parses
    botocore's DynamoDB model and endpoint files again (about 0.2 s of CPU): with tenant-scoped
    credentials that would be paid on every request that binds new ones. Sharing the loader keeps
    sessions (and so credentials) apart while the parsed files are read once."""
    from botocore.loaders import create_loader

    return create_loader()


class _Connection(Connection):
    """PynamoDB's connection, whose botocore sessions share the process's parsed service models."""

    @property
    def session(self):
        session = super().session
        loader = _service_models()
        if session.get_component("data_loader") is not loader:
            session.register_component("data_loader", loader)
        return session


def table_connection(binding: TableBinding, meta_table: MetaTable) -> TableConnection:
    """The connection every model uses under `binding`. The table is one (single-table design), so
    every model has the same key schema and indexes: one connection, one botocore client and one
    meta table per binding serve them all, and the transactions of `connection()` too."""
    table = _table_connections.get(binding)
    if table is None:
        with _lock:
            table = _table_connections.get(binding)
            if table is None:
                if len(_table_connections) >= _MAX_CACHED:
                    _table_connections.clear()
                table = TableConnection(binding.table_name)
                table.connection = _connection_locked(binding)
                with contextlib.suppress(ValueError):  # already known from an earlier binding cache
                    table.connection.add_meta_table(meta_table)
                _table_connections[binding] = table
    return table


def connection(binding: TableBinding | None = None) -> Connection:
    """The low-level connection for transactions (TransactWrite takes one explicitly)."""
    binding = binding or current()
    conn = _connections.get(binding)
    if conn is None:
        with _lock:
            conn = _connection_locked(binding)
    return conn


def _connection_locked(binding: TableBinding) -> Connection:
    conn = _connections.get(binding)
    if conn is None:
        if len(_connections) >= _MAX_CACHED:
            _connections.clear()
        conn = _connections[binding] = _Connection(
            region=binding.region, host=binding.host, **_TIMEOUTS, **_credential_kwargs(binding)
        )
    return conn
