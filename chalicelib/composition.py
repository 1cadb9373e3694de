"""The composition root: the one place that turns settings into adapters, lazily.

Nothing here runs at import time; the first request that needs an adapter builds it, and tests
replace it by binding their own (store.binding.bound) or by overriding `deps`. The settings and
mail modules are imported on first use, so that importing the app (a Lambda cold start) does not
pay for them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from chalicelib.store import binding

if TYPE_CHECKING:
    from chalicelib.domain.limits import Limits
    from chalicelib.mail import Mailer
    from chalicelib.payments.gateway import StripeGateway
    from chalicelib.settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    """What services need from the outside world, passed as one keyword argument."""

    settings: Settings
    mailer: Mailer
    clock: Callable[[], datetime] = utc_now
    # Stripe; its SDK loads on the first call, so requests that never pay never pay for it.
    payments: StripeGateway | None = None
    # Abuse limits (domain/limits.py); None: production's. Tests and a fixed clock relax them.
    limits: Limits | None = None

    def now(self) -> datetime:
        return self.clock()

    @property
    def stripe(self) -> StripeGateway:
        """The payments adapter, for the services that move money. Deps made without one (a bench
        or a test of something else) fail here, by name, not at an attribute of None."""
        if self.payments is None:
            raise RuntimeError("these Deps have no payments adapter (Deps.payments)")
        return self.payments

    @property
    def secret(self) -> bytes:
        return self.settings.secret_key

    def link(self, path: str) -> str:
        return self.settings.public_url + path


_override: Deps | None = None


@functools.cache
def _default_deps() -> Deps:
    from chalicelib.mail import OutboxMailer, SesMailer
    from chalicelib.payments.gateway import StripeGateway
    from chalicelib.settings import get_settings

    settings = get_settings()
    mailer = OutboxMailer() if settings.is_local else SesMailer(settings.mail_sender)
    payments = StripeGateway(settings.stripe_api_key, api_base=settings.stripe_api_base)
    if settings.fixed_clock is not None:
        from chalicelib.domain.limits import Limits

        fixed = settings.fixed_clock
        # A clock that does not run never refills a rate-limit bucket: scale the request rates.
        return Deps(
            settings=settings, mailer=mailer, clock=lambda: fixed, payments=payments, limits=Limits.relaxed()
        )
    return Deps(settings=settings, mailer=mailer, payments=payments)


def deps() -> Deps:
    return _override or _default_deps()


def override_deps(value: Deps | None) -> None:
    """Tests and the demo clock swap the dependencies (a fixed clock, a capturing mailer)."""
    global _override
    _override = value


def table_binding() -> binding.TableBinding:
    from chalicelib.settings import get_settings

    settings = get_settings()
    return binding.TableBinding(
        table_name=settings.table_name, region=settings.region, host=settings.dynamodb_endpoint
    )


def install() -> None:
    binding.configure_lazily(table_binding)
