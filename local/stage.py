"""The local stage's environment, built in one place for every local entry point: `make run` (and
the API, scheduler and demo loader it starts), `make job`, `make admin`, the demo loader.

It is the variables of .chalice/config.json's `local` stage, DynamoDB Local's address (from
DESKHIRE_DYNAMODB_PORT, 8001), the Stripe emulator's (from DESKHIRE_STRIPE_PORT, 8002) and the
portal's public address (from DESKHIRE_PORT, 8000). Variables already set win, so the same tools
run against a deployed stage when told to (DESKHIRE_STAGE=dev and that stage's variables); but
the local stage never talks to Stripe itself: its settings refuse a Stripe address that is not
on this machine (chalicelib/settings.py), so a test key cannot reach api.stripe.com by mistake.

The local Stripe emulator is configured here too, from the same settings the app reads
(`emulator_options`): the platform's country and settlement currencies, the webhook secrets, and
card funds pending as at Stripe. `make run`, the browser tests and the billing benchmark all build
their emulator from it, so the app and the emulator cannot disagree about what the platform is."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from local import dynamodb

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PORTS = {"DESKHIRE_PORT": 8000, "DESKHIRE_DYNAMODB_PORT": 8001, "DESKHIRE_STRIPE_PORT": 8002}
# Stripe makes card funds available about 2 days after the charge (its standard US schedule); the
# local emulator keeps them pending as long (DESKHIRE_STRIPE_FUNDS_DELAY, seconds).
FUNDS_DELAY_SECONDS = 2 * 24 * 3600


def port(name: str, environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    value = env.get(name, str(DEFAULT_PORTS[name]))
    if not value.isdigit():
        raise SystemExit(f"{name} must be a port number, not {value!r}")
    return int(value)


def local_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The local stage's variables on top of `environ` (os.environ by default): what is set
    already wins. Another stage's environment is returned as it is."""
    env = dict(os.environ if environ is None else environ)
    if env.get("DESKHIRE_STAGE", "local") != "local":
        return env
    stage = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["local"][
        "environment_variables"
    ]
    for name, value in stage.items():
        env.setdefault(name, value)
    if "DESKHIRE_DYNAMODB_ENDPOINT" not in env:
        for name, value in dynamodb.environ_for(port("DESKHIRE_DYNAMODB_PORT", env)).items():
            env.setdefault(name, value)
    env.setdefault("DESKHIRE_STRIPE_API_BASE", f"http://127.0.0.1:{port('DESKHIRE_STRIPE_PORT', env)}")
    env.setdefault("DESKHIRE_PUBLIC_URL", f"http://127.0.0.1:{port('DESKHIRE_PORT', env)}")
    return env


def apply_local_stage_environment() -> None:
    """For a local entry point that runs in this process (make job, make admin, the scheduler)."""
    for name, value in local_environment().items():
        os.environ.setdefault(name, value)


def funds_delay(environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    value = env.get("DESKHIRE_STRIPE_FUNDS_DELAY", str(FUNDS_DELAY_SECONDS)).strip()
    if not value.isdigit():
        raise SystemExit(f"DESKHIRE_STRIPE_FUNDS_DELAY must be a number of seconds, not {value!r}")
    return int(value)


def emulator_options(environ: Mapping[str, str]) -> dict[str, Any]:
    """The Stripe emulator's keyword arguments (local.stripe_emulator.Emulator) for the local stage
    whose environment is `environ` (local_environment()'s): the platform's country and settlement
    currencies and the webhook secrets are the app's own settings, read by the app's own code, and
    card funds stay pending as at Stripe (funds_delay). The platform's default currency follows its
    country, as at Stripe."""
    from chalicelib.settings import Settings

    settings = Settings.from_environ(dict(environ))
    return {
        "platform_country": settings.platform_country,
        "settlement_currencies": tuple(settings.settlement_currencies),
        "webhook_secret": settings.stripe_webhook_secret,
        "connect_webhook_secret": settings.stripe_connect_webhook_secret,
        "funds_delay": funds_delay(environ),
    }


def emulator_arguments(options: Mapping[str, Any]) -> list[str]:
    """`emulator_options` as the standalone emulator's command line (python -m local.stripe_emulator)."""
    return [
        "--platform-country",
        str(options["platform_country"]),
        "--settlement-currencies",
        ",".join(options["settlement_currencies"]),
        "--webhook-secret",
        str(options["webhook_secret"]),
        "--connect-webhook-secret",
        str(options["connect_webhook_secret"]),
        "--funds-delay",
        str(options["funds_delay"]),
    ]
