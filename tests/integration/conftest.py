"""Integration tests hash passwords at argon2id's minimum cost.

At production cost (19 MiB, t=2; tests/unit/test_identity_rules.py holds it there) a hash or a
verification costs about 35 ms of CPU, and these tests sign people up and in thousands of times:
minutes of the suite spent proving argon2 again. The code path is the same (argon2id through
chalicelib.security.passwords, rehash checks included); only the cost parameters differ. The
browser tests' portal runs in its own process at production cost."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def _argon2id_at_minimum_cost():
    from argon2 import PasswordHasher, Type

    from chalicelib.security import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1, type=Type.ID)
    real = passwords._hasher
    passwords._hasher = lambda: cheap
    passwords._dummy_hash.cache_clear()
    yield
    passwords._hasher = real
    passwords._dummy_hash.cache_clear()
