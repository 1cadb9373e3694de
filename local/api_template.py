"""Shrink the REST API in the template `chalice package` wrote: one ANY method per path.

Chalice writes one OpenAPI operation per (path, method) it routes, each with its own copy of the
Lambda integration, so the template grows with every route and every 405 guard: at 200 paths it
was 964 KB against CloudFormation's 1 MB. But every operation goes to the same function with the
same proxy integration, and the function routes by method itself (Chalice reads the method from
the event, and deskhire's guards answer the methods a path does not serve with a 405 and `Allow`).
So API Gateway needs one method per path: `x-amazon-apigateway-any-method`, which catches every
HTTP method of the path and passes it through (requestContext.httpMethod is the real one,
resourcePath the path's template, as Chalice expects). Unknown paths still get API Gateway's own
404 (infra/template.yaml). The template then grows with the paths only, about a kilobyte each.

It refuses a path whose operations differ in anything a single method would lose (another
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
# What the merged template may weigh (bytes): CloudFormation takes 1 MB from S3; the budget
# leaves room for the REST API to double (tests/integration/test_packaging.py checks both).
BUDGET_BYTES = 600_000


class CannotCollapse(ValueError):
    pass


def collapse(definition: dict) -> dict:
    """The OpenAPI definition with one ANY operation per path, carrying the path's integration."""
    paths = {}
    for path, operations in definition["paths"].items():
        integrations = {json.dumps(op.get(INTEGRATION), sort_keys=True) for op in operations.values()}
        if len(integrations) != 1:
            raise CannotCollapse(f"{path}: its methods go to different integrations")
        first = next(iter(operations.values()))
        integration = first[INTEGRATION]
        if integration.get("type") != "aws_proxy":
            raise CannotCollapse(f"{path}: not a Lambda proxy integration ({integration.get('type')})")
        if any(op.get("security") for op in operations.values()):
            raise CannotCollapse(f"{path}: an authorizer or API key requirement needs its own method")
        operation = {"responses": {}, INTEGRATION: integration}
        if first.get("parameters"):
            operation["parameters"] = first["parameters"]
        paths[path] = {ANY: operation}
    return {**definition, "paths": paths}


def rewrite(template_path: Path) -> tuple[int, int]:
    """Collapse the REST API of a packaged SAM template in place; (bytes before, bytes after)."""
    before = template_path.read_text()
    template = yaml.safe_load(before)
    api = template["Resources"]["RestAPI"]["Properties"]
    api["DefinitionBody"] = collapse(api["DefinitionBody"])
    after = yaml.safe_dump(template, allow_unicode=True)  # as chalice package writes it
    template_path.write_text(after)
    return len(before.encode()), len(after.encode())


if __name__ == "__main__":
    path = Path(sys.argv[1])
    before, after = rewrite(path)
    print(f"{path}: one ANY method per path, {before // 1000} KB -> {after // 1000} KB")
    if after > BUDGET_BYTES:
        sys.exit(f"{path} is over its budget of {BUDGET_BYTES // 1000} KB")
