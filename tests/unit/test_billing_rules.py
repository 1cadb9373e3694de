"""Billing arithmetic: invoice lines, the client fee, and the settlement invariant
paid = transfers + refunds + revenue + held, to the cent, with no amount negative."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import billing as b
from chalicelib.domain.errors import Conflict, InvalidInput

FEES = b.FeeSchedule()


def week(contract="c1", agent="a1", rate=2500, billed=750, payable=None, disputed=0, upheld=0):
    payable = billed - disputed - upheld if payable is None else payable
    return b.WorkedWeek(contract, agent, "Support", "Ana", rate, billed, payable, disputed, upheld)


def test_a_line_is_minutes_times_rate_rounded_once_half_even():
    plan = b.plan_invoice([week(rate=2501, billed=30)], [], currency="usd", fees=FEES, week_label="2026-W48")
    hours, fee = plan.lines
    assert hours.amount == 1250  # 30 x 2501 / 60 = 1250.5 -> 1250 (ties to even)
    assert fee.kind == "client_fee" and fee.amount == 62  # 5% of 1250 = 62.5 -> 62
    assert plan.total == 1312 and plan.subtotal == 1250 and plan.client_fee == 62
    assert "0 h 30 min" in hours.description or "30 min" in hours.description


def test_a_line_gives_what_its_kind_has_and_refuses_what_it_has_not():
    plan = b.plan_invoice([week(rate=2400, billed=90)], [], currency="usd", fees=FEES, week_label="2026-W48")
    hours, fee = plan.lines
    assert (hours.agent, hours.contract, hours.billed_minutes, hours.rate) == ("a1", "c1", 90, 2400)
    # the client fee pays no agent: reading one from it is a caller's bug, never a None passed on
    with pytest.raises(ValueError, match="client_fee line"):
        _ = fee.agent


def test_nothing_to_bill_is_no_invoice():
    assert b.plan_invoice([week(billed=0)], [], currency="usd", fees=FEES, week_label="W") is None


def test_bonuses_are_lines_and_pay_the_fee():
    plan = b.plan_invoice(
        [week()], [b.Bonus("x1", "c1", "a1", 5000, "Thank you")], currency="usd", fees=FEES, week_label="W"
    )
    assert [line.kind for line in plan.lines] == ["hours", "bonus", "client_fee"]
    assert plan.client_fee == (31250 + 5000) * 5 // 100
    with pytest.raises(InvalidInput):
        b.plan_invoice([], [b.Bonus("x2", "c1", "a1", 0, "")], currency="usd", fees=FEES, week_label="W")


def test_a_clean_week_settles_into_transfers_and_revenue():
    plan = b.plan_invoice(
        [week(), week("c2", "a2", rate=3000, billed=600)], [], currency="usd", fees=FEES, week_label="W"
    )
    settlement = b.settle(
        plan,
        {"c1": week(), "c2": week("c2", "a2", rate=3000, billed=600)},
        tiers={"a1": 1, "a2": 3},
        fees=FEES,
    )
    first, second = settlement.shares
    assert (first.gross, first.fee, first.net) == (31250, 3125, 28125)  # tier 1: 10%
    assert (second.gross, second.fee) == (30000, 1500)  # tier 3: 5%
    assert settlement.refunds == 0 and settlement.held == 0
    assert settlement.revenue == plan.client_fee + 3125 + 1500
    assert settlement.balanced()


def test_upheld_minutes_are_refunded_with_their_fee_and_disputed_ones_held():
    billed = week(billed=600)
    plan = b.plan_invoice([billed], [], currency="usd", fees=FEES, week_label="W")
    now = week(billed=600, payable=480, disputed=60, upheld=60)
    settlement = b.settle(plan, {"c1": now}, tiers={"a1": 2}, fees=FEES)
    assert settlement.refunds == 2500 + 125  # an hour at 25.00 and its 5% fee
    assert settlement.held == 2500 + 125  # the hour still in dispute, and its fee
    assert settlement.shares[0].gross == 20000 and settlement.shares[0].fee == 1600
    assert settlement.balanced()


def test_the_week_must_still_hold_the_invoiced_minutes():
    plan = b.plan_invoice([week(billed=600)], [], currency="usd", fees=FEES, week_label="W")
    with pytest.raises(Conflict):
        b.settle(plan, {"c1": week(billed=601)}, tiers={}, fees=FEES)


def test_reviewed_minutes_cannot_exceed_billed():
    with pytest.raises(InvalidInput):
        week(billed=60, payable=50, disputed=20)


@st.composite
def weeks_and_outcomes(draw):
    count = draw(st.integers(1, 5))
    billed, now = [], {}
    for index in range(count):
        minutes = draw(st.integers(1, 168 * 60))
        rate = draw(st.integers(1, 50_000))
        upheld = draw(st.integers(0, minutes))
        disputed = draw(st.integers(0, minutes - upheld))
        # after the review closes every minute is payable, upheld or disputed; before, some wait
        closed = draw(st.booleans())
        payable = minutes - upheld - disputed if closed else draw(st.integers(0, minutes - upheld - disputed))
        agent = f"a{draw(st.integers(1, 3))}"
        billed.append(week(f"c{index}", agent, rate, minutes))
        now[f"c{index}"] = week(f"c{index}", agent, rate, minutes, payable, disputed, upheld)
    bonuses = [
        b.Bonus(f"x{i}", f"c{i % count}", billed[i % count].agent_id, draw(st.integers(1, 100_000)), "bonus")
        for i in range(draw(st.integers(0, 2)))
    ]
    fees = b.FeeSchedule(draw(st.integers(0, 2000)), {1: draw(st.integers(0, 3000)), 2: 800, 3: 500})
    tiers = {f"a{i}": draw(st.integers(1, 3)) for i in (1, 2, 3)}
    return billed, now, bonuses, fees, tiers


@given(weeks_and_outcomes(), st.sampled_from(["usd", "eur", "jpy"]))
def test_every_invoice_balances_to_the_cent_and_nothing_is_negative(case, currency):
    billed, now, bonuses, fees, tiers = case
    plan = b.plan_invoice(billed, bonuses, currency=currency, fees=fees, week_label="W")
    for line in plan.lines:
        if line.kind == "hours":
            exact = Fraction(line.minutes * line.rate_minor, 60)
            assert abs(line.amount - exact) <= Fraction(1, 2)  # M2: rounded once, to the nearest
    assert plan.total == sum(line.amount for line in plan.lines)  # M3
    settlement = b.settle(plan, now, tiers=tiers, fees=fees)
    assert settlement.balanced()
    assert min(settlement.refunds, settlement.held, settlement.revenue, settlement.client_fee_kept) >= 0
    assert all(s.gross >= 0 and s.fee >= 0 and s.net >= 0 for s in settlement.shares)
    if all(w.payable + w.upheld == w.billed for w in now.values()):  # reviewed, no dispute open
        assert settlement.held == 0
    if all(w.upheld == 0 for w in now.values()):
        assert settlement.refunds == 0


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("planned", "drafted", True),
        ("drafted", "itemized", True),
        ("itemized", "open", True),
        ("open", "paid", True),
        ("open", "void", True),
        ("open", "uncollectible", True),
        ("uncollectible", "paid", True),
        ("uncollectible", "void", True),
        ("paid", "void", False),
        ("void", "paid", False),
        ("paid", "open", False),
        ("planned", "open", False),
        ("drafted", "paid", False),
    ],
)
def test_invoice_status_follows_stripes_lifecycle(current, target, allowed):
    if allowed:
        b.check_transition(b.InvoiceStatus(current), b.InvoiceStatus(target))
    else:
        with pytest.raises(Conflict):
            b.check_transition(b.InvoiceStatus(current), b.InvoiceStatus(target))


def test_a_block_is_invoiced_whole_and_drawn_down_as_one_rounded_line():
    plan = b.plan_block(
        contract_id="c1",
        agent_id="a1",
        title="Cover",
        agent_name="Ana",
        minutes=600,
        rate_minor=2001,
        currency="usd",
        fees=FEES,
    )
    assert [line.kind for line in plan.lines] == [
        "block",
        "client_fee",
    ] and plan.total == 20010 + 1000  # 1000.5 -> 1000
    first = b.settle_block(plan, drawn=45, finished=False, tier=2, fees=FEES)
    assert first.shares[0].gross == 1501 and first.held == plan.total - 1501 and first.balanced()
    done = b.settle_block(plan, drawn=180, finished=True, tier=2, fees=FEES)
    assert done.refunds == plan.total - 6003 - 300 and done.held == 0 and done.balanced()
    with pytest.raises(Conflict):
        b.settle_block(plan, drawn=601, finished=False, tier=1, fees=FEES)


@given(st.integers(60, 120_000), st.integers(1, 50_000), st.data())
def test_a_block_never_pays_out_more_than_it_collected(minutes, rate, data):
    plan = b.plan_block(
        contract_id="c",
        agent_id="a",
        title="t",
        agent_name="n",
        minutes=minutes,
        rate_minor=rate,
        currency="usd",
        fees=FEES,
    )
    steps = sorted(data.draw(st.lists(st.integers(0, minutes), max_size=6)))
    for drawn in steps:
        settlement = b.settle_block(plan, drawn=drawn, finished=False, tier=1, fees=FEES)
        assert settlement.balanced() and settlement.held >= 0
    final = b.settle_block(plan, drawn=steps[-1] if steps else 0, finished=True, tier=3, fees=FEES)
    assert final.balanced() and final.refunds >= 0 and final.held == 0


def test_a_late_upheld_dispute_never_takes_revenue_back():
    """The fee on disputed minutes is held with them; when they are upheld it is refunded, so the
    platform's part only grows as disputes end."""
    plan = b.plan_invoice([week(billed=180)], [], currency="usd", fees=FEES, week_label="W")
    open_dispute = b.settle(
        plan, {"c1": week(billed=180, payable=120, disputed=60)}, tiers={"a1": 2}, fees=FEES
    )
    upheld = b.settle(plan, {"c1": week(billed=180, payable=120, upheld=60)}, tiers={"a1": 2}, fees=FEES)
    released = b.settle(plan, {"c1": week(billed=180, payable=180)}, tiers={"a1": 2}, fees=FEES)
    assert open_dispute.client_fee_kept == 250 and open_dispute.held == 2500 + 125
    assert upheld.client_fee_kept == 250 and upheld.refunds == 2500 + 125 and upheld.held == 0
    assert released.client_fee_kept == 375 and released.held == 0
    for later in (upheld, released):
        assert later.client_fee_kept >= open_dispute.client_fee_kept and later.refunds >= open_dispute.refunds
        assert later.balanced()


