"""Contracts as pure rules: offers, the state machine, amendments and the terms of each week."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import contracts as c
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.money import Money
from chalicelib.domain.time import BillingWeek

TODAY = date(2026, 11, 26)


def hourly(**overrides):
    terms = {
        "kind": c.Kind.HOURLY,
        "rate": Money(2500, "usd"),
        "weekly_cap_minutes": 750,
        "block_minutes": None,
        "start_date": date(2026, 11, 30),
        "end_date": None,
        "tier": 1,
        "bonus": None,
    }
    terms.update(overrides)
    return c.OfferTerms(**terms)


def test_a_good_hourly_offer_passes():
    assert hourly().check(today=TODAY, currency="usd", agent_tier=1).weekly_cap_minutes == 750


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"rate": Money(2500, "eur")}, "rate.currency"),
        ({"rate": Money(0, "usd")}, "rate.amount"),
        ({"weekly_cap_minutes": None}, "weekly_cap_minutes"),
        ({"weekly_cap_minutes": 10}, "weekly_cap_minutes"),
        ({"weekly_cap_minutes": 169 * 60}, "weekly_cap_minutes"),
        ({"block_minutes": 600}, "weekly_cap_minutes"),
        ({"start_date": date(2026, 11, 25)}, "start_date"),
        ({"end_date": date(2026, 11, 30)}, "end_date"),
        ({"tier": 3}, "tier"),
        ({"tier": 2}, "tier"),  # the agent is vetted at tier 1
    ],
)
def test_bad_offers_name_the_field(overrides, field):
    with pytest.raises(InvalidInput) as caught:
        hourly(**overrides).check(today=TODAY, currency="usd", agent_tier=1)
    assert caught.value.field == field


def test_block_offers_have_minutes_and_no_cap_or_bonus():
    block = hourly(kind=c.Kind.BLOCK, weekly_cap_minutes=None, block_minutes=2400)
    assert block.check(today=TODAY, currency="usd", agent_tier=1).block_minutes == 2400
    with pytest.raises(InvalidInput) as caught:
        hourly(kind=c.Kind.BLOCK, weekly_cap_minutes=None, block_minutes=30).check(
            today=TODAY, currency="usd", agent_tier=1
        )
    assert caught.value.field == "block_minutes"
    with pytest.raises(InvalidInput) as caught:
        hourly(kind=c.Kind.BLOCK, weekly_cap_minutes=None, block_minutes=600, bonus=c.BonusRule(1000)).check(
            today=TODAY, currency="usd", agent_tier=1
        )
    assert caught.value.field == "bonus"


def test_bonus_rule_bounds():
    assert c.BonusRule.from_json(c.BonusRule(1000).to_json()) == c.BonusRule(1000, 9000, 10)
    with pytest.raises(InvalidInput):
        c.BonusRule(0)
    with pytest.raises(InvalidInput):
        c.BonusRule(1000, min_csat_bps=4000)


@pytest.mark.parametrize(
    ("state", "action", "side", "target"),
    [
        ("offered", "accept", "agent", "active"),
        ("offered", "decline", "agent", "declined"),
        ("offered", "withdraw", "business", "withdrawn"),
        ("offered", "expire", "system", "expired"),
        ("active", "pause", "business", "paused"),
        ("active", "pause", "system", "paused"),
        ("paused", "resume", "business", "active"),
        ("active", "end", "agent", "ended"),
        ("paused", "end", "business", "ended"),
    ],
)
def test_legal_steps(state, action, side, target):
    assert c.next_status(c.Status(state), action, side=c.Side(side)) is c.Status(target)


@pytest.mark.parametrize(
    ("state", "action", "side", "error"),
    [
        ("active", "accept", "agent", Conflict),
        ("ended", "resume", "business", Conflict),
        ("ended", "end", "agent", Conflict),
        ("declined", "accept", "agent", Conflict),
        ("paused", "pause", "business", Conflict),
        ("offered", "accept", "business", Forbidden),
        ("active", "pause", "agent", Forbidden),
    ],
)
def test_illegal_steps_name_the_state(state, action, side, error):
    with pytest.raises(error) as caught:
        c.next_status(c.Status(state), action, side=c.Side(side))
    if error is Conflict:
        assert state in caught.value.message and caught.value.code == "illegal_transition"


def test_only_the_agent_turns_an_offer_into_a_contract_and_nothing_leaves_ended():
    for state in c.Status:
        for action in c.STEPS:
            for side in c.Side:
                try:
                    target = c.next_status(state, action, side=side)
                except (Conflict, Forbidden):
                    continue
                if state is c.Status.OFFERED and target is c.Status.ACTIVE:
                    assert (action, side) == ("accept", c.Side.AGENT)
                assert state is not c.Status.ENDED
                assert target is c.STEPS[action][2]


def test_offers_expire_after_seven_days_even_before_the_job_runs():
    sent = datetime(2026, 11, 20, 10, tzinfo=UTC)
    expires = c.offer_expires_at(sent)
    assert not c.is_expired(c.Status.OFFERED, expires, expires - timedelta(minutes=1))
    assert c.is_expired(c.Status.OFFERED, expires, expires)
    assert not c.is_expired(c.Status.ACTIVE, expires, expires + timedelta(days=1))


START = datetime(2026, 11, 2, tzinfo=UTC)
BASE = [c.TermsChange(START, 2500, 750)]
WED = datetime(2026, 11, 25, 15, 7, tzinfo=UTC)  # 2026-W48
W48, W49 = BillingWeek(2026, 48), BillingWeek(2026, 49)


def amendment(side="business", rate=None, cap=None):
    return c.Amendment("a1", c.Side(side), WED, rate, cap)


def test_a_raised_cap_applies_at_once_and_a_lowered_one_next_monday():
    raised, applied = c.apply_amendment(BASE, amendment(cap=900), now=WED)
    assert c.terms_in_week(raised, W48).weekly_cap_minutes == 900
    assert applied.cap_from == WED
    lowered, applied = c.apply_amendment(BASE, amendment(cap=600), now=WED)
    assert c.terms_in_week(lowered, W48).weekly_cap_minutes == 750
    assert c.terms_in_week(lowered, W49).weekly_cap_minutes == 600
    assert applied.cap_from == W49.starts_at


def test_a_rate_applies_from_the_next_billing_week_so_each_week_has_one_rate():
    history, applied = c.apply_amendment(BASE, amendment(rate=3000, cap=900), now=WED)
    assert c.terms_in_week(history, W48).rate_minor == 2500
    assert c.terms_in_week(history, W48).weekly_cap_minutes == 900
    assert c.terms_in_week(history, W49).rate_minor == 3000
    assert c.terms_in_week(history, W49).weekly_cap_minutes == 900
    assert applied.rate_from == W49.starts_at


def test_a_later_amendment_overrides_what_was_waiting_for_monday():
    lowered, _ = c.apply_amendment(BASE, amendment(cap=600), now=WED)
    raised_again, _ = c.apply_amendment(lowered, amendment(cap=1200), now=WED + timedelta(hours=1))
    assert c.terms_in_week(raised_again, W49).weekly_cap_minutes == 1200
    assert c.terms_in_week(raised_again, W48).weekly_cap_minutes == 1200


@pytest.mark.parametrize(
    ("side", "rate", "cap", "error", "field"),
    [
        ("agent", 3000, None, Forbidden, "rate.amount"),  # only the business raises
        ("business", 2000, None, Forbidden, "rate.amount"),  # only the agent lowers
        ("agent", 2500, None, InvalidInput, "rate.amount"),  # unchanged
        ("business", None, None, InvalidInput, "rate"),
        ("business", None, 5, InvalidInput, "weekly_cap_minutes"),
        ("business", None, 750, InvalidInput, "weekly_cap_minutes"),
    ],
)
def test_who_may_propose_what(side, rate, cap, error, field):
    with pytest.raises(error) as caught:
        c.check_proposal(
            side=c.Side(side),
            kind=c.Kind.HOURLY,
            status=c.Status.ACTIVE,
            current=BASE[0],
            rate_minor=rate,
            weekly_cap_minutes=cap,
            pending=None,
        )
    assert caught.value.field == field


def test_proposals_need_a_live_hourly_contract_and_no_pending_change():
    args = {"side": c.Side.BUSINESS, "current": BASE[0], "rate_minor": 3000, "weekly_cap_minutes": None}
    with pytest.raises(Conflict, match="block"):
        c.check_proposal(kind=c.Kind.BLOCK, status=c.Status.ACTIVE, pending=None, **args)
    with pytest.raises(Conflict, match="ended"):
        c.check_proposal(kind=c.Kind.HOURLY, status=c.Status.ENDED, pending=None, **args)
    with pytest.raises(Conflict, match="waiting"):
        c.check_proposal(kind=c.Kind.HOURLY, status=c.Status.ACTIVE, pending=amendment(rate=2600), **args)
    c.check_proposal(kind=c.Kind.HOURLY, status=c.Status.PAUSED, pending=None, **args)


def test_the_other_side_answers_and_the_proposer_withdraws():
    proposed = amendment(side="agent", rate=2000)
    with pytest.raises(Forbidden):
        c.decide(proposed, side=c.Side.AGENT, accept=True, now=WED)
    assert (
        c.decide(proposed, side=c.Side.BUSINESS, accept=False, now=WED).status is c.AmendmentStatus.DECLINED
    )
    accepted = c.decide(proposed, side=c.Side.BUSINESS, accept=True, now=WED)
    with pytest.raises(Conflict):
        c.decide(accepted, side=c.Side.BUSINESS, accept=True, now=WED)
    with pytest.raises(Forbidden):
        c.withdraw(proposed, side=c.Side.BUSINESS, now=WED)
    assert c.withdraw(proposed, side=c.Side.AGENT, now=WED).status is c.AmendmentStatus.WITHDRAWN
    assert c.Amendment.from_json(accepted.to_json()) == accepted


@given(
    st.lists(
        st.tuples(
            st.integers(0, 60 * 24 * 20),
            st.integers(100, 9000) | st.none(),
            st.integers(15, 3000) | st.none(),
        ),
        max_size=6,
    )
)
def test_each_week_has_exactly_one_rate_whatever_the_amendments(steps):
    history = list(BASE)
    moment = START + timedelta(days=7)
    for offset, rate, cap in steps:
        moment += timedelta(minutes=offset)
        if rate is None and cap is None:
            continue
        history, _ = c.apply_amendment(
            history, c.Amendment("x", c.Side.BUSINESS, moment, rate, cap), now=moment
        )
    for change in history:
        # rate changes only ever take effect at a billing week's start
        previous = c.terms_at(history, change.effective_at - timedelta(minutes=1))
        if change.rate_minor != previous.rate_minor and change.effective_at > START:
            assert change.effective_at == BillingWeek.containing(change.effective_at).starts_at


def test_active_periods_bound_where_time_may_go():
    start = datetime(2026, 11, 23, 9, tzinfo=UTC)
    periods = c.ActivePeriods((c.Period(start),)).closed(start + timedelta(hours=5))
    periods = periods.opened(start + timedelta(days=1))
    assert periods.covering(start, start + timedelta(hours=5))
    assert not periods.covering(start - timedelta(minutes=1), start + timedelta(hours=1))
    assert not periods.covering(start + timedelta(hours=4), start + timedelta(hours=6))  # paused
    assert periods.covering(start + timedelta(days=1, hours=3), start + timedelta(days=1, hours=4))
    assert "starts" in periods.why_not(start - timedelta(hours=1), start)
    bounded = c.ActivePeriods((c.Period(start),), ends_at=start + timedelta(days=2))
    assert not bounded.covering(start + timedelta(days=2), start + timedelta(days=2, hours=1))
    assert "ends" in bounded.why_not(start + timedelta(days=2), start + timedelta(days=2, hours=1))
    # on the reader's clock, the zone named (issue 14, item 8)
    early = periods.why_not(start - timedelta(hours=1), start, "America/Sao_Paulo")
    assert early == "this contract starts at Mon 23 Nov 06:00 America/Sao_Paulo"
    late = bounded.why_not(start + timedelta(days=2), start + timedelta(days=2, hours=1), "America/New_York")
    assert late == "this contract ends at Wed 25 Nov 04:00 EST"
    assert bounded.open_until(start + timedelta(hours=1)) == start + timedelta(days=2)
    with pytest.raises(Conflict):
        bounded.open_until(start - timedelta(hours=1))


def test_a_contract_starts_at_local_midnight_or_at_acceptance():
    accepted = datetime(2026, 11, 26, 15, 30, 41, tzinfo=UTC)
    assert c.first_period_start(date(2026, 11, 30), "America/New_York", accepted) == datetime(
        2026, 11, 30, 5, tzinfo=UTC
    )
    assert c.first_period_start(date(2026, 11, 26), "America/New_York", accepted) == datetime(
        2026, 11, 26, 15, 30, tzinfo=UTC
    )
    assert c.end_bound(date(2026, 12, 31), "Europe/Lisbon") == datetime(2027, 1, 1, tzinfo=UTC)


def test_inactivity_pauses_only_active_hourly_contracts_after_30_days():
    now = datetime(2026, 11, 26, tzinfo=UTC)
    assert c.should_pause_for_inactivity(
        kind=c.Kind.HOURLY, status=c.Status.ACTIVE, last_activity=now - timedelta(days=30), now=now
    )
    assert not c.should_pause_for_inactivity(
        kind=c.Kind.HOURLY, status=c.Status.ACTIVE, last_activity=now - timedelta(days=29), now=now
    )
    assert not c.should_pause_for_inactivity(
        kind=c.Kind.BLOCK, status=c.Status.ACTIVE, last_activity=now - timedelta(days=90), now=now
    )
