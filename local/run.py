"""`make run`: DynamoDB Local (data kept under .data/), the table, the Stripe emulator (its state
in .data/stripe.json), the API and portal, and the scheduler that fires the scheduled jobs on
their cron rules.

Ports come from DESKHIRE_PORT (8000), DESKHIRE_DYNAMODB_PORT (8001) and DESKHIRE_STRIPE_PORT
(8002). Ctrl-C stops every child; a second run finds the data of the first."""

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
from local.table import ensure_table

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("DESKHIRE_DATA_DIR", ROOT / ".data"))


def _port(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    if not value.isdigit():
        sys.exit(f"{name} must be a port number, not {value!r}")
    return int(value)


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
            raise RuntimeError(
                f"{' '.join(map(str, process.args[:3]))} exited with code {process.returncode}"
            )
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
    api_port = _port("DESKHIRE_PORT", 8000)
    ddb_port = _port("DESKHIRE_DYNAMODB_PORT", 8001)
    stripe_port = _port("DESKHIRE_STRIPE_PORT", 8002)
    for name, port in (
        ("DESKHIRE_PORT", api_port),
        ("DESKHIRE_DYNAMODB_PORT", ddb_port),
        ("DESKHIRE_STRIPE_PORT", stripe_port),
    ):
        if _port_in_use(port):
            sys.exit(f"port {port} is taken (is deskhire already running?); set {name} to another port")

    children: list[subprocess.Popen] = []

    def stop_all(*_):
        for child in reversed(children):
            if child.poll() is None:
                child.terminate()
        for child in reversed(children):
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()

    def on_signal(signum, _frame):
        raise KeyboardInterrupt

    # Installed explicitly: a shell that starts us in the background sets SIGINT to "ignore",
    # which Python would otherwise inherit, and Ctrl-C or `kill -INT` would then do nothing.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        DATA.mkdir(parents=True, exist_ok=True)
        print(f"DynamoDB Local on 127.0.0.1:{ddb_port}, data in {DATA / 'dynamodb'}", flush=True)
        children.append(
            dynamodb.start(port=ddb_port, data_dir=DATA / "dynamodb", log_path=DATA / "dynamodb.log")
        )
        table = _stage_table()
        created = ensure_table(dynamodb.client(ddb_port), table)
        print(
            f"table {table!r} {'created' if created else 'found, with the data of earlier runs'}", flush=True
        )

        url = f"http://127.0.0.1:{api_port}"
        stripe_url = f"http://127.0.0.1:{stripe_port}"
        env = {
            **os.environ,
            **dynamodb.environ_for(ddb_port),
            "PYTHONUNBUFFERED": "1",
            "DESKHIRE_PUBLIC_URL": url,
            "DESKHIRE_STRIPE_API_BASE": stripe_url,
        }
        # Stripe, locally: the emulator sends its webhooks, signed with the local stage's secrets
        # (settings.py), to the API; until the API is up they are retried.
        from chalicelib.settings import Settings

        local = Settings.from_environ({"DESKHIRE_TABLE": table})
        print(f"Stripe emulator on {stripe_url}, state in {DATA / 'stripe.json'}", flush=True)
        children.append(
            subprocess.Popen(
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
                    "--webhook-secret",
                    local.stripe_webhook_secret,
                    "--connect-webhook-secret",
                    local.stripe_connect_webhook_secret,
                    "--public-url",
                    stripe_url,
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=open(DATA / "stripe.log", "a"),  # noqa: SIM115 (the child keeps it open)
                stderr=subprocess.STDOUT,
            )
        )
        _wait_healthy(f"{stripe_url}/_emulator/health", children[-1])
        if created:
            print("loading demo data (first start)...", flush=True)
            demo = subprocess.run([sys.executable, "-m", "local.demo_load"], cwd=ROOT, env=env)
            if demo.returncode != 0:
                raise RuntimeError("loading the demo data failed")
        server = subprocess.Popen(
            [sys.executable, "-m", "local.serve", "--port", str(api_port)],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        children.append(server)
        health = _wait_healthy(f"{url}/api/health", server)
        children.append(
            subprocess.Popen(
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
            "  Ctrl-C stops everything.\n",
            flush=True,
        )
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        failed = [c.args for c in children if c.poll() is not None]
        print(f"a child process exited: {failed}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopping deskhire...", flush=True)
        return 0
    except (RuntimeError, dynamodb.DynamoDBLocalError) as error:
        print(f"make run failed: {error}", file=sys.stderr)
        return 1
    finally:
        stop_all()


if __name__ == "__main__":
    sys.exit(main())
