"""`make run`: DynamoDB Local (data kept under .data/), the table, the API and portal, and the
scheduler that fires the scheduled jobs on their cron rules.

Ports come from DESKHIRE_PORT (8000) and DESKHIRE_DYNAMODB_PORT (8001). Ctrl-C stops every child;
a second run finds the data of the first. The Stripe emulator starts here too once billing lands."""

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
            raise RuntimeError(f"the API server exited with code {process.returncode}")
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
    for name, port in (("DESKHIRE_PORT", api_port), ("DESKHIRE_DYNAMODB_PORT", ddb_port)):
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
        env = {
            **os.environ,
            **dynamodb.environ_for(ddb_port),
            "PYTHONUNBUFFERED": "1",
            "DESKHIRE_PUBLIC_URL": url,
        }
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
