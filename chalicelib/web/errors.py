"""One place that turns failures into the error model:
`{"error": {"code": ..., "message": ..., "field": ...}}` with the right status."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from chalice.app import Response

from chalicelib.domain import errors as domain

STATUS_BY_ERROR = (
    (domain.TooManyRequests, 429),
    (domain.NotFound, 404),
    (domain.Conflict, 409),
    (domain.Forbidden, 403),
    (domain.Unauthenticated, 401),
    (domain.InvalidInput, 400),
    (domain.DomainError, 400),
)

JSON_HEADERS = {"Content-Type": "application/json"}


class HttpError(Exception):
    """An edge-level failure (malformed JSON, unsupported media type) with its status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field
        self.headers = headers or {}


def error_body(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field, **extra}}


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    *,
    headers: Mapping[str, str | list[str]] | None = None,
    **extra: Any,
) -> Response:
    return Response(
        body=json.dumps(error_body(code, message, field, **extra)),
        status_code=status,
        headers={**JSON_HEADERS, **(headers or {})},
    )


def status_for(error: domain.DomainError) -> int:
    return next(status for kind, status in STATUS_BY_ERROR if isinstance(error, kind))


def from_domain_error(error: domain.DomainError) -> Response:
    headers = {}
    if isinstance(error, domain.TooManyRequests):
        headers["Retry-After"] = str(error.retry_after_seconds)
    return error_response(
        status_for(error), error.code, error.message, error.field, headers=headers, **error.extra
    )


# pydantic's error types, grouped into the few codes clients branch on.
_VALIDATION_CODES = {
    "missing": "missing_field",
    "extra_forbidden": "unknown_field",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "string_too_short": "too_short",
    "too_short": "too_short",
    "json_invalid": "malformed_json",
    "json_type": "malformed_json",
    "model_type": "wrong_type",
    "model_attributes_type": "wrong_type",
}


def field_path(loc) -> str | None:
    """('windows', 0, 'start') -> 'windows.0.start'; the body itself -> None."""
    parts = [str(p) for p in loc if p != "__root__"]
    return ".".join(parts) or None


def is_validation_error(error: Exception) -> bool:
    from pydantic import ValidationError  # loaded already by the model that raised it

    return isinstance(error, ValidationError)


def validation_details(error) -> list[dict]:
    details = []
    for item in error.errors(include_url=False, include_input=False):
        kind = item["type"]
        code = _VALIDATION_CODES.get(kind)
        if code is None:
            code = "wrong_type" if kind.endswith(("_type", "_parsing")) else "invalid"
        message = "Unknown field." if code == "unknown_field" else item["msg"]
        if code == "missing_field":
            message = "This field is required."
        details.append({"field": field_path(item["loc"]), "code": code, "message": message})
    return details


def from_validation_error(error) -> Response:
    details = validation_details(error)
    first = details[0]
    return error_response(400, first["code"], first["message"], first["field"], details=details)


def from_chalice_error(response: Response) -> Response:
    """Chalice answers a few requests itself (415 for a wrong Content-Type) in its own
    `{"Code", "Message"}` shape; restate those in ours so that clients see one error model."""
    body = response.body
    if isinstance(body, (str, bytes)):
        try:
            body = json.loads(body)
        except ValueError:
            return response
    if not (isinstance(body, dict) and "Code" in body and "Message" in body):
        return response
    code = {
        "UnsupportedMediaType": "unsupported_media_type",
        "MethodNotAllowedError": "method_not_allowed",
        "BadRequest": "bad_request",
    }.get(body["Code"], "error")
    extra = {}
    if response.status_code >= 500:
        # A fault in a view outside the JSON and page wrappers (Chalice caught it and logged its
        # traceback with this request's labels): the answer names the request, as theirs do.
        from chalicelib.web.observability import current_request_id

        code, extra = "internal_error", {"request_id": current_request_id()}
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    return error_response(response.status_code, code, body["Message"], None, headers=headers, **extra)
