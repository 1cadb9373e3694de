"""The error model at the edge: malformed JSON, a wrong type, an unknown field, a missing field, a
too-long string, a wrong media type, an unknown route and a wrong method each get the right 4xx
with the field named, never a 500; a real fault is a 500 with a request id and no internals.

A small app of the test's own carries one route of each shape through the same JsonApi wrapper,
middleware and local gateway the real app uses."""

import json

import pytest
from chalice import Chalice
from pydantic import Field

from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.schemas.base import Command, Query, View
from chalicelib.web.api import JsonApi, install_method_guards
from chalicelib.web.auth import PUBLIC
from chalicelib.web.middleware import http_middleware
from chalicelib.web.observability import logger
from local.gateway import api_client

registry = []
api = JsonApi(__name__, tag="test", registry=registry)


class Window(Command):
    day: int = Field(ge=0, le=6)
    start: str = Field(max_length=5)


class CreateNote(Command):
    title: str = Field(min_length=1, max_length=20)
    count: int
    windows: list[Window] = []


class NoteView(View):
    title: str
    count: int


class ListNotes(Query):
    limit: int = Field(default=20, ge=1, le=100)


@api.post("/api/v1/notes", access=PUBLIC, body=CreateNote, response=NoteView, status=201)
def create_note(body: CreateNote) -> NoteView:
    if body.title == "taken":
        raise Conflict("a note with this title exists", field="title")
    return NoteView(title=body.title, count=body.count)


@api.get("/api/v1/notes", access=PUBLIC, query=ListNotes)
def list_notes(query: ListNotes):
    return {"limit": query.limit}


@api.get("/api/v1/notes/{note_id}", access=PUBLIC)
def get_note(note_id: str):
    raise NotFound("no such note")


@api.get("/api/v1/boom", access=PUBLIC)
def boom():
    raise RuntimeError("secret internals: password=hunter2")


@pytest.fixture(scope="module")
def client():
    app = Chalice(app_name="edge-test")
    app.register_middleware(http_middleware, "http")
    app.register_blueprint(api.blueprint)

    @app.route("/raw/boom")
    def raw_boom():
        # a view outside the JsonApi wrapper (as static files and method guards are)
        raise RuntimeError("secret internals of a raw view")

    install_method_guards(app)
    with api_client(app) as test:
        yield test


def post(client, body, content_type="application/json"):
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.http.post("/api/v1/notes", headers={"Content-Type": content_type}, body=raw)


def error_of(response):
    return json.loads(response.body)["error"]


def test_valid_body_is_created(client):
    response = post(client, {"title": "hello", "count": 2})
    assert response.status_code == 201
    assert json.loads(response.body) == {"title": "hello", "count": 2}
    assert response.headers["X-Request-Id"]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (b"{not json", 400, "malformed_json", None),
        (b"", 400, "malformed_json", None),
        (b"[1, 2]", 400, "wrong_type", None),
        ({"title": "hi", "count": "2"}, 400, "wrong_type", "count"),  # strict: a string is not an int
        ({"title": "hi", "count": 2.5}, 400, "wrong_type", "count"),  # never a float for a count
        ({"title": "hi", "count": 2, "tenant_id": "x"}, 400, "unknown_field", "tenant_id"),
        ({"count": 2}, 400, "missing_field", "title"),
        ({"title": "x" * 21, "count": 2}, 400, "too_long", "title"),
        ({"title": "", "count": 2}, 400, "too_short", "title"),
        (
            {"title": "hi", "count": 2, "windows": [{"day": 9, "start": "09:00"}]},
            400,
            "invalid",
            "windows.0.day",
        ),
        ({"title": "taken", "count": 1}, 409, "conflict", "title"),
    ],
)
def test_bad_bodies_get_a_4xx_naming_the_field(client, body, status, code, field):
    response = post(client, body)
    assert response.status_code == status
    error = error_of(response)
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]


def test_every_problem_is_listed_in_details(client):
    error = error_of(post(client, {"title": "x" * 30, "extra": 1}))
    fields = {detail["field"] for detail in error["details"]}
    assert fields == {"title", "count", "extra"}


def test_wrong_media_type_is_415(client):
    response = post(client, "title=hi", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


def test_body_too_large_is_413(client):
    response = post(client, {"title": "hi", "count": 1, "pad": "x" * 300_000})
    assert response.status_code == 413


def test_query_validation(client):
    assert json.loads(client.http.get("/api/v1/notes?limit=5").body) == {"limit": 5}
    response = client.http.get("/api/v1/notes?limit=500")
    assert response.status_code == 400 and error_of(response)["field"] == "limit"
    response = client.http.get("/api/v1/notes?tenant=other")
    assert response.status_code == 400 and error_of(response)["code"] == "unknown_field"


def test_not_found_from_the_domain(client):
    response = client.http.get("/api/v1/notes/abc")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_unknown_route_is_404_in_our_shape(client):
    response = client.http.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    # with an Authorization header API Gateway words it differently; still our 404
    response = client.http.get("/api/v1/nothing-here", headers={"Authorization": "Bearer x"})
    assert response.status_code == 404


def test_wrong_method_is_405_with_allow(client):
    response = client.http.delete("/api/v1/notes")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert response.headers["Allow"] == "GET, HEAD, POST"
    # OPTIONS too, here as in production (where API Gateway passes every method to the function)
    options = client.http.request("OPTIONS", "/api/v1/notes")
    assert options.status_code == 405 and options.headers["Allow"] == "GET, HEAD, POST"
    assert error_of(options)["code"] == "method_not_allowed"
    # a path served by GET alone
    only_get = client.http.request("PUT", "/api/v1/boom")
    assert only_get.status_code == 405 and only_get.headers["Allow"] == "GET, HEAD"


def test_head_is_served_where_get_is_on_the_json_api(client):
    """HEAD answers as GET does (status, headers, the same checks), without the body."""
    head = client.http.request("HEAD", "/api/v1/notes?limit=5")
    get = client.http.get("/api/v1/notes?limit=5")
    assert head.status_code == get.status_code == 200 and not head.body
    assert head.headers["Content-Type"] == get.headers["Content-Type"] == "application/json"
    assert client.http.request("HEAD", "/api/v1/notes?limit=500").status_code == 400
    assert client.http.request("HEAD", "/api/v1/notes/abc").status_code == 404


def test_a_fault_is_a_500_with_a_request_id_and_no_internals(client, caplog):
    response = client.http.get("/api/v1/boom")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "internal_error"
    assert error["request_id"] == response.headers["X-Request-Id"]
    assert "hunter2" not in response.body.decode()
    faults = [record for record in caplog.records if record.exc_info]
    assert faults and faults[0].exc_info[0] is RuntimeError
    # the log lines of this request carry its id (this request's log context, a ContextVar)
    assert logger.thread_safe_get_current_keys()["request_id"] == error["request_id"]


def test_a_fault_outside_the_wrappers_is_our_500_with_the_request_id(client):
    response = client.http.get("/raw/boom")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "internal_error" and error["request_id"] == response.headers["X-Request-Id"]
    assert response.headers["Cache-Control"] == "no-store" and "secret" not in response.body.decode()
