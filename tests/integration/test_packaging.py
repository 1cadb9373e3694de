"""`chalice package --merge-template infra/template.yaml` gives a deployable package: the merged
template passes cfn-lint, wires the table into the function, stays within its size budget and API
Gateway's resource quota (every path folded into `/` and `/{proxy+}`: local/api_template.py), and
the zip carries every template and static file (Chalice alone would leave the top-level
templates/ out)."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def package():
    result = subprocess.run(["make", "package"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return ROOT / "dist"


def test_every_template_and_static_file_is_in_the_zip(package):
    with zipfile.ZipFile(package / "deployment.zip") as archive:
        names = set(archive.namelist())
    expected = {
        "templates/" + path.relative_to(ROOT / "templates").as_posix()
        for path in (ROOT / "templates").rglob("*")
        if path.is_file()
    }
    assert {
        "templates/base.html",
        "templates/static/pico.min.css",
        "templates/static/htmx.min.js",
    } <= expected
    assert expected <= names, sorted(expected - names)
    assert {"app.py", "chalicelib/web/pages.py"} <= names
    assert not any(name.startswith(("tests/", "local/", "node_modules/")) for name in names)
    # bytecode ships with the sources: Lambda cannot write it and would compile every cold start
    assert "chalicelib/web/__pycache__/api.cpython-311.pyc" in names
    assert "pydantic/__pycache__/main.cpython-311.pyc" in names


def test_merged_template_is_valid_and_wired(package):
    template = package / "sam.yaml"
    lint = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "cfn-lint"), str(template)], capture_output=True, text=True, timeout=300
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    resources = yaml.safe_load(template.read_text())["Resources"]
    assert resources["DeskhireTable"]["Type"] == "AWS::DynamoDB::Table"
    variables = resources["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert variables["DESKHIRE_TABLE"] == {"Ref": "DeskhireTable"}
    assert variables["DESKHIRE_STAGE"] == "prod"
    gateway = resources["RestAPI"]["Properties"]["GatewayResponses"]
    assert gateway["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "404"
    policy = resources["DeskhireDataPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert "dynamodb:Scan" not in policy["Action"]


def test_scheduled_jobs_fan_out_through_the_queue_with_least_privilege(package):
    resources = yaml.safe_load((package / "sam.yaml").read_text())["Resources"]
    functions = {name for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}
    planners = {
        "CloseClocks",
        "LockWeek",
        "CloseReview",
        "ExpireOffers",
        "PauseIdle",
        "BillWeek",
        "SettlePayouts",
        "Dunning",
        "Reconcile",
        "AdvanceInvoices",
        "SlaCheck",
        "PeerReview",
        "MetricsRollup",
    }
    assert functions == {"APIHandler", "JobWorker", *planners}
    for name in functions:
        variables = resources[name]["Properties"]["Environment"]["Variables"]
        assert variables["DESKHIRE_TABLE"] == {"Ref": "DeskhireTable"}, name
        assert variables["DESKHIRE_JOBS_QUEUE_URL"] == {"Ref": "DeskhireJobsQueue"}, name
        role = resources[name]["Properties"]["Role"]["Fn::GetAtt"][0]
        attached = resources[role]["Properties"]["ManagedPolicyArns"]
        assert {"Ref": "DeskhireDataPolicy"} in attached, role
        # only the planners send, only the worker consumes, the API does neither
        assert ({"Ref": "DeskhireJobsSendPolicy"} in attached) == (name not in ("APIHandler", "JobWorker")), (
            role
        )
        assert ({"Ref": "DeskhireJobsWorkPolicy"} in attached) == (name == "JobWorker"), role
    queue = resources["JobWorker"]["Properties"]["Events"]["JobWorkerSqsEventSource"]["Properties"]["Queue"]
    assert queue["Fn::Sub"].endswith(":deskhire-jobs")
    assert resources["DeskhireJobsQueue"]["Properties"]["QueueName"] == "deskhire-jobs"
    assert resources["DeskhireJobsQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 5
    # a planner runs one at a time, so two schedules firing together cannot plan twice at once
    for name in planners:
        assert resources[name]["Properties"]["ReservedConcurrentExecutions"] == 1, name


def test_the_rest_api_is_two_resources_within_budget_whatever_the_routes(package):
    """API Gateway takes 300 resources per REST API (one per path prefix: the app's routes make
    more) and CloudFormation a template of 1 MB. Folded into `/` and `/{proxy+}`, the REST API has
    two resources and the template no bytes per route, so neither grows with the routes
    (tests/unit/test_api_template.py folds four times the routes into the same definition)."""
    from app import app
    from local.api_template import ANY, BUDGET_BYTES, PROXY, RESOURCE_QUOTA, resources

    text = (package / "sam.yaml").read_text()
    assert len(text.encode()) <= BUDGET_BYTES
    template = yaml.safe_load(text)
    paths = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    assert len(resources(app.routes)) > RESOURCE_QUOTA  # what a resource per prefix would need
    assert resources(paths) == {"/", PROXY}
    assert set(paths) == {"/", PROXY}
    for path, methods in paths.items():
        assert list(methods) == [ANY], path
        integration = methods[ANY]["x-amazon-apigateway-integration"]
        assert integration["type"] == "aws_proxy" and "${APIHandler.Arn}" in integration["uri"]["Fn::Sub"]
    assert paths[PROXY][ANY]["parameters"] == [
        {"name": "proxy", "in": "path", "required": True, "type": "string"}
    ]
    # the function still answers every route: it matches the path itself (chalicelib/web/routing.py)
    assert template["Resources"]["APIHandler"]["Properties"]["Handler"] == "app.app"


def test_the_packaged_function_finds_routes_with_the_zip_alone(package, tmp_path):
    """Lambda's view: only the zip on the path (no site-packages, so Chalice is the zip's
    chalice/app.py, without chalice.local). A `/{proxy+}` event reaches its view; an unknown path
    gets deskhire's 404 from the function."""
    with zipfile.ZipFile(package / "deployment.zip") as archive:
        archive.extractall(tmp_path)
    script = """
import json, sys
import app
def event(path, accept):
    return {"resource": "/{proxy+}", "path": path, "httpMethod": "GET", "headers": {"Accept": accept},
            "multiValueHeaders": {"Accept": [accept]}, "queryStringParameters": None,
            "multiValueQueryStringParameters": None, "pathParameters": {"proxy": path[1:]},
            "stageVariables": None, "body": None, "isBase64Encoded": False,
            "requestContext": {"resourcePath": "/{proxy+}", "httpMethod": "GET", "path": "/prod" + path,
                               "requestId": "r-1", "stage": "prod"}}
answers = [app.app(event(path, accept), None) for path, accept in
           (("/static/app%2Ecss", "text/css"), ("/no/such/page", "text/html"), ("/api/v1/nothing", "*/*"))]
print(json.dumps([[a["statusCode"], a["headers"]["Content-Type"]] for a in answers]))
print(json.dumps(sorted(name for name in sys.modules if name.startswith("chalice."))))
"""
    environment = {
        "DESKHIRE_STAGE": "local",
        "DESKHIRE_TABLE": "deskhire",
        "POWERTOOLS_SERVICE_NAME": "deskhire",
    }
    result = subprocess.run(
        [sys.executable, "-S", "-I", "-c", f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n{script}"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**environment, "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    statuses, modules = (json.loads(line) for line in result.stdout.strip().splitlines()[-2:])
    assert statuses == [
        [200, "text/css; charset=utf-8"],
        [404, "text/html; charset=utf-8"],
        [404, "application/json"],
    ]
    assert "chalice.local" not in modules
