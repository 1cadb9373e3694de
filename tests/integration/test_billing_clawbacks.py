"""Refunds after payout (PROMISES P12): an operator upholds a complaint about minutes already paid
out; the business is refunded, the agent's share is reversed from their transfer, and a reversal
their Stripe balance cannot cover is booked as owed and kept back from their next transfer. The
ledger reconciles with Stripe at every step."""

from datetime import timedelta

import pytest

from chalicelib.domain.ledger import balance
from chalicelib.domain.tenancy import AgentId, TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.jobs import runner
from chalicelib.payments.gateway import PaymentsUnavailable
from chalicelib.services import payouts, reconciliation, settlement
from chalicelib.services.clawbacks import overview
from chalicelib.store import ledger as ledger_store
from chalicelib.store.billing import InvoiceRecord, invoice_key
from tests.integration.billing_helpers import payout_day, worked_week
from tests.integration.contract_helpers import at, log, sign_in
from tests.integration.helpers import STRONG, call
from tests.integration.portal_helpers import PortalSession, signed_in
from tests.stripe_support import FUNDS_DELAY

pytestmark = pytest.mark.integration
W48, W49 = BillingWeek(2026, 48), BillingWeek(2026, 49)


def paid_out(client, paying, *, also_w49=False, funds_available=True):
    """3 h at 25.00 USD in W48 (a 75.00 line and a 3.75 client fee; 69.00 to the agent after the
    8% agent fee of their tier), invoiced, paid and paid out on the Wednesday of W50."""
    hired = worked_week(client, paying)
    paying.add_card(hired["owner"])
    paying.enable_payouts(hired["agent"], country="US")
    assert runner.run("bill-week", deps=paying.deps).failures == []
    if also_w49:
        paying.deps.clock.now = at(2, 18, month=12)
        sign_in(client, hired["agent"])
        response = log(
            client, hired["agent"], hired["contract"]["id"], at(1, 9, month=12), at(1, 12, month=12)
        )
        assert response.status_code == 201, response.json
        paying.deps.clock.now = at(7, 12, 30, month=12)
        assert runner.run("bill-week", deps=paying.deps).failures == []
    payout_day(paying)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    if funds_available:  # a complaint days after the payout: the transfer's funds are available
        paying.emulator.advance_time(FUNDS_DELAY)
    for person in (hired["agent"], hired["owner"], hired["ops"]):
        sign_in(client, person)
    return hired


def invoice(hired, week=W48):
    return InvoiceRecord.find(*invoice_key(TenantId(hired["owner"]["tenant_id"]), week), consistent=True)


def refund(
    client, hired, *, minutes=60, reason="logged while the queue was closed", week=W48, contract_id=None
):
    return call(
        client,
        "POST",
        f"/api/v1/admin/businesses/{hired['owner']['tenant_id']}/invoices/{week}/refunds",
        {"contract_id": contract_id or hired["contract"]["id"], "minutes": minutes, "reason": reason},
        token=hired["ops"]["token"],
    )


def clean(paying, hired):
    item = reconciliation.reconcile_tenant(TenantId(hired["owner"]["tenant_id"]), deps=paying.deps)
    assert item.differences == []


