"""Refunds after payout: refunding paid-out minutes, in any number of steps, ends exactly where a
dispute upheld before payout would have (the same refunds, transfers and revenue, to the cent),
and no step moves a negative amount."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import billing as b
from chalicelib.domain import clawbacks as c
from chalicelib.domain.errors import InvalidInput

FEES = b.FeeSchedule()


def worked(contract, agent, rate, billed, upheld=0):
    return b.WorkedWeek(contract, agent, "Support", "Ana", rate, billed, billed - upheld, 0, upheld)


@st.composite
def invoices(draw):
    agents = ["a1", "a2"]
    weeks = []
    for n in range(draw(st.integers(1, 3))):
        billed = draw(st.integers(1, 3000))
        weeks.append(worked(f"c{n}", draw(st.sampled_from(agents)), draw(st.integers(1, 20000)), billed))
    bonuses = [
        b.Bonus(f"x{n}", w.contract_id, w.agent_id, draw(st.integers(1, 50000)), "Thanks")
        for n, w in enumerate(weeks)
        if draw(st.booleans())
    ]
    tiers = {a: draw(st.integers(1, 3)) for a in agents}
    fee = draw(st.sampled_from([0, 500, 1250]))
    return weeks, bonuses, tiers, b.FeeSchedule(client_fee_bps=fee)


@given(invoices(), st.data())
def test_refunding_after_payout_ends_where_a_dispute_before_payout_would(invoice, data):
    weeks, bonuses, tiers, fees = invoice
    plan = b.plan_invoice(weeks, bonuses, currency="usd", fees=fees, week_label="W")
    paid_out = b.settle(plan, {w.contract_id: w for w in weeks}, tiers=tiers, fees=fees)
    agent_gross = {s.agent_id: s.gross for s in paid_out.shares}
    fee_base = sum(agent_gross.values())
    clawed = {w.contract_id: 0 for w in weeks}
    refunded = reversed_ = returned = 0
    for _step in range(data.draw(st.integers(1, 6))):
        target = data.draw(st.sampled_from(weeks))
        left = target.payable - clawed[target.contract_id]
        if left == 0:
            continue
        minutes = data.draw(st.integers(1, left))
        step = c.claw_back(
            minutes,
            c.PaidOut(
                "usd",
                target.rate_minor,
                left,
                agent_gross[target.agent_id],
                fee_base,
                tiers[target.agent_id],
                plan.client_fee > 0,
            ),
            fees=fees,
        )
        assert min(step.gross, step.agent_fee, step.client_fee, step.reversal) >= 0
        assert step.refund == step.reversal + step.revenue_returned
        clawed[target.contract_id] += minutes
        agent_gross[target.agent_id] -= step.gross
        fee_base -= step.gross
        refunded, reversed_, returned = (
            refunded + step.refund,
            reversed_ + step.reversal,
            returned + step.revenue_returned,
        )
    upheld = [worked(w.contract_id, w.agent_id, w.rate_minor, w.billed, clawed[w.contract_id]) for w in weeks]
    oracle = b.settle(plan, {w.contract_id: w for w in upheld}, tiers=tiers, fees=fees)
    assert oracle.refunds == paid_out.refunds + refunded
    assert oracle.transfers == paid_out.transfers - reversed_
    assert oracle.revenue == paid_out.revenue - returned
    assert oracle.balanced()


@st.composite
def weeks_with_disputes(draw):
    """Invoices whose lines had minutes upheld in disputes before payout (and bonuses, two agents,
    odd rates and fees), for M9."""
    agents = ["a1", "a2"]
    weeks = []
    for n in range(draw(st.integers(1, 3))):
        billed = draw(st.integers(1, 900))
        upheld = draw(st.integers(0, billed))
        weeks.append(
            worked(f"c{n}", draw(st.sampled_from(agents)), draw(st.integers(1, 20000)), billed, upheld)
        )
    bonuses = [
        b.Bonus(f"x{n}", w.contract_id, w.agent_id, draw(st.integers(1, 50000)), "Thanks")
        for n, w in enumerate(weeks)
        if draw(st.booleans())
    ]
    tiers = {a: draw(st.integers(1, 3)) for a in agents}
    fees = b.FeeSchedule(
        client_fee_bps=draw(st.sampled_from([0, 333, 500, 1250])),
        agent_fee_bps={1: draw(st.sampled_from([1000, 1500])), 2: 800, 3: draw(st.sampled_from([0, 500]))},
    )
    return weeks, bonuses, tiers, fees


@given(weeks_with_disputes(), st.data())
def test_m9_refunds_after_payout_end_where_upholding_before_payout_would_on_every_line(invoice, data):
    """PROMISES M9 (issue 11, finding 8): any sequence of refunds after payout, on lines that had
    minutes upheld before payout, ends exactly where upholding all those minutes before payout
    would have: each line's refund, each agent's gross, fee and net, the client fee kept, to the
    cent. The issue's case: 150 minutes at 19.99 an hour (a 49.98 line), 7 upheld before payout,
    11 refunded after: line(143) - line(132) = 3.66, not line(150) - line(139) = 3.67."""
    weeks, bonuses, tiers, fees = invoice
    plan = b.plan_invoice(weeks, bonuses, currency="usd", fees=fees, week_label="W")
    paid_out = b.settle(plan, {w.contract_id: w for w in weeks}, tiers=tiers, fees=fees)
    assert paid_out.balanced() and paid_out.held == 0
    gross = {s.agent_id: s.gross for s in paid_out.shares}
    agent_fee = {s.agent_id: s.fee for s in paid_out.shares}
    fee_base = sum(gross.values())
    clawed = {w.contract_id: 0 for w in weeks}
    line_refund = {w.contract_id: 0 for w in weeks}  # each line's gross refunded after payout
    client_fee_back = 0
    for _step in range(data.draw(st.integers(1, 8))):
        target = data.draw(st.sampled_from(weeks))
        left = target.payable - clawed[target.contract_id]
        if left == 0:
            continue
        minutes = data.draw(st.integers(1, left))
        step = c.claw_back(
            minutes,
            c.PaidOut(
                "usd",
                target.rate_minor,
                left,
                gross[target.agent_id],
                fee_base,
                tiers[target.agent_id],
                plan.client_fee > 0,
            ),
            fees=fees,
        )
        clawed[target.contract_id] += minutes
        line_refund[target.contract_id] += step.gross
        gross[target.agent_id] -= step.gross
        agent_fee[target.agent_id] -= step.agent_fee
        fee_base -= step.gross
        client_fee_back += step.client_fee
    oracle_weeks = {
        w.contract_id: worked(
            w.contract_id, w.agent_id, w.rate_minor, w.billed, w.upheld + clawed[w.contract_id]
        )
        for w in weeks
    }
    oracle = b.settle(plan, oracle_weeks, tiers=tiers, fees=fees)
    for w in weeks:  # every line: what the business got back for it, before and after payout
        before = b.hours_amount(w.billed, w.rate_minor, "usd") - b.hours_amount(
            w.payable, w.rate_minor, "usd"
        )
        upheld = oracle_weeks[w.contract_id]
        expected = b.hours_amount(w.billed, w.rate_minor, "usd") - b.hours_amount(
            upheld.payable, w.rate_minor, "usd"
        )
        assert before + line_refund[w.contract_id] == expected
    assert {s.agent_id: (s.gross, s.fee) for s in oracle.shares} == {
        a: (gross[a], agent_fee[a]) for a in gross
    }
    assert oracle.client_fee_kept == paid_out.client_fee_kept - client_fee_back
    assert oracle.refunds == paid_out.refunds + sum(line_refund.values()) + client_fee_back
    assert oracle.balanced()


def test_m9_the_issues_case_to_the_cent():
    """150 minutes at 19.99 (49.98), 7 upheld before payout, then 11 and the last 132 refunded after
    payout: 3.66 and 43.98, and the line's parts add up to 49.98, never 49.99."""
    week = worked("c0", "a1", 1999, 150, 7)
    plan = b.plan_invoice([week], [], currency="usd", fees=FEES, week_label="W")
    paid_out = b.settle(plan, {"c0": week}, tiers={"a1": 1}, fees=FEES)
    (share,) = paid_out.shares
    assert share.gross == 4764 and plan.lines[0].amount == 4998
    first = c.claw_back(11, c.PaidOut("usd", 1999, 143, 4764, 4764, 1, True), fees=FEES)
    assert first.gross == 366
    rest = c.claw_back(132, c.PaidOut("usd", 1999, 132, 4764 - 366, 4764 - 366, 1, True), fees=FEES)
    assert (4998 - 4764) + first.gross + rest.gross == 4998


