"""Settings per stage: required values are named when missing, deployed stages read their secret
from SSM Parameter Store (moto), and only the local stage may run without one."""

from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from chalicelib.settings import Settings, SettingsError


def test_local_stage_runs_with_defaults():
    settings = Settings.from_environ({"DESKHIRE_TABLE": "deskhire"})
    assert settings.stage == "local" and settings.is_local
    assert settings.dynamodb_endpoint is None
    assert settings.secret_key


def test_missing_table_is_named():
    with pytest.raises(SettingsError, match="DESKHIRE_TABLE"):
        Settings.from_environ({})


def test_unknown_stage_is_refused():
    with pytest.raises(SettingsError, match="DESKHIRE_STAGE"):
        Settings.from_environ({"DESKHIRE_STAGE": "staging", "DESKHIRE_TABLE": "t"})


def test_deployed_stage_without_a_secret_fails_loudly():
    with pytest.raises(SettingsError, match="DESKHIRE_SECRET_PARAMETER"):
        Settings.from_environ({"DESKHIRE_STAGE": "prod", "DESKHIRE_TABLE": "t"})


@mock_aws
def test_deployed_stage_reads_its_secret_from_ssm(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    boto3.client("ssm", region_name="us-east-1").put_parameter(
        Name="/deskhire/prod/secret-key", Value="s3cr3t-from-ssm", Type="SecureString"
    )
    settings = Settings.from_environ(
        {
            "DESKHIRE_STAGE": "prod",
            "DESKHIRE_TABLE": "t",
            "DESKHIRE_SECRET_PARAMETER": "/deskhire/prod/secret-key",
        }
    )
    assert settings.secret_key == b"s3cr3t-from-ssm"


def test_a_fixed_clock_is_for_the_local_stage_only():
    local = Settings.from_environ({"DESKHIRE_TABLE": "t", "DESKHIRE_FIXED_CLOCK": "2026-11-25T15:10:00Z"})
    assert local.fixed_clock == datetime(2026, 11, 25, 15, 10, tzinfo=UTC)
    with pytest.raises(SettingsError, match="local stage only"):
        Settings.from_environ(
            {
                "DESKHIRE_STAGE": "prod",
                "DESKHIRE_TABLE": "t",
                "DESKHIRE_SECRET_KEY": "x" * 40,
                "DESKHIRE_FIXED_CLOCK": "2026-11-25T15:10:00Z",
            }
        )
    with pytest.raises(SettingsError, match="offset"):
        Settings.from_environ({"DESKHIRE_TABLE": "t", "DESKHIRE_FIXED_CLOCK": "2026-11-25T15:10:00"})