def test_p12_a_refund_after_payout_reverses_the_agents_share(client, paying):
    hired = paid_out(client, paying)
    record = invoice(hired)
    (transfer,) = settlement.transfers_of(record)
    assert transfer.status == "sent" and transfer.amount == 6900

    answer = refund(client, hired)
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["status"] == "done" and body["minutes"] == 60
    assert body["refund"]["amount"] == 2625  # 25.00 for the hour and its 1.25 client fee
    assert body["reversal"]["amount"] == 2300  # 25.00 less the agent's 8%
    assert body["reversed"]["amount"] == 2300 and body["owed"]["amount"] == 0

    at_stripe = paying.stripe.v1.transfers.retrieve(transfer.stripe_transfer_id)
    assert at_stripe.amount_reversed == 2300
    refunds = paying.stripe.v1.refunds.list(params={"charge": record.stripe_charge_id}).data
    assert [r.amount for r in refunds] == [2625]
    postings = ledger_store.postings(TenantId(hired["owner"]["tenant_id"]), record.invoice_id)
    assert balance(postings, f"held:{record.invoice_id}", "usd") == 0
    assert balance(postings, f"reversal:{hired['agent']['id']}", "usd") == 0
    # paid 78.75 = transfers (69.00 - 23.00) + refunds 26.25 + revenue (9.75 - 3.25)
    assert -balance(postings, "revenue", "usd") == 650
    clean(paying, hired)
    assert "refund" in paying.deps.mailer.last_to(hired["owner"]["email"]).subject.lower()
    taken_back = paying.deps.mailer.last_to(hired["agent"]["email"])
    assert "refunded" in taken_back.subject
    assert "60 minutes of week 2026-W48 (a billing week, on UTC: Mon 23 Nov 00:00" in taken_back.text
    earned = call(client, "GET", "/api/v1/agent/earnings", token=hired["agent"]["token"]).json
    assert earned["paid_out"] == [{"amount": 4600, "currency": "usd"}]
    assert earned["transfers"][0]["reversed"]["amount"] == 2300

    # a second refund cannot go past what is left, and the first counts
    too_much = refund(client, hired, minutes=121)
    assert too_much.status_code == 400 and too_much.json["error"]["field"] == "minutes"
    assert refund(client, hired, minutes=120).status_code == 201
    clean(paying, hired)


def test_a_refund_soon_after_the_transfer_waits_for_its_pending_funds_then_reverses(client, paying):
    """Right after the payout, the transfer's money is still pending on the agent's account (card
    funds take days at Stripe) and Stripe refuses the reversal for now: the business is refunded at
    once, the reversal waits (not booked as a debt), and a payout run after the funds are
    available takes the agent's share back."""
    hired = paid_out(client, paying, funds_available=False)
    agent = AgentId(hired["agent"]["id"])
    answer = refund(client, hired)
    assert answer.status_code == 201, answer.json
    assert answer.json["status"] == "pending" and answer.json["owed"]["amount"] == 0
    record = invoice(hired)
    refunds = paying.stripe.v1.refunds.list(params={"charge": record.stripe_charge_id}).data
    assert [r.amount for r in refunds] == [2625]  # the business has its money back already
    assert payouts.account_of(agent).owed == {}
    clean(paying, hired)

    paying.deps.clock.now += timedelta(days=1)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []  # still pending: waits
    (transfer,) = settlement.transfers_of(invoice(hired))
    assert paying.stripe.v1.transfers.retrieve(transfer.stripe_transfer_id).amount_reversed == 0
    paying.emulator.advance_time(FUNDS_DELAY)  # the funds are available now
    paying.deps.clock.now += timedelta(days=2)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    assert paying.stripe.v1.transfers.retrieve(transfer.stripe_transfer_id).amount_reversed == 2300
    (item,) = overview.of_invoice(invoice(hired))
    assert item.status == "done" and int(item.reversed) == 2300 and int(item.owed) == 0
    assert payouts.account_of(agent).owed == {}
    clean(paying, hired)


