"""The HTTP side: a ThreadingHTTPServer whose handler turns each request into a `Response` from
the emulator's API pipeline, its pages or its test controls.

The API pipeline, in Stripe's order: authenticate (`Authorization: Bearer sk_test_...`), check the
`Stripe-Account`, apply injected faults, consult the idempotency layer (POSTs with an
`Idempotency-Key`), route, validate parameters, run the handler under the state lock, render and
expand, remember the answer for the key, persist.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import time
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import forms, params, sdk_params, views
from .context import Ctx
from .errors import StripeError, api_error, idempotency_error, invalid, rate_limited
from .events import API_VERSION
from .store import random_token

if TYPE_CHECKING:
    from .emulator import Emulator

IDEMPOTENCY_TTL = 24 * 3600
# "Idempotency keys are up to 255 characters long" (Stripe's API reference, Idempotent requests).
IDEMPOTENCY_KEY_MAX = 255
EXPAND = {"expand": [str]}


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False

    @classmethod
    def json(cls, status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
        return cls(status, (json.dumps(data, indent=2) + "\n").encode(), headers=headers or {})

    @classmethod
    def html(cls, status: int, text: str) -> Response:
        return cls(status, text.encode(), content_type="text/html; charset=utf-8")

    @classmethod
    def redirect(cls, location: str) -> Response:
        return cls(303, b"", content_type="text/plain", headers={"Location": location})


def _mask(key: str) -> str:
    return key[:8] + "*" * 4 + key[-4:] if len(key) > 12 else key


def _api_key(headers) -> str | None:
    auth = headers.get("Authorization") or ""
    if auth.startswith("Bearer "):
        return auth[7:].strip()
    if auth.startswith("Basic "):
        try:
            return base64.b64decode(auth[6:]).decode().split(":", 1)[0]
        except (ValueError, UnicodeDecodeError):
            return ""
    return None


def _fingerprint(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def handle_api(emu: Emulator, method: str, path: str, query: str, body: str, headers) -> Response:
    request_id = "req_" + random_token(14)
    key = headers.get("Idempotency-Key")
    account = headers.get("Stripe-Account") or None
    raw = forms.decode(query) if query else {}
    if method == "POST" and body:
        raw.update(forms.decode(body))
    entry = {
        "id": request_id,
        "method": method,
        "path": path,
        "query": query,
        "params": raw,
        "idempotency_key": key,
        "stripe_account": account,
        "status": None,
        "replayed": False,
        "fault": None,
        "time": time.time(),
    }
    emu.log_request(entry)
    base_headers = {"Request-Id": request_id, "Stripe-Version": headers.get("Stripe-Version") or API_VERSION}
    if key:
        base_headers["Idempotency-Key"] = key

    fault = None

    def error(err: StripeError) -> Response:
        entry["status"] = err.status
        response = Response.json(err.status, err.body(request_id), {**base_headers, **err.headers})
        if fault is not None and fault.action == "drop":
            entry["fault"] = "drop"
            response.drop = True
        return response

    api_key = _api_key(headers)
    if not api_key:
        return error(
            StripeError(
                401,
                "invalid_request_error",
                "You did not provide an API key. You need to provide your API key in the Authorization header, "
                "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#"
                "authentication for details, or we can help at https://support.stripe.com/.",
            )
        )
    if not api_key.startswith(("sk_test_", "rk_test_")) or (emu.api_key and api_key != emu.api_key):
        return error(
            StripeError(
                401,
                "invalid_request_error",
                f"Invalid API Key provided: {_mask(api_key)}",
            )
        )

    if key is not None and not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX:
        return error(
            invalid(
                f"Idempotent key length is {len(key)}, which is outside accepted lengths. Idempotent Keys must be "
                f"1-{IDEMPOTENCY_KEY_MAX} characters long. If you're looking for a decent generator, try using a UUID "
                "defined by IETF RFC 4122."
            )
        )

    fault = emu.faults.take(method, path)
    if fault and fault.action == "error":
        entry["fault"] = str(fault.status)
        return error(api_error() if fault.status == 500 else rate_limited())

    with emu.lock:
        if account:
            acct = emu.store.get(account)
            if acct is None or acct.get("object") != "account" or acct.get("_deleted"):
                return error(
                    StripeError(
                        403,
                        "invalid_request_error",
                        f"The provided key '{_mask(api_key)}' does not have access to account '{account}' (or that "
                        "account does not exist). Application access may have been revoked.",
                        code="account_invalid",
                    )
                )
        scope = f"{account or 'platform'}|{key}"
        endpoint = f"{method} {path}"
        fingerprint = _fingerprint(raw)
        idempotent = method == "POST" and bool(key)
        if idempotent:
            saved = emu.store.idempotency.get(scope)
            if saved and saved["created"] + IDEMPOTENCY_TTL > emu.now():
                if saved["endpoint"] != endpoint:
                    return error(
                        idempotency_error(
                            "Keys for idempotent requests can only be used for the same endpoint they were first "
                            f"used for ('{saved['endpoint']}' vs '{endpoint}'). Try using a key other than '{key}' "
                            "if you meant to execute a different request."
                        )
                    )
                if saved["fingerprint"] != fingerprint:
                    return error(
                        idempotency_error(
                            "Keys for idempotent requests can only be used with the same parameters they were first "
                            f"used with. Try using a key other than '{key}' if you meant to execute a different "
                            "request."
                        )
                    )
                entry["status"] = saved["status"]
                entry["replayed"] = True
                replay_headers = {
                    **base_headers,
                    "Idempotent-Replayed": "true",
                    "Original-Request": saved["request_id"],
                }
                response = Response(saved["status"], saved["body"].encode(), headers=replay_headers)
                response.drop = bool(fault)
                entry["fault"] = "drop" if fault else None
                return response

        seq_before = emu.store.seq
        try:
            route, path_params = emu.router.match(method, path)
            # What Stripe refuses (unknown to the SDK, outside an enum), then what the emulator
            # does not implement, then coercion.
            for name, (code, message) in route.removed.items():
                if name in raw:
                    raise invalid(message, param=name, code=code)
            sdk_params.check(route.schema, raw)
            spec = {**route.spec, **EXPAND} if "expand" in route.schema.fields else route.spec
            values = params.validate(raw, spec)
            emu.run_automations_locked()
            ctx = Ctx(
                emu,
                params=values,
                account=account,
                path=path_params,
                url=path,
                request_id=request_id,
                idempotency_key=key,
            )
            result = route.handler(ctx)
            data = views.render(ctx, result) if views.is_stored(result) else result
            data = views.expand(ctx, data, ctx.params.get("expand"))
            status, text = 200, json.dumps(data, indent=2) + "\n"
        except StripeError as err:
            if not err.stored:
                if emu.store.seq != seq_before or method != "GET":
                    emu.persist()
                return error(err)
            status, text = err.status, json.dumps(err.body(request_id), indent=2) + "\n"
        if idempotent:
            emu.store.idempotency[scope] = {
                "endpoint": endpoint,
                "fingerprint": fingerprint,
                "status": status,
                "body": text,
                "request_id": request_id,
                "created": emu.now(),
            }
        if method != "GET" or emu.store.seq != seq_before:
            emu.persist()
    entry["status"] = status
    response = Response(status, text.encode(), headers=base_headers)
    if fault:
        entry["fault"] = "drop"
        response.drop = True
    return response


def make_server(emu: Emulator, host: str, port: int) -> ThreadingHTTPServer:
    from . import controls, pages

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "stripe-emulator/1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes; without this, Nagle's algorithm and delayed
            # ACKs add ~40 ms to every keep-alive request.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            if emu.verbose:
                super().log_message(format, *args)

        def _body(self) -> str:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length).decode("utf-8", "replace") if length else ""

        def _dispatch(self, method: str) -> None:
            url = urlsplit(self.path)
            body = self._body()
            try:
                if url.path.startswith("/_emulator/"):
                    response = controls.handle(emu, method, url.path, url.query, body, self.headers)
                elif url.path.startswith("/_pages/"):
                    response = pages.handle(emu, method, url.path, url.query, body, self.headers)
                else:
                    response = handle_api(emu, method, url.path, url.query, body, self.headers)
            except StripeError as err:
                response = Response.json(err.status, err.body())
            except Exception as exc:  # a bug in the emulator: answer like Stripe's 500, and say why
                emu.log(f"internal error on {method} {self.path}: {exc!r}\n{traceback.format_exc()}")
                # The request may be half applied; tell the SDK not to repeat it.
                response = Response.json(
                    500,
                    api_error(f"Emulator internal error: {exc!r}").body(),
                    {"Stripe-Should-Retry": "false"},
                )
            if response.drop:
                # The request was applied; its answer is lost on the way back.
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(response.body)

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_POST(self) -> None:
            self._dispatch("POST")

        def do_DELETE(self) -> None:
            self._dispatch("DELETE")

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    return Server((host, port), Handler)
