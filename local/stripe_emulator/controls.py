"""Test controls over HTTP, under `/_emulator/`, mirroring the Emulator's Python methods so a test
(or a person with curl) can drive a standalone emulator. Bodies are JSON or form-encoded; answers
are JSON. These endpoints are the emulator's own: Stripe has nothing like them.

    GET    /_emulator/health
    POST   /_emulator/reset
    GET    /_emulator/faults                      POST {method, path, status: 500|429 | action: "drop", count}
    DELETE /_emulator/faults
    POST   /_emulator/idempotency/expire
    POST   /_emulator/balance                     {account: "acct_..." | null, amount, currency?}
    POST   /_emulator/balance/drain               {account, currency?}
    POST   /_emulator/customers/{id}/fail_next_charge   {decline_code?, count?}
    POST   /_emulator/accounts/{id}/complete_onboarding {verified?: true}
    POST   /_emulator/intents/{id}/authenticate  {succeed?: true}   3-D Secure, done or failed
    POST   /_emulator/accounts/{id}/payouts        {amount?, currency?}   a payout to its bank
    POST   /_emulator/payouts/{id}/pay             the bank has it: payout.paid
    POST   /_emulator/payouts/{id}/fail            {failure_code?: "account_closed"}: payout.failed
    POST   /_emulator/clock/advance               {seconds}
    GET    /_emulator/webhooks                    (deliveries; ?type=&status=)
    POST   /_emulator/webhooks/flush              {timeout?}   deliver everything now, wait
    POST   /_emulator/webhooks/wait               {timeout?}   wait, honouring retry backoff
    GET    /_emulator/requests                    (?method=&path=)
    DELETE /_emulator/requests
    GET    /_emulator/events                      (?type=)
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from . import forms
from .errors import StripeError, invalid
from .events import API_VERSION
from .server import Response

if TYPE_CHECKING:
    from .emulator import Emulator


def _body(body: str, headers) -> dict[str, Any]:
    if not body:
        return {}
    if (headers.get("Content-Type") or "").startswith("application/json"):
        try:
            data = json.loads(body)
        except ValueError:
            raise invalid("The body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise invalid("The body must be a JSON object.")
        return data
    return forms.decode(body)


def _int(data: dict, name: str, default: int | None = None) -> int:
    value = data.get(name, default)
    if value is None:
        raise invalid(f"Missing required param: {name}.", param=name)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid(f"Invalid integer: {value}", param=name) from None


def _bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "yes")


def handle(emu: Emulator, method: str, path: str, query: str, body: str, headers) -> Response:
    data = _body(body, headers)
    q = {k: v[-1] for k, v in parse_qs(query).items()}
    parts = [p for p in path.split("/") if p][1:]  # drop "_emulator"
    route = (method, "/".join(parts))
    try:
        result = _route(emu, method, parts, route, data, q)
    except ValueError as exc:
        raise invalid(str(exc)) from None
    if isinstance(result, Response):
        return result
    return Response.json(200, result)


def _route(emu: Emulator, method: str, parts: list[str], route: tuple[str, str], data: dict, q: dict) -> Any:
    if route == ("GET", "health"):
        return {
            "ok": True,
            "url": emu.url,
            "public_url": emu.public_url,
            "api_version": API_VERSION,
            "now": emu.now(),
            # what the platform is, so a caller can check it agrees with the app's settings
            "platform_country": emu.platform_country,
            "platform_currency": emu.platform_currency,
            "settlement_currencies": sorted(emu.settlement_currencies),
            "funds_delay": emu.funds_delay,
        }
    if route == ("POST", "reset"):
        emu.reset()
        return {"ok": True}
    if route == ("GET", "faults"):
        return {"faults": emu.pending_faults()}
    if route == ("POST", "faults"):
        method_ = str(data.get("method") or "*")
        fault_path = data.get("path") or "/"
        count = _int(data, "count", 1)
        if data.get("action") == "drop":
            emu.drop_next_response(method_, fault_path, count=count)
        else:
            emu.fail_next(method_, fault_path, status=_int(data, "status", 500), count=count)
        return {"faults": emu.pending_faults()}
    if route == ("DELETE", "faults"):
        emu.clear_faults()
        return {"faults": []}
    if route == ("POST", "idempotency/expire"):
        emu.expire_idempotency_keys()
        return {"ok": True}
    if route == ("POST", "balance"):
        return emu.set_available_balance(
            data.get("account") or None, _int(data, "amount"), data.get("currency")
        )
    if route == ("POST", "balance/drain"):
        return emu.drain_balance(data.get("account") or None, data.get("currency"))
    if method == "POST" and len(parts) == 3 and parts[0] == "customers" and parts[2] == "fail_next_charge":
        emu.fail_next_charge(
            parts[1], decline_code=data.get("decline_code") or "generic_decline", count=_int(data, "count", 1)
        )
        return {"ok": True}
    if method == "POST" and len(parts) == 3 and parts[0] == "accounts" and parts[2] == "complete_onboarding":
        return emu.complete_onboarding(parts[1], verified=_bool(data.get("verified"), True))
    if method == "POST" and len(parts) == 3 and parts[0] == "accounts" and parts[2] == "payouts":
        amount = _int(data, "amount") if data.get("amount") is not None else None
        return emu.create_payout(parts[1], amount=amount, currency=data.get("currency") or None)
    if method == "POST" and len(parts) == 3 and parts[0] == "payouts" and parts[2] == "pay":
        return emu.pay_payout(parts[1])
    if method == "POST" and len(parts) == 3 and parts[0] == "payouts" and parts[2] == "fail":
        return emu.fail_payout(parts[1], failure_code=data.get("failure_code") or "account_closed")
    if method == "POST" and len(parts) == 3 and parts[0] == "intents" and parts[2] == "authenticate":
        return emu.authenticate(parts[1], succeed=_bool(data.get("succeed"), True))
    if route == ("POST", "clock/advance"):
        return {"now": emu.advance_time(_int(data, "seconds"))}
    if route == ("GET", "webhooks"):
        return {"deliveries": emu.deliveries(type=q.get("type"), status=q.get("status"))}
    if route in (("POST", "webhooks/flush"), ("POST", "webhooks/wait")):
        timeout = float(data.get("timeout") or 10)
        done = emu.flush_webhooks(timeout) if parts[1] == "flush" else emu.wait_for_webhooks(timeout)
        return {"done": done, "pending": len(emu.deliveries(status="pending"))}
    if route == ("GET", "requests"):
        return {"requests": emu.requests(method=q.get("method"), path=q.get("path"))}
    if route == ("DELETE", "requests"):
        emu.clear_requests()
        return {"requests": []}
    if route == ("GET", "events"):
        return {"events": emu.events(type=q.get("type"))}
    raise StripeError(404, "invalid_request_error", f"No emulator control at {method} /_emulator/{route[1]}")
