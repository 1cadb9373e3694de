"""The REST API folded to one ANY method per path (local/api_template.py): what each path keeps,
and what it refuses to fold (a route that needs its own method in API Gateway)."""

import copy

import pytest
from chalice import Chalice

from chalicelib.web.api import install_method_guards
from local.api_template import ANY, CannotCollapse, collapse


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


def test_each_path_is_one_any_method_to_the_same_integration(small_app):
    definition = swagger_of(small_app)
    operations = len([m for methods in definition["paths"].values() for m in methods])
    assert operations == 14  # every method of each path: served, HEAD or a guard
    folded = collapse(definition)
    assert {path: list(methods) for path, methods in folded["paths"].items()} == {
        "/things": [ANY],
        "/things/{thing_id}": [ANY],
    }
    one = folded["paths"]["/things/{thing_id}"][ANY]
    original = definition["paths"]["/things/{thing_id}"]["get"]
    assert one["x-amazon-apigateway-integration"] == original["x-amazon-apigateway-integration"]
    assert one["parameters"] == [{"name": "thing_id", "in": "path", "required": True, "type": "string"}]
    assert len(str(folded)) * 4 < len(str(definition))


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
