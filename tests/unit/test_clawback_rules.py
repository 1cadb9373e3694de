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
