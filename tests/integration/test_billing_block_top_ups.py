"""More hours for a block contract: another block bought by the business, or bought automatically
when the balance runs low. Each block is an invoice of its own, collected like the first; its
hours may be logged only once it is paid; settlement draws the blocks in the order they were paid
for and refunds each one's unused minutes when the contract ends."""

import contextvars
import threading
from datetime import timedelta

import pytest

from chalicelib.domain.ledger import balance
from chalicelib.domain.tenancy import TenantId
from chalicelib.jobs import runner
from chalicelib.services import reconciliation
from chalicelib.services.blocks import purchase
from chalicelib.services.sessions import authenticate
from chalicelib.store import ledger as ledger_store
from chalicelib.store.billing import InvoiceRecord, block_invoice_key
from tests.integration.billing_helpers import block_hire
from tests.integration.contract_helpers import MONDAY, at, hire, log, sign_in
from tests.integration.helpers import business, call

pytestmark = pytest.mark.integration


def blocks(client, owner, cid):
    response = call(client, "GET", f"/api/v1/contracts/{cid}/blocks", token=owner["token"])
    assert response.status_code == 200, response.json
    return response.json


def buy(client, owner, cid, minutes):
    return call(
        client, "POST", f"/api/v1/contracts/{cid}/blocks", {"block_minutes": minutes}, token=owner["token"]
    )


def turn_on_top_up(client, owner, cid, *, threshold_minutes=120, block_minutes=300):
    """A block of `block_minutes` bought when an entry leaves fewer than `threshold_minutes`."""
    set_up = call(
        client,
        "PUT",
        f"/api/v1/contracts/{cid}/top-up",
        {"enabled": True, "threshold_minutes": threshold_minutes, "block_minutes": block_minutes},
        token=owner["token"],
    )
    assert set_up.status_code == 200, set_up.json
    return set_up


def invoice(hired, number):
    tenant = TenantId(hired["owner"]["tenant_id"])
    return InvoiceRecord.find(*block_invoice_key(tenant, hired["contract"]["id"], number), consistent=True)


def test_a_block_bought_is_invoiced_once_and_its_hours_loggable_when_paid(client, paying):
    hired = block_hire(client, paying)
    owner, someone, cid = hired["owner"], hired["agent"], hired["contract"]["id"]
    paying.deps.clock.now = at(24, 20)
    sign_in(client, someone), sign_in(client, owner)
    assert log(client, someone, cid, at(24, 9), at(24, 18)).status_code == 201  # 540 of 600 minutes
    refused = log(client, someone, cid, at(23, 9), at(23, 11))
    assert refused.status_code == 409 and refused.json["error"]["minutes_left"] == 60

    bought = buy(client, owner, cid, 1200)
    assert bought.status_code == 201, bought.json
    assert (bought.json["block_minutes"], bought.json["remaining_minutes"], bought.json["pending"]) == (
        1800,
        1260,
        None,
    )
    first, second = bought.json["blocks"]
    assert (first["number"], first["starts_at_minute"], first["status"]) == (1, 0, "paid")
    assert (second["number"], second["minutes"], second["starts_at_minute"], second["status"]) == (
        2,
        1200,
        600,
        "paid",
    )
    assert second["total"] == {"amount": 40000 + 2000, "currency": "usd"}  # 20 h at 20.00, and the fee
    record = invoice(hired, 2)
    assert record.sk.endswith(f"INVOICE#BLOCK#{cid}#002") and record.block_offset == 600
    stripe_invoice = paying.stripe.v1.invoices.retrieve(record.stripe_invoice_id)
    assert stripe_invoice.status == "paid" and stripe_invoice.total == 42000
    told = paying.deps.mailer.last_to(someone["email"])
    assert "bought 20 h more" in told.text and "21 h left to log" in told.text

    assert log(client, someone, cid, at(23, 9), at(23, 11)).status_code == 201  # loggable now
    # the webhooks of the payment change nothing more: the minutes were added once
    paying.forward()
    assert blocks(client, owner, cid)["block_minutes"] == 1800
    invoices = call(client, "GET", "/api/v1/billing/invoices", token=owner["token"]).json["invoices"]
    assert len(invoices) == 2 and {i["lines"][0]["kind"] for i in invoices} == {"block"}


