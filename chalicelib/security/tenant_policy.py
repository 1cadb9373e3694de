"""Tenant-scoped AWS credentials: the IAM session policy that confines a request to its tenant's
items, and the STS call that obtains credentials with it (AWS SaaS Factory's pattern).

The policy allows item actions only where every leading key is `T#<tenant>` or starts with
`T#<tenant>#`. Never `T#<tenant>*`, which would also match a longer tenant id that begins with
this one. `ForAllValues` is true when a request carries no leading key at all, which is why no
keyless action (Scan above all) may be allowed, and Scan is denied outright besides. The policy
builder is pure and unit-tested, since moto does not evaluate IAM conditions."""

from __future__ import annotations

import json

from chalicelib.domain.tenancy import TenantId

SESSION_POLICY_LIMIT = 2048  # characters, as STS counts a packed inline session policy

ITEM_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
)
KEYLESS_ACTIONS = ("dynamodb:Scan", "dynamodb:PartiQLSelect", "dynamodb:ExportTableToPointInTime")


def session_policy(tenant: TenantId, *, table_arn: str) -> dict:
    if not isinstance(tenant, TenantId):
        raise TypeError("a tenant policy needs a TenantId")
    partition = f"T#{tenant.value}"
    resources = [table_arn, f"{table_arn}/index/*"]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TenantItemsOnly",
                "Effect": "Allow",
                "Action": list(ITEM_ACTIONS),
                "Resource": resources,
                "Condition": {
                    "ForAllValues:StringLike": {"dynamodb:LeadingKeys": [partition, f"{partition}#*"]}
                },
            },
            {
                "Sid": "NoKeylessReads",
                "Effect": "Deny",
                "Action": list(KEYLESS_ACTIONS),
                "Resource": resources,
            },
        ],
    }


def session_policy_json(tenant: TenantId, *, table_arn: str) -> str:
    document = json.dumps(session_policy(tenant, table_arn=table_arn), separators=(",", ":"))
    if len(document) > SESSION_POLICY_LIMIT:
        raise ValueError(f"session policy is {len(document)} characters; STS allows {SESSION_POLICY_LIMIT}")
    return document


def tenant_credentials(
    tenant: TenantId, *, role_arn: str, table_arn: str, sts_client=None, duration_seconds: int = 900
):
    """Assume the tenant-access role with the tenant's session policy; returns a Credentials for
    store.binding. The production issue binds these for every tenant request."""
    from chalicelib.store.binding import Credentials

    if sts_client is None:
        import boto3

        sts_client = boto3.client("sts")
    answer = sts_client.assume_role(
        RoleArn=role_arn,
        RoleSessionName=f"tenant-{tenant.value}"[:64],
        Policy=session_policy_json(tenant, table_arn=table_arn),
        DurationSeconds=duration_seconds,
        Tags=[{"Key": "tenant", "Value": tenant.value}],
    )
    creds = answer["Credentials"]
    return Credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
