"""The bases every request and response model derives from, and the error model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Command(BaseModel):
    """Base for request bodies: unknown fields are refused (no mass assignment), types are strict
    (a JSON string is not an int, a float is not an amount), surrounding whitespace is trimmed."""

    # defer_build: validators are built on a model's first use, not at import (cold start).
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True, defer_build=True)


class Query(BaseModel):
    """Base for query strings: values arrive as text, so they are coerced, but unknown keys are
    refused all the same."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class View(BaseModel):
    """Base for response bodies: handlers return these, never hand-built dicts."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class ErrorDetail(View):
    field: str | None
    code: str
    message: str


class ErrorBody(View):
    code: str
    message: str
    field: str | None = None
    details: list[ErrorDetail] | None = None
    request_id: str | None = None
    minutes_left: int | None = None  # a diary entry refused for its cap or block: what is left


class ErrorEnvelope(View):
    error: ErrorBody
