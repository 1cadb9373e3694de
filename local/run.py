"""`make run`: DynamoDB Local (data kept under .data/), the table, the Stripe emulator (its state
in .data/stripe.json), the API and portal, and the scheduler that fires the scheduled jobs on
their cron rules.

Ports come from DESKHIRE_PORT (8000), DESKHIRE_DYNAMODB_PORT (8001) and DESKHIRE_STRIPE_PORT
(8002); every child gets the local stage's environment from local/stage.py, the one place that
builds it (so `make job` and `make admin` reach the same table and the same emulator). The
emulator is configured there too (local/stage.py `emulator_options`), from the app's own settings:
the platform's country (DESKHIRE_PLATFORM_COUNTRY) and settlement currencies
(DESKHIRE_SETTLEMENT_CURRENCIES), the webhook secrets, and card funds pending for
DESKHIRE_STRIPE_FUNDS_DELAY seconds (2 days, as Stripe's standard schedule in the US), so refunds
and reversals soon after a transfer meet pending funds as they would on Stripe. Ctrl-C or SIGTERM stops every child, however many times it comes (a second one
while stopping is ignored, not a reason to leave a child behind); a second run finds the data of
the first."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from local import dynamodb
from local.demo import DEMO_PASSWORD, LOGINS
from local.stage import emulator_arguments, emulator_options, funds_delay, local_environment, port
from local.table import ensure_table

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("DESKHIRE_DATA_DIR", ROOT / ".data"))

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


class Children:
    """The processes `make run` started. Each is started with the stop signals blocked, so none can
    be started and then forgotten by an interrupt; `stop` is idempotent and, once begun, ignores
    further interrupts (a process group's SIGTERM often comes twice: to make and to us)."""

    def __init__(self):
        self.processes: list[subprocess.Popen] = []
        self.stopping = False

    def start(self, launch) -> subprocess.Popen:
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            process = launch()
            self.processes.append(process)
            return process
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def stop(self, timeout: float = 10.0) -> None:
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        self.stopping = True
        for child in reversed(self.processes):
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in reversed(self.processes):
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(child, signal.SIGKILL)
                child.wait()


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    """Each child leads a session of its own (start_new_session): its whole group is signalled,
    so what it started itself (the JVM's helpers, a server's workers) goes with it."""
    if child.poll() is not None:
        return
    try:
        os.killpg(child.pid, signum)
    except ProcessLookupError:
        pass
    except PermissionError:
        child.send_signal(signum)


def _port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _stage_table() -> str:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    return config["stages"]["local"]["environment_variables"]["DESKHIRE_TABLE"]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            args = process.args
            command = " ".join(map(str, args[:3])) if isinstance(args, list | tuple) else str(args)
            raise RuntimeError(f"{command} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            # It answers, but not healthy: say why instead of waiting out the timeout.
            raise RuntimeError(f"{url} answered {error.code}: {error.read()[:500]!r}") from None
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")


def main() -> int:
    api_port = port("DESKHIRE_PORT")
    ddb_port = port("DESKHIRE_DYNAMODB_PORT")
    stripe_port = port("DESKHIRE_STRIPE_PORT")
    funds_delay()  # a malformed DESKHIRE_STRIPE_FUNDS_DELAY stops us before anything starts
    for name, number in (
        ("DESKHIRE_PORT", api_port),
        ("DESKHIRE_DYNAMODB_PORT", ddb_port),
        ("DESKHIRE_STRIPE_PORT", stripe_port),
    ):
        if _port_in_use(number):
            sys.exit(f"port {number} is taken (is deskhire already running?); set {name} to another port")

    children = Children()

    def on_signal(signum, _frame):
        # the first interrupt stops everything; one more (a process group's SIGTERM comes to make
        # and to us, a person presses Ctrl-C twice) changes nothing, wherever it lands
        if not children.stopping:
            children.stopping = True
            raise KeyboardInterrupt

    # Installed explicitly: a shell that starts us in the background sets SIGINT to "ignore",
    # which Python would otherwise inherit, and Ctrl-C or `kill -INT` would then do nothing.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        DATA.mkdir(parents=True, exist_ok=True)
        print(f"DynamoDB Local on 127.0.0.1:{ddb_port}, data in {DATA / 'dynamodb'}", flush=True)
        children.start(
            lambda: dynamodb.start(port=ddb_port, data_dir=DATA / "dynamodb", log_path=DATA / "dynamodb.log")
        )
        table = _stage_table()
        created = ensure_table(dynamodb.client(ddb_port), table)
        print(
            f"table {table!r} {'created' if created else 'found, with the data of earlier runs'}", flush=True
        )

        url = f"http://127.0.0.1:{api_port}"
        stripe_url = f"http://127.0.0.1:{stripe_port}"
        # the one local environment (local/stage.py), for every child; the Stripe emulator is
        # configured from the same settings the app reads (its platform's country and settlement
        # currencies, card funds pending), and sends its webhooks, signed with the local stage's
        # secrets, to the API, where they are retried until the API is up
        env = {**local_environment(), "PYTHONUNBUFFERED": "1"}
        from chalicelib.settings import Settings

        local = Settings.from_environ(env)
        stripe_options = emulator_options(env)
        if local.stripe_api_base != stripe_url:
            raise RuntimeError(
                f"DESKHIRE_STRIPE_API_BASE is {local.stripe_api_base}, not the emulator at {stripe_url}"
            )
        print(f"Stripe emulator on {stripe_url}, state in {DATA / 'stripe.json'}", flush=True)
        stripe_log = open(DATA / "stripe.log", "a")  # noqa: SIM115 (the child keeps it open)
        children.start(
            lambda: subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "local.stripe_emulator",
                    "--port",
                    str(stripe_port),
                    "--data-file",
                    str(DATA / "stripe.json"),
                    "--webhook-url",
                    f"{url}/api/v1/webhooks/stripe",
                    "--connect-webhook-url",
                    f"{url}/api/v1/webhooks/stripe/connect",
                    "--public-url",
                    stripe_url,
                    *emulator_arguments(stripe_options),
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=stripe_log,
                stderr=subprocess.STDOUT,
            )
        )
        _wait_healthy(f"{stripe_url}/_emulator/health", children.processes[-1])
        if created:
            print("loading demo data (first start)...", flush=True)
            demo = subprocess.run([sys.executable, "-m", "local.demo_load"], cwd=ROOT, env=env)
            if demo.returncode != 0:
                raise RuntimeError("loading the demo data failed")
        server = children.start(
            lambda: subprocess.Popen(
                [sys.executable, "-m", "local.serve", "--port", str(api_port)],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )
        )
        health = _wait_healthy(f"{url}/api/health", server)
        children.start(
            lambda: subprocess.Popen(
                [sys.executable, "-m", "local.scheduler"], cwd=ROOT, env=env, start_new_session=True
            )
        )
        print(
            f"\n  deskhire is running at {url}/\n"
            f"  health: {health}\n"
            f"  API document: {url}/api/openapi.json\n"
            f"  mail outbox: {url}/dev/outbox\n"
            f"  Stripe emulator: {stripe_url} (test cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined)\n"
            "  scheduler: the jobs fire on their cron rules (make job JOB=... runs one by hand)\n"
            f"  demo logins (password {DEMO_PASSWORD}):\n"
            + "".join(f"    {who:<15} {email}\n" for who, email in LOGINS)
            + "  make admin EMAIL=... adds an operator.\n"
            f"  the emulator's platform: {stripe_options['platform_country']}, settling in "
            f"{', '.join(stripe_options['settlement_currencies']).upper()} (DESKHIRE_PLATFORM_COUNTRY, "
            "DESKHIRE_SETTLEMENT_CURRENCIES)\n"
            f"  card funds stay pending {stripe_options['funds_delay'] // 3600} h at the emulator "
            "(DESKHIRE_STRIPE_FUNDS_DELAY, seconds)\n"
            "  Ctrl-C stops everything.\n",
            flush=True,
        )
        while all(child.poll() is None for child in children.processes):
            time.sleep(0.5)
        failed = [c.args for c in children.processes if c.poll() is not None]
        print(f"a child process exited: {failed}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping deskhire...", flush=True)
        return 0
    except (RuntimeError, dynamodb.DynamoDBLocalError) as error:
        print(f"make run failed: {error}", file=sys.stderr)
        return 1
    finally:
        children.stop()


if __name__ == "__main__":
    sys.exit(main())
