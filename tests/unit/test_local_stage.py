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
