"""What ending a dispute moves (domain/disputes.ending_money), against billing.settle: the refund
to the business with its client fee, the agent's net and fee, and what the agent forgoes, each
reconciling to the cent with the invoice's settlement before and after."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import billing
from chalicelib.domain import disputes as d
from chalicelib.domain.errors import Conflict

FEES = billing.FeeSchedule()  # client 5 %, agents 10 / 8 / 5 % by tier


def _week(contract_id: str, agent_id: str, rate: int, billed: int, disputed: int, upheld: int = 0):
    return billing.WorkedWeek(
        contract_id=contract_id,
        agent_id=agent_id,
        title="Chat",
        agent_name=agent_id,
        rate_minor=rate,
        billed=billed,
        payable=billed - disputed - upheld,
        disputed=disputed,
        upheld=upheld,
    )


def _invoice(weeks: list[billing.WorkedWeek], currency: str = "usd", fees: billing.FeeSchedule = FEES):
    # the invoice is planned on the billed minutes, before any dispute
    plan = billing.plan_invoice(weeks, [], currency=currency, fees=fees, week_label="2026-W48")
    assert plan is not None
    return plan, {w.contract_id: w for w in weeks}


def test_a_whole_hour_upheld_refunds_the_line_and_its_fee_and_the_agent_forgoes_their_net():
    # 10 h at 30.00 = 300.00 + 5 % = 315.00; one hour of it disputed and upheld
    plan, weeks = _invoice([_week("c1", "a1", 3000, 600, 60)])
    money = d.ending_money(
        plan, weeks, contract_id="c1", split=d.Split(upheld=60, released=0), tiers={"a1": 1}, fees=FEES
    )
    assert money == d.EndingMoney(
        currency="usd",
        refund=3150,
        refund_hours=3000,
        refund_fee=150,
        agent_net=0,
        agent_fee=0,
        agent_forgoes=2700,  # 30.00 less the 10 % agent fee
        agent_fee_forgone=300,
    )


def test_rejected_pays_the_agent_their_net_and_refunds_nothing():
    plan, weeks = _invoice([_week("c1", "a1", 3000, 600, 60)])
    money = d.ending_money(
        plan, weeks, contract_id="c1", split=d.Split(upheld=0, released=60), tiers={"a1": 3}, fees=FEES
    )
    assert (money.refund, money.agent_net, money.agent_fee, money.agent_forgoes) == (0, 2850, 150, 0)


def test_a_partial_uphold_in_yen_rounds_once_per_line():
    # 7 minutes of 61 at 1,999 yen an hour: the line is rounded once, so the parts are differences
    plan, weeks = _invoice([_week("c1", "a1", 1999, 61, 61)], currency="jpy")
    split = d.Split(upheld=7, released=54)
    money = d.ending_money(plan, weeks, contract_id="c1", split=split, tiers={"a1": 2}, fees=FEES)
    full = billing.hours_amount(61, 1999, "jpy")
    assert money.refund_hours == full - billing.hours_amount(54, 1999, "jpy")
    assert money.agent_net + money.agent_fee == billing.hours_amount(54, 1999, "jpy")


def test_more_minutes_than_the_week_holds_disputed_is_refused():
    plan, weeks = _invoice([_week("c1", "a1", 3000, 600, 30)])
    with pytest.raises(Conflict):
        d.ending_money(plan, weeks, contract_id="c1", split=d.Split(60, 0), tiers={}, fees=FEES)


weeks_of_an_agent = st.tuples(
    st.integers(1000, 9999),  # rate
    st.integers(15, 3000),  # billed
    st.integers(0, 3000),  # other disputes still open
    st.integers(0, 3000),  # already upheld
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(weeks_of_an_agent, min_size=1, max_size=3),
    st.integers(0, 2),  # which contract the dispute is on
    st.integers(1, 600),  # the dispute's minutes
    st.integers(0, 600),  # of them upheld
    st.sampled_from(["usd", "jpy", "gbp"]),
    st.integers(0, 2000),  # client fee bps
    st.integers(1, 3),  # the agent's tier
)
def test_the_parts_reconcile_with_the_settlement_to_the_cent(
    shapes, pick, minutes, upheld, currency, client_bps, tier
):
    fees = billing.FeeSchedule(client_fee_bps=client_bps)
    built = []
    for index, (rate, billed, other, done) in enumerate(shapes):
        billed = max(billed, minutes + 1)
        other = min(other, billed - minutes)
        done = min(done, billed - minutes - other)
        # two contracts of the same agent share one fee (rounded once on their total)
        built.append(_week(f"c{index}", "a1" if index < 2 else "a2", rate, billed, minutes + other, done))
    # the invoice was planned on the billed minutes; the week now stands as reviewed
    plan, _ = _invoice([replace(w, payable=0, disputed=0, upheld=0) for w in built], currency, fees)
    weeks = {w.contract_id: w for w in built}
    chosen = built[pick % len(built)]
    split = d.Split(upheld=min(upheld, minutes), released=minutes - min(upheld, minutes))
    tiers = {"a1": tier, "a2": 1}
    money = d.ending_money(plan, weeks, contract_id=chosen.contract_id, split=split, tiers=tiers, fees=fees)

    before = billing.settle(plan, weeks, tiers=tiers, fees=fees)
    ended = replace(
        chosen,
        disputed=chosen.disputed - minutes,
        upheld=chosen.upheld + split.upheld,
        payable=chosen.payable + split.released,
    )
    after = billing.settle(plan, {**weeks, chosen.contract_id: ended}, tiers=tiers, fees=fees)
    assert before.balanced() and after.balanced()
    # what leaves "held" is exactly the refund, the agent's net and fee, and the client fee kept
    fee_kept = after.client_fee_kept - before.client_fee_kept
    assert before.held - after.held == money.refund + money.agent_net + money.agent_fee + fee_kept
    assert money.refund == after.refunds - before.refunds
    assert money.refund == money.refund_hours + money.refund_fee
    assert min(money.refund, money.refund_hours, money.agent_net, money.agent_forgoes) >= 0
    if split.upheld == 0:
        assert money.refund == money.agent_forgoes == money.agent_fee_forgone == 0
    if split.released == 0:
        assert money.agent_net == money.agent_fee == 0
    # what the agent forgoes is what releasing the upheld minutes too would have paid them
    everything = d.ending_money(
        plan, weeks, contract_id=chosen.contract_id, split=d.Split(0, minutes), tiers=tiers, fees=fees
    )
    assert money.agent_net + money.agent_forgoes == everything.agent_net
    assert money.agent_fee + money.agent_fee_forgone == everything.agent_fee
