"""The REST API folded into `/` and `/{proxy+}` (local/api_template.py): two resources and one
integration whatever the number of routes, and what it refuses to fold (a route that needs its own
method in API Gateway)."""

import copy

import pytest
from chalice import Chalice

from chalicelib.web.api import install_method_guards
from local.api_template import ANY, PROXY, CannotCollapse, collapse, resources


def swagger_of(app):
    from chalice.deploy.swagger import CFNSwaggerGenerator

    return CFNSwaggerGenerator().generate_swagger(app)


@pytest.fixture
def small_app():
    app = Chalice(app_name="fold-test")

    @app.route("/things", methods=["GET", "POST"])
    def things():
        return {}

    @app.route("/things/{thing_id}", methods=["GET", "DELETE"])
    def thing(thing_id):
        return {}

    install_method_guards(app)
    return app


def test_every_path_folds_into_the_root_and_the_greedy_resource(small_app):
    definition = swagger_of(small_app)
    operations = len([m for methods in definition["paths"].values() for m in methods])
    assert operations == 14  # every method of each path: served, HEAD or a guard
    assert resources(definition["paths"]) == {"/", "/things", "/things/{thing_id}"}
    folded = collapse(definition)
    assert {path: list(methods) for path, methods in folded["paths"].items()} == {"/": [ANY], PROXY: [ANY]}
    assert resources(folded["paths"]) == {"/", PROXY}
    original = definition["paths"]["/things/{thing_id}"]["get"]["x-amazon-apigateway-integration"]
    assert original["type"] == "aws_proxy"
    for methods in folded["paths"].values():
        assert methods[ANY]["x-amazon-apigateway-integration"] == original
    greedy = [{"name": "proxy", "in": "path", "required": True, "type": "string"}]
    assert folded["paths"][PROXY][ANY]["parameters"] == greedy
    assert "parameters" not in folded["paths"]["/"][ANY]


def test_the_folded_api_is_the_same_whatever_the_number_of_routes():
    """Four times the routes fold into the same two resources and the same bytes."""
    from app import app

    definition = swagger_of(app)
    assert len(resources(definition["paths"])) > 300  # API Gateway's default quota per REST API
    folded = collapse(definition)
    assert resources(folded["paths"]) == {"/", PROXY}
    more = copy.deepcopy(definition)
    for n in range(3):
        for path, methods in definition["paths"].items():
            more["paths"][f"/v{n}{path}"] = copy.deepcopy(methods)
    assert collapse(more) == folded


def test_a_path_that_needs_its_own_methods_is_not_folded(small_app):
    definition = swagger_of(small_app)
    other = copy.deepcopy(definition)
    other["paths"]["/things"]["post"]["x-amazon-apigateway-integration"]["uri"] = "arn:other"
    with pytest.raises(CannotCollapse, match="different integrations"):
        collapse(other)
    guarded = copy.deepcopy(definition)
    guarded["paths"]["/things"]["post"]["security"] = [{"api_key": []}]
    with pytest.raises(CannotCollapse, match="authorizer or API key"):
        collapse(guarded)
    mocked = copy.deepcopy(definition)
    mocked["paths"]["/things"]["options"]["x-amazon-apigateway-integration"] = {"type": "mock"}
    with pytest.raises(CannotCollapse, match="not a Lambda proxy integration"):
        collapse(mocked)
