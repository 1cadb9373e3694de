"""Passwords and the libraries that judge and hash them: zxcvbn's estimate of how guessable a
new password is, checked against the policy in domain/passwords.py, and argon2id hashes
(argon2-cffi) at the OWASP ASVS floor or above: m=19 MiB, t=2, p=1.

A hash made with other parameters still verifies, and `needs_rehash` tells the login to store a
new one, so raising the parameters later upgrades every account at its next login."""

from __future__ import annotations

import functools

from chalicelib.domain import passwords as policy

TIME_COST = 2
MEMORY_COST_KIB = 19 * 1024
PARALLELISM = 1
# zxcvbn refuses (raises on) anything longer than 72 characters. A longer passphrase is scored on
# its first 72: a prefix can only be easier to guess than the whole, so the verdict errs safe,
# and 73 to 128 characters are accepted or refused with a 400 like any other length.
SCORED_LENGTH = 72


def check_password(password: str, *, user_inputs: tuple[str, ...] = ()) -> None:
    """Refuse a password the policy calls weak (a `WeakPassword` naming the rule it broke);
    `user_inputs` are the account's own details, which make a password that repeats them
    guessable."""
    policy.check_length(password)
    policy.check_guessability(_guessability(password, tuple(u for u in user_inputs if u)))


def _guessability(password: str, user_inputs: tuple[str, ...]) -> policy.Guessability:
    # zxcvbn is imported here: only signup and password changes pay for its word lists.
    from zxcvbn import zxcvbn

    if password.lower() in _common_passwords():
        return policy.Guessability(common=True, score=0, hint="")
    verdict = zxcvbn(password[:SCORED_LENGTH], user_inputs=list(user_inputs))
    return policy.Guessability(
        common=False, score=int(verdict["score"]), hint=verdict["feedback"].get("warning") or ""
    )


@functools.cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


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
