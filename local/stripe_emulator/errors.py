"""Stripe's error shape: `{"error": {"type", "code", "message", "param", "decline_code", "doc_url"}}`.

Handlers raise `StripeError`; the server turns it into the HTTP answer. `stored` says whether the
idempotency layer keeps the answer: Stripe saves a result only once an endpoint has begun executing
(a card decline is saved, so a retry with the same key replays the decline instead of charging
again), while a request that fails validation saves nothing and may be retried with the same key.
"""

from __future__ import annotations

from typing import Any

DOCS = "https://stripe.com/docs/error-codes/"


class StripeError(Exception):
    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        decline_code: str | None = None,
        extra: dict[str, Any] | None = None,
        stored: bool = False,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.code = code
        self.param = param
        self.decline_code = decline_code
        self.extra = extra or {}
        self.stored = stored
        self.headers = headers or {}

    def body(self, request_id: str | None = None) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = DOCS + self.code.replace("_", "-")
        if self.param is not None:
            error["param"] = self.param
        if self.decline_code:
            error["decline_code"] = self.decline_code
        if request_id:
            error["request_log_url"] = f"https://dashboard.stripe.com/test/logs/{request_id}"
        error.update(self.extra)
        return {"error": error}


def invalid(
    message: str, param: str | None = None, code: str | None = None, status: int = 400
) -> StripeError:
    return StripeError(status, "invalid_request_error", message, code=code, param=param)


def missing_param(name: str) -> StripeError:
    return invalid(f"Missing required param: {name}.", param=name, code="parameter_missing")


def unknown_param(name: str) -> StripeError:
    """Stripe's answer for a parameter the endpoint does not have (on the pinned API version)."""
    return invalid(f"Received unknown parameter: {name}", param=name, code="parameter_unknown")


NOT_IMPLEMENTED = "emulator_not_implemented"


def not_implemented(name: str, what: str = "parameter") -> StripeError:
    """A parameter (or value) Stripe accepts here that the emulator does not model: refused rather
    than silently ignored, with a code of the emulator's own so nobody mistakes it for Stripe's."""
    return invalid(
        f"The Stripe emulator does not implement the {what} {name} on this endpoint (Stripe accepts it; "
        "see docs/stripe-emulator.md).",
        param=name.split("=")[0],
        code=NOT_IMPLEMENTED,
    )


def no_such(label: str, object_id: str, param: str = "id", status: int = 404) -> StripeError:
    """`No such invoice: 'in_123'`: 404 for the resource named in the path, 400 for one named by a
    parameter (Stripe answers both with code resource_missing)."""
    return invalid(f"No such {label}: '{object_id}'", param=param, code="resource_missing", status=status)


def card_error(
    message: str, code: str, decline_code: str | None, *, param: str | None = None, extra=None
) -> StripeError:
    return StripeError(
        402,
        "card_error",
        message,
        code=code,
        param=param,
        decline_code=decline_code,
        extra=extra,
        stored=True,
    )


def api_error(message: str = "An unknown error occurred", status: int = 500) -> StripeError:
    return StripeError(status, "api_error", message)


def rate_limited() -> StripeError:
    return StripeError(
        429,
        "invalid_request_error",
        "Request rate limit exceeded. You can learn more about rate limits here "
        "https://stripe.com/docs/rate-limits.",
        code="rate_limit",
    )


def idempotency_error(message: str) -> StripeError:
    return StripeError(400, "idempotency_error", message)
