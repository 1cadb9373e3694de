"""Platform routes: health and the OpenAPI document."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.web.api import JsonApi
from chalicelib.web.auth import PUBLIC

api = JsonApi(__name__, tag="system", schemas="chalicelib.schemas.system")


@api.get("/api/health", response="HealthView", errors=(503,), access=PUBLIC)
def health():
    """Whether deskhire can serve: the table is reachable."""
    from chalicelib.schemas import system as schemas
    from chalicelib.services import health as health_service

    report = health_service.check_health()
    view = schemas.HealthView(
        status="ok" if report.healthy else "degraded",
        table="reachable" if report.table_reachable else "unreachable",
    )
    return Response(
        body=view.model_dump_json(),
        status_code=200 if report.healthy else 503,
        headers={"Content-Type": "application/json", "Cache-Control": "no-store"},
    )


@api.get("/api/openapi.json", access=PUBLIC)
def openapi_document():
    """The OpenAPI 3.1 document of this API, generated from the routes and their models."""
    from chalicelib.web import openapi

    return Response(
        body=openapi.document_json(),
        status_code=200,
        headers={"Content-Type": "application/json"},
    )