def test_p12_a_reversal_the_agents_balance_cannot_cover_is_owed_and_kept_from_the_next_transfer(
    client, paying
):
    hired = paid_out(client, paying, also_w49=True)
    agent = AgentId(hired["agent"]["id"])
    paying.emulator.drain_balance(payouts.account_of(agent).account_id)

    answer = refund(client, hired)
    assert answer.status_code == 201, answer.json
    assert answer.json["status"] == "owed" and answer.json["owed"]["amount"] == 2300
    assert payouts.account_of(agent).owed == {"usd": 2300}
    (transfer,) = settlement.transfers_of(invoice(hired))
    assert paying.stripe.v1.transfers.retrieve(transfer.stripe_transfer_id).amount_reversed == 0
    clean(paying, hired)  # the debt is in the ledger: paid = transfers + refunds + revenue - owed
    # the agent sees what they owe; the operators see who owes
    sign_in(client, hired["agent"])
    earned = call(client, "GET", "/api/v1/agent/earnings", token=hired["agent"]["token"]).json
    assert earned["owed"] == [{"amount": 2300, "currency": "usd"}]
    mine = signed_in(client, hired["agent"]["email"]).get("/agent/earnings")
    assert 'id="owed"' in mine.text and "23.00 USD" in mine.text
    desk = signed_in(client, hired["ops"]["email"])
    owing = desk.get("/admin/payouts").text
    assert '<section id="owing">' in owing and hired["agent"]["id"] in owing and "23.00 USD" in owing

    paying.deps.clock.now = at(16, 14, month=12)  # W49's payout day
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    (next_transfer,) = settlement.transfers_of(invoice(hired, W49))
    assert next_transfer.recovered == 2300 and next_transfer.amount == 6900 - 2300
    assert paying.stripe.v1.transfers.retrieve(next_transfer.stripe_transfer_id).amount == 4600
    assert payouts.account_of(agent).owed == {}
    desk = signed_in(client, hired["ops"]["email"])  # a day on: a fresh session
    assert "No one owes anything." in desk.get("/admin/payouts").text
    sign_in(client, hired["agent"])
    assert call(client, "GET", "/api/v1/agent/earnings", token=hired["agent"]["token"]).json["owed"] == []
    clean(paying, hired)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []  # nothing recovered twice
    assert payouts.account_of(agent).owed == {}


def test_stripe_down_leaves_it_pending_and_the_payout_run_finishes_it_once(client, paying, monkeypatch):
    hired = paid_out(client, paying)

    def down(*args, **kwargs):
        raise PaymentsUnavailable("503")

    monkeypatch.setattr(paying.gateway, "create_reversal", down)
    answer = refund(client, hired)
    assert answer.status_code == 201 and answer.json["status"] == "pending"
    monkeypatch.undo()
    paying.deps.clock.now += timedelta(days=1)
    assert runner.run("settle-payouts", deps=paying.deps).changed >= 1
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    record = invoice(hired)
    assert len(paying.stripe.v1.refunds.list(params={"charge": record.stripe_charge_id}).data) == 1
    (transfer,) = settlement.transfers_of(record)
    assert paying.stripe.v1.transfers.retrieve(transfer.stripe_transfer_id).amount_reversed == 2300
    clean(paying, hired)


def test_refunds_after_payout_refuse_what_they_cannot_do(client, paying):
    hired = worked_week(client, paying)
    paying.add_card(hired["owner"])
    runner.run("bill-week", deps=paying.deps)
    not_yet = refund(client, hired)
    assert not_yet.status_code == 409 and not_yet.json["error"]["code"] == "not_paid_out"
    paying.enable_payouts(hired["agent"], country="US")
    payout_day(paying)
    runner.run("settle-payouts", deps=paying.deps)
    for person in (hired["agent"], hired["owner"], hired["ops"]):
        sign_in(client, person)
    assert refund(client, hired, reason=" ").json["error"]["field"] == "reason"
    assert refund(client, hired, minutes=0).json["error"]["field"] == "minutes"
    assert refund(client, hired, minutes=181).json["error"]["field"] == "minutes"  # 3 h were paid out
    assert (
        refund(client, hired, contract_id="01KNOSUCHCONTRACT0000000000").json["error"]["field"]
        == "contract_id"
    )
    assert refund(client, hired, week=W49).status_code == 404
    as_owner = call(
        client,
        "POST",
        f"/api/v1/admin/businesses/{hired['owner']['tenant_id']}/invoices/{W48}/refunds",
        {"contract_id": hired["contract"]["id"], "minutes": 60, "reason": "mine"},
        token=hired["owner"]["token"],
    )
    assert as_owner.status_code in (403, 404)
    record = invoice(hired)
    assert (
        not record.clawed_back
        and len(paying.stripe.v1.refunds.list(params={"charge": record.stripe_charge_id}).data) == 0
    )


