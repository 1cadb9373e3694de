"""The OpenAPI 3.1 document, generated from the registered operations and their pydantic models.
pydantic's JSON Schema is draft 2020-12, which OpenAPI 3.1 adopts as it is."""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

from chalicelib.web.api import OPERATIONS, Operation

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic.json_schema import JsonSchemaMode

REF = "#/components/schemas/{model}"
_ERROR_DESCRIPTIONS = {
    400: "Bad input: the field at fault is named",
    401: "Not signed in",
    403: "Signed in without the role for this",
    404: "No such object for you",
    405: "Wrong method for this path",
    409: "Conflicts with the current state",
    413: "Body too large",
    415: "Body is not JSON",
    503: "Not able to serve right now",
}


def build_document(operations: list[Operation] | None = None) -> dict[str, Any]:
    from chalicelib.schemas.base import ErrorEnvelope

    operations = OPERATIONS if operations is None else operations
    models: set[type[BaseModel]] = {ErrorEnvelope}
    for op in operations:
        models.update(m.resolve() for m in (op.body, op.response) if m is not None)
    from pydantic.json_schema import models_json_schema  # only when the document is asked for

    keyed: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (model, "validation") for model in sorted(models, key=lambda m: m.__name__)
    ]
    refs, definitions = models_json_schema(keyed, ref_template=REF)
    ref_of = {model: refs[(model, "validation")]["$ref"] for model in models}

    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, ref_of)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "deskhire API",
            "version": "1",
            "description": "Fractional customer support: hire agents by the hour, run them under contracts, pay weekly.",
        },
        "paths": paths,
        "components": {"schemas": definitions.get("$defs", {})},
    }


def _operation(op: Operation, ref_of: dict[type[BaseModel], str]) -> dict[str, Any]:
    from chalicelib.schemas.base import ErrorEnvelope

    error_ref = {"$ref": ref_of[ErrorEnvelope]}
    spec: dict[str, Any] = {"operationId": op.name, "summary": op.summary, "tags": [op.tag]}
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in op.path_params
    ]
    if op.query is not None:
        schema = op.query.resolve().model_json_schema(ref_template=REF)
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            parameters.append({"name": name, "in": "query", "required": name in required, "schema": prop})
    if parameters:
        spec["parameters"] = parameters
    if op.body is not None:
        spec["requestBody"] = {
            "required": op.body_required,
            "content": {"application/json": {"schema": {"$ref": ref_of[op.body.resolve()]}}},
        }
    success: dict[str, Any] = {"description": "OK"}
    if op.response is not None:
        success["content"] = {"application/json": {"schema": {"$ref": ref_of[op.response.resolve()]}}}
    responses = {str(op.status): success}
    statuses = set(op.errors) | {405}
    if op.body is not None:
        statuses |= {400, 413, 415}
    if op.query is not None or op.path_params:
        statuses |= {400}
    for status in sorted(statuses):
        responses[str(status)] = {
            "description": _ERROR_DESCRIPTIONS.get(status, "Error"),
            "content": {"application/json": {"schema": error_ref}},
        }
    spec["responses"] = responses
    return spec


@functools.cache
def document_json() -> str:
    return json.dumps(build_document(), separators=(",", ":"))
