"""Every path reaches the function through API Gateway's greedy resource, and the function finds
the route itself (chalicelib/web/routing.py): REST API proxy events for `/{proxy+}` (and `/`), in
the shape API Gateway sends them (docs.aws.amazon.com/apigateway, "Input format of a Lambda
function for proxy integration"), handed to the app as Lambda hands them (`app.app(event, context)`).
The path arrives percent-encoded, the `proxy` parameter decoded."""

import json
from urllib.parse import unquote

import pytest
from chalice.app import Response
from chalice.local import RouteMatcher

from chalicelib.web.routing import PROXY_RESOURCE, Routes, routed

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
TIMESHEET = "/api/v1/contracts/{contract_id}/timesheets/{week}"


def gateway_event(
    method: str,
    path: str,
    *,
    query: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    body: str | None = None,
    resource: str = PROXY_RESOURCE,
) -> dict:
    headers = {
        "Host": "abc123.execute-api.us-east-1.amazonaws.com",
        "Accept": "application/json",
        **(headers or {}),
    }
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": {name: values[-1] for name, values in query.items()} if query else None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": {"proxy": unquote(path[1:])} if resource == PROXY_RESOURCE else None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "a1b2c3",
            "resourcePath": resource,
            "httpMethod": method,
            "extendedRequestId": "Hc1ZbFd0IAMFvCw=",
            "requestTime": "27/Nov/2026:10:15:30 +0000",
            "path": "/prod" + path,
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": "prod",
            "domainPrefix": "abc123",
            "requestTimeEpoch": 1795774530000,
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "curl/8.5.0"},
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "apiId": "abc123",
        },
        "body": body,
        "isBase64Encoded": False,
    }


@pytest.fixture(scope="module")
def app():
    from app import app

    return app


@pytest.fixture
def seen(app, monkeypatch):
    """What the timesheet view was called with, in place of the view (it would read the table)."""
    calls = []

    def view(**params):
        request = app.current_request
        calls.append(
            {
                "params": params,
                "route": request.path,
                "uri_params": request.uri_params,
                "query": dict(request.query_params or {}),
            }
        )
        return Response(body={"ok": True}, status_code=200)

    monkeypatch.setattr(app.routes[TIMESHEET]["GET"], "view_function", view)
    return calls