def test_a_declined_block_adds_nothing_and_a_second_click_buys_nothing_more(client, paying):
    hired = block_hire(client, paying)
    owner, someone, cid = hired["owner"], hired["agent"], hired["contract"]["id"]
    paying.add_card(owner, card="pm_card_chargeCustomerFail")

    declined = buy(client, owner, cid, 600)
    assert declined.status_code == 201, declined.json
    pending = declined.json["pending"]
    assert pending["number"] == 2 and pending["status"] == "open" and pending["last_failure"]
    assert declined.json["block_minutes"] == 600  # not paid: not loggable
    again = buy(client, owner, cid, 600)
    assert again.status_code == 409 and again.json["error"]["code"] == "block_pending"
    assert again.json["error"]["field"] == "block_minutes"
    assert invoice(hired, 3) is None
    assert len(paying.stripe.v1.invoices.list(params={"limit": 10}).data) == 2

    paying.deps.clock.now = at(24, 20)
    sign_in(client, someone)
    assert log(client, someone, cid, at(24, 9), at(24, 18)).status_code == 201
    assert log(client, someone, cid, at(23, 9), at(23, 11)).status_code == 409  # 60 minutes left

    # the business gives up on it: voided at Stripe, it is no longer pending and adds nothing
    paying.stripe.v1.invoices.void_invoice(invoice(hired, 2).stripe_invoice_id)
    paying.forward()
    sign_in(client, owner)
    now = blocks(client, owner, cid)
    assert now["pending"] is None and now["block_minutes"] == 600
    assert [b["status"] for b in now["blocks"]] == ["paid", "void"]

    # with a card that works, the next block is number 3 and pays at once
    paying.add_card(owner)
    bought = buy(client, owner, cid, 120)
    assert bought.status_code == 201 and bought.json["block_minutes"] == 720
    assert invoice(hired, 3).block_offset == 600 and invoice(hired, 2).block_offset is None


def test_a_double_click_buys_one_block(client, paying):
    """Two posts of the same form at the same moment (the form names block 2): one invoice, and
    both answer it; sent again once it is paid, the form still answers block 2."""
    hired = block_hire(client, paying)
    owner, cid = hired["owner"], hired["contract"]["id"]
    principal = authenticate(owner["token"], deps=paying.deps).principal
    barrier, answers = threading.Barrier(2), []

    def click():
        barrier.wait()
        answers.append(purchase.buy(principal, cid, minutes=600, number=2, deps=paying.deps))

    # each thread runs in a copy of this context: the table the test bound is a context variable
    threads = [threading.Thread(target=contextvars.copy_context().run, args=(click,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 2 and all(len(a.blocks) == 2 for a in answers)
    assert invoice(hired, 3) is None
    assert len(paying.stripe.v1.invoices.list(params={"limit": 10}).data) == 2  # the first block and one more

    again = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/blocks",
        {"block_minutes": 600, "number": 2},
        token=owner["token"],
    )
    assert again.status_code == 201 and again.json["block_minutes"] == 1200 and len(again.json["blocks"]) == 2
    other = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/blocks",
        {"block_minutes": 300, "number": 2},
        token=owner["token"],
    )
    assert other.status_code == 409 and other.json["error"]["code"] == "block_bought"
    ahead = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/blocks",
        {"block_minutes": 300, "number": 4},
        token=owner["token"],
    )
    assert ahead.status_code == 409 and ahead.json["error"]["field"] == "number"
    assert invoice(hired, 3) is None


def test_a_declined_block_is_dunned_and_its_hours_come_when_it_is_paid(client, paying):
    hired = block_hire(client, paying)
    owner, cid = hired["owner"], hired["contract"]["id"]
    paying.add_card(owner, card="pm_card_chargeCustomerFail")
    assert buy(client, owner, cid, 300).json["pending"]["status"] == "open"
    paying.deps.clock.now = MONDAY + timedelta(days=1, hours=2)
    sign_in(client, owner)
    paying.add_card(owner)  # the new card is charged at once for the block its old one failed on
    assert runner.run("dunning", deps=paying.deps).changed == 0
    after = blocks(client, owner, cid)
    assert after["block_minutes"] == 900 and after["pending"] is None
    paying.forward()  # invoice.paid arrives after: nothing added twice
    assert blocks(client, owner, cid)["block_minutes"] == 900


