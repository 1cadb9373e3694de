"""The table DynamoDB Local runs is the one infra/template.yaml defines, and /api/health says
whether it is reachable."""

import json

import pytest

from chalicelib.store import binding
from local import dynamodb
from local.table import table_properties

pytestmark = pytest.mark.integration


def test_local_table_is_created_from_the_template(ddb):
    described = dynamodb.client(ddb).describe_table(TableName="deskhire")["Table"]
    props = table_properties()
    assert described["KeySchema"] == props["KeySchema"]
    assert {i["IndexName"] for i in described["GlobalSecondaryIndexes"]} == {
        i["IndexName"] for i in props["GlobalSecondaryIndexes"]
    }
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert (
        described["StreamSpecification"]["StreamViewType"] == props["StreamSpecification"]["StreamViewType"]
    )
    ttl = dynamodb.client(ddb).describe_time_to_live(TableName="deskhire")["TimeToLiveDescription"]
    assert ttl["AttributeName"] == props["TimeToLiveSpecification"]["AttributeName"]


def test_template_keeps_production_safeguards():
    props = table_properties()
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["DeletionProtectionEnabled"] is True
    assert props["BillingMode"] == "PAY_PER_REQUEST"


def test_health_when_the_table_answers(client):
    response = client.http.get("/api/health")
    assert response.status_code == 200
    assert json.loads(response.body) == {"status": "ok", "table": "reachable"}


def test_health_when_the_table_does_not_answer(client):
    unreachable = binding.TableBinding(
        table_name="deskhire", region="us-east-1", host=f"http://127.0.0.1:{dynamodb.free_port()}"
    )
    with binding.bound(unreachable):
        response = client.http.get("/api/health")
    assert response.status_code == 503
    assert json.loads(response.body) == {"status": "degraded", "table": "unreachable"}
