"""Block contracts: invoiced in full when the agent accepts, drawn down week by week for the
minutes approved, and what was not used refunded (with its fee) when the contract ends."""

import pytest

from chalicelib.domain.tenancy import TenantId
from chalicelib.jobs import runner
from chalicelib.store.billing import InvoiceRecord, block_invoice_key
from tests.integration.billing_helpers import block_hire
from tests.integration.contract_helpers import at, log, sign_in
from tests.integration.helpers import call

pytestmark = pytest.mark.integration


def test_a_block_is_paid_up_front_drawn_down_weekly_and_its_rest_refunded(client, paying):
    hired = block_hire(client, paying)
    owner = hired["owner"]
    someone, cid = hired["agent"], hired["contract"]["id"]
    tenant = TenantId(owner["tenant_id"])
    record = InvoiceRecord.find(*block_invoice_key(tenant, cid), consistent=True)
    assert (record.invoice_kind, record.status, record.total) == (
        "block",
        "paid",
        20000 + 1000,
    )  # 10 h at 20.00
    invoices = call(client, "GET", "/api/v1/billing/invoices", token=owner["token"]).json["invoices"]
    assert [i["lines"][0]["kind"] for i in invoices] == ["block"]
    paying.enable_payouts(someone, country="US")

    paying.deps.clock.now = at(27, 20)
    sign_in(client, someone)
    assert log(client, someone, cid, at(24, 9), at(24, 12)).status_code == 201  # 180 minutes
    paying.deps.clock.now = at(30, 12, 30)
    assert runner.run("bill-week", deps=paying.deps).changed == 0  # no weekly line for a block
    paying.deps.clock.now = at(9, 14, month=12)  # payout day of 2026-W48
    report = runner.run("settle-payouts", deps=paying.deps)
    assert report.failures == [], report
    (transfer,) = paying.stripe.v1.transfers.list(params={"limit": 10}).data
    assert transfer.amount == 6000 - 480 and transfer.source_transaction == record.stripe_charge_id
    # Stripe files it under the charge's own group (group_<PaymentIntent>), not the invoice's id
    assert (
        transfer.transfer_group
        == paying.stripe.v1.charges.retrieve(transfer.source_transaction).transfer_group
    )
    assert runner.run("settle-payouts", deps=paying.deps).changed == 0  # nothing new this week

    sign_in(client, owner)
    ended = call(
        client, "POST", f"/api/v1/contracts/{cid}/end", {"reason": "Season over"}, token=owner["token"]
    )
    assert ended.json["status"] == "ended"
    paying.deps.clock.now = at(23, 14, month=12)  # payout day of the week it ended (2026-W50)
    runner.run("settle-payouts", deps=paying.deps)
    refunds = paying.stripe.v1.refunds.list(params={"limit": 10}).data
    assert [r.amount for r in refunds] == [21000 - 6000 - 300]  # the 7 unused hours and their fee
    assert len(paying.stripe.v1.transfers.list(params={"limit": 10}).data) == 1
    settled = InvoiceRecord.find(*block_invoice_key(tenant, cid), consistent=True)
    assert settled.settled_at is not None
    assert runner.run("settle-payouts", deps=paying.deps).planned == 0
    from chalicelib.services import reconciliation

    assert reconciliation.reconcile_invoice(settled, deps=paying.deps) == []


def test_a_draw_down_is_listed_under_the_week_whose_minutes_it_pays(client, paying):
    """A block bought in 2026-W48 and worked in W48 and W49: each week's draw-down transfer is
    that week's, not the week the block was bought (the earnings page lists transfers by week)."""
    from chalicelib.services import settlement

    hired = block_hire(client, paying)
    someone, cid = hired["agent"], hired["contract"]["id"]
    tenant = TenantId(hired["owner"]["tenant_id"])
    paying.enable_payouts(someone, country="US")
    paying.deps.clock.now = at(27, 20)
    sign_in(client, someone)
    assert log(client, someone, cid, at(24, 9), at(24, 10)).status_code == 201  # W48: 60 minutes
    paying.deps.clock.now = at(4, 20, month=12)
    sign_in(client, someone)
    assert log(client, someone, cid, at(1, 9, month=12), at(1, 11, month=12)).status_code == 201  # W49
    paying.deps.clock.now = at(9, 14, month=12)  # payout day of 2026-W48
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    paying.deps.clock.now = at(16, 14, month=12)  # payout day of 2026-W49
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    record = InvoiceRecord.find(*block_invoice_key(tenant, cid), consistent=True)
    weeks = sorted((t.week, int(t.gross)) for t in settlement.transfers_of(record))
    assert weeks == [("2026-W48", 2000), ("2026-W49", 4000)]
    sign_in(client, someone)
    earned = call(client, "GET", "/api/v1/agent/earnings", token=someone["token"]).json
    assert sorted(t["week"] for t in earned["transfers"]) == ["2026-W48", "2026-W49"]
