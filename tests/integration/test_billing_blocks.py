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
    assert transfer.amount == 6000 - 480 and transfer.transfer_group == record.invoice_id
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
