"""Typed settings, read once from the environment of the Chalice stage.

`.chalice/config.json` sets the variables per stage (local, dev, prod); `make run` and the test
fixtures add the ones that vary per machine (the DynamoDB Local address). Nothing else reads
`os.environ`: logic takes its settings as arguments (cookbook rule: "never read os.environ in logic").
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

Env = Mapping[str, str]

STAGES = ("local", "dev", "prod")


class SettingsError(RuntimeError):
    """A required setting is missing or malformed; raised at first use, with the variable named."""


@dataclass(frozen=True)
class Settings:
    stage: str
    table_name: str
    region: str
    dynamodb_endpoint: str | None
    secret_key: bytes
    public_url: str = "http://127.0.0.1:8000"
    mail_sender: str = "deskhire <no-reply@deskhire.local>"
    log_level: str = "INFO"
    # Deployed stages fan scheduled work out through this SQS queue; locally jobs run inline.
    jobs_queue_url: str | None = None
    # Stripe: the secret API key, where the SDK sends calls (None: Stripe itself; the local stage
    # always the emulator on this machine), and the signing secrets of the two webhook endpoints (platform and Connect).
    stripe_api_key: str = "sk_test_deskhire_local"
    stripe_api_base: str | None = None
    stripe_webhook_secret: str = "whsec_deskhire_local"
    stripe_connect_webhook_secret: str = "whsec_deskhire_local_connect"
    # The publishable key Stripe.js runs with on the card page: not a secret (every browser that
    # opens the page sees it), so a plain variable rather than SSM.
    stripe_publishable_key: str = "pk_test_deskhire_local"
    # Local stage only: the moment the app believes it is (browser tests and demos of a week's
    # timeline, which cannot wait for Monday noon). Never honoured by a deployed stage.
    fixed_clock: datetime | None = None
    # Where the platform's Stripe account is (ISO 3166 country): agents outside its region are
    # onboarded on the recipient service agreement, which cross-border payouts need.
    platform_country: str = "US"
    # The currencies the platform's Stripe balance settles in: a charge in another currency lands
    # converted, and a transfer funded by it would have to be in the converted currency, so
    # businesses are billed only in these (docs/billing.md "Currencies").
    settlement_currencies: tuple[str, ...] = ("usd",)
    # Support replies go out with Reply-To `reply+<signed token>@<this domain>`; its MX (an SES
    # receipt rule, or a mail provider) posts what arrives to a business's inbound-mail webhook.
    inbound_mail_domain: str = "reply.deskhire.local"

    @property
    def is_local(self) -> bool:
        return self.stage == "local"

    @classmethod
    def from_environ(cls, environ: Env | None = None) -> Settings:
        env = os.environ if environ is None else environ
        stage = env.get("DESKHIRE_STAGE", "local")
        if stage not in STAGES:
            raise SettingsError(f"DESKHIRE_STAGE must be one of {', '.join(STAGES)}, not {stage!r}")
        return cls(
            stage=stage,
            table_name=_required(env, "DESKHIRE_TABLE"),
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            dynamodb_endpoint=env.get("DESKHIRE_DYNAMODB_ENDPOINT") or None,
            secret_key=_secret_key(env, stage),
            # Links in mail are built from this, never from a request's Host header (which an
            # attacker could set to their own site in a password-reset request).
            public_url=env.get("DESKHIRE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            mail_sender=env.get("DESKHIRE_MAIL_SENDER", "deskhire <no-reply@deskhire.local>"),
            log_level=env.get("DESKHIRE_LOG_LEVEL", "INFO"),
            jobs_queue_url=env.get("DESKHIRE_JOBS_QUEUE_URL") or None,
            fixed_clock=_fixed_clock(env, stage),
            stripe_api_key=_stripe_secret(env, stage, "DESKHIRE_STRIPE_API_KEY", "sk_test_deskhire_local"),
            stripe_api_base=_stripe_base(env, stage),
            stripe_webhook_secret=_stripe_secret(
                env, stage, "DESKHIRE_STRIPE_WEBHOOK_SECRET", "whsec_deskhire_local"
            ),
            stripe_connect_webhook_secret=_stripe_secret(
                env, stage, "DESKHIRE_STRIPE_CONNECT_WEBHOOK_SECRET", "whsec_deskhire_local_connect"
            ),
            platform_country=_country(env),
            settlement_currencies=_currencies(env),
            inbound_mail_domain=_inbound_domain(env),
            stripe_publishable_key=env.get("DESKHIRE_STRIPE_PUBLISHABLE_KEY", "").strip()
            or ("pk_test_deskhire_local" if stage == "local" else ""),
        )


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _inbound_domain(env: Env) -> str:
    return (env.get("DESKHIRE_INBOUND_MAIL_DOMAIN") or "reply.deskhire.local").strip().lower()


def _stripe_base(env: Env, stage: str) -> str | None:
    """Where the SDK sends calls: Stripe itself in deployed stages (None); in the local stage always
    the emulator on this machine (DESKHIRE_STRIPE_PORT, 8002, unless an address is given), never a
    Stripe address: a local key must not reach Stripe's API, whatever the shell has set."""
    from urllib.parse import urlsplit

    value = (env.get("DESKHIRE_STRIPE_API_BASE") or "").strip().rstrip("/") or None
    if stage != "local":
        return value
    if value is None:
        return f"http://127.0.0.1:{env.get('DESKHIRE_STRIPE_PORT') or 8002}"
    if urlsplit(value).hostname not in LOOPBACK_HOSTS:
        raise SettingsError(
            "the local stage talks to the local Stripe emulator only: DESKHIRE_STRIPE_API_BASE must be "
            f"an address on this machine (http://127.0.0.1:<port>), not {value!r}"
        )
    return value


