"""The portal shell: autoescaping on (Jinja2's default is off), the landing page, vendored static
files served with fingerprints and long caching, nothing loaded from another origin (PROMISES S6)."""

import re

import pytest

from chalicelib.web import pages


def test_autoescape_is_on():
    env = pages.environment()
    rendered = env.from_string("<p>{{ name }}</p>").render(name="<script>alert(1)</script>")
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered
    assert env.autoescape is True


def test_every_template_compiles():
    env = pages.environment()
    names = [p.relative_to(pages.TEMPLATES).as_posix() for p in pages.TEMPLATES.glob("*.html")]
    assert names
    for name in names:
        env.get_template(name)


@pytest.fixture(scope="module")
def client():
    from app import app
    from local.gateway import api_client

    with api_client(app) as test:
        yield test


def test_landing_page_renders_with_vendored_assets(client):
    response = client.http.get("/")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    html = response.body.decode()
    assert "deskhire" in html and 'name="viewport"' in html
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert {a.split("?")[0] for a in assets} == {
        "/static/pico.min.css",
        "/static/app.css",
        "/static/htmx.min.js",
        "/static/favicon.svg",
    }
    # nothing from a CDN or any other origin
    assert not re.search(r'(?:href|src)="(?:https?:)?//', html)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    for asset in assets:
        served = client.http.get(asset.split("?")[0])
        assert served.status_code == 200, asset
        assert "immutable" in served.headers["Cache-Control"]
        assert served.headers["ETag"].strip('"') == asset.split("v=")[1]


@pytest.mark.parametrize("name", ["nope.css", "..%2Fapp.py", ".hidden.css", "app.py"])
def test_unknown_static_file_is_404(client, name):
    assert client.http.get(f"/static/{name}").status_code == 404
