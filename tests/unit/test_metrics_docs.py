"""docs/metrics.md "How figures are kept" says the numbers the code uses: the spike rule, the
order counts' window and range, the rollup's schedule and the command that re-runs it."""

from __future__ import annotations

from pathlib import Path

from chalicelib.domain import metrics, orders
from chalicelib.jobs.schedules import SCHEDULES

DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def _section() -> str:
    text = DOC.read_text()
    start = text.index("## How figures are kept")
    return text[start : text.index("\n## ", start + 1)]


def test_the_section_states_the_codes_numbers():
    section = _section()
    assert (
        f"median\nplus {metrics.SPIKE_MADS} MAD" in section
        or f"median plus {metrics.SPIKE_MADS} MAD" in section
    )
    assert f"the {metrics.BASELINE_DAYS} days before it" in section
    assert (
        f"at\nleast {metrics.SPIKE_FLOOR} contacts" in section
        or f"at least {metrics.SPIKE_FLOOR} contacts" in section
    )
    assert (
        f"a {orders.WINDOW_DAYS}-day window" in section
        and f"up to {orders.WINDOW_DAYS - 1} days back" in section
    )
    assert f"from 0 to {orders.MAX_COUNT:,}" in section
    assert SCHEDULES["metrics-rollup"].startswith("35 ") and "(at minute 35)" in section
    assert "make job JOB=metrics-rollup FROM=2026-03-01 TO=2026-03-31" in section