def _country(env: Env) -> str:
    value = env.get("DESKHIRE_PLATFORM_COUNTRY", "US").strip().upper()
    if len(value) != 2 or not value.isalpha():
        raise SettingsError(f"DESKHIRE_PLATFORM_COUNTRY must be a two-letter country code, not {value!r}")
    return value


def _currencies(env: Env) -> tuple[str, ...]:
    from chalicelib.domain.currencies import CURRENCY_EXPONENTS

    names = [c.strip().lower() for c in env.get("DESKHIRE_SETTLEMENT_CURRENCIES", "usd").split(",")]
    found = tuple(dict.fromkeys(c for c in names if c))
    unknown = [c for c in found if c not in CURRENCY_EXPONENTS]
    if not found or unknown:
        raise SettingsError(
            "DESKHIRE_SETTLEMENT_CURRENCIES must list currencies deskhire bills in "
            f"({', '.join(sorted(CURRENCY_EXPONENTS))}), comma-separated, not {env.get('DESKHIRE_SETTLEMENT_CURRENCIES')!r}"
        )
    return found


def _stripe_secret(env: Env, stage: str, name: str, local_default: str) -> str:
    """A Stripe secret from the environment, or from SSM (`<name>_PARAMETER`) in deployed stages;
    the local stage may use its test defaults (the emulator accepts them)."""
    if value := env.get(name):
        return value
    if parameter := env.get(f"{name}_PARAMETER"):
        return read_secure_parameter(parameter)
    if stage == "local":
        return local_default
    raise SettingsError(f"{name}_PARAMETER (an SSM SecureString name) is not set")


def _fixed_clock(env: Env, stage: str) -> datetime | None:
    value = env.get("DESKHIRE_FIXED_CLOCK", "").strip()
    if not value:
        return None
    if stage != "local":
        raise SettingsError("DESKHIRE_FIXED_CLOCK is for the local stage only")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SettingsError(f"DESKHIRE_FIXED_CLOCK must be an RFC 3339 time, not {value!r}") from None
    if moment.tzinfo is None:
        raise SettingsError("DESKHIRE_FIXED_CLOCK must carry a UTC offset")
    return moment


def _required(env: Env, name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"{name} is not set")
    return value


# The local stage may run without a configured secret so that `make run` works on a fresh clone;
# deployed stages must fetch theirs from SSM Parameter Store, never fall back to a known value.
_LOCAL_SECRET = b"deskhire-local-development-secret-not-for-deployment"


def _secret_key(env: Env, stage: str) -> bytes:
    if value := env.get("DESKHIRE_SECRET_KEY"):
        return value.encode()
    if parameter := env.get("DESKHIRE_SECRET_PARAMETER"):
        return read_secure_parameter(parameter).encode()
    if stage == "local":
        return _LOCAL_SECRET
    raise SettingsError("DESKHIRE_SECRET_PARAMETER (an SSM SecureString name) is not set")


def read_secure_parameter(name: str) -> str:
    """Read a SecureString from SSM Parameter Store (production secrets live there)."""
    import boto3  # imported here: only deployed stages pay for it, once per container

    response = boto3.client("ssm").get_parameter(Name=name, WithDecryption=True)
    return response["Parameter"]["Value"]


@functools.cache
def get_settings() -> Settings:
    return Settings.from_environ()
