"""A busy week approves in full: an agent who logs many short entries on every day of a week
(here 91 entries of 5 minutes, 13 a day) is approved in transactions that stay within DynamoDB's
100 actions, each chunk carrying its entries, the timesheet, the audit entry and the metrics of
up to seven days (services/timesheets.APPROVALS_PER_TRANSACTION)."""

import pytest

from tests.integration.contract_helpers import at, hire, log, sign_in, timesheet
from tests.integration.helpers import call

pytestmark = pytest.mark.integration


def test_a_week_of_ninety_one_short_entries_over_seven_days_is_approved_at_once(client, deps):
    hired = hire(client, deps)
    someone, owner, cid = hired["agent"], hired["owner"], hired["contract"]["id"]
    deps.clock.now = at(29, 23, 30)
    sign_in(client, someone)
    for day in range(23, 30):
        for hour in range(10, 23):
            response = log(client, someone, cid, at(day, hour), at(day, hour, 5))
            assert response.status_code == 201, response.json
    deps.clock.now = at(30, 12, 30)  # the week is locked: the business may approve early
    sign_in(client, owner)
    approved = call(
        client, "POST", f"/api/v1/contracts/{cid}/timesheets/2026-W48/approve", token=owner["token"]
    )
    assert approved.status_code == 200, approved.json
    sheet = timesheet(client, owner, cid, "2026-W48")
    assert sheet["minutes"]["approved"] == 91 * 5
