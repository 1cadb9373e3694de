"""The tenant session policy (PROMISES T3): leading keys only in the tenant's partitions, with the
delimiter so that a longer tenant id does not match, no keyless action, under STS's size limit;
and the STS call that uses it (moto, which does not evaluate IAM conditions)."""

import fnmatch
import json

import boto3
import pytest
from moto import mock_aws

from chalicelib.domain.tenancy import TenantId
from chalicelib.security.tenant_policy import (
    KEYLESS_ACTIONS,
    SESSION_POLICY_LIMIT,
    session_policy,
    session_policy_json,
    tenant_credentials,
)

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/deskhire-DeskhireTable-ABC123"


def _allowed_keys(policy):
    allow = next(s for s in policy["Statement"] if s["Effect"] == "Allow")
    return allow["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]


def _matches(patterns, key):
    # IAM StringLike: * any run of characters, ? one character (fnmatch without [] classes)
    return any(fnmatch.fnmatchcase(key, p.replace("[", "[[]")) for p in patterns)


def test_leading_keys_match_the_tenant_and_its_sub_partitions_only():
    patterns = _allowed_keys(session_policy(TenantId("01ABC"), table_arn=TABLE))
    assert _matches(patterns, "T#01ABC")
    assert _matches(patterns, "T#01ABC#AUDIT")
    assert not _matches(patterns, "T#01ABCD")  # a longer tenant id
    assert not _matches(patterns, "T#01ABCD#AUDIT")
    assert not _matches(patterns, "T#01AB")
    assert not _matches(patterns, "A#01ABC")
    assert not _matches(patterns, "SESSION#x")
    assert "T#01ABC*" not in patterns


def test_no_keyless_action_is_allowed_and_scan_is_denied():
    policy = session_policy(TenantId("t1"), table_arn=TABLE)
    allow = next(s for s in policy["Statement"] if s["Effect"] == "Allow")
    deny = next(s for s in policy["Statement"] if s["Effect"] == "Deny")
    assert not set(allow["Action"]) & set(KEYLESS_ACTIONS)
    assert all(not a.endswith("*") for a in allow["Action"])
    assert "dynamodb:Scan" in deny["Action"]
    assert allow["Resource"] == [TABLE, TABLE + "/index/*"]


def test_policy_fits_the_session_policy_limit_for_the_longest_tenant_id():
    document = session_policy_json(TenantId("x" * 64), table_arn=TABLE)
    assert len(document) <= SESSION_POLICY_LIMIT
    json.loads(document)


def test_wildcards_cannot_come_in_through_the_tenant_id():
    for bad in ("t*", "t?", "t#1", ""):
        with pytest.raises(ValueError):
            TenantId(bad)


@mock_aws
def test_tenant_credentials_assume_the_role_with_the_policy(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    iam = boto3.client("iam")
    role = iam.create_role(
        RoleName="deskhire-tenant-access",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]
    sts = boto3.client("sts")
    calls = []
    original = sts.assume_role

    def spy(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    sts.assume_role = spy
    creds = tenant_credentials(TenantId("01ABC"), role_arn=role["Arn"], table_arn=TABLE, sts_client=sts)
    assert creds.access_key_id and creds.secret_access_key and creds.session_token
    assert json.loads(calls[0]["Policy"]) == session_policy(TenantId("01ABC"), table_arn=TABLE)
    assert calls[0]["RoleSessionName"] == "tenant-01ABC"
