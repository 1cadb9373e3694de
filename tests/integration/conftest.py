"""Integration tests hash passwords at argon2id's minimum cost.

At production cost (19 MiB, t=2; tests/unit/test_identity_rules.py holds it there) a hash or a
verification costs about 35 ms of CPU, and these tests sign people up and in thousands of times:
minutes of the suite spent proving argon2 again. The code path is the same (argon2id through
chalicelib.security.passwords, rehash checks included); only the cost parameters differ. The
browser tests' portal runs in its own process at production cost."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def _argon2id_minimum_cost_hasher():
    from argon2 import PasswordHasher, Type

    return PasswordHasher(time_cost=1, memory_cost=64, parallelism=1, type=Type.ID)


@pytest.fixture(autouse=True)
def _argon2id_at_minimum_cost(monkeypatch, _argon2id_minimum_cost_hasher):
    # Per test, not per session: a session fixture would outlive this directory and reach the
    # unit test that holds the production parameters.
    from chalicelib.security import passwords

    monkeypatch.setattr(passwords, "_hasher", lambda: _argon2id_minimum_cost_hasher)
    dummy = _argon2id_minimum_cost_hasher.hash("deskhire-timing-equaliser")
    monkeypatch.setattr(passwords, "_dummy_hash", lambda: dummy)
