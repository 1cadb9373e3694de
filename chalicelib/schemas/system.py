"""Models of the system routes (see chalicelib/schemas/__init__.py)."""

from __future__ import annotations

from typing import Literal

from chalicelib.schemas.base import View


class HealthView(View):
    status: Literal["ok", "degraded"]
    table: Literal["reachable", "unreachable"]
