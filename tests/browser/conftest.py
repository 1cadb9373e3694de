"""Browser tests: Playwright (Python) driving Debian's chromium against the portal served by
`python -m local.serve` on a free port, backed by the session's DynamoDB Local."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest

from local import dynamodb
from tests.conftest import TEST_NOW

ROOT = Path(__file__).resolve().parents[2]
# The portal under test believes it is this moment (DESKHIRE_FIXED_CLOCK, a local-stage setting):
# a Wednesday, so that last week is locked and in review and the diary's week is open, whatever
# day the suite runs. Tests seed through the API with `deps.clock.now = PORTAL_NOW`.
PORTAL_NOW = datetime.fromisoformat(TEST_NOW)
CHROMIUM = os.environ.get("DESKHIRE_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags chromium keeps calling home, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def portal_port():
    return dynamodb.free_port()


@pytest.fixture(scope="session")
def portal_environment(ddb, portal_port):
    """The portal's environment (all but the emulator's address), from which the emulator is
    configured too: one source for the platform's country, settlement currencies and secrets."""
    return {
        **os.environ,
        **dynamodb.environ_for(ddb),
        "PYTHONUNBUFFERED": "1",
        "DESKHIRE_FIXED_CLOCK": PORTAL_NOW.isoformat(),
        # links Stripe sends the browser back to (return URLs) are built from this
        "DESKHIRE_PUBLIC_URL": f"http://127.0.0.1:{portal_port}",
    }


@pytest.fixture(scope="session")
def portal_stripe(portal_port, portal_environment):
    """The Stripe emulator the portal under test talks to, configured from the portal's own
    settings as `make run` configures it (local/stage.py `emulator_options`: the platform's country
    and settlement currencies, the webhook secrets, card funds pending 2 days as at Stripe), and
    sending its webhooks to the portal."""
    from local.stage import emulator_options
    from local.stripe_emulator import Emulator

    base = f"http://127.0.0.1:{portal_port}"
    emulator = Emulator(
        **emulator_options(portal_environment),
        webhook_url=f"{base}/api/v1/webhooks/stripe",
        connect_webhook_url=f"{base}/api/v1/webhooks/stripe/connect",
        webhook_retry_delays=(0.2, 0.5, 1.0),
    )
    emulator.start(port=0)
    yield emulator
    emulator.stop()


@pytest.fixture(scope="session")
def portal_url(portal_port, portal_environment, portal_stripe):
    port = portal_port
    env = {**portal_environment, "DESKHIRE_STRIPE_API_BASE": portal_stripe.url}
    server = subprocess.Popen(
        [sys.executable, "-m", "local.serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/health", timeout=2).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("the portal did not start") from None
            time.sleep(0.2)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []

    def on_console(message):
        # A page answered with a 4xx on purpose (a wrong password is a 401) is not a problem;
        # a script error or a Content-Security-Policy violation is.
        if message.type == "error" and "the server responded with a status of 4" not in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    """A phone-sized page: agents use the portal on their phones."""
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


AXE = ROOT / "tests" / "browser" / "axe.min.js"


@pytest.fixture(scope="module")
def demo(ddb, app):
    """Demo-like data (tests/browser/demo.py) for the walks over every page, seeded once per
    module through the JSON API on its own hand-moved clock, then left to the portal under test."""
    from chalicelib import composition
    from chalicelib.domain.limits import Limits
    from chalicelib.settings import get_settings
    from local.gateway import api_client
    from tests.browser import demo as demo_data
    from tests.conftest import CapturingMailer, Clock
    from tests.integration.helpers import unique

    deps = composition.Deps(
        settings=get_settings(), mailer=CapturingMailer(), clock=Clock(), limits=Limits.relaxed()
    )
    composition.override_deps(deps)
    try:
        with api_client(app) as client:
            yield demo_data.seed(client, deps, operator_email=unique("ops-") + "@example.com")
    finally:
        composition.override_deps(None)


def sign_in_as(context, portal_url: str, email: str):
    """A page of `context` signed in to the portal as `email` (every test person has STRONG)."""
    from tests.integration.helpers import STRONG

    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(portal_url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(STRONG)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page