def test_the_automatic_top_up_buys_once_and_again_only_after_the_first_is_paid(client, paying, monkeypatch):
    hired = block_hire(client, paying)
    owner, someone, cid = hired["owner"], hired["agent"], hired["contract"]["id"]
    set_up = turn_on_top_up(client, owner, cid)
    assert set_up.json["top_up"] == {"threshold_minutes": 120, "block_minutes": 300}

    paying.deps.clock.now = at(26, 20)
    sign_in(client, someone), sign_in(client, owner)
    # a new session's first request also creates its rate-limit bucket: spend that before counting
    assert call(client, "GET", f"/api/v1/contracts/{cid}", token=someone["token"]).status_code == 200
    requests = count_requests(monkeypatch)
    assert log(client, someone, cid, at(24, 9), at(24, 16)).status_code == 201  # 420: 180 left
    quiet = requests.pop()
    assert len(blocks(client, owner, cid)["blocks"]) == 1
    requests.pop()
    assert log(client, someone, cid, at(25, 9), at(25, 10, 30)).status_code == 201  # 90 left: < 120
    # the top-up rode in the entry's own transaction: one read more, the fee schedule it is billed under
    assert requests.pop() == quiet + 1
    topped = blocks(client, owner, cid)
    assert topped["pending"]["number"] == 2 and topped["pending"]["status"] == "planned"
    assert topped["block_minutes"] == 600  # not paid yet
    assert log(client, someone, cid, at(25, 11), at(25, 11, 30)).status_code == 201  # 60 left
    assert log(client, someone, cid, at(25, 12), at(25, 12, 30)).status_code == 201  # 30 left
    assert invoice(hired, 3) is None  # one top-up while it waits, not one per entry
    assert len(paying.stripe.v1.invoices.list(params={"limit": 10}).data) == 1  # nothing at Stripe yet

    # the hourly job carries it to Stripe and collects it; then its hours are there
    paying.deps.clock.now = at(26, 21)
    assert runner.run("advance-invoices", deps=paying.deps).changed == 1
    sign_in(client, owner), sign_in(client, someone)
    paid = blocks(client, owner, cid)
    assert (paid["block_minutes"], paid["remaining_minutes"], paid["pending"]) == (900, 330, None)
    assert invoice(hired, 2).block_offset == 600
    assert runner.run("advance-invoices", deps=paying.deps).changed == 0

    assert log(client, someone, cid, at(26, 9), at(26, 12)).status_code == 201  # 150 left: no top-up
    assert invoice(hired, 3) is None
    assert log(client, someone, cid, at(26, 13), at(26, 14)).status_code == 201  # 90 left: another
    assert invoice(hired, 3).status == "planned"
    audit = call(client, "GET", "/api/v1/audit-log", token=owner["token"]).json
    assert [e["action"] for e in audit["entries"]].count("block.top_up") == 2

    turned_off = call(
        client, "PUT", f"/api/v1/contracts/{cid}/top-up", {"enabled": False}, token=owner["token"]
    )
    assert turned_off.status_code == 200 and turned_off.json["top_up"] is None


def count_requests(monkeypatch):
    """DynamoDB requests per call, as the diary bench counts them."""
    from pynamodb.connection.base import Connection

    original = Connection._make_api_call
    counts = [0]

    def counting(connection, operation_name, operation_kwargs):
        counts[0] += 1
        return original(connection, operation_name, operation_kwargs)

    monkeypatch.setattr(Connection, "_make_api_call", counting)

    class Counter:
        def pop(self):
            value, counts[0] = counts[0], 0
            return value

    return Counter()


