"""Minutes a dispute releases to the agent count as hours used (issue 16): on the entry's day, in
the business's day and the agent's days, in the transaction that settles the dispute; upheld
minutes never count. The week of test_review_and_disputes_api: 60, 90, 30 and 45 minutes on
24-27 Nov 2026."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.store import metrics as store
from tests.integration.helpers import call
from tests.integration.test_review_and_disputes_api import url, week_logged  # noqa: F401  (a fixture)

pytestmark = pytest.mark.integration

FIRST, LAST = date(2026, 11, 23), date(2026, 11, 29)


def _used(tenant: TenantId, agent: AgentId) -> tuple[dict[date, int], dict[date, int]]:
    business = {d.day: d.minutes_used for d in store.business_days(tenant, FIRST, LAST) if d.minutes_used}
    own = {d.day: d.minutes_approved for d in store.agent_own_days(agent, FIRST, LAST) if d.minutes_approved}
    return business, own


def test_released_minutes_count_as_used_on_the_entrys_day(client, week_logged):  # noqa: F811
    owner, someone, ops, ids = (
        week_logged["owner"],
        week_logged["agent"],
        week_logged["ops"],
        week_logged["entries"],
    )
    tenant, agent = TenantId(owner["tenant_id"]), AgentId(someone["id"])

    def dispute(entry_id: str) -> dict:
        filed = call(
            client, "POST", url(week_logged, entry_id, "/dispute"), {"reason": "Check"}, token=owner["token"]
        )
        assert filed.status_code == 201, filed.json
        return filed.json

    def resolve(entry_id: str, upheld: int) -> None:
        found = dispute(entry_id)
        contested = call(
            client, "POST", url(week_logged, entry_id, "/dispute/contest"), token=someone["token"]
        )
        assert contested.status_code == 200, contested.json
        body = {"outcome": "upheld", "upheld_minutes": upheld, "note": "Checked the tickets"}
        done = call(client, "POST", f"/api/v1/admin/disputes/{found['id']}/resolve", body, token=ops["token"])
        assert done.status_code == 200, done.json

    assert call(client, "POST", url(week_logged, ids[0], "/approve"), token=owner["token"]).status_code == 200
    resolve(ids[1], upheld=30)  # 60 of 90 released
    resolve(ids[2], upheld=30)  # all upheld: nothing used
    dispute(ids[3])
    withdrawn = call(client, "POST", url(week_logged, ids[3], "/dispute/withdraw"), token=owner["token"])
    assert withdrawn.json["released_minutes"] == 45
    expected = {date(2026, 11, 24): 60, date(2026, 11, 25): 60, date(2026, 11, 27): 45}
    assert _used(tenant, agent) == (expected, expected)
    per_business = {
        d.day: d.minutes_approved for d in store.agent_days(tenant, agent, FIRST, LAST) if d.minutes_approved
    }
    assert per_business == expected


def test_a_rejected_dispute_releases_every_minute(client, week_logged):  # noqa: F811
    owner, someone, ops, ids = (
        week_logged["owner"],
        week_logged["agent"],
        week_logged["ops"],
        week_logged["entries"],
    )
    filed = call(
        client, "POST", url(week_logged, ids[1], "/dispute"), {"reason": "Check"}, token=owner["token"]
    ).json
    call(client, "POST", url(week_logged, ids[1], "/dispute/contest"), token=someone["token"])
    done = call(
        client,
        "POST",
        f"/api/v1/admin/disputes/{filed['id']}/resolve",
        {"outcome": "rejected", "note": "Tickets found"},
        token=ops["token"],
    )
    assert done.status_code == 200, done.json
    business, own = _used(TenantId(owner["tenant_id"]), AgentId(someone["id"]))
    assert business == own == {date(2026, 11, 25): 90}
