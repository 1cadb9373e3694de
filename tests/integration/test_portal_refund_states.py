"""The billing page tells the truth of every refund (issue 14, item 4): a refund after payout (an
operator upholds a complaint about minutes already paid out) reads as pending, refunded or failed,
with its date in the business's zone and the zone named; a block's unused minutes say how many,
how much comes back and when, then the refund's date once the payout run made it."""

import pytest

from chalicelib.domain.tenancy import TenantId
from chalicelib.jobs import runner
from chalicelib.store.billing import InvoiceRecord, invoice_key
from tests.integration.billing_helpers import block_hire, payout_day, worked_week
from tests.integration.contract_helpers import at, log, sign_in
from tests.integration.helpers import business, call
from tests.integration.portal_helpers import signed_in
from tests.integration.test_billing_clawbacks import W48, refund
from tests.stripe_support import FUNDS_DELAY

pytestmark = pytest.mark.integration


def refunded_cell(page: str, marker: str) -> str:
    """The Refunded cell of the invoice row that shows `marker` (its week or number)."""
    row = next(r for r in page.split("<tr>") if marker in r)
    return row.split('data-label="Refunded"')[1].split("</td>")[0]


def test_a_refund_after_payout_reads_pending_then_refunded_or_failed_in_the_business_zone(client, paying):
    owner = business(client, company_name="Kyoto Tea", time_zone="Asia/Tokyo")
    # 3 h at 25.00 USD in 2026-W48: 75.00 and the 3.75 client fee, paid out on Wed 9 Dec
    hired = worked_week(client, paying, owner=owner)
    paying.add_card(owner)
    paying.enable_payouts(hired["agent"], country="US")
    assert runner.run("bill-week", deps=paying.deps).failures == []
    payout_day(paying)  # Wed 9 Dec 14:00 UTC
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    paying.emulator.advance_time(FUNDS_DELAY)  # the agent's transfer can be reversed
    for person in (hired["agent"], owner, hired["ops"]):
        sign_in(client, person)
    shop = signed_in(client, owner["email"])
    assert "No refund" in refunded_cell(shop.get("/app/billing").text, "2026-W48")

    # Stripe does not answer: the refund is decided, and the next payout run sends it
    paying.emulator.fail_next("POST", "/v1/refunds", status=500)
    answer = refund(client, hired)  # 1 h: 25.00 and its 1.25 client fee
    assert answer.status_code == 201 and answer.json["status"] == "pending", answer.json
    cell = refunded_cell(shop.get("/app/billing").text, "2026-W48")
    assert "26.25 USD" in cell and "1 h refunded after payout (logged while the queue was closed)" in cell
    # the next run is Thu 10 Dec 14:00 UTC: 23:00 in Tokyo
    assert "<strong>pending</strong>: sent Thu 10 Dec 23:00 JST, with the payouts" in cell
    assert "0.00" not in cell

    paying.deps.clock.now = at(10, 14, month=12)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    # deskhire's balance was short of it until the agent's share came back: Stripe made the
    # refund pending (pending_reason insufficient_funds), and it says so
    cell = refunded_cell(signed_in(client, owner["email"]).get("/app/billing").text, "2026-W48")
    assert "<strong>pending</strong>: Stripe is sending it (since Thu 10 Dec 23:00 JST)" in cell
    # then the reversal covers it: refund.updated says it went through
    paying.emulator.run_automations()
    assert ("refund.updated", 200, {"received": True, "outcome": "handled"}) in paying.forward(
        only="refund.updated"
    )
    shop = signed_in(client, owner["email"])
    cell = refunded_cell(shop.get("/app/billing").text, "2026-W48")
    assert "26.25 USD" in cell and "<strong>refunded</strong> Thu 10 Dec 23:00 JST" in cell
    assert "pending" not in cell

    # the charge refunded in full outside deskhire (Stripe's dashboard): Stripe refuses the next one
    record = InvoiceRecord.find(*invoice_key(TenantId(owner["tenant_id"]), W48), consistent=True)
    paying.stripe.v1.refunds.create(params={"charge": record.stripe_charge_id})
    paying.deps.clock.now = at(11, 9, month=12)
    sign_in(client, hired["ops"])
    answer = refund(client, hired, minutes=30, reason="a break logged as work")
    assert answer.status_code == 201 and answer.json["status"] == "pending", answer.json
    shop = signed_in(client, owner["email"])
    cell = refunded_cell(shop.get("/app/billing").text, "2026-W48")
    # 30 min: 12.50 and its 0.63 client fee (5% of 12.50, rounded half to even)
    assert "13.13 USD" in cell or "13.12 USD" in cell
    assert "30 min refunded after payout (a break logged as work)" in cell
    assert '<strong class="error">failed</strong> Fri 11 Dec 18:00 JST' in cell
    assert "has already been refunded" in cell and "nothing for you to do" in cell
    assert "<strong>refunded</strong> Thu 10 Dec 23:00 JST" in cell  # the first keeps its state

    ops = signed_in(client, hired["ops"]["email"])
    admin = ops.get(f"/admin/payouts?tenant={owner['tenant_id']}").text
    assert "Stripe refused the refund" in admin and "has already been refunded" in admin


def test_a_blocks_unused_minutes_say_how_many_how_much_and_when(client, paying):
    hired = block_hire(client, paying)  # 10 h at 20.00 USD and the 5% fee: 210.00, charged at once
    owner, someone, cid = hired["owner"], hired["agent"], hired["contract"]["id"]
    paying.enable_payouts(someone, country="US")
    paying.deps.clock.now = at(27, 20)
    sign_in(client, someone)
    assert log(client, someone, cid, at(24, 9), at(24, 12)).status_code == 201  # 3 of the 10 h

    shop = signed_in(client, owner["email"])
    cell = refunded_cell(shop.get("/app/billing").text, "block 1")
    # 7 h at 20.00 and their 5% fee: 147.00; no end date yet, so no day
    assert "147.00 USD" in cell
    assert "7 h unused so far: refunded when the contract ends, with its last week's payouts" in cell

    paying.deps.clock.now = at(9, 14, month=12)  # Wed of 2026-W50: W48 is drawn down
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    sign_in(client, owner)
    ended = call(
        client, "POST", f"/api/v1/contracts/{cid}/end", {"reason": "Season over"}, token=owner["token"]
    )
    assert ended.json["status"] == "ended", ended.json
    shop = signed_in(client, owner["email"])
    cell = refunded_cell(shop.get("/app/billing").text, "block 1")
    # ended in W50: its payout day is Wed 23 Dec, the run at 14:00 UTC is 09:00 in New York
    assert "147.00 USD" in cell
    assert "7 h unused, refunded Wed 23 Dec 09:00 EST, with the last week's payouts" in cell

    paying.deps.clock.now = at(23, 14, month=12)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    assert [r.amount for r in paying.stripe.v1.refunds.list(params={"limit": 10}).data] == [14700]
    shop = signed_in(client, owner["email"])
    cell = refunded_cell(shop.get("/app/billing").text, "block 1")
    assert "147.00 USD" in cell and "7 h unused: refunded Wed 23 Dec 2026" in cell
    assert "if still unused" not in cell and "with the last week" not in cell
