"""Unknown pages and wrong methods on pages (issue 14): a browser gets a page with a way back, an
API client deskhire's JSON error. The function answers both, in production (every path reaches it
through API Gateway's `/{proxy+}`: chalicelib/web/routing.py, tests/unit/test_greedy_routing.py)
and locally (local/gateway.py sends an unknown path to it the same way)."""

import json

import pytest

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.fixture(scope="module")
def client():
    from app import app
    from local.gateway import api_client

    with api_client(app) as test:
        yield test


def test_an_unknown_page_is_a_page_with_a_way_back_for_a_browser(client):
    response = client.http.get("/app/no-such-page", headers={"Accept": BROWSER})
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    html = response.body.decode()
    assert "<h1>Page not found</h1>" in html and 'href="/login">Sign in</a>' in html
    assert 'href="/">Go to deskhire' in html and 'class="skip-link"' in html


def test_an_unknown_path_is_json_for_an_api_client(client):
    for accept in ({}, {"Accept": "application/json"}, {"Accept": "*/*"}):
        response = client.http.get("/app/no-such-page", headers=accept)
        assert response.status_code == 404 and response.headers["Content-Type"] == "application/json"
        assert json.loads(response.body)["error"]["code"] == "not_found"


def test_an_unknown_path_under_api_is_json_even_for_a_browser(client):
    for method in ("GET", "POST", "OPTIONS"):
        response = client.http.request(method, "/api/v1/no-such-thing?page=2", headers={"Accept": BROWSER})
        assert response.status_code == 404 and response.headers["Content-Type"] == "application/json"
        assert json.loads(response.body)["error"] == {
            "code": "not_found",
            "message": "There is no such route.",
            "field": None,
        }


def test_the_404_comes_from_the_function_with_its_headers(client):
    """The middleware ran: the request id, no caching, and on the page the content policy."""
    page = client.http.get("/app/contracts/abc/no-such-tab", headers={"Accept": BROWSER})
    assert page.status_code == 404 and page.headers["X-Request-Id"]
    assert page.headers["Cache-Control"] == "no-store" and "Content-Security-Policy" in page.headers
    api = client.http.request("DELETE", "/no-such-page")
    assert (
        api.status_code == 404 and api.headers["X-Request-Id"] and api.headers["Cache-Control"] == "no-store"
    )


def test_a_wrong_method_on_a_page_is_a_page_for_a_browser_and_json_otherwise(client):
    page = client.http.request("DELETE", "/login", headers={"Accept": BROWSER})
    assert page.status_code == 405 and page.headers["Allow"] == "GET, HEAD, POST"
    assert page.headers["Content-Type"].startswith("text/html")
    assert "This page cannot do that" in page.body.decode()
    opened = client.http.get("/logout", headers={"Accept": BROWSER})
    assert opened.status_code == 405 and "takes a form sent from another page" in opened.body.decode()
    machine = client.http.request("DELETE", "/login")
    assert machine.status_code == 405 and json.loads(machine.body)["error"]["code"] == "method_not_allowed"
    api = client.http.request("DELETE", "/api/v1/me", headers={"Accept": BROWSER})
    assert api.status_code == 405 and api.headers["Content-Type"] == "application/json"
