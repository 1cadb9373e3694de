"""Random bearer secrets and the digests they are stored under.

Secrets (session tokens, reset tokens, invite tokens, API keys) carry 256 random bits, so a plain
SHA-256 is the right digest to store: nothing to brute-force, and a lookup by key. The database
never holds a usable secret."""

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
