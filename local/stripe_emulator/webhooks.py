"""Webhook delivery: a background thread POSTs each queued event to its endpoint, signed as
Stripe signs (`Stripe-Signature: t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<payload>">`), and retries
a failure (non-2xx or no connection) after each delay of the schedule, then gives up.

Deliveries live in the store, so a restart resumes them. Nothing is delivered while a request holds
the state lock, and the lock is released during the HTTP call itself, so a webhook handler may call
back into the emulator.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .emulator import Emulator


def sign(payload: str, secret: str, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class Dispatcher:
    def __init__(self, emu: Emulator):
        self.emu = emu
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="stripe-emulator-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=15)
            self._thread = None

    def kick(self) -> None:
        self._wake.set()

    # -- the loop ----------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping.is_set():
            self.emu.run_automations()
            job = self._claim()
            if job is None:
                self._wake.wait(timeout=self._idle_wait())
                self._wake.clear()
                continue
            delivery, url, secret, payload = job
            status, error = self._post(url, secret, payload)
            self._record(delivery, status, error)

    def _idle_wait(self) -> float:
        with self.emu.lock:
            pending = [d["next_at"] for d in self.emu.store.deliveries if d["status"] == "pending"]
        if not pending:
            return 1.0
        return max(0.0, min(1.0, min(pending) - time.time()))

    def _claim(self) -> tuple[dict[str, Any], str, str, str] | None:
        with self.emu.lock:
            now = time.time()
            due = [
                d
                for d in self.emu.store.deliveries
                if d["status"] == "pending" and d["next_at"] <= now and not d.get("_in_flight")
            ]
            if not due:
                return None
            delivery = min(due, key=lambda d: d["next_at"])
            url = self.emu.endpoint_url(delivery["endpoint"])
            event = self.emu.store.get(delivery["event"])
            if not url or event is None:
                delivery["status"] = "failed"
                delivery["history"].append(
                    {"at": int(now), "status": None, "error": "no endpoint configured"}
                )
                return None
            delivery["_in_flight"] = True
            payload = json.dumps(self.emu.render_stored(event), indent=2)
            return delivery, url, self.emu.endpoint_secret(delivery["endpoint"]), payload

    def _post(self, url: str, secret: str, payload: str) -> tuple[int | None, str | None]:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            "Stripe-Signature": sign(payload, secret, int(time.time())),
        }
        request = urllib.request.Request(url, data=payload.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.emu.webhook_timeout) as response:
                response.read()
                return response.status, None
        except urllib.error.HTTPError as error:
            return error.code, f"HTTP {error.code}"
        except (OSError, ValueError) as error:
            return None, f"{type(error).__name__}: {error}"

    def _record(self, delivery: dict[str, Any], status: int | None, error: str | None) -> None:
        with self.emu.lock:
            delivery.pop("_in_flight", None)
            delivery["attempts"] += 1
            delivery["history"].append({"at": int(time.time()), "status": status, "error": error})
            if status is not None and 200 <= status < 300:
                delivery["status"] = "delivered"
                event = self.emu.store.get(delivery["event"])
                if event is not None:
                    event["pending_webhooks"] = max(0, event["pending_webhooks"] - 1)
            else:
                delays = self.emu.webhook_retry_delays
                if delivery["attempts"] > len(delays):
                    delivery["status"] = "failed"
                elif self.emu.flushing:
                    delivery["next_at"] = time.time()
                else:
                    delivery["next_at"] = time.time() + delays[delivery["attempts"] - 1]
            self.emu.persist()
