"""Shared fixtures. Unit tests need none of these; integration tests ask for `ddb` (DynamoDB Local
started once per session, in memory, on a free port, with the table created from
infra/template.yaml) and `client` (chalice's test client over the real app)."""

from __future__ import annotations

import os
import uuid

import pytest
from hypothesis import settings

# The Stripe emulator's fixtures (stripe_emulator, stripe_client, webhook receivers) and the
# billing fixture built on them (`paying`: the app wired to an emulator of its own).
pytest_plugins = ["tests.stripe_support", "tests.integration.billing_helpers"]

# Hypothesis's default deadline (200 ms an example) is a timed test: on a shared 2-core machine an
# example that runs in 20 ms alone can take a second, and the test fails for the machine, not the
# code. The properties are checked without it (make bench measures speed).
settings.register_profile("deskhire", deadline=None)
settings.load_profile("deskhire")

# The app reads its settings on first use; point them at the local stage before anything imports it.
os.environ.setdefault("DESKHIRE_STAGE", "local")
os.environ.setdefault("DESKHIRE_TABLE", "deskhire")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "deskhire")


@pytest.fixture(scope="session")
def ddb():
    """DynamoDB Local for the whole session; yields its port. The store is bound to its table."""
    from chalicelib.store import binding
    from local import dynamodb
    from local.table import ensure_table

    port = dynamodb.free_port()
    process = dynamodb.start(port=port)
    dynamodb.apply_environ(port)
    table = os.environ["DESKHIRE_TABLE"]
    ensure_table(dynamodb.client(port), table)
    binding.configure(
        binding.TableBinding(table_name=table, region="us-east-1", host=f"http://127.0.0.1:{port}")
    )
    try:
        yield port
    finally:
        dynamodb.stop(process)


@pytest.fixture
def fresh_table(ddb):
    """A table of its own for a test that needs to see an empty table; bound for the test."""
    from chalicelib.store import binding
    from local import dynamodb
    from local.table import ensure_table

    name = f"t-{uuid.uuid4().hex[:12]}"
    ensure_table(dynamodb.client(ddb), name)
    with binding.bound(
        binding.TableBinding(table_name=name, region="us-east-1", host=f"http://127.0.0.1:{ddb}")
    ):
        yield name
    dynamodb.client(ddb).delete_table(TableName=name)


@pytest.fixture(scope="session")
def app():
    from app import app as chalice_app

    return chalice_app


@pytest.fixture
def client(app, ddb):
    from local.gateway import api_client

    with api_client(app) as test:
        yield test


class CapturingMailer:
    def __init__(self):
        self.sent = []

    def send(self, mail, *, now):
        self.sent.append(mail)

    def last_to(self, address: str):
        return next(m for m in reversed(self.sent) if m.to == address)


# Where every test's clock starts (a Wednesday), and what the browser tests' portal believes is
# now: tests do not depend on the day the suite runs (fixed dates in test data stay in the future).
TEST_NOW = "2026-11-25T15:10:00+00:00"


class Clock:
    """A clock tests move by hand."""

    def __init__(self, start=None):
        from datetime import datetime

        self.now = start or datetime.fromisoformat(TEST_NOW)

    def __call__(self):
        return self.now

    def advance(self, **delta):
        from datetime import timedelta

        self.now += timedelta(**delta)


@pytest.fixture
def deps(ddb, request, monkeypatch):
    """Service dependencies with a capturing mailer and a hand-moved clock, installed for the test.
    The clock moves only by hand, so rate-limit buckets would never refill: the request rates are
    relaxed (the mail limits keep production's numbers); a limit's own test sets its numbers.
    The buckets are kept in memory (tests/limiter.py) unless the test is marked `dynamodb_limiter`."""
    from chalicelib import composition
    from chalicelib.domain.limits import Limits
    from chalicelib.settings import get_settings

    value = composition.Deps(
        settings=get_settings(), mailer=CapturingMailer(), clock=Clock(), limits=Limits.relaxed()
    )
    if request.node.get_closest_marker("dynamodb_limiter") is None:
        from chalicelib.store import limits as stored_limits
        from tests.limiter import InMemoryBuckets

        # tests/limiter.py says why; the limiter's own tests keep DynamoDB's buckets
        monkeypatch.setattr(stored_limits, "take", InMemoryBuckets().take)
    composition.override_deps(value)
    yield value
    composition.override_deps(None)


# The suite's longest tests (a minute or more each on 2 cores: each walks every route or page, or
# builds the app as `make run` does). They go first: pytest-xdist's worksteal hands out the
# collection in order and balances the rest by stealing, so a long test started last would keep
# one worker busy while the other idles.
LONGEST_FIRST = (
    "tests/integration/test_isolation_probe.py::test_no_route_lets_another_tenant_or_an_agent_reach_business_a",
    "tests/browser/test_accessibility.py::test_every_page_passes_axe_with_no_serious_or_critical_violation",
    "tests/integration/test_portal_foundations.py::test_every_portal_post_redirects_or_says_every_problem",
    "tests/integration/test_make_run.py::",
    "tests/browser/test_phones.py::",
    "tests/integration/test_packaging.py::",
)


def pytest_collection_modifyitems(session, config, items):
    def rank(item) -> int:
        return next(
            (i for i, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)),
            len(LONGEST_FIRST),
        )

    items.sort(key=rank)  # stable: the rest keep their order
