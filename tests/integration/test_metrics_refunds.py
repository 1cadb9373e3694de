"""Refunds in the business's dashboard and the agent's scorecard (issue 16, docs/metrics.md "Labour
cost and refunds"): labour cost is what the business was invoiced for hours, bonuses and blocks in
the period, the week an invoice bills, so an agent's line refunded (minutes upheld in a dispute,
refunded by the payout run; a refund after payout) comes off the labour cost of that week (its
Monday, where the invoice counted it) and off the agent's earnings there, counted in the refund's
own transaction: once, whether the request is sent again, its transaction is refused and made
again, or the payout run runs after it. Every figure equals a recomputation from the raw records:
the invoice's lines, the refunds after payout, the timesheet's upheld minutes and the inquiries.
A block's minutes unused when it ends come off the Monday of the week it was bought.

The scenario (test_billing_clawbacks.py): 3 h at 25.00 USD in 2026-W48 (a 75.00 line, 69.00 to
the agent after the 8 % fee of their tier), invoiced on Monday 30 Nov, paid out on Wednesday 9 Dec;
labour 75.00 on Monday 23 Nov."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

import pytest

from chalicelib.domain.billing import hours_amount
from chalicelib.domain.tenancy import TenantId
from chalicelib.domain.time import BillingWeek
from chalicelib.jobs import runner
from chalicelib.services.clawbacks import overview, refunds
from chalicelib.services.invoicing import planning
from chalicelib.store import keys
from chalicelib.store.billing import InvoiceRecord
from tests.integration.billing_helpers import block_hire, payout_day, worked_week
from tests.integration.contract_helpers import at, log, sign_in
from tests.integration.helpers import call
from tests.integration.test_billing_clawbacks import invoice, paid_out, refund

pytestmark = pytest.mark.integration

LABOUR = ("hours", "bonus", "block")
WHOLE_WEEKS = (date(2026, 11, 23), date(2026, 12, 20))  # W48 to W51: read from the week sums
CUT = (date(2026, 11, 20), date(2026, 11, 26))  # Friday to Thursday: read day by day
W48_MONDAY, REFUND_DAY = date(2026, 11, 23), date(2026, 12, 14)


def recomputed(hired, first: date, last: date, contacts: list[datetime]) -> dict:
    """The figures from the raw records: each invoice's agents' lines on the Monday of the week it
    bills, less what was refunded of them (the refunds after payout, the upheld minutes' part of
    each hours line); contacts from the inquiries made."""
    tenant = TenantId(hired["owner"]["tenant_id"])
    labour, earned = 0, {}
    for record in InvoiceRecord.query(
        keys.tenant_pk(tenant), InvoiceRecord.sk.startswith("INVOICE#"), consistent_read=True
    ):
        if not isinstance(record, InvoiceRecord) or record.status not in ("open", "paid"):
            continue
        week = BillingWeek.parse(record.week)
        if not first <= week.starts_at.date() <= last:
            continue
        worked = {w.contract_id: w for w in planning.worked_weeks(tenant, week)}
        for line in record.lines:
            if line["kind"] not in LABOUR:
                continue
            amount = int(line["amount"])
            if line["kind"] == "hours":
                now = worked[line["contract_id"]]
                amount = hours_amount(now.billed - now.upheld, now.rate_minor, record.currency)
            labour += amount
            earned[line["agent_id"]] = earned.get(line["agent_id"], 0) + amount
        for clawback in overview.of_invoice(record):
            labour -= int(clawback.gross)
            earned[clawback.agent_id] -= int(clawback.gross)
    made = sum(1 for moment in contacts if first <= moment.date() <= last)
    return {"labour": labour, "contacts": made, "earned": earned}


def shown(hired, first: date, last: date) -> dict:
    """The business's dashboard and the agent's scorecards, through the API."""
    query = f"from={first.isoformat()}&to={last.isoformat()}"
    owner, agent = hired["owner"], hired["agent"]
    board = call(client_of(hired), "GET", f"/api/v1/metrics/business?{query}", token=owner["token"])
    assert board.status_code == 200, board.json
    figures = board.json["figures"]
    (row,) = board.json["agents"]
    own = call(client_of(hired), "GET", f"/api/v1/metrics/agents/{agent['id']}?{query}", token=agent["token"])
    seen = call(
        client_of(hired), "GET", f"/api/v1/metrics/agents/{agent['id']}?{query}", token=owner["token"]
    )
    assert own.status_code == 200 and seen.status_code == 200, (own.json, seen.json)
    days = {
        p["from"]: p["figures"]["labour_cost"]["amount"]
        for p in board.json["periods"]
        if p["figures"]["labour_cost"]["amount"]
    }
    return {
        "labour": figures["labour_cost"]["amount"],
        "contacts": figures["contacts"],
        "cost_per_contact": (figures["cost_per_contact"] or {}).get("amount"),
        "earned": {row["agent_id"]: _usd(row["figures"]["earnings"])},
        "own": _usd(own.json["figures"]["earnings"]),
        "for_the_business": _usd(seen.json["figures"]["earnings"]),
        "labour_by_day": days,
    }


def _usd(earnings: list[dict]) -> int:
    assert all(e["currency"] == "usd" for e in earnings)
    return sum(e["amount"] for e in earnings)


def client_of(hired):
    return hired["client"]


def agrees(hired, contacts: list[datetime]) -> dict:
    """Every figure the dashboard and the scorecards show, for a range of whole weeks and one cut
    into days, equals the recomputation; the whole weeks' figures returned."""
    for first, last in (WHOLE_WEEKS, CUT):
        expected = recomputed(hired, first, last, contacts)
        seen = shown(hired, first, last)
        assert (seen["labour"], seen["contacts"]) == (expected["labour"], expected["contacts"])
        cost = Fraction(expected["labour"], expected["contacts"]) if expected["contacts"] else None
        assert seen["cost_per_contact"] == (None if cost is None else round(cost))
        assert seen["earned"] == expected["earned"]
        (agent_earned,) = expected["earned"].values()
        assert seen["own"] == seen["for_the_business"] == agent_earned
    return shown(hired, *WHOLE_WEEKS)