def test_reversal_and_refund_webhooks_are_ours_or_reported(client, paying):
    hired = paid_out(client, paying)
    refund(client, hired)
    outcomes = {kind: body["outcome"] for kind, status, body in paying.forward() if status == 200}
    assert outcomes["transfer.reversed"] == "handled" and outcomes["charge.refunded"] == "handled"
    (transfer,) = settlement.transfers_of(invoice(hired))
    paying.stripe.v1.transfers.reversals.create(transfer.stripe_transfer_id, params={"amount": 100})
    results = paying.forward(only="transfer.reversed")
    assert [body["outcome"] for _, _, body in results] == ["reported"]
    _, report = reconciliation.latest_report()
    assert any(d["what"] == "transfers" for item in report for d in item.differences)


def test_the_operator_refunds_from_the_payouts_page(client, paying):
    hired = paid_out(client, paying)
    tenant_id, cid = hired["owner"]["tenant_id"], hired["contract"]["id"]
    page = PortalSession(client)
    page.get("/login")
    landed = page.post("/login", {"email": hired["ops"]["email"], "password": STRONG})
    assert landed.status_code == 303
    page.follow(landed)
    shown = page.get(f"/admin/payouts?tenant={tenant_id}")
    assert shown.status_code == 200 and "Refunds after payout" in shown.text and "2026-W48" in shown.text
    bad = page.post(
        f"/admin/businesses/{tenant_id}/invoices/2026-W48/refunds",
        {"contract_id": cid, "hours": "9", "reason": "late"},
    )
    assert bad.status_code == 400 and 'id="hours-error-2026-W48"' in bad.text
    assert 'name="number" value="1"' in shown.text
    form = {"contract_id": cid, "hours": "0.5", "reason": "logged twice", "number": "1"}
    asked = page.post(f"/admin/businesses/{tenant_id}/invoices/2026-W48/refunds", form)
    assert "Refund 30 min to" in asked.text and "12.50 USD for the minutes" in asked.text
    assert invoice(hired).clawbacks in (0, None)  # nothing moves before the button is pressed
    done = page.confirm(asked)
    assert done.status_code == 303, done.text
    twice = page.post(f"/admin/businesses/{tenant_id}/invoices/2026-W48/refunds", {**form, "confirm": "yes"})
    assert twice.status_code == 303 and invoice(hired).clawbacks == 1  # a double click
    # half an hour: 12.50 of the line, and the client fee on it, 3.75 - 3.12 (3.125 to even) = 0.63
    assert "13.13 USD for week 2026-W48: refunded" in page.flash(page.follow(done))


def test_a_refund_sent_again_answers_the_first_and_moves_no_more_money(client, paying):
    """A double click or a retry after a timeout names the refund it meant: no second refund."""
    hired = paid_out(client, paying)
    path = f"/api/v1/admin/businesses/{hired['owner']['tenant_id']}/invoices/{W48}/refunds"
    body = {"contract_id": hired["contract"]["id"], "minutes": 60, "reason": "logged twice", "number": 1}
    first = call(client, "POST", path, body, token=hired["ops"]["token"])
    again = call(client, "POST", path, body, token=hired["ops"]["token"])
    assert first.status_code == again.status_code == 201, again.json
    assert again.json["id"] == first.json["id"]
    record = invoice(hired)
    assert record.clawbacks == 1
    refunds = paying.stripe.v1.refunds.list(params={"charge": record.stripe_charge_id}).data
    assert [r.amount for r in refunds] == [2625]

    other = call(client, "POST", path, {**body, "minutes": 30}, token=hired["ops"]["token"])
    assert other.status_code == 409 and other.json["error"]["field"] == "number"
    stale = call(client, "POST", path, {**body, "number": 5}, token=hired["ops"]["token"])
    assert stale.status_code == 409 and stale.json["error"]["field"] == "number"
    assert (
        call(
            client, "POST", path, {**body, "number": 2, "minutes": 30}, token=hired["ops"]["token"]
        ).status_code
        == 201
    )
    clean(paying, hired)