def test_two_blocks_settle_in_order_and_each_refunds_its_own_rest(client, paying):
    hired = block_hire(client, paying)
    owner, someone, cid = hired["owner"], hired["agent"], hired["contract"]["id"]
    tenant = TenantId(owner["tenant_id"])
    assert buy(client, owner, cid, 600).status_code == 201  # block 2: minutes 600 to 1200
    paying.enable_payouts(someone, country="US")
    paying.deps.clock.now = at(27, 20)
    sign_in(client, someone)
    assert log(client, someone, cid, at(24, 9), at(24, 18)).status_code == 201  # 540
    assert log(client, someone, cid, at(25, 9), at(25, 13)).status_code == 201  # 240: 780 in all

    paying.deps.clock.now = at(9, 14, month=12)  # payout day of 2026-W48
    report = runner.run("settle-payouts", deps=paying.deps)
    assert report.failures == [], report
    first, second = invoice(hired, 1), invoice(hired, 2)
    # each block's transfer is funded by its own invoice's charge (and filed under its group)
    amounts = {
        t.source_transaction: t.amount for t in paying.stripe.v1.transfers.list(params={"limit": 10}).data
    }
    # the first block is drawn whole (600 minutes, 200.00 less 8%); the second carries 180 minutes
    assert amounts == {first.stripe_charge_id: 20000 - 1600, second.stripe_charge_id: 6000 - 480}
    assert first.settled_at is not None and second.settled_at is None  # a used-up block is done

    sign_in(client, owner)
    ended = call(
        client, "POST", f"/api/v1/contracts/{cid}/end", {"reason": "Season over"}, token=owner["token"]
    )
    assert ended.status_code == 200
    paying.deps.clock.now = at(23, 14, month=12)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    refunds = paying.stripe.v1.refunds.list(params={"limit": 10}).data
    assert [(r.charge, r.amount) for r in refunds] == [(second.stripe_charge_id, 21000 - 6000 - 300)]
    for record in (invoice(hired, 1), invoice(hired, 2)):
        assert record.settled_at is not None
        postings = ledger_store.postings(tenant, record.invoice_id)
        assert balance(postings, f"held:{record.invoice_id}", "usd") == 0
        assert balance(postings, f"receivable:{tenant.value}", "usd") == 0
        assert reconciliation.reconcile_invoice(record, deps=paying.deps) == []
    checked = reconciliation.reconcile_tenant(tenant, deps=paying.deps)
    assert checked.invoices == 2 and checked.differences == []


def test_blocks_barely_used_each_refund_their_own_rest(client, paying):
    hired = block_hire(client, paying)
    owner, someone, cid = hired["owner"], hired["agent"], hired["contract"]["id"]
    tenant = TenantId(owner["tenant_id"])
    assert buy(client, owner, cid, 300).status_code == 201  # block 2: minutes 600 to 900
    paying.enable_payouts(someone, country="US")
    paying.deps.clock.now = at(27, 20)
    sign_in(client, someone), sign_in(client, owner)
    assert log(client, someone, cid, at(24, 9), at(24, 14)).status_code == 201  # 300 of block 1
    call(client, "POST", f"/api/v1/contracts/{cid}/end", {"reason": "Quiet season"}, token=owner["token"])
    paying.deps.clock.now = at(9, 14, month=12)  # payout day of 2026-W48, the week it ended
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    first, second = invoice(hired, 1), invoice(hired, 2)
    refunds = {r.charge: r.amount for r in paying.stripe.v1.refunds.list(params={"limit": 10}).data}
    assert refunds == {
        first.stripe_charge_id: 21000 - 10000 - 500,  # 5 unused hours of 10 and their fee
        second.stripe_charge_id: 10000 + 500,  # all 5 hours of block 2 and their fee
    }
    (transfer,) = paying.stripe.v1.transfers.list(params={"limit": 10}).data
    assert transfer.source_transaction == first.stripe_charge_id and transfer.amount == 10000 - 800
    assert reconciliation.reconcile_tenant(tenant, deps=paying.deps).differences == []
    for record in (first, second):
        assert record.settled_at is not None
        assert (
            balance(ledger_store.postings(tenant, record.invoice_id), f"held:{record.invoice_id}", "usd") == 0
        )


