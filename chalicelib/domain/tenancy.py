"""Who owns an item. Tenant context comes only from the authenticated principal; repositories take
it as their first argument, so a call without one does not type-check and cannot build a key."""

from __future__ import annotations

import re
from dataclasses import dataclass

# ULIDs (Crockford base32, 26 characters) in practice; the pattern also keeps '#', the key
# delimiter, out of ids so that `T#<id>#...` cannot be forged from an id.
_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")


def _check(value: object, kind: str) -> None:
    if not isinstance(value, str) or not _ID.match(value):
        raise ValueError(f"malformed {kind} id: {value!r}")


@dataclass(frozen=True)
class TenantId:
    value: str

    def __post_init__(self):
        _check(self.value, "tenant")

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class AgentId:
    value: str

    def __post_init__(self):
        _check(self.value, "agent")

    def __str__(self) -> str:
        return self.value
