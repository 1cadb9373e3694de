"""The agents' lines a settlement refunds (domain.billing `Settlement.labour_refunded`), which the
support metrics take off the business's labour cost and the agents' earnings: the part of each
hours line for its upheld minutes, and a finished block's unused minutes; the client fee on them
is the rest of the refunds and is no labour."""

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import billing as b

FEES = b.FeeSchedule()


def week(contract="c1", agent="a1", rate=2500, billed=180, payable=None, disputed=0, upheld=0):
    payable = billed - disputed - upheld if payable is None else payable
    return b.WorkedWeek(contract, agent, "Support", "Ana", rate, billed, payable, disputed, upheld)


def invoiced(weeks: list[b.WorkedWeek], fees: b.FeeSchedule = FEES) -> b.InvoicePlan:
    plan = b.plan_invoice(weeks, [], currency="usd", fees=fees, week_label="W")
    assert plan is not None
    return plan


def test_upheld_minutes_refund_their_part_of_the_agents_line_and_the_fee_on_it():
    billed = [week(), week("c2", "a2", rate=3001, billed=70)]
    plan = invoiced(billed)
    now = {"c1": week(upheld=60), "c2": week("c2", "a2", rate=3001, billed=70, upheld=25, disputed=5)}
    split = b.settle(plan, now, tiers={}, fees=FEES)
    # a1: 75.00 - 50.00; a2: 35.01 (70 min at 30.01) - 22.51 (45 min), each line rounded once
    assert split.labour_refunded == {"a1": 2500, "a2": 1250}
    # and the client fee on them: 5 % of 110.01 (5.50) less 5 % of 72.51 (3.63), no labour
    assert split.refunds == 2500 + 1250 + 187
    assert split.labour_refunded_since({"a1": 2500}) == {"a2": 1250}
    assert split.labour_refunded_since(split.labour_refunded) == {}
    clean = b.settle(plan, {"c1": billed[0], "c2": billed[1]}, tiers={}, fees=FEES)
    assert clean.labour_refunded == {} and clean.labour_refunded_since({}) == {}


def test_a_finished_block_refunds_its_unused_minutes_as_labour():
    plan = b.plan_block(
        contract_id="c1",
        agent_id="a1",
        title="Cover",
        agent_name="Ana",
        minutes=600,
        rate_minor=2000,
        currency="usd",
        fees=FEES,
    )
    assert b.settle_block(plan, drawn=180, finished=False, tier=1, fees=FEES).labour_refunded == {}
    done = b.settle_block(plan, drawn=180, finished=True, tier=1, fees=FEES)
    assert done.labour_refunded == {"a1": 20000 - 6000}  # 7 of the 10 hours at 20.00
    assert done.refunds == 14000 + 700
    assert b.settle_block(plan, drawn=600, finished=True, tier=1, fees=FEES).labour_refunded == {}


@given(
    st.lists(
        st.tuples(st.integers(1, 3000), st.integers(1, 50_000), st.integers(0, 3000), st.integers(1, 3)),
        min_size=1,
        max_size=4,
    ),
    st.integers(0, 2000),
)
def test_labour_refunded_is_the_upheld_part_of_each_line_and_never_more_than_the_refunds(weeks, client_bps):
    fees = b.FeeSchedule(client_bps)
    billed, now = [], {}
    for index, (minutes, rate, upheld, agent) in enumerate(weeks):
        upheld = min(upheld, minutes)
        billed.append(week(f"c{index}", f"a{agent}", rate, minutes))
        now[f"c{index}"] = week(f"c{index}", f"a{agent}", rate, minutes, upheld=upheld)
    plan = invoiced(billed, fees)
    split = b.settle(plan, now, tiers={}, fees=fees)
    expected: dict[str, int] = {}
    for line in plan.lines:
        if line.kind == "hours":
            left = now[line.contract]
            part = line.amount - b.hours_amount(left.billed - left.upheld, left.rate_minor, "usd")
            if part:
                expected[line.agent] = expected.get(line.agent, 0) + part
    assert split.labour_refunded == expected
    assert 0 <= sum(expected.values()) <= split.refunds