def ask(hired, moment: datetime, contacts: list[datetime], count: int) -> None:
    """`count` inquiries through the business's API at `moment` (the clock moved there)."""
    paying = hired["paying"]
    paying.deps.clock.now = moment
    for n in range(count):
        made = call(
            client_of(hired),
            "POST",
            "/api/v1/inquiries",
            {
                "customer_email": f"customer{n}@example.com",
                "subject": "Where is my order?",
                "body": "Hello, I ordered coffee beans last week and they have not arrived yet.",
            },
            token=hired["key"],
        )
        assert made.status_code == 201, made.json
        contacts.append(datetime.fromisoformat(made.json["created_at"]))


def signed_in_again(hired, moment: datetime) -> None:
    hired["paying"].deps.clock.now = moment
    for person in (hired["agent"], hired["owner"], hired["ops"]):
        sign_in(client_of(hired), person)


def with_key(client, paying, hired) -> dict:
    key = call(client, "POST", "/api/v1/api-keys", {"name": "Shop"}, token=hired["owner"]["token"])
    assert key.status_code == 201, key.json
    return {**hired, "client": client, "paying": paying, "key": key.json["secret"]}


def test_a_refund_after_payout_comes_off_the_weeks_labour_cost_and_the_agents_earnings_once(
    client, paying, monkeypatch
):
    hired = with_key(client, paying, paid_out(client, paying))
    contacts: list[datetime] = []
    ask(hired, at(14, 9, month=12), contacts, 3)
    signed_in_again(hired, at(14, 9, 30, month=12))
    before = agrees(hired, contacts)
    assert (before["labour"], before["contacts"], before["cost_per_contact"]) == (7500, 3, 2500)
    assert before["own"] == 7500 and before["labour_by_day"] == {W48_MONDAY.isoformat(): 7500}

    # Monday 14 Dec: an hour refunded, its 25.00 taken off the week it bills, not off 14 Dec
    signed_in_again(hired, at(14, 10, month=12))
    made = refund(client, hired)
    assert made.status_code == 201, made.json
    after = agrees(hired, contacts)
    assert (after["labour"], after["cost_per_contact"], after["own"]) == (5000, 1667, 5000)  # 50.00 / 3
    assert after["labour_by_day"] == {W48_MONDAY.isoformat(): 5000}

    # the same request sent again answers the refund made; the payout run after it moves nothing
    again = call(
        client,
        "POST",
        f"/api/v1/admin/businesses/{hired['owner']['tenant_id']}/invoices/2026-W48/refunds",
        {
            "contract_id": hired["contract"]["id"],
            "minutes": 60,
            "reason": "logged while the queue was closed",
            "number": 1,
        },
        token=hired["ops"]["token"],
    )
    assert again.status_code == 201 and again.json["id"] == made.json["id"]
    paying.deps.clock.now = at(15, 14, month=12)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    signed_in_again(hired, at(15, 15, month=12))
    assert agrees(hired, contacts)["labour"] == 5000

    # Wednesday 16 Dec, 30 minutes more; the invoice changes while the first attempt is made, so
    # its transaction is refused and the refund made again: 12.50 counted once
    signed_in_again(hired, at(16, 10, month=12))
    attempts = []
    claw_back = refunds.rules.claw_back

    def raced(minutes, line, *, fees):
        attempts.append(minutes)
        if len(attempts) == 1:  # another request saves the invoice meanwhile (its version moves)
            current = invoice(hired)
            assert current is not None
            current.save_checked()
        return claw_back(minutes, line, fees=fees)

    monkeypatch.setattr(refunds.rules, "claw_back", raced)
    assert refund(client, hired, minutes=30).status_code == 201
    assert attempts == [30, 30]
    final = agrees(hired, contacts)
    assert (final["labour"], final["cost_per_contact"], final["own"]) == (3750, 1250, 3750)
    assert final["labour_by_day"] == {W48_MONDAY.isoformat(): 3750}