def test_a_greedy_path_reaches_its_view_with_its_parameters_and_query(app, seen):
    event = gateway_event(
        "GET", "/api/v1/contracts/abc/timesheets/2026-W48", query={"tz": ["Europe/Lisbon"], "x": ["1", "2"]}
    )
    answer = app(event, None)
    assert answer["statusCode"] == 200 and json.loads(answer["body"]) == {"ok": True}
    assert seen == [
        {
            "params": {"contract_id": "abc", "week": "2026-W48"},
            "route": TIMESHEET,
            "uri_params": {"contract_id": "abc", "week": "2026-W48"},
            "query": {"tz": "Europe/Lisbon", "x": "2"},
        }
    ]
    # the middleware ran: the answer carries API Gateway's id for the request
    assert answer["headers"]["X-Request-Id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def test_parameters_are_url_decoded_as_api_gateway_presents_them(app, seen):
    # an encoded slash stays in its segment; '+' is a plus in a path, not a space
    app(gateway_event("GET", "/api/v1/contracts/ab%20c%2Fd+e%C3%A9/timesheets/2026%2DW48"), None)
    assert seen[-1]["params"] == {"contract_id": "ab c/d+eé", "week": "2026-W48"}
    # one trailing slash is dropped, as API Gateway does
    app(gateway_event("GET", "/api/v1/contracts/abc/timesheets/2026-W48/"), None)
    assert seen[-1]["params"] == {"contract_id": "abc", "week": "2026-W48"}


def test_a_real_view_answers_through_the_greedy_resource(app):
    answer = app(gateway_event("GET", "/static/app%2Ecss", headers={"Accept": "text/css,*/*;q=0.1"}), None)
    assert answer["statusCode"] == 200 and answer["headers"]["Content-Type"].startswith("text/css")
    # the root has its own resource, `/`, with no parameters: the home page
    root = app(gateway_event("GET", "/", resource="/", headers={"Accept": BROWSER}), None)
    assert root["statusCode"] == 200 and "<h1>Customer support by the hour" in root["body"]
    head = app(gateway_event("HEAD", "/", resource="/", headers={"Accept": BROWSER}), None)
    assert head["statusCode"] == 200 and head["body"] == ""


def test_a_wrong_method_keeps_its_405_and_allow(app, seen):
    answer = app(gateway_event("DELETE", "/api/v1/contracts/abc/timesheets/2026-W48"), None)
    assert answer["statusCode"] == 405 and answer["headers"]["Allow"] == "GET, HEAD"
    assert json.loads(answer["body"])["error"]["code"] == "method_not_allowed"
    page = app(gateway_event("DELETE", "/login", headers={"Accept": BROWSER}), None)
    assert page["statusCode"] == 405 and page["headers"]["Allow"] == "GET, HEAD, POST"
    assert "This page cannot do that" in page["body"]
    assert seen == []


def test_an_unknown_path_is_deskhires_404(app, seen):
    for method in ("GET", "POST", "OPTIONS"):
        api = app(gateway_event(method, "/api/v1/contracts/abc/timesheet", headers={"Accept": BROWSER}), None)
        assert api["statusCode"] == 404 and api["headers"]["Content-Type"] == "application/json"
        assert json.loads(api["body"])["error"]["code"] == "not_found"
    page = app(gateway_event("GET", "/app/no%20such/page", headers={"Accept": BROWSER}), None)
    assert page["statusCode"] == 404 and page["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Page not found</h1>" in page["body"] and 'href="/">Go to deskhire' in page["body"]
    assert page["headers"]["X-Request-Id"] and "Content-Security-Policy" in page["headers"]
    machine = app(gateway_event("GET", "/app/no-such-page"), None)
    assert machine["statusCode"] == 404 and json.loads(machine["body"])["error"]["code"] == "not_found"
    # an empty segment fills no parameter: no view is called with an empty id
    empty = app(gateway_event("GET", "/api/v1/contracts//timesheets/2026-W48"), None)
    assert empty["statusCode"] == 404
    assert seen == []


def test_an_event_that_names_its_route_is_left_as_it_came(app):
    """`chalice local`, the test client and a resource of its own send the route's template."""
    event = gateway_event("GET", "/api/v1/contracts/abc/timesheets/2026-W48", resource=TIMESHEET)
    assert routed(event, Routes(app.routes)) is event
    local = {k: v for k, v in event.items() if k not in ("resource", "path")}
    assert routed(local, Routes(app.routes)) is local


def concrete(template: str) -> str:
    """A path of the template, each parameter filled with a value no fixed segment has."""
    return "/".join(f"v-{part[1:-1]}" if part.startswith("{") else part for part in template.split("/"))


def test_every_route_is_found_as_chalice_local_finds_it(app):
    """Chalice's own matcher (chalice.local, not in the Lambda zip) and the function's agree on
    every route of the app, a fixed segment before a parameter."""
    chalice_local, function = RouteMatcher(list(app.routes)), Routes(app.routes)
    assert len(app.routes) > 250
    for template in app.routes:
        path = concrete(template)
        expected = chalice_local.match_route(path)
        match = function.match(path)
        assert match is not None and match.template == expected.route == template, path
        names = [part[1:-1] for part in template.split("/") if part.startswith("{")]
        assert match.params == {name: f"v-{name}" for name in names}
        # (RouteMatcher keeps what it captured for routes it tried before: a superset)
        assert match.params.items() <= expected.captured.items()
    # a fixed segment wins over a parameter at the same place, as in API Gateway's own tree
    both = Routes(["/things/{thing_id}", "/things/new", "/things/{thing_id}/notes"])
    assert both.match("/things/new") == ("/things/new", {})
    assert both.match("/things/new/notes") == ("/things/{thing_id}/notes", {"thing_id": "new"})
    assert both.match("/things") is None and both.match("/things/a/b") is None
