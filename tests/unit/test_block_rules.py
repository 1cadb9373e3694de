"""More hours for a block contract: which blocks may be bought, which request buys which block,
and when the automatic top-up buys one."""

import pytest

from chalicelib.domain import blocks as rules
from chalicelib.domain.contracts import Kind, Status
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound


@pytest.mark.parametrize("minutes", [None, 0, 59, 2000 * 60 + 1, 3000 * 60])
def test_a_block_is_one_to_two_thousand_hours(minutes):
    with pytest.raises(InvalidInput) as refused:
        rules.check_block_size(minutes)
    assert refused.value.field == "block_minutes"


def test_blocks_are_bought_on_a_running_or_paused_block_contract_one_pending_at_a_time():
    rules.check_can_buy(Kind.BLOCK, Status.ACTIVE, pending=None)
    rules.check_can_buy(Kind.BLOCK, Status.PAUSED, pending=None)
    for kind, status, pending, code in (
        (Kind.HOURLY, Status.ACTIVE, None, "not_a_block_contract"),
        (Kind.BLOCK, Status.ENDED, None, "illegal_transition"),
        (Kind.BLOCK, Status.OFFERED, None, "illegal_transition"),
        (Kind.BLOCK, Status.ACTIVE, 2, "block_pending"),
    ):
        with pytest.raises(Conflict) as refused:
            rules.check_can_buy(kind, status, pending=pending, pending_minutes=600)
        assert (refused.value.code, refused.value.field) == (code, "block_minutes")
    with pytest.raises(Conflict, match="block 2 of 10 h"):
        rules.check_can_buy(Kind.BLOCK, Status.ACTIVE, pending=2, pending_minutes=600)


def test_a_request_naming_its_block_buys_it_once():
    assert rules.block_to_buy(None, bought=1) == 2
    assert rules.block_to_buy(2, bought=1) == 2
    assert rules.block_to_buy(2, bought=2) is None  # sent again: answer block 2, buy nothing
    with pytest.raises(Conflict) as ahead:
        rules.block_to_buy(4, bought=2)
    assert ahead.value.field == "number"
    with pytest.raises(InvalidInput):
        rules.block_to_buy(1, bought=1)
    rules.check_same_block(2, asked=600, bought=600)
    with pytest.raises(Conflict, match="of 10 h"):
        rules.check_same_block(2, asked=300, bought=600)


def test_the_top_up_setting_names_the_field_at_fault():
    assert rules.top_up(None, None, enabled=False) is None
    assert rules.top_up(120, 600, enabled=True) == rules.TopUp(120, 600)
    for threshold, minutes, field in (
        (None, 600, "threshold_minutes"),
        (10, 600, "threshold_minutes"),
        (2000 * 60 + 1, 600, "threshold_minutes"),
        (120, None, "block_minutes"),
        (120, 30, "block_minutes"),
    ):
        with pytest.raises(InvalidInput) as refused:
            rules.top_up(threshold, minutes, enabled=True)
        assert refused.value.field == field
    assert rules.TopUp.from_json(rules.TopUp(120, 600).to_json()) == rules.TopUp(120, 600)


def test_the_top_up_buys_under_the_threshold_and_never_while_a_block_is_pending():
    setting = rules.TopUp(threshold_minutes=120, block_minutes=600)
    running = Status.ACTIVE
    assert rules.top_up_due(setting, status=running, remaining_after=119, adding=30, pending=None)
    assert not rules.top_up_due(setting, status=running, remaining_after=120, adding=30, pending=None)
    assert not rules.top_up_due(
        setting, status=running, remaining_after=10, adding=30, pending=2
    )  # one at a time
    assert not rules.top_up_due(
        setting, status=running, remaining_after=10, adding=-30, pending=None
    )  # a delete
    assert not rules.top_up_due(None, status=running, remaining_after=0, adding=30, pending=None)  # off
    for stopped in (Status.PAUSED, Status.ENDED):  # an old entry fixed after a pause or the end
        assert not rules.top_up_due(setting, status=stopped, remaining_after=10, adding=30, pending=None)


@pytest.mark.parametrize(
    ("status", "how"), [("planned", "here"), ("open", "stripe"), ("void", None), ("uncollectible", None)]
)
def test_a_block_not_paid_is_cancelled_where_it_is(status, how):
    assert rules.how_to_cancel(2, status) == how


@pytest.mark.parametrize(
    ("number", "status", "code"),
    [
        (1, "open", "illegal_transition"),
        (2, "paid", "block_paid"),
        (3, "drafted", "block_issuing"),
        (3, "itemized", "block_issuing"),
    ],
)
def test_a_paid_block_the_first_block_and_one_being_issued_stay(number, status, code):
    with pytest.raises(Conflict) as refused:
        rules.how_to_cancel(number, status)
    assert refused.value.code == code and refused.value.field == "number"


@pytest.mark.parametrize("text", ["", "0", "two", "-2", "12345", "2.0"])
def test_a_path_that_names_no_block_is_not_found(text):
    with pytest.raises(NotFound):
        rules.block_number(text)
    assert rules.block_number("2") == 2


def _plans(sizes, rate=2000, client_fee_bps=500):
    from chalicelib.domain import billing as b

    fees = b.FeeSchedule(client_fee_bps=client_fee_bps)
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
    return plans, fees


def test_a_blocks_unused_refund_names_its_minutes_and_money():
    ((first, plan),), fees = _plans([600])
    # 10 h at 20.00 and 5%: 210.00; 3 h logged leave 7 h, 140.00 and their 7.00 fee
    assert rules.unused_refund(plan, offset=first, logged=180, upheld=0, disputed=0, fees=fees) == (
        rules.UnusedRefund(minutes=420, amount=14700, disputed=0)
    )
    # 30 of the 3 h upheld come back too; 60 still disputed are counted as drawn and named
    found = rules.unused_refund(plan, offset=0, logged=180, upheld=30, disputed=60, fees=fees)
    assert (found.minutes, found.amount, found.disputed) == (450, 15750, 60) and found.owed
    used_up = rules.unused_refund(plan, offset=0, logged=600, upheld=0, disputed=0, fees=fees)
    assert (used_up.minutes, used_up.amount, used_up.owed) == (0, 0, False)
    with pytest.raises(InvalidInput):
        rules.unused_refund(plan, offset=0, logged=-1, upheld=0, disputed=0, fees=fees)


@pytest.mark.parametrize("logged", [0, 1, 599, 600, 601, 780, 1199, 1200])
def test_the_unused_refund_is_what_the_payout_run_refunds_block_by_block(logged):
    """The billing page's forecast and the payout run's refund are the same arithmetic: for each
    of a contract's blocks, once it has ended with nothing disputed."""
    from chalicelib.domain import billing as b

    plans, fees = _plans([600, 600], rate=1999)
    for offset, plan in plans:
        shown = rules.unused_refund(plan, offset=offset, logged=logged, upheld=0, disputed=0, fees=fees)
        made = b.settle_block_part(
            plan, offset=offset, drawn=logged, disputed=0, finished=True, tier=2, fees=fees
        )
        assert shown.amount == made.refunds, (offset, logged)
