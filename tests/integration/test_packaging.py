"""`chalice package --merge-template infra/template.yaml` gives a deployable package: the merged
template passes cfn-lint, wires the table into the function, stays within its size budget (one
ANY method per path: local/api_template.py), and the zip carries every template and static file
(Chalice alone would leave the top-level templates/ out)."""

import subprocess
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


def test_the_template_keeps_within_its_budget_with_room_for_twice_the_routes(package):
    """CloudFormation takes a template of at most 1 MB; Chalice's one operation per method and
    guard made 964 KB at 200 paths. Folded to one ANY method per path, the template and a second
    REST API as large as today's together stay within the budget."""
    from app import app
    from local.api_template import ANY, BUDGET_BYTES

    text = (package / "sam.yaml").read_text()
    template = yaml.safe_load(text)
    api = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    paths = api.pop("paths")
    without_routes = len(yaml.safe_dump(template, allow_unicode=True).encode())
    size = len(text.encode())
    routes_share = size - without_routes
    assert size + routes_share <= BUDGET_BYTES, f"{size} bytes, {routes_share} of them for {len(paths)} paths"
    # every path the app routes reaches the function, through one catch-all method
    assert set(paths) == set(app.routes)
    for path, methods in paths.items():
        assert list(methods) == [ANY], path
        integration = methods[ANY]["x-amazon-apigateway-integration"]
        assert integration["type"] == "aws_proxy" and "${APIHandler.Arn}" in integration["uri"]["Fn::Sub"]
