"""All emulator state, in plain JSON-able dicts, behind the emulator's one lock.

Objects are kept as Stripe renders them, plus private keys starting with "_" (`_seq` for stable
ordering within a second, `_account` for the connected account that owns the object, behaviour
flags such as a test card's planned decline). Rendering strips the private keys. Ids are globally
unique, so one dict keyed by id serves every object kind.
"""

from __future__ import annotations

import json
import os
import secrets
import string
import tempfile
from pathlib import Path
from types import EllipsisType
from typing import Any

_ALPHABET = string.ascii_letters + string.digits
FORMAT_VERSION = 1


def random_token(length: int = 24) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


class Store:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        # kind -> the objects of that kind in insertion (= _seq) order: lists and searches read
        # one kind, and scanning every object made a long run answer slower and slower
        self.kinds: dict[str, list[dict[str, Any]]] = {}
        self.seq = 0
        # (scope, key) -> the first answer; see server.py.
        self.idempotency: dict[str, dict[str, Any]] = {}
        # Webhook deliveries still to make or already made (kept for inspection).
        self.deliveries: list[dict[str, Any]] = []
        # Account links and onboarding sessions, keyed by their secret token.
        self.account_links: dict[str, dict[str, Any]] = {}
        self.onboarding_sessions: dict[str, dict[str, Any]] = {}
        # Hosted invoice page tokens -> invoice id.
        self.invoice_tokens: dict[str, str] = {}
        # customer id -> planned failures for its next charges (a test control).
        self.forced_failures: dict[str, list[dict[str, Any]]] = {}
        # Seconds added to the wall clock (a test control to age keys, links and drafts).
        self.clock_offset = 0

    # -- ids and objects -------------------------------------------------------------------

    def new_id(self, prefix: str, length: int = 24) -> str:
        while True:
            candidate = f"{prefix}_{random_token(length)}"
            if candidate not in self.objects:
                return candidate

    def add(self, obj: dict[str, Any], account: str | None = None) -> dict[str, Any]:
        self.seq += 1
        obj["_seq"] = self.seq
        obj["_account"] = account
        replaced = self.objects.get(obj["id"])
        if replaced is not None:
            self.kinds[replaced.get("object", "")].remove(replaced)
        self.objects[obj["id"]] = obj
        self.kinds.setdefault(obj.get("object", ""), []).append(obj)
        return obj

    def get(self, object_id: str | None) -> dict[str, Any] | None:
        if not isinstance(object_id, str):
            return None
        return self.objects.get(object_id)

    def linked(self, object_id: str) -> dict[str, Any]:
        """The object another stored object links to (an invoice's customer, a charge's balance
        transaction). The emulator stores what it links, so a missing one is the emulator's own bug:
        a KeyError naming the id, never a client's 404 or a None read further on."""
        try:
            return self.objects[object_id]
        except KeyError:
            raise KeyError(f"emulator state links to {object_id!r}, which is not stored") from None

    def all(self, kind: str, account: str | None | EllipsisType = ...) -> list[dict[str, Any]]:
        """Objects of one kind, oldest first; `account=None` means the platform's own objects."""
        of_kind = self.kinds.get(kind, [])
        return [obj for obj in of_kind if account is ... or obj.get("_account") == account]

    # -- persistence -----------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "seq": self.seq,
            "objects": self.objects,
            "idempotency": self.idempotency,
            "deliveries": self.deliveries,
            "account_links": self.account_links,
            "onboarding_sessions": self.onboarding_sessions,
            "invoice_tokens": self.invoice_tokens,
            "forced_failures": self.forced_failures,
            "clock_offset": self.clock_offset,
        }

    def load(self, data: dict[str, Any]) -> None:
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"unsupported emulator data format: {data.get('version')!r}")
        self.reset()
        self.seq = data["seq"]
        self.objects = data["objects"]
        for obj in sorted(self.objects.values(), key=lambda obj: obj["_seq"]):
            self.kinds.setdefault(obj.get("object", ""), []).append(obj)
        self.idempotency = data["idempotency"]
        self.deliveries = data["deliveries"]
        self.account_links = data["account_links"]
        self.onboarding_sessions = data["onboarding_sessions"]
        self.invoice_tokens = data["invoice_tokens"]
        self.forced_failures = data["forced_failures"]
        self.clock_offset = data["clock_offset"]

    def save(self, path: Path) -> None:
        """Write atomically: a crash mid-write leaves the previous file, never half of one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w") as handle:
                json.dump(self.dump(), handle, separators=(",", ":"))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load_file(self, path: Path) -> bool:
        if not path.exists():
            return False
        self.load(json.loads(path.read_text()))
        return True