def test_bad_input_names_the_field(client, paying):
    hired = block_hire(client, paying)
    owner, someone, cid = hired["owner"], hired["agent"], hired["contract"]["id"]
    for minutes in (0, 3000 * 60):
        refused = buy(client, owner, cid, minutes)
        assert refused.status_code == 400 and refused.json["error"]["field"] == "block_minutes", refused.json
    top_up = f"/api/v1/contracts/{cid}/top-up"
    not_a_number = call(
        client,
        "PUT",
        top_up,
        {"enabled": True, "threshold_minutes": "lots", "block_minutes": 600},
        token=owner["token"],
    )
    assert not_a_number.status_code == 400 and not_a_number.json["error"]["field"] == "threshold_minutes"
    missing = call(client, "PUT", top_up, {"enabled": True, "block_minutes": 600}, token=owner["token"])
    assert missing.status_code == 400 and missing.json["error"]["field"] == "threshold_minutes"
    too_small = call(
        client,
        "PUT",
        top_up,
        {"enabled": True, "threshold_minutes": 60, "block_minutes": 30},
        token=owner["token"],
    )
    assert too_small.status_code == 400 and too_small.json["error"]["field"] == "block_minutes"

    hourly = hire(client, paying.deps, owner=owner, now=None)
    refused = buy(client, owner, hourly["contract"]["id"], 600)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "not_a_block_contract"
    assert refused.json["error"]["field"] == "block_minutes"

    assert buy(client, someone, cid, 600).status_code == 403  # the agent does not buy hours
    stranger = business(client)
    assert buy(client, stranger, cid, 600).status_code == 404
    assert call(client, "GET", f"/api/v1/contracts/{cid}/blocks", token=stranger["token"]).status_code == 404

    call(client, "POST", f"/api/v1/contracts/{cid}/end", {"reason": "Done"}, token=owner["token"])
    ended = buy(client, owner, cid, 600)
    assert ended.status_code == 409 and ended.json["error"]["field"] == "block_minutes"
    assert [b["number"] for b in blocks(client, owner, cid)["blocks"]] == [1]


def cancel(client, person, cid, number):
    return call(client, "POST", f"/api/v1/contracts/{cid}/blocks/{number}/cancel", token=person["token"])


def test_the_business_cancels_a_block_that_is_not_paid(client, paying):
    hired = block_hire(client, paying)
    owner, someone, cid = hired["owner"], hired["agent"], hired["contract"]["id"]
    tenant = TenantId(owner["tenant_id"])
    paying.add_card(owner, card="pm_card_chargeCustomerFail")
    assert buy(client, owner, cid, 600).json["pending"]["status"] == "open"

    assert cancel(client, someone, cid, 2).status_code == 403
    first = cancel(client, owner, cid, 1)
    assert first.status_code == 409 and first.json["error"]["field"] == "number"
    assert cancel(client, owner, cid, 7).status_code == 404
    assert cancel(client, owner, cid, "two").status_code == 404

    cancelled = cancel(client, owner, cid, 2)
    assert cancelled.status_code == 200, cancelled.json
    assert cancelled.json["pending"] is None and cancelled.json["block_minutes"] == 600
    assert [b["status"] for b in cancelled.json["blocks"]] == ["paid", "void"]
    second = invoice(hired, 2)
    assert paying.stripe.v1.invoices.retrieve(second.stripe_invoice_id).status == "void"
    postings = ledger_store.postings(tenant, second.invoice_id)
    assert balance(postings, f"receivable:{tenant.value}", "usd") == 0  # no longer owed
    again = cancel(client, owner, cid, 2)  # a second click: nothing more
    assert again.status_code == 200 and [b["status"] for b in again.json["blocks"]] == ["paid", "void"]
    paying.forward()  # invoice.voided arrives: nothing changes
    assert invoice(hired, 2).status == "void"
    paying.deps.clock.now = MONDAY + timedelta(days=1, hours=2)
    sign_in(client, owner)
    assert runner.run("dunning", deps=paying.deps).changed == 0  # a void block is never charged again

    paying.add_card(owner)
    assert buy(client, owner, cid, 120).json["blocks"][-1]["status"] == "paid"  # block 3
    paid = cancel(client, owner, cid, 3)
    assert paid.status_code == 409 and paid.json["error"]["code"] == "block_paid"
    assert reconciliation.reconcile_tenant(tenant, deps=paying.deps).differences == []