def line(**overrides):
    values = dict(
        currency="usd",
        rate_minor=2500,
        payable_minutes=600,
        agent_gross=25000,
        fee_base=25000,
        tier=1,
        client_fee_charged=True,
    )
    values.update(overrides)
    return c.PaidOut(**values)


def test_one_hour_of_a_25_dollar_line():
    step = c.claw_back(60, line(), fees=FEES)
    assert (step.gross, step.agent_fee, step.client_fee) == (2500, 250, 125)
    assert (step.refund, step.reversal, step.revenue_returned) == (2625, 2250, 375)


@pytest.mark.parametrize("minutes", [0, -5, 601])
def test_minutes_outside_what_was_paid_out_are_refused(minutes):
    with pytest.raises(InvalidInput) as caught:
        c.claw_back(minutes, line(), fees=FEES)
    assert caught.value.field == "minutes"


def test_a_reason_is_required_and_bounded():
    with pytest.raises(InvalidInput):
        c.check_reason("  ")
    with pytest.raises(InvalidInput):
        c.check_reason("x" * 501)
    assert c.check_reason(" logged while offline ") == "logged while offline"


def test_what_an_agent_owes_is_recovered_up_to_the_transfer():
    assert c.recover(0, 5000) == 0
    assert c.recover(1200, 5000) == 1200
    assert c.recover(9000, 5000) == 5000
