"""Create the deskhire table from infra/template.yaml, the one table definition there is.

The CloudFormation resource is translated to CreateTable arguments; properties DynamoDB Local has
no use for (point-in-time recovery, deletion protection, encryption, tags) are left out, and the
TTL setting is applied the way CloudFormation applies it, with UpdateTimeToLive."""

from __future__ import annotations

from pathlib import Path

import yaml

TEMPLATE = Path(__file__).resolve().parent.parent / "infra" / "template.yaml"
TABLE_RESOURCE = "DeskhireTable"


def template(path: Path = TEMPLATE) -> dict:
    return yaml.safe_load(path.read_text())


def table_properties(path: Path = TEMPLATE) -> dict:
    return template(path)["Resources"][TABLE_RESOURCE]["Properties"]


def create_table_arguments(table_name: str, path: Path = TEMPLATE) -> dict:
    props = table_properties(path)
    arguments = {
        "TableName": table_name,
        "BillingMode": props["BillingMode"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "GlobalSecondaryIndexes": props.get("GlobalSecondaryIndexes", []),
    }
    if stream := props.get("StreamSpecification"):
        arguments["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    return arguments


def ensure_table(client, table_name: str, path: Path = TEMPLATE) -> bool:
    """Create the table if it is absent; True when it was created now."""
    existing = client.list_tables().get("TableNames", [])
    if table_name in existing:
        return False
    client.create_table(**create_table_arguments(table_name, path))
    client.get_waiter("table_exists").wait(
        TableName=table_name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50}
    )
    ttl = table_properties(path).get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        client.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
        )
    return True