def test_minutes_upheld_before_the_payout_come_off_the_weeks_labour_cost_once(client, paying):
    """An hour of W48 disputed and upheld before the payout: the payout run refunds it (26.25 with
    its client fee) and takes its 25.00 off the labour cost and the agent's earnings of 23 Nov, in
    the refund's transaction; the run again moves nothing."""
    hired = with_key(client, paying, worked_week(client, paying))
    owner, cid = hired["owner"], hired["contract"]["id"]
    contacts: list[datetime] = []
    ask(hired, at(30, 12, 45), contacts, 4)  # Monday 30 Nov, in the range's second week
    signed_in_again(hired, at(30, 13))
    paying.add_card(owner)
    paying.enable_payouts(hired["agent"], country="US")
    assert runner.run("bill-week", deps=paying.deps).failures == []
    sheet = call(client, "GET", f"/api/v1/contracts/{cid}/timesheets/2026-W48", token=owner["token"]).json
    dispute = call(
        client,
        "POST",
        f"/api/v1/contracts/{cid}/entries/{sheet['entries'][0]['id']}/dispute",
        {"reason": "not us"},
        token=owner["token"],
    ).json
    resolved = call(
        client,
        "POST",
        f"/api/v1/admin/disputes/{dispute['id']}/resolve",
        {"outcome": "upheld", "upheld_minutes": 60, "note": "No work that hour"},
        token=hired["ops"]["token"],
    )
    assert resolved.status_code == 200, resolved.json
    signed_in_again(hired, paying.deps.clock.now)
    invoiced = shown(hired, *WHOLE_WEEKS)  # upheld, not refunded yet: the invoice's 75.00 stands
    assert (invoiced["labour"], invoiced["cost_per_contact"], invoiced["own"]) == (7500, 1875, 7500)

    payout_day(paying)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    record = invoice(hired)
    assert record is not None
    assert int(record.refunded) == 2625 and dict(record.labour_refunded) == {hired["agent"]["id"]: 2500}
    signed_in_again(hired, at(9, 15, month=12))
    after = agrees(hired, contacts)
    assert (after["labour"], after["cost_per_contact"], after["own"]) == (5000, 1250, 5000)
    assert after["labour_by_day"] == {W48_MONDAY.isoformat(): 5000}

    paying.deps.clock.now = at(10, 14, month=12)
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    signed_in_again(hired, at(10, 15, month=12))
    assert agrees(hired, contacts) == after


def test_a_blocks_unused_minutes_come_off_the_labour_cost_of_the_week_it_was_bought(client, paying):
    """A block of 10 h at 20.00 USD bought on Monday 23 Nov (labour 200.00 that day), 3 h used:
    when it has ended, the payout run refunds the 7 unused hours (140.00 and their fee) and takes
    140.00 off that Monday's labour cost and the agent's earnings."""
    hired = block_hire(client, paying)
    hired = {**hired, "client": client, "paying": paying}
    someone, owner, cid = hired["agent"], hired["owner"], hired["contract"]["id"]
    paying.enable_payouts(someone, country="US")
    paying.deps.clock.now = at(27, 20)
    sign_in(client, someone)
    assert log(client, someone, cid, at(24, 9), at(24, 12)).status_code == 201  # 180 minutes
    signed_in_again(hired, at(9, 14, month=12))  # the payout day of 2026-W48
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    drawn = shown(hired, *WHOLE_WEEKS)
    assert (drawn["labour"], drawn["own"], drawn["labour_by_day"]) == (20000, 20000, {"2026-11-23": 20000})

    ended = call(client, "POST", f"/api/v1/contracts/{cid}/end", {"reason": "Over"}, token=owner["token"])
    assert ended.json["status"] == "ended"
    paying.deps.clock.now = at(23, 14, month=12)  # the payout day of the week it ended
    assert runner.run("settle-payouts", deps=paying.deps).failures == []
    refunded = paying.stripe.v1.refunds.list(params={"limit": 10}).data
    assert [r.amount for r in refunded] == [14000 + 700]
    signed_in_again(hired, at(23, 15, month=12))
    after = shown(hired, *WHOLE_WEEKS)
    assert (after["labour"], after["own"], after["labour_by_day"]) == (6000, 6000, {"2026-11-23": 6000})
    assert runner.run("settle-payouts", deps=paying.deps).planned == 0
