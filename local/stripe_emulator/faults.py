"""Injected faults, a test control: the next N requests matching a method and a path prefix either
fail before they are processed (500 api_error or 429 rate_limit, nothing applied, nothing kept for
their idempotency key) or are processed and then lose their answer (the connection closes without a
response, as when a network drops it)."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass


@dataclass
class Fault:
    method: str  # "POST", "GET", ... or "*"
    path: str  # a path prefix, such as "/v1/transfers"
    action: str  # "error" or "drop"
    status: int | None
    remaining: int

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and path.startswith(self.path)


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Fault] = []

    def add(self, method: str, path: str, *, action: str, status: int | None = None, count: int = 1) -> None:
        if action == "error" and status not in (500, 429):
            raise ValueError("an injected error is a 500 or a 429")
        if action not in ("error", "drop"):
            raise ValueError("action is 'error' or 'drop'")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._items.append(Fault(method.upper(), path, action, status, count))

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._items:
                if fault.matches(method, path):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._items.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def pending(self) -> list[dict]:
        with self._lock:
            return [asdict(f) for f in self._items]
