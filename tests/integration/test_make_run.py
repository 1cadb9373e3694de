"""`make run`'s runner: it starts DynamoDB Local with its data on disk, creates the table, serves
the portal and the API, stops every child on Ctrl-C and on SIGTERM to its process group (even a
second one while it stops), and a second run finds the first run's data."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from local import dynamodb

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _start(env) -> tuple[subprocess.Popen, list[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "local.run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # a process group of its own, as a terminal gives `make run`
    )
    lines = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Ctrl-C stops everything" in line:
            return process, lines
    process.kill()
    raise AssertionError("make run did not come up:\n" + "".join(lines))


def _sign_in(port: int, email: str, password: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/sessions",
        data=json.dumps({"email": email, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def _ctrl_c(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=30)
    return rest


def _left_running(data_dir) -> list[str]:
    """Processes still alive that `make run` started (they carry its DESKHIRE_DATA_DIR)."""
    marker = f"DESKHIRE_DATA_DIR={data_dir}".encode()
    alive = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker in (proc / "environ").read_bytes().split(b"\0"):
                alive.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
    return alive


def _sigterm_twice(process: subprocess.Popen) -> str:
    """SIGTERM to the whole process group (what a service manager or `kill -- -PGID` does), and a
    second one while it is stopping its children."""
    os.killpg(process.pid, signal.SIGTERM)
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "stopping deskhire" in line:
            break
    os.killpg(process.pid, signal.SIGTERM)
    rest, _ = process.communicate(timeout=60)
    return "".join(seen) + rest


def test_run_serves_stops_cleanly_and_keeps_data(tmp_path):
    api_port, ddb_port, stripe_port = dynamodb.free_port(), dynamodb.free_port(), dynamodb.free_port()
    env = {
        **os.environ,
        "DESKHIRE_PORT": str(api_port),
        "DESKHIRE_DYNAMODB_PORT": str(ddb_port),
        "DESKHIRE_STRIPE_PORT": str(stripe_port),
        "DESKHIRE_DATA_DIR": str(tmp_path),
        # the platform settles in two currencies: the emulator must hold both, as the app says
        "DESKHIRE_SETTLEMENT_CURRENCIES": "usd,eur",
    }
    # As on a developer's shell: nothing of the test session's own settings leaks in.
    for name in (
        "DESKHIRE_DYNAMODB_ENDPOINT",
        "DESKHIRE_TABLE",
        "DESKHIRE_STAGE",
        "DESKHIRE_STRIPE_API_BASE",
    ):
        env.pop(name, None)

    process, lines = _start(env)
    assert any("table 'deskhire' created" in line for line in lines), lines
    # card funds stay pending at the emulator, as at Stripe (2 days)
    assert any("card funds stay pending 48 h" in line for line in lines), lines
    assert any("--funds-delay 172800" in cmd for cmd in _left_running(tmp_path)), _left_running(tmp_path)
    assert f"http://127.0.0.1:{api_port}/" in "".join(lines)
    with urllib.request.urlopen(f"http://127.0.0.1:{api_port}/api/health") as response:
        assert json.loads(response.read()) == {"status": "ok", "table": "reachable"}
    with urllib.request.urlopen(f"http://127.0.0.1:{api_port}/") as response:
        assert b"deskhire" in response.read()
    with urllib.request.urlopen(f"http://127.0.0.1:{stripe_port}/_emulator/health") as response:
        assert response.status == 200
        emulator = json.loads(response.read())
    # the emulator's platform is the app's (local/stage.py builds both from the same settings)
    from chalicelib.settings import Settings
    from local.stage import local_environment

    settings = Settings.from_environ(local_environment(env))
    assert emulator["platform_country"] == settings.platform_country == "US"
    assert emulator["settlement_currencies"] == sorted(settings.settlement_currencies) == ["eur", "usd"]
    assert emulator["funds_delay"] == 2 * 24 * 3600
    # demo logins work on the first start
    assert any("loading demo data" in line for line in lines)
    from local.demo import DEMO_PASSWORD, LOGINS

    assert f"password {DEMO_PASSWORD}" in "".join(lines)
    for _who, email in LOGINS:
        assert _sign_in(api_port, email, DEMO_PASSWORD)["principal"]["email"] == email
    # make admin: operators come from the command line
    admin = subprocess.run(
        [sys.executable, "-m", "local.admin", "--email", "ops2@deskhire.example", "--name", "Second Ops"],
        cwd=ROOT,
        env={**env, "DESKHIRE_ADMIN_PASSWORD": "quartz-meadow-lantern-81"},
        capture_output=True,
        text=True,
    )
    assert admin.returncode == 0, admin.stderr
    assert (
        _sign_in(api_port, "ops2@deskhire.example", "quartz-meadow-lantern-81")["principal"]["kind"]
        == "operator"
    )
    # a scheduled job by hand, against the running stack (`make job JOB=lock-week WEEK=...`)
    job = subprocess.run(
        [sys.executable, "-m", "local.jobs", "lock-week", "--week", "2025-W01"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert job.returncode == 0, job.stderr
    assert "lock-week 2025-W01:" in job.stdout and "0 failed" in job.stdout
    early = subprocess.run(
        [sys.executable, "-m", "local.jobs", "lock-week", "--week", "2099-W01"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert early.returncode == 1 and "may run from" in early.stderr
    dynamodb.client(ddb_port).put_item(
        TableName="deskhire",
        Item={"pk": {"S": "SYS#probe"}, "sk": {"S": "SYS#probe"}, "kind": {"S": "probe"}},
    )

    _ctrl_c(process)
    assert process.returncode == 0
    assert not _listening(api_port) and not _listening(ddb_port), "a child outlived Ctrl-C"
    assert not _listening(stripe_port), "the Stripe emulator outlived Ctrl-C"

    assert _left_running(tmp_path) == []

    process, lines = _start(env)
    try:
        assert any("found, with the data of earlier runs" in line for line in lines), lines
        assert not any("loading demo data" in line for line in lines)
        item = dynamodb.client(ddb_port).get_item(
            TableName="deskhire", Key={"pk": {"S": "SYS#probe"}, "sk": {"S": "SYS#probe"}}
        )
        assert "Item" in item
    finally:
        said = _sigterm_twice(process)
    assert process.returncode == 0, said
    assert not _listening(api_port) and not _listening(ddb_port) and not _listening(stripe_port)
    assert _left_running(tmp_path) == [], "a child outlived SIGTERM"


def test_run_refuses_a_taken_port(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "DESKHIRE_PORT": str(port), "DESKHIRE_DATA_DIR": str(tmp_path)}
        result = subprocess.run(
            [sys.executable, "-m", "local.run"], cwd=ROOT, env=env, capture_output=True, text=True
        )
    assert result.returncode != 0
    assert "DESKHIRE_PORT" in result.stderr + result.stdout
