"""The OpenAPI document is generated from the routes and their models, served, and valid."""

import json

from openapi_spec_validator import validate

from chalicelib.web.api import OPERATIONS
from chalicelib.web.openapi import build_document


def test_document_covers_every_registered_operation_and_validates():
    import app  # noqa: F401 - registers the routes

    document = build_document()
    validate(document)
    for op in OPERATIONS:
        assert op.method.lower() in document["paths"][op.path], op
    assert "/api/health" in document["paths"]


def test_document_is_served():
    from app import app
    from local.gateway import api_client

    with api_client(app) as client:
        response = client.http.get("/api/openapi.json")
    assert response.status_code == 200
    assert json.loads(response.body)["openapi"] == "3.1.0"


def test_bodies_and_errors_are_described():
    from tests.unit import test_api_edge

    document = build_document(test_api_edge.registry)
    validate(document)
    post = document["paths"]["/api/v1/notes"]["post"]
    body_ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][body_ref.split("/")[-1]]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["title"]["maxLength"] == 20
    assert {"201", "400", "405", "413", "415"} <= set(post["responses"])
    assert [p["name"] for p in document["paths"]["/api/v1/notes/{note_id}"]["get"]["parameters"]] == [
        "note_id"
    ]


def test_every_named_model_resolves():
    """Routes name their models as strings; a typo must fail here, not on a user's request."""
    import app  # noqa: F401 - registers the routes

    for op in OPERATIONS:
        for ref in (op.body, op.query, op.response):
            if ref is not None:
                assert ref.resolve().__name__ == ref.name, op
