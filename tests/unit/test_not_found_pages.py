"""Unknown pages and wrong methods on pages (issue 14): a browser gets a page with a way back, an
API client deskhire's JSON error; locally (local/gateway.py) and in production (the gateway
response templates in infra/template.yaml, chosen by the Accept header) alike."""

import json
import re

import pytest

from local.gateway import offered_types, template_for

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.fixture(scope="module")
def client():
    from app import app
    from local.gateway import api_client

    with api_client(app) as test:
        yield test


def test_api_gateway_picks_the_template_of_the_first_accepted_type():
    offered = offered_types("MISSING_AUTHENTICATION_TOKEN")
    assert set(offered) == {"application/json", "text/html"}
    assert template_for(BROWSER, offered) == "text/html"
    assert template_for("text/html; charset=utf-8", offered) == "text/html"
    for accept in (None, "", "*/*", "application/json", "application/json, text/html"):
        assert template_for(accept, offered) == "application/json", accept


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


def test_the_gateway_page_says_what_the_portal_page_says():
    """The production 404 page is a copy: its words must not drift from templates/not_found.html."""
    from chalicelib.web import pages
    from local.gateway import gateway_response

    _, gateway = gateway_response("MISSING_AUTHENTICATION_TOKEN", "text/html")
    portal = pages.render("not_found.html", status=404, principal=None, title="Page not found").body

    def words(html: str) -> list[str]:
        main = html.split('<main id="main"')[1].split("</main>")[0]
        return [w for w in re.sub(r"<[^>]+>", " ", main).replace("&#39;", "'").split() if w]

    assert words(gateway.decode()) == words(portal)


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