def test_a_block_with_an_open_dispute_is_not_finished():
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
    pending = b.settle_block(plan, drawn=120, disputed=60, finished=True, tier=1, fees=FEES)
    assert pending.refunds == 0 and pending.held == plan.total - 4000 and pending.balanced()


def blocks_of(sizes, rate, fees):
    """A contract's blocks as bought: the first, then further ones, each at the minutes before it."""
    plans, offset = [], 0
    for number, minutes in enumerate(sizes, start=1):
        args = dict(
            contract_id="c", agent_id="a", title="t", agent_name="n", minutes=minutes, rate_minor=rate
        )
        plan = (
            b.plan_block(currency="usd", fees=fees, **args)
            if number == 1
            else b.plan_further_block(number=number, currency="usd", fees=fees, **args)
        )
        plans.append((offset, plan))
        offset += minutes
    return plans


def test_blocks_are_drawn_in_the_order_they_were_paid_for():
    assert b.draw_block(offset=0, minutes=600, drawn=780, disputed=60) == b.BlockDraw(600, 600, 0)
    assert b.draw_block(offset=600, minutes=600, drawn=780, disputed=60) == b.BlockDraw(600, 180, 60)
    assert b.draw_block(offset=1200, minutes=300, drawn=780, disputed=60) == b.BlockDraw(300, 0, 0)
    assert b.draw_block(offset=600, minutes=600, drawn=500, disputed=200) == b.BlockDraw(600, 0, 100)
    plans = blocks_of([600, 600], 2000, FEES)
    used_up, running = (
        b.settle_block_part(plan, offset=offset, drawn=780, disputed=0, finished=False, tier=2, fees=FEES)
        for offset, plan in plans
    )
    # a block drawn whole is done at once: it keeps its fee and refunds nothing
    assert (used_up.shares[0].gross, used_up.refunds, used_up.held, used_up.client_fee_kept) == (
        20000,
        0,
        0,
        1000,
    )
    assert running.shares[0].gross == 6000 and running.held == 21000 - 6000 and running.refunds == 0
    ended = b.settle_block_part(
        plans[1][1], offset=600, drawn=780, disputed=0, finished=True, tier=2, fees=FEES
    )
    assert ended.refunds == 21000 - 6000 - 300 and ended.held == 0 and ended.balanced()
    assert plans[1][1].lines[0].line_id == "block-c-2" and "(block 2)" in plans[1][1].lines[0].description