def test_a_planned_top_up_is_cancelled_here_and_never_reaches_stripe(client, paying):
    hired = block_hire(client, paying)
    owner, someone, cid = hired["owner"], hired["agent"], hired["contract"]["id"]
    turn_on_top_up(client, owner, cid)
    paying.deps.clock.now = at(26, 20)
    sign_in(client, someone), sign_in(client, owner)
    assert log(client, someone, cid, at(24, 9), at(24, 18)).status_code == 201  # 60 left: top-up
    assert blocks(client, owner, cid)["pending"]["status"] == "planned"
    at_stripe = len(paying.stripe.v1.invoices.list(params={"limit": 10}).data)

    cancelled = cancel(client, owner, cid, 2)
    assert cancelled.status_code == 200, cancelled.json
    assert cancelled.json["pending"] is None and cancelled.json["blocks"][-1]["status"] == "void"
    runner.run("advance-invoices", deps=paying.deps)
    assert invoice(hired, 2).status == "void" and invoice(hired, 2).stripe_invoice_id is None
    assert len(paying.stripe.v1.invoices.list(params={"limit": 10}).data) == at_stripe


def test_ending_the_contract_withdraws_the_block_waiting_for_payment(client, paying):
    hired = block_hire(client, paying)
    owner, cid = hired["owner"], hired["contract"]["id"]
    paying.add_card(owner, card="pm_card_chargeCustomerFail")
    assert buy(client, owner, cid, 600).json["pending"]["status"] == "open"
    ended = call(
        client, "POST", f"/api/v1/contracts/{cid}/end", {"reason": "season over"}, token=owner["token"]
    )
    assert ended.status_code == 200, ended.json
    assert invoice(hired, 2).status == "void"
    assert paying.stripe.v1.invoices.retrieve(invoice(hired, 2).stripe_invoice_id).status == "void"


def test_a_block_unpaid_when_the_end_date_comes_is_withdrawn_not_dunned(client, paying):
    """The contract ends by its end date (no one ends it): the block still waiting for its payment
    is not charged again for hours that can no longer be logged; the next dunning run voids it."""
    hired = block_hire(client, paying, end_date="2026-11-25")
    owner = hired["owner"]
    cid = hired["contract"]["id"]
    paying.add_card(owner, card="pm_card_chargeCustomerFail")
    assert buy(client, owner, cid, 600).json["pending"]["status"] == "open"

    paying.deps.clock.now = at(27, 10)  # Friday: the contract ended with Wednesday
    assert runner.run("dunning", deps=paying.deps).changed == 1
    second = invoice(hired, 2)
    assert second.status == "void" and second.attempts == 1  # no charge after the end
    assert paying.stripe.v1.invoices.retrieve(second.stripe_invoice_id).status == "void"
    sign_in(client, owner)
    assert blocks(client, owner, cid)["pending"] is None
    assert runner.run("dunning", deps=paying.deps).changed == 0


def test_an_agent_on_a_block_sees_its_weeks_in_earnings_from_review_to_payout(client, paying):
    hired = block_hire(client, paying)  # 10 h at 20.00 USD, paid on acceptance; tier 2 keeps 8%
    someone, cid = hired["agent"], hired["contract"]["id"]
    paying.enable_payouts(someone, country="US")
    paying.deps.clock.now = at(24, 20)
    sign_in(client, someone)
    assert log(client, someone, cid, at(24, 9), at(24, 17)).status_code == 201  # 8 h

    def earned():
        sign_in(client, someone)
        response = call(client, "GET", "/api/v1/agent/earnings", token=someone["token"])
        assert response.status_code == 200, response.json
        return response.json

    now = earned()
    assert now["pending_review"] == [{"amount": 16000, "currency": "usd"}]
    assert [(w["contract_id"], w["week"], w["minutes"]) for w in now["weeks"]] == [(cid, "2026-W48", 480)]

    paying.deps.clock.now = at(9, 14, month=12)  # Wednesday of W50: W48's draw is paid out
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    after = earned()
    assert after["pending_review"] == [] and after["approved"] == []  # counted once, by its transfer
    assert after["paid_out"] == [{"amount": 14720, "currency": "usd"}]  # 160.00 less 8%
    assert after["weeks"][0]["state"] == "approved"
