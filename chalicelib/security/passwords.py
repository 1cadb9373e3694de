"""argon2id password hashes (argon2-cffi) at the OWASP ASVS floor or above: m=19 MiB, t=2, p=1.

A hash made with other parameters still verifies, and `needs_rehash` tells the login to store a
new one, so raising the parameters later upgrades every account at its next login."""

from __future__ import annotations

import functools

TIME_COST = 2
MEMORY_COST_KIB = 19 * 1024
PARALLELISM = 1


@functools.cache
def _hasher():
    # argon2 is imported on first use: only signup, login and password changes pay for it.
    from argon2 import PasswordHasher, Type

    return PasswordHasher(
        time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM, type=Type.ID
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> tuple[bool, bool]:
    """(matches, needs_rehash)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    try:
        hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False, False
    return True, hasher.check_needs_rehash(stored_hash)


@functools.cache
def _dummy_hash() -> str:
    return hash_password("deskhire-timing-equaliser")


def spend_verification_time(password: str) -> None:
    """Verify against a throwaway hash, so that an unknown email costs what a wrong password does
    (no account enumeration by timing)."""
    verify_password(_dummy_hash(), password)
