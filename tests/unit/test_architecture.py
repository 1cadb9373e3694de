"""Layer rules that are easy to break without noticing."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_IN_DOMAIN = {"boto3", "botocore", "pynamodb", "stripe", "chalice", "jinja2"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_domain_imports_no_io_library():
    for path in (ROOT / "chalicelib" / "domain").rglob("*.py"):
        assert not (_imports(path) & FORBIDDEN_IN_DOMAIN), path


def test_only_payments_imports_stripe():
    for path in (ROOT / "chalicelib").rglob("*.py"):
        if "payments" not in path.parts:
            assert "stripe" not in _imports(path), path


LAZY_AT_COLD_START = ("pydantic", "jinja2", "stripe", "argon2", "zxcvbn", "ulid", "boto3", "yaml", "icalendar")


def test_importing_the_app_reads_no_settings_and_loads_nothing_it_can_defer():
    """Cold start: a request pays only for what it uses (templates, password hashing, id
    generation, Stripe are imported on first use), and import does not touch the environment."""
    code = (
        "import os, sys; os.environ.pop('DESKHIRE_TABLE', None);"
        "import app;"
        f"early = [m for m in {LAZY_AT_COLD_START!r} if m in sys.modules];"
        "assert not early, early;"
        "print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_ruff_finds_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--quiet", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
