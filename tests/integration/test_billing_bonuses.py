"""Bonuses: a one-off bonus is billed with the week it was granted in and paid out with its hours,
less the agent fee; a performance-bonus rule the agent did not earn (no rating that week) is no line,
and the invoice's notes say so."""

import pytest

from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.jobs import runner
from chalicelib.store.billing import InvoiceRecord, invoice_key
from tests.integration.billing_helpers import payout_day, worked_week
from tests.integration.contract_helpers import at, sign_in
from tests.integration.helpers import call

pytestmark = pytest.mark.integration


def test_a_bonus_is_invoiced_with_its_week_and_paid_out_with_the_hours(client, paying):
    bonus_rule = {"percent_bps": 1000, "min_csat_bps": 9000, "min_ratings": 10}
    hired = worked_week(client, paying, bonus=bonus_rule)
    owner, someone, cid = hired["owner"], hired["agent"], hired["contract"]["id"]
    paying.add_card(owner)
    paying.enable_payouts(someone, country="US")
    paying.deps.clock.now = at(27, 21)  # still in 2026-W48
    sign_in(client, owner)
    refused = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/bonuses",
        {"amount": {"amount": 5000, "currency": "eur"}},
        token=owner["token"],
    )
    assert refused.status_code == 400 and refused.json["error"]["field"] == "amount.currency"
    by_agent = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/bonuses",
        {"amount": {"amount": 5000, "currency": "usd"}},
        token=someone["token"],
    )
    assert by_agent.status_code == 403
    granted = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/bonuses",
        {"amount": {"amount": 5000, "currency": "usd"}, "note": "Black Friday rush"},
        token=owner["token"],
    )
    assert granted.status_code == 201 and granted.json["week"] == "2026-W48"
    told = paying.deps.mailer.last_to(someone["email"])
    assert "bonus" in told.subject
    assert "paid with the hours of week 2026-W48 (a billing week, on UTC: Mon 23 Nov 00:00" in told.text
    estimate = call(client, "GET", "/api/v1/billing/estimate", token=owner["token"]).json
    assert [line["kind"] for line in estimate["lines"]] == ["hours", "bonus", "client_fee"]

    paying.deps.clock.now = at(30, 12, 30)
    runner.run("bill-week", deps=paying.deps)
    record = InvoiceRecord.find(
        *invoice_key(TenantId(owner["tenant_id"]), BillingWeek(2026, 48)), consistent=True
    )
    assert [line["kind"] for line in record.lines] == ["hours", "bonus", "client_fee"]
    assert record.total == 7500 + 5000 + 625
    assert len(record.notes) == 1 and "not earned in 2026-W48, no ratings" in record.notes[0]
    payout_day(paying)
    runner.run("settle-payouts", deps=paying.deps)
    (transfer,) = paying.stripe.v1.transfers.list(params={"limit": 10}).data
    assert transfer.amount == (7500 + 5000) - (7500 + 5000) * 8 // 100  # tier 2: 8% of 125.00
