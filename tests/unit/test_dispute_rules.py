"""Disputes: who may do what, and how each ending splits the minutes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import disputes as d
from chalicelib.domain.contracts import Side
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput


def test_a_reason_is_required():
    with pytest.raises(InvalidInput) as caught:
        d.check_reason("   ")
    assert caught.value.field == "reason"
    assert d.check_reason(" no tickets that day ") == "no tickets that day"


def test_the_agent_contests_once_and_only_the_agent():
    assert d.contest(d.DisputeStatus.OPEN, side=Side.AGENT) is d.DisputeStatus.CONTESTED
    with pytest.raises(Forbidden):
        d.contest(d.DisputeStatus.OPEN, side=Side.BUSINESS)
    with pytest.raises(Conflict):
        d.contest(d.DisputeStatus.CONTESTED, side=Side.AGENT)


def test_endings_split_the_minutes():
    assert d.withdraw(d.DisputeStatus.OPEN, side=Side.BUSINESS, minutes=90) == d.Split(0, 90)
    assert d.concede(d.DisputeStatus.CONTESTED, side=Side.AGENT, minutes=90, keep=30) == d.Split(60, 30)
    assert d.resolve(
        d.DisputeStatus.CONTESTED, outcome=d.Outcome.UPHELD, minutes=90, upheld_minutes=90
    ) == d.Split(90, 0)
    assert d.resolve(
        d.DisputeStatus.OPEN, outcome=d.Outcome.REJECTED, minutes=90, upheld_minutes=None
    ) == d.Split(0, 90)


@pytest.mark.parametrize(
    "call",
    [
        lambda: d.withdraw(d.DisputeStatus.OPEN, side=Side.AGENT, minutes=90),
        lambda: d.concede(d.DisputeStatus.OPEN, side=Side.BUSINESS, minutes=90, keep=10),
    ],
)
def test_wrong_party(call):
    with pytest.raises(Forbidden):
        call()


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: d.concede(d.DisputeStatus.OPEN, side=Side.AGENT, minutes=90, keep=90), "keep_minutes"),
        (lambda: d.concede(d.DisputeStatus.OPEN, side=Side.AGENT, minutes=90, keep=-1), "keep_minutes"),
        (
            lambda: d.resolve(d.DisputeStatus.OPEN, outcome=d.Outcome.UPHELD, minutes=90, upheld_minutes=0),
            "upheld_minutes",
        ),
        (
            lambda: d.resolve(d.DisputeStatus.OPEN, outcome=d.Outcome.UPHELD, minutes=90, upheld_minutes=91),
            "upheld_minutes",
        ),
        (
            lambda: d.resolve(
                d.DisputeStatus.OPEN, outcome=d.Outcome.WITHDRAWN, minutes=90, upheld_minutes=1
            ),
            "outcome",
        ),
    ],
)
def test_bad_decisions_name_the_field(call, field):
    with pytest.raises(InvalidInput) as caught:
        call()
    assert caught.value.field == field


def test_a_resolved_dispute_stays_resolved():
    with pytest.raises(Conflict):
        d.resolve(d.DisputeStatus.RESOLVED, outcome=d.Outcome.REJECTED, minutes=10, upheld_minutes=None)
    with pytest.raises(Conflict):
        d.withdraw(d.DisputeStatus.RESOLVED, side=Side.BUSINESS, minutes=10)


@given(st.integers(1, 1440), st.data())
def test_every_ending_accounts_for_every_minute(minutes, data):
    keep = data.draw(st.integers(0, minutes - 1))
    upheld = data.draw(st.integers(1, minutes))
    for split in (
        d.withdraw(d.DisputeStatus.OPEN, side=Side.BUSINESS, minutes=minutes),
        d.concede(d.DisputeStatus.OPEN, side=Side.AGENT, minutes=minutes, keep=keep),
        d.resolve(d.DisputeStatus.OPEN, outcome=d.Outcome.UPHELD, minutes=minutes, upheld_minutes=upheld),
        d.resolve(d.DisputeStatus.OPEN, outcome=d.Outcome.REJECTED, minutes=minutes, upheld_minutes=None),
    ):
        assert split.upheld + split.released == minutes and split.upheld >= 0 and split.released >= 0
