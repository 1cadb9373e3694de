"""Every local entry point builds its environment in one place (local/stage.py), and none of them
can reach a Stripe address that is not on this machine (issue 11: `make job` once sent the local
test key to Stripe's own API, as only `make run` pointed the SDK at the emulator)."""

import ast
from pathlib import Path

import pytest

from chalicelib.settings import Settings, SettingsError
from local.stage import local_environment

ROOT = Path(__file__).resolve().parents[2]
# The local programs a person runs (make run, make job, make admin) and those make run starts.
ENTRY_POINTS = ("run", "jobs", "admin", "scheduler", "serve", "demo_load")
SHELL = {"PATH": "/usr/bin", "HOME": "/root"}  # a developer's shell: no deskhire variables


def test_the_local_environment_points_stripe_at_the_emulator():
    env = local_environment(SHELL)
    assert env["DESKHIRE_STAGE"] == "local" and env["DESKHIRE_STRIPE_API_BASE"] == "http://127.0.0.1:8002"
    assert Settings.from_environ(env).stripe_api_base == "http://127.0.0.1:8002"
    moved = local_environment({**SHELL, "DESKHIRE_STRIPE_PORT": "9302", "DESKHIRE_DYNAMODB_PORT": "9301"})
    assert moved["DESKHIRE_STRIPE_API_BASE"] == "http://127.0.0.1:9302"
    assert moved["DESKHIRE_DYNAMODB_ENDPOINT"] == "http://127.0.0.1:9301"


@pytest.mark.parametrize(
    "address", ["https://api.stripe.com", "https://api.stripe.com/", "http://stripe.example"]
)
def test_a_local_stage_refuses_a_stripe_address_elsewhere(address):
    env = local_environment({**SHELL, "DESKHIRE_STRIPE_API_BASE": address})
    with pytest.raises(SettingsError, match="DESKHIRE_STRIPE_API_BASE"):
        Settings.from_environ(env)


def test_another_stage_is_left_as_it_is():
    env = local_environment({**SHELL, "DESKHIRE_STAGE": "dev"})
    assert "DESKHIRE_STRIPE_API_BASE" not in env and "DESKHIRE_TABLE" not in env


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_every_local_entry_point_takes_the_one_local_environment(name):
    """Each builds its environment through local/stage.py (and so through the settings' check);
    none sets a Stripe address of its own."""
    source = (ROOT / "local" / f"{name}.py").read_text()
    tree = ast.parse(source)
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "local.stage"
        for alias in node.names
    }
    if name == "serve":  # make run starts it with the environment it built (local_environment)
        run = (ROOT / "local" / "run.py").read_text()
        assert '"local.serve"' in run and "local_environment()" in run
        return
    assert imported & {"apply_local_stage_environment", "local_environment"}, name
    assert "DESKHIRE_STRIPE_API_BASE" not in source or name == "run", name


def test_the_emulator_is_configured_from_the_apps_own_settings():
    """`make run`, the browser tests and the billing bench build their Stripe emulator from
    local/stage.py's `emulator_options`: the platform's country and settlement currencies and the
    webhook secrets are the app's settings, so the app and the emulator cannot disagree; card
    funds stay pending 2 days, as at Stripe."""
    from local.stage import FUNDS_DELAY_SECONDS, emulator_arguments, emulator_options
    from local.stripe_emulator import Emulator
    from local.stripe_emulator.__main__ import options

    env = local_environment(
        {
            **SHELL,
            "DESKHIRE_PLATFORM_COUNTRY": "gb",
            "DESKHIRE_SETTLEMENT_CURRENCIES": "gbp,eur",
            "DESKHIRE_STRIPE_WEBHOOK_SECRET": "whsec_platform_here",
        }
    )
    settings = Settings.from_environ(env)
    # as make run passes them, read back by the emulator's own command line
    chosen = options(emulator_arguments(emulator_options(env)))
    chosen.pop("port")
    emulator = Emulator(**chosen)
    assert emulator.platform_country == settings.platform_country == "GB"
    assert emulator.platform_currency == "gbp"
    assert emulator.settlement_currencies == set(settings.settlement_currencies) == {"gbp", "eur"}
    assert emulator.webhook_secret == settings.stripe_webhook_secret == "whsec_platform_here"
    assert emulator.connect_webhook_secret == settings.stripe_connect_webhook_secret
    assert emulator.funds_delay == FUNDS_DELAY_SECONDS == 2 * 24 * 3600
    # the defaults: a US platform settling in USD
    plain = Emulator(**emulator_options(local_environment(SHELL)))
    assert (plain.platform_country, plain.platform_currency, plain.settlement_currencies) == (
        "US",
        "usd",
        {"usd"},
    )
    assert Emulator(**emulator_options({**env, "DESKHIRE_STRIPE_FUNDS_DELAY": "0"})).funds_delay == 0
    with pytest.raises(SystemExit, match="DESKHIRE_STRIPE_FUNDS_DELAY"):
        emulator_options({**env, "DESKHIRE_STRIPE_FUNDS_DELAY": "two days"})


@pytest.mark.parametrize("path", ["local/run.py", "tests/browser/conftest.py", "bench/billing.py"])
def test_every_local_emulator_takes_its_platform_from_the_one_place(path):
    """None of them names the platform's country, its currencies, the webhook secrets or the funds
    delay itself: they come from local/stage.py (the app's settings)."""
    source = (ROOT / path).read_text()
    assert "emulator_options(" in source, path
    for own in ("--platform-country", "--settlement-currencies", "--funds-delay", "platform_country="):
        assert own not in source, f"{path} sets {own} itself"
