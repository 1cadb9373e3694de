"""Hours contracted on the metrics dashboard (issue 16): read from the business's contracts (their
weekly caps over time and periods of activity, domain/contracted.py), so that "hours used against
contracted" is defined: a week of an hourly contract contracts its cap, a paused day contracts
nothing, the rollup's hours-used share has it too."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.contracted import day_share
from chalicelib.domain.tenancy import TenantId
from tests.integration.contract_helpers import hire, sign_in
from tests.integration.helpers import call

pytestmark = pytest.mark.integration


def contracted(client, owner, first: str, last: str) -> int:
    board = call(client, "GET", f"/api/v1/metrics/business?from={first}&to={last}", token=owner["token"])
    assert board.status_code == 200, board.json
    return board.json["figures"]["minutes_contracted"]


def test_an_hourly_contract_contracts_its_weekly_cap_on_the_days_it_runs(client, deps):
    hired = hire(client, deps)  # accepted Monday 23 Nov 2026 08:00 UTC, a cap of 750 minutes a week
    owner, cid = hired["owner"], hired["contract"]["id"]
    assert contracted(client, owner, "2026-11-16", "2026-11-22") == 0  # before it started
    assert contracted(client, owner, "2026-11-23", "2026-11-29") == 750
    assert contracted(client, owner, "2026-11-23", "2026-11-25") == sum(day_share(750, d) for d in range(3))
    # paused from Wednesday 2 Dec 10:00 to Friday 4 Dec 09:00: Thursday contracts nothing
    deps.clock.now = datetime(2026, 12, 2, 10, tzinfo=UTC)
    sign_in(client, owner)
    assert call(client, "POST", f"/api/v1/contracts/{cid}/pause", token=owner["token"]).status_code == 200
    deps.clock.now = datetime(2026, 12, 4, 9, tzinfo=UTC)
    sign_in(client, owner)
    assert call(client, "POST", f"/api/v1/contracts/{cid}/resume", token=owner["token"]).status_code == 200
    assert contracted(client, owner, "2026-12-03", "2026-12-03") == 0
    assert contracted(client, owner, "2026-11-30", "2026-12-06") == 750 - day_share(750, 3)


def test_the_rollup_sets_used_against_contracted(client, deps):
    from chalicelib.services.metrics import rollups
    from chalicelib.store import metric_writes
    from chalicelib.store import metrics as store
    from chalicelib.store.transactions import transaction

    hired = hire(client, deps)
    tenant = TenantId(hired["owner"]["tenant_id"])
    with transaction() as tx:  # 375 minutes approved on the Tuesday
        metric_writes.day_update(metric_writes.pending(tx), tenant, date(2026, 11, 24), {"minutes_used": 375})
    deps.clock.now = datetime(2026, 11, 30, 1, tzinfo=UTC)
    rollups.roll_up(tenant, date(2026, 11, 23), date(2026, 11, 29), now=deps.clock.now)
    (week,) = store.rollups(tenant, "week", date(2026, 11, 23), date(2026, 11, 29))
    assert (week.totals.minutes_used, week.totals.minutes_contracted) == (375, 750)
    assert week.figures["hours_used_share"] == pytest.approx(0.5)
