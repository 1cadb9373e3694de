"""Random bearer secrets and the digests they are stored under.

Secrets (session tokens, reset tokens, invite tokens, API keys) carry 256 random bits, so a plain
SHA-256 is the right digest to store: nothing to brute-force, and a lookup by key. The database
never holds a usable secret. Signed links (`sign_link`, `read_link`) carry what they are for
instead of a stored secret: the rating and survey links mailed to customers."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SESSION = "dhs"
RESET = "dhr"
INVITE = "dhi"
API_KEY = "dhk"


def new_secret(kind: str) -> str:
    return f"{kind}_{secrets.token_urlsafe(32)}"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def kind_of(secret: str) -> str | None:
    prefix, sep, _ = secret.partition("_")
    return prefix if sep else None


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


# -- signed links (rating and survey links: PROMISES R1) ------------------------------------------
#
# A link that carries an answer names what it is for (a business, an inquiry, a score) and until
# when, signed with deskhire's secret under a purpose, so that nothing but deskhire makes one, a
# changed character breaks it, and a link made for one purpose (a rating) is worthless for another
# (a survey). Single use is the caller's: the link is signed, the use is recorded under a condition.
# Form: `<part>.<part>....<expiry, base 36 epoch seconds>.<signature>`; parts are ids and small
# numbers ([A-Za-z0-9_-]), never anyone's words, so a link carries nothing worth reading.

MAX_LINK_TOKEN = 400


class BadToken(ValueError):
    """Not a link deskhire signed for this purpose: made up, altered, cut short, or another's."""


class ExpiredToken(ValueError):
    """A link deskhire signed, past its time."""


def _link_mac(purpose: str, body: str, secret: bytes) -> str:
    import base64

    key = hmac.new(secret, f"deskhire signed link:{purpose}".encode(), hashlib.sha256).digest()
    mac = hmac.new(key, body.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(mac).decode()


def _plain_part(part: str) -> bool:
    return bool(part) and all(c.isascii() and (c.isalnum() or c in "_-") for c in part)


def sign_link(purpose: str, parts: list[str], *, expires_at_epoch: int, secret: bytes) -> str:
    """A token naming `parts` for `purpose` until `expires_at_epoch` (seconds)."""
    if not all(_plain_part(part) for part in parts):
        raise ValueError("a signed link's parts are ids and numbers: [A-Za-z0-9_-]")
    body = ".".join([*parts, _base36(expires_at_epoch)])
    return f"{body}.{_link_mac(purpose, body, secret)}"


def read_link(purpose: str, token: str, *, count: int, now_epoch: int, secret: bytes) -> list[str]:
    """The `count` parts a token names; BadToken unless deskhire signed exactly this token for
    `purpose`, ExpiredToken when it did but its time has passed (checked after the signature:
    an expiry moved by hand breaks the signature first)."""
    if not token or len(token) > MAX_LINK_TOKEN:
        raise BadToken("not a link deskhire made")
    body, dot, mac = token.rpartition(".")
    if not dot or not hmac.compare_digest(mac.encode(), _link_mac(purpose, body, secret).encode()):
        raise BadToken("not a link deskhire made")
    *parts, expiry = body.split(".")
    if len(parts) != count or not all(_plain_part(part) for part in parts):
        raise BadToken("not a link deskhire made")
    try:
        expires = int(expiry, 36)
    except ValueError:
        raise BadToken("not a link deskhire made") from None
    if now_epoch > expires:
        raise ExpiredToken("the link has expired")
    return parts


def _base36(number: int) -> str:
    if number < 0:
        raise ValueError("an expiry is after 1970")
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out