def test_a_refund_after_payout_uses_the_fees_the_invoice_was_billed_under(client, paying):
    hired = paid_out(client, paying)
    raised = call(
        client,
        "PUT",
        "/api/v1/admin/fees",
        {"client_fee_bps": 900, "agent_fee_bps": {"1": 2000, "2": 1500, "3": 1000}, "version": 0},
        token=hired["ops"]["token"],
    )
    assert raised.status_code == 200, raised.json
    answer = refund(client, hired)
    assert answer.status_code == 201, answer.json
    # as billed: 25.00 and the 5% client fee back to the business, 25.00 less 8% from the agent
    assert (answer.json["refund"]["amount"], answer.json["reversal"]["amount"]) == (2625, 2300)
    clean(paying, hired)


def test_m9_a_refund_after_payout_on_a_week_with_minutes_upheld_before_payout_is_to_the_cent(client, paying):
    """Issue 11, finding 8, end to end: 150 minutes at 19.99 an hour (a 49.98 line), 7 of them
    upheld in a dispute before payout, 143 paid out; refunding 11 after payout gives back
    line(143) - line(132) = 3.66 (and its client fee), and refunding the rest makes the line's
    parts add up to 49.98, as upholding all of them before payout would have."""
    from chalicelib.services.invoicing import invoices
    from tests.integration.contract_helpers import hire

    hired = hire(client, paying.deps, rate={"amount": 1999, "currency": "usd"})
    someone, owner, ops, cid = hired["agent"], hired["owner"], hired["ops"], hired["contract"]["id"]
    paying.deps.clock.now = at(27, 20)
    sign_in(client, someone)
    assert log(client, someone, cid, at(24, 9), at(24, 11, 23)).status_code == 201  # 143 minutes
    assert log(client, someone, cid, at(25, 9), at(25, 9, 7)).status_code == 201  # 7 minutes
    paying.deps.clock.now = at(30, 12, 30)
    for person in (someone, owner, ops):
        sign_in(client, person)
    paying.add_card(owner)
    paying.enable_payouts(someone, country="US")
    assert runner.run("bill-week", deps=paying.deps).failures == []
    sheet = call(client, "GET", f"/api/v1/contracts/{cid}/timesheets/2026-W48", token=owner["token"]).json
    seven = next(e["id"] for e in sheet["entries"] if e["minutes"] == 7)
    dispute = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/entries/{seven}/dispute",
        {"reason": "x"},
        token=owner["token"],
    ).json
    resolved = call(
        client,
        "POST",
        f"/api/v1/admin/disputes/{dispute['id']}/resolve",
        {"outcome": "upheld", "upheld_minutes": 7, "note": "Seven minutes unbacked"},
        token=ops["token"],
    )
    assert resolved.status_code == 200, resolved.json
    payout_day(paying)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    paying.emulator.advance_time(FUNDS_DELAY)
    for person in (someone, owner, ops):
        sign_in(client, person)
    record = invoice(hired)
    assert record.lines[0]["amount"] == 4998 and record.transferred[someone["id"]]["gross"] == 4764

    first = refund(client, hired, minutes=11)
    assert first.status_code == 201, first.json
    assert first.json["refund"]["amount"] == 366 + 18  # line(143) - line(132), and 5% of it
    rest = refund(client, hired, minutes=132)
    assert rest.status_code == 201, rest.json
    record = invoice(hired)
    line_parts = 4998 - 4764 + sum(int(v["gross"]) for v in record.clawed_back.values())
    assert line_parts == 4998
    refunded = sum(
        r.amount for r in paying.stripe.v1.refunds.list(params={"charge": record.stripe_charge_id}).data
    )
    assert refunded == int(record.total)  # every cent back, none more
    assert invoices.plan_of(record).total == int(record.total)
    clean(paying, hired)


