"""PROMISES P15 on the app's side: the Stripe adapter calls the SDK through its typed signatures,
and pyright (pinned, `make lint`) checks it strictly against the pinned SDK's params TypedDicts, so
a parameter the API version does not declare is an error before it is a 400 from Stripe."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYRIGHT = Path(sys.executable).with_name("pyright")


def pyright(*paths: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    if not PYRIGHT.exists():
        pytest.skip("pyright is not installed (make install)")
    return subprocess.run(
        [str(PYRIGHT), *paths], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_adapter_passes_pyright_strict():
    # The adapter only (make lint checks the rest): the whole project is half a minute of CPU.
    result = pyright("chalicelib/payments")
    assert result.returncode == 0, result.stdout
    assert "0 errors" in result.stdout


def test_pyright_refuses_a_parameter_the_pinned_api_version_does_not_have(tmp_path):
    """The check the adapter relies on: the SetupIntent parameter of older API versions."""
    package = tmp_path / "chalicelib" / "payments"
    package.mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    (package / "old.py").write_text(
        "import stripe\n\n\n"
        "def setup(client: stripe.StripeClient) -> None:\n"
        '    client.v1.setup_intents.create(params={"customer": "cus_1", "payment_method_types": ["card"]})\n'
    )
    result = pyright(cwd=tmp_path)
    assert result.returncode != 0 and "SetupIntentCreateParams" in result.stdout, result.stdout


def test_no_untyped_wrapper_hides_the_sdks_parameters():
    source = (ROOT / "chalicelib" / "payments" / "gateway.py").read_text()
    assert "Callable[..., Any]" not in source and "**kwargs" not in source
