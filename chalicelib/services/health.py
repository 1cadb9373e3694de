"""Is deskhire able to serve? Used by the health route and by `make run` to wait for readiness."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.store import health as store_health


@dataclass(frozen=True)
class HealthReport:
    table_reachable: bool

    @property
    def healthy(self) -> bool:
        return self.table_reachable


def check_health(*, table_probe=store_health.table_reachable) -> HealthReport:
    return HealthReport(table_reachable=table_probe())
