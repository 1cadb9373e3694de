"""Fold the REST API `chalice package` wrote into two resources: `/` and `/{proxy+}`.

API Gateway makes a resource of every distinct path prefix (`/api`, `/api/v1`, `/api/v1/openings`,
...) and takes 300 per REST API by default; deskhire's routes made 366 (291 paths), so the API
could not be deployed. Chalice also writes one OpenAPI operation per (path, method), each with its
own copy of the Lambda integration (964 KB at 200 paths, against CloudFormation's 1 MB). But every
operation goes to the same function with the same proxy integration, and the function can route
by itself: so the REST API keeps one ANY method (`x-amazon-apigateway-any-method`, every HTTP
method passed through as sent) on the root and one on the greedy resource `/{proxy+}`, which takes
every other path. The function matches the path against its routes before Chalice dispatches
(chalicelib/web/routing.py), answers a path no route matches with deskhire's 404 and a method a
path does not serve with its 405 guard. The template then stays the same size and the resources
two, whatever the number of routes.

It refuses a definition whose operations differ in anything a single method would lose (another
integration, an authorizer, an API key requirement), so a route that needs its own method in API
Gateway cannot be folded in silently.

    python -m local.api_template dist/sam.yaml"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ANY = "x-amazon-apigateway-any-method"
INTEGRATION = "x-amazon-apigateway-integration"
PROXY = "/{proxy+}"  # chalicelib/web/routing.py's PROXY_RESOURCE
# What the merged template may weigh (bytes): CloudFormation takes 1 MB from S3.
BUDGET_BYTES = 600_000
# API Gateway's default quota of resources per REST API ("Resources per API", adjustable).
RESOURCE_QUOTA = 300


class CannotCollapse(ValueError):
    pass


def collapse(definition: dict) -> dict:
    """The OpenAPI definition with every path folded into one ANY operation on `/` and one on
    `/{proxy+}`, carrying the integration all the operations share."""
    integrations = {}
    for path, operations in definition["paths"].items():
        for method, operation in operations.items():
            integration = operation.get(INTEGRATION) or {}
            if integration.get("type") != "aws_proxy":
                raise CannotCollapse(
                    f"{path} {method}: not a Lambda proxy integration ({integration.get('type')})"
                )
            if operation.get("security"):
                raise CannotCollapse(
                    f"{path} {method}: an authorizer or API key requirement needs its own method"
                )
            integrations.setdefault(json.dumps(integration, sort_keys=True), f"{path} {method}")
    if len(integrations) != 1:
        raise CannotCollapse(f"the paths go to different integrations ({', '.join(integrations.values())})")
    integration = json.loads(next(iter(integrations)))
    greedy = {"name": PROXY[2:-2], "in": "path", "required": True, "type": "string"}
    paths = {
        "/": {ANY: {"responses": {}, INTEGRATION: integration}},
        PROXY: {ANY: {"parameters": [greedy], "responses": {}, INTEGRATION: integration}},
    }
    return {**definition, "paths": paths}


def resources(paths) -> set[str]:
    """The resources API Gateway makes for these paths: each path and every prefix of it, the
    root included."""
    made = {"/"}
    for path in paths:
        parts = path.strip("/").split("/")
        made.update("/" + "/".join(parts[: n + 1]) for n in range(len(parts)) if parts[0])
    return made


def rewrite(template_path: Path) -> tuple[int, int, int, int]:
    """Fold the REST API of a packaged SAM template in place; its bytes and resources, before
    and after."""
    before = template_path.read_text()
    template = yaml.safe_load(before)
    api = template["Resources"]["RestAPI"]["Properties"]
    routed = resources(api["DefinitionBody"]["paths"])
    api["DefinitionBody"] = collapse(api["DefinitionBody"])
    after = yaml.safe_dump(template, allow_unicode=True)  # as chalice package writes it
    template_path.write_text(after)
    folded = resources(api["DefinitionBody"]["paths"])
    return len(before.encode()), len(after.encode()), len(routed), len(folded)


if __name__ == "__main__":
    path = Path(sys.argv[1])
    before, after, routed, folded = rewrite(path)
    print(
        f"{path}: {routed} resources -> {folded} (/ and {PROXY}), {before // 1000} KB -> {after // 1000} KB"
    )
    if after > BUDGET_BYTES:
        sys.exit(f"{path} is over its budget of {BUDGET_BYTES // 1000} KB")
    if folded > RESOURCE_QUOTA:
        sys.exit(f"{path}: {folded} resources, over API Gateway's {RESOURCE_QUOTA} per REST API")
