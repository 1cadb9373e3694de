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
    ssm = boto3.client("ssm", region_name="us-east-1")
    for name, value in (
        ("secret-key", "s3cr3t-from-ssm"),
        ("stripe-api-key", "sk_live_from_ssm"),
        ("stripe-webhook-secret", "whsec_platform"),
        ("stripe-connect-webhook-secret", "whsec_connect"),
    ):
        ssm.put_parameter(Name=f"/deskhire/prod/{name}", Value=value, Type="SecureString")
    settings = Settings.from_environ(
        {
            "DESKHIRE_STAGE": "prod",
            "DESKHIRE_TABLE": "t",
            "DESKHIRE_SECRET_PARAMETER": "/deskhire/prod/secret-key",
            "DESKHIRE_STRIPE_API_KEY_PARAMETER": "/deskhire/prod/stripe-api-key",
            "DESKHIRE_STRIPE_WEBHOOK_SECRET_PARAMETER": "/deskhire/prod/stripe-webhook-secret",
            "DESKHIRE_STRIPE_CONNECT_WEBHOOK_SECRET_PARAMETER": "/deskhire/prod/stripe-connect-webhook-secret",
        }
    )
    assert settings.secret_key == b"s3cr3t-from-ssm"
    assert settings.stripe_api_key == "sk_live_from_ssm" and settings.stripe_api_base is None
    assert (settings.stripe_webhook_secret, settings.stripe_connect_webhook_secret) == (
        "whsec_platform",
        "whsec_connect",
    )


def test_a_deployed_stage_without_stripe_keys_fails_loudly():
    with pytest.raises(SettingsError, match="DESKHIRE_STRIPE_API_KEY_PARAMETER"):
        Settings.from_environ(
            {"DESKHIRE_STAGE": "prod", "DESKHIRE_TABLE": "t", "DESKHIRE_SECRET_KEY": "x" * 40}
        )


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


def test_the_local_stage_talks_to_the_local_stripe_emulator_only():
    """make job, make run, the scheduler: a local entry point never reaches Stripe's own API with
    the local test key, whatever the shell has set."""
    settings = Settings.from_environ({"DESKHIRE_TABLE": "t"})
    assert settings.stripe_api_base == "http://127.0.0.1:8002"
    moved = Settings.from_environ({"DESKHIRE_TABLE": "t", "DESKHIRE_STRIPE_PORT": "9102"})
    assert moved.stripe_api_base == "http://127.0.0.1:9102"
    for address in ("https://api.stripe.com", "http://10.0.0.5:8002", "https://example.com/v1"):
        with pytest.raises(SettingsError, match="DESKHIRE_STRIPE_API_BASE"):
            Settings.from_environ({"DESKHIRE_TABLE": "t", "DESKHIRE_STRIPE_API_BASE": address})


def test_the_platforms_country_and_settlement_currencies():
    settings = Settings.from_environ({"DESKHIRE_TABLE": "t"})
    assert settings.platform_country == "US" and settings.settlement_currencies == ("usd",)
    both = Settings.from_environ(
        {
            "DESKHIRE_TABLE": "t",
            "DESKHIRE_PLATFORM_COUNTRY": "ie",
            "DESKHIRE_SETTLEMENT_CURRENCIES": "eur, usd",
        }
    )
    assert both.platform_country == "IE" and both.settlement_currencies == ("eur", "usd")
    with pytest.raises(SettingsError, match="DESKHIRE_SETTLEMENT_CURRENCIES"):
        Settings.from_environ({"DESKHIRE_TABLE": "t", "DESKHIRE_SETTLEMENT_CURRENCIES": "xyz"})
    with pytest.raises(SettingsError, match="DESKHIRE_PLATFORM_COUNTRY"):
        Settings.from_environ({"DESKHIRE_TABLE": "t", "DESKHIRE_PLATFORM_COUNTRY": "USA"})
