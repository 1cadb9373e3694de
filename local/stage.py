"""The local stage's environment for command-line tools (demo data, make admin): the variables of
.chalice/config.json's `local` stage, and DynamoDB Local's address from DESKHIRE_DYNAMODB_PORT.
Variables already set win, so the same tools run against a deployed stage when told to."""

from __future__ import annotations

import json
import os
from pathlib import Path

from local import dynamodb

ROOT = Path(__file__).resolve().parent.parent


def apply_local_stage_environment() -> None:
    if os.environ.get("DESKHIRE_STAGE", "local") != "local":
        return
    stage = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["local"][
        "environment_variables"
    ]
    for name, value in stage.items():
        os.environ.setdefault(name, value)
    if "DESKHIRE_DYNAMODB_ENDPOINT" not in os.environ:
        port = int(os.environ.get("DESKHIRE_DYNAMODB_PORT", "8001"))
        for name, value in dynamodb.environ_for(port).items():
            os.environ.setdefault(name, value)