def test_m9_refunds_after_payout_on_a_busy_invoice_end_where_upholding_before_payout_would(client, paying):
    """Issue 11, finding 8: every other path where a refund after payout could compute its line
    from minutes that were not paid out, on one invoice. One agent (tier 1) has two contracts of
    the business, one of them with a one-off bonus and an entry across the week boundary logged in
    the grace half-day; a second agent (tier 3) has a third contract. Before payout: 7 minutes
    upheld by the operator, 7 conceded by the agent; a dispute still open at payout (its minutes
    held), rejected after it (released and paid out by the next run). After payout: refunds in
    several steps on every line. Then every line's parts add up to the line, and the refunds,
    transfers and revenue at Stripe are exactly what upholding all those minutes before payout
    would have given (domain.billing.settle), to the cent."""
    from chalicelib.domain import billing as rules
    from chalicelib.services.invoicing import invoices, planning
    from tests.integration.contract_helpers import approved, hire, timesheet

    def dispute(contract_id, minutes, who):
        sheet = timesheet(client, who, contract_id, "2026-W48")
        entry = next(e["id"] for e in sheet["entries"] if e["minutes"] == minutes)
        filed = call(
            client,
            "POST",
            f"/api/v1/contracts/{contract_id}/entries/{entry}/dispute",
            {"reason": "the queue was closed"},
            token=owner["token"],
        )
        assert filed.status_code in (200, 201), filed.json
        return entry, filed.json["id"]

    def resolve(dispute_id, outcome, upheld=None):
        body = {"outcome": outcome, "note": "Decided", **({"upheld_minutes": upheld} if upheld else {})}
        answer = call(
            client, "POST", f"/api/v1/admin/disputes/{dispute_id}/resolve", body, token=ops["token"]
        )
        assert answer.status_code == 200, answer.json

    first = hire(client, paying.deps, rate={"amount": 1999, "currency": "usd"})
    ops, owner, ann = first["ops"], first["owner"], first["agent"]
    second = hire(
        client, paying.deps, ops=ops, owner=owner, someone=ann, rate={"amount": 1333, "currency": "usd"}
    )
    bob = approved(client, ops, tier=3)
    third = hire(
        client, paying.deps, ops=ops, owner=owner, someone=bob, rate={"amount": 2777, "currency": "usd"}
    )
    a1, a2, b1 = (h["contract"]["id"] for h in (first, second, third))

    paying.deps.clock.now = at(27, 20)
    for person in (ann, bob, owner):
        sign_in(client, person)
    for who, cid, start, end in (
        (ann, a1, at(24, 9), at(24, 11, 23)),  # 143
        (ann, a1, at(25, 9), at(25, 9, 7)),  # 7, upheld before payout
        (ann, a2, at(24, 13), at(24, 14, 1)),  # 61, disputed over payout, then rejected
        (ann, a2, at(26, 13), at(26, 13, 19)),  # 19
        (bob, b1, at(24, 9), at(24, 10, 37)),  # 97, conceded down to 90
        (bob, b1, at(26, 9), at(26, 9, 1)),  # 1
    ):
        response = log(client, who, cid, start, end)
        assert response.status_code == 201, response.json
    bonus = call(
        client,
        "POST",
        f"/api/v1/contracts/{a1}/bonuses",
        {"amount": {"amount": 1234, "currency": "usd"}},
        token=owner["token"],
    )
    assert bonus.status_code == 201, bonus.json
    # the grace half-day (Monday before 12:00 UTC): an entry across the week boundary, Sunday
    # 23:10 to Monday 00:43, 50 minutes in 2026-W48 and 43 in W49
    paying.deps.clock.now = at(30, 1)
    sign_in(client, ann)
    assert log(client, ann, a1, at(29, 23, 10), at(30, 0, 43)).status_code == 201

    paying.deps.clock.now = at(30, 12, 30)
    for person in (ann, bob, owner, ops):
        sign_in(client, person)
    paying.add_card(owner)
    paying.enable_payouts(ann, country="US")
    paying.enable_payouts(bob, country="PT")
    assert runner.run("bill-week", deps=paying.deps).failures == []
    record = invoice(first)
    billed = {line["contract_id"]: line["minutes"] for line in record.lines if line["kind"] == "hours"}
    assert billed == {a1: 143 + 7 + 50, a2: 61 + 19, b1: 97 + 1}

    _, upheld = dispute(a1, 7, owner)
    resolve(upheld, "upheld", 7)
    conceded_entry, _ = dispute(b1, 97, owner)
    conceded = call(
        client,
        "POST",
        f"/api/v1/contracts/{b1}/entries/{conceded_entry}/dispute/concede",
        {"keep_minutes": 90},
        token=bob["token"],
    )
    assert conceded.status_code == 200, conceded.json
    _, held = dispute(a2, 61, owner)

    payout_day(paying)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    assert not invoice(first).settled_at  # 61 minutes still held
    for person in (ann, bob, owner, ops):
        sign_in(client, person)
    resolve(held, "rejected")
    paying.deps.clock.now = paying.deps.clock.now + timedelta(days=1)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    paying.emulator.advance_time(FUNDS_DELAY)
    for person in (ann, bob, owner, ops):
        sign_in(client, person)
    record = invoice(first)
    assert record.settled_at

    steps = [(a1, 11), (a2, 60), (b1, 30), (a1, 20), (a2, 1), (a1, 3), (b1, 60)]
    for cid, minutes in steps:
        answer = refund(client, first, minutes=minutes, contract_id=cid)
        assert answer.status_code == 201, (cid, minutes, answer.json)

    record = invoice(first)
    plan = invoices.plan_of(record)
    clawed = {cid: sum(m for c, m in steps if c == cid) for cid in billed}
    upheld_before = {a1: 7, a2: 0, b1: 7}
    weeks = {
        w.contract_id: rules.WorkedWeek(
            w.contract_id,
            w.agent_id,
            w.title,
            w.agent_name,
            w.rate_minor,
            w.billed,
            payable=w.billed - upheld_before[w.contract_id] - clawed[w.contract_id],
            upheld=upheld_before[w.contract_id] + clawed[w.contract_id],
        )
        for w in planning.worked_weeks(TenantId(owner["tenant_id"]), W48)
    }
    expected = rules.settle(plan, weeks, tiers=dict(record.agent_tiers), fees=invoices.fees_of(record))
    charge = record.stripe_charge_id
    refunded = sum(
        r.amount for r in paying.stripe.v1.refunds.list(params={"charge": charge, "limit": 100}).data
    )
    assert refunded == expected.refunds
    for share in expected.shares:
        sent = [t for t in settlement.transfers_of(record) if t.agent_id == share.agent_id]
        kept = sum(
            t.amount - t.amount_reversed
            for t in (paying.stripe.v1.transfers.retrieve(s.stripe_transfer_id) for s in sent)
        )
        assert kept == share.net, share
    assert record.total == refunded + expected.transfers + expected.revenue
    # every hours line's parts (refunded before payout, refunded after it, still paid out) add up to it
    for line in plan.lines:
        if line.kind == "hours":
            week, before = weeks[line.contract_id], upheld_before[line.contract_id]
            parts = (
                line.amount
                - rules.hours_amount(week.billed - before, week.rate_minor, "usd")
                + int(record.clawed_back[line.contract_id]["gross"])
                + rules.hours_amount(week.payable, week.rate_minor, "usd")
            )
            assert parts == line.amount, (line.contract_id, parts, line.amount)
    clean(paying, first)
