"""The password policy (OWASP ASVS 4, 2.1): at least 12 characters, at most 128, not one of the
30,000 most common passwords, and not trivially guessable from the account's own details. A weak
password is refused with the rule it broke."""

from __future__ import annotations

from chalicelib.domain.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn's scale runs 0..4; 3 is "safely unguessable: moderate protection from offline attacks".
MIN_SCORE = 3
# zxcvbn refuses (raises on) anything longer than 72 characters. A longer passphrase is scored on
# its first 72: a prefix can only be easier to guess than the whole, so the verdict errs safe,
# and 73 to 128 characters are accepted or refused with a 400 like any other length.
SCORED_LENGTH = 72


class WeakPassword(InvalidInput):
    code = "weak_password"

    def __init__(self, message: str, *, rule: str):
        super().__init__(message, field="password")
        self.rule = rule


def check_password(password: str, *, user_inputs: tuple[str, ...] = ()) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"use at least {MIN_LENGTH} characters", rule="min_length")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"use at most {MAX_LENGTH} characters", rule="max_length")
    # zxcvbn is imported here: only signup and password changes pay for its word lists.
    from zxcvbn import zxcvbn
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    if password.lower() in _common_passwords(FREQUENCY_LISTS):
        raise WeakPassword("this is one of the most common passwords; choose another", rule="common")
    verdict = zxcvbn(password[:SCORED_LENGTH], user_inputs=[u for u in user_inputs if u])
    if verdict["score"] < MIN_SCORE:
        hint = verdict["feedback"].get("warning") or "add more words or characters"
        raise WeakPassword(f"too easy to guess: {hint.rstrip('.')}", rule="guessable")


_COMMON: frozenset[str] | None = None


def _common_passwords(lists) -> frozenset[str]:
    global _COMMON
    if _COMMON is None:
        _COMMON = frozenset(lists["passwords"])
    return _COMMON
