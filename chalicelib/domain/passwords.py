"""The password policy (OWASP ASVS 4, 2.1): at least 12 characters, at most 128, not one of the
30,000 most common passwords, and not trivially guessable from the account's own details. A weak
password is refused with the rule it broke.

The rules are here; how guessable a password is comes from an estimator outside the domain
(zxcvbn, beside the hashing in security/passwords.py), which calls `check_length` first and then
`check_guessability` with its verdict."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 128
# The estimator's scale runs 0..4 (zxcvbn's); 3 is "safely unguessable: moderate protection from
# offline attacks".
MIN_SCORE = 3


class WeakPassword(InvalidInput):
    code = "weak_password"

    def __init__(self, message: str, *, rule: str):
        super().__init__(message, field="password")
        self.rule = rule


@dataclass(frozen=True)
class Guessability:
    """An estimator's verdict on one password."""

    common: bool  # one of the most common passwords
    score: int  # 0 (guessed at once) .. 4 (very unguessable)
    hint: str  # what makes it guessable, in the estimator's words; "" when it says nothing


def check_length(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"use at least {MIN_LENGTH} characters", rule="min_length")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"use at most {MAX_LENGTH} characters", rule="max_length")


def check_guessability(verdict: Guessability) -> None:
    if verdict.common:
        raise WeakPassword("this is one of the most common passwords; choose another", rule="common")
    if verdict.score < MIN_SCORE:
        hint = verdict.hint or "add more words or characters"
        raise WeakPassword(f"too easy to guess: {hint.rstrip('.')}", rule="guessable")