@given(
    st.lists(st.integers(60, 6_000), min_size=1, max_size=5),
    st.integers(1, 50_000),
    st.integers(0, 2_000),
    st.sampled_from([1, 2, 3]),
    st.data(),
)
def test_several_blocks_never_pay_out_more_than_they_collected(sizes, rate, client_bps, tier, data):
    """A contract's life over several blocks: while it runs, drawn minutes only grow (and some are
    disputed); after it ends, its disputes end one by one, released or upheld. At every step each
    block's split sums to the cent with nothing negative, no part a payout run moves (share,
    refund, fee kept) ever shrinks, and the shares together never pass the blocks bought."""
    fees = b.FeeSchedule(client_fee_bps=client_bps)
    plans = blocks_of(sizes, rate, fees)
    total = sum(sizes)
    bought = sum(line.amount for _, plan in plans for line in plan.lines if line.kind == "block")
    collected = sum(plan.total for _, plan in plans)
    life = [
        (drawn, data.draw(st.integers(0, total - drawn)), False)
        for drawn in sorted(data.draw(st.lists(st.integers(0, total), min_size=1, max_size=5)))
    ]
    drawn, disputed, _ = life[-1]
    life.append((drawn, disputed, True))
    while disputed:
        step = data.draw(st.integers(1, disputed))
        drawn += step if data.draw(st.booleans()) else 0  # released to the agent, or upheld
        disputed -= step
        life.append((drawn, disputed, True))
    moved = [(0, 0, 0)] * len(plans)
    for drawn, disputed, finished in life:
        splits = [
            b.settle_block_part(
                plan, offset=offset, drawn=drawn, disputed=disputed, finished=finished, tier=tier, fees=fees
            )
            for offset, plan in plans
        ]
        for position, split in enumerate(splits):
            assert split.balanced(), split
            assert min(split.refunds, split.held, split.client_fee_kept, split.transfers) >= 0, split
            now = (split.shares[0].gross, split.refunds, split.client_fee_kept)
            assert all(x >= y for x, y in zip(now, moved[position], strict=True)), (now, moved[position])
            moved[position] = now
        assert sum(s.shares[0].gross for s in splits) <= bought
        assert sum(s.transfers + s.refunds + s.revenue + s.held for s in splits) == collected
    assert all(s.held == 0 for s in splits)  # ended, every dispute over: nothing held


def test_the_service_agreement_follows_the_platforms_region():
    from chalicelib.domain.payouts import ServiceAgreement, service_agreement

    for country in ("US", "CA", "GB", "PT", "DE", "CH", "NO"):
        assert service_agreement(country, platform_country="US") is ServiceAgreement.FULL
    for country in ("JP", "AU", "MX", "IN"):
        assert service_agreement(country, platform_country="US") is ServiceAgreement.RECIPIENT
    assert service_agreement("AU", platform_country="AU") is ServiceAgreement.FULL
    assert service_agreement("US", platform_country="AU") is ServiceAgreement.RECIPIENT
