"""The fee schedule operators set: what a valid one is, and that an invoice's copy reads back
exactly (it decides the invoice's payouts long after the fees changed)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import billing as b
from chalicelib.domain.errors import InvalidInput


def schedule(client=500, t1=1000, t2=800, t3=500):
    return b.FeeSchedule(client_fee_bps=client, agent_fee_bps={1: t1, 2: t2, 3: t3})


def test_the_defaults_are_a_valid_schedule_and_none_reads_as_the_defaults():
    assert b.FeeSchedule().check() == schedule()
    assert b.FeeSchedule.from_json(None) == b.FeeSchedule()


@pytest.mark.parametrize(
    ("fees", "field"),
    [
        (schedule(client=2001), "client_fee_bps"),
        (schedule(client=-1), "client_fee_bps"),
        (schedule(t1=3001), "agent_fee_bps.1"),
        (schedule(t3=-5), "agent_fee_bps.3"),
        (schedule(t2=1100), "agent_fee_bps.2"),  # tier 2 above tier 1
        (schedule(t3=900), "agent_fee_bps.3"),  # tier 3 above tier 2
        (b.FeeSchedule(500, {1: 1000, 2: 800}), "agent_fee_bps"),
        (b.FeeSchedule(500, {1: 1000, 2: 800, 3: 500, 4: 100}), "agent_fee_bps"),
    ],
)
def test_a_schedule_out_of_bounds_is_refused_naming_the_field(fees, field):
    with pytest.raises(InvalidInput) as refused:
        fees.check()
    assert refused.value.field == field


def test_the_bounds_themselves_are_allowed():
    assert schedule(client=0, t1=0, t2=0, t3=0).check()
    assert schedule(client=2000, t1=3000, t2=3000, t3=3000).check()


@given(
    st.integers(0, 2000),
    st.lists(st.integers(0, 3000), min_size=3, max_size=3).map(lambda fees: sorted(fees, reverse=True)),
)
def test_a_valid_schedule_reads_back_exactly_from_its_json(client, agent):
    fees = schedule(client, *agent).check()
    assert b.FeeSchedule.from_json(fees.to_json()) == fees
    assert set(fees.to_json()["agent_fee_bps"]) == {"1", "2", "3"}  # JSON keys are strings
