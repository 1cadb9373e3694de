"""Smart routing (chalicelib/domain/routing.py): only an agent on shift who fits takes an inquiry,
the least loaded first, and every candidate's verdict is kept (PROMISES R3)."""

from datetime import UTC, datetime, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.routing import Need, OnShift, refusals, route
from chalicelib.domain.vocabulary import LEVELS

NOW = datetime(2026, 11, 25, 15, 10, tzinfo=UTC)
B2, C1, NATIVE, A2 = (LEVELS.index(x) for x in ("b2", "c1", "native", "a2"))


def agent(agent_id, *, languages=None, channels=("email", "chat"), tier=1, load=0, rep="1/2", last=None):
    return OnShift(
        agent_id=agent_id,
        name=agent_id.title(),
        languages=languages if languages is not None else {"en": NATIVE},
        channels=frozenset(channels),
        tier=tier,
        open_inquiries=load,
        reputation=Fraction(rep),
        last_assigned_at=last,
    )


EMAIL_EN = Need(language="en", channel="email", tier=1)


def test_the_least_loaded_agent_who_fits_takes_it_and_everyone_gets_a_reason():
    decision = route(
        EMAIL_EN,
        [
            agent("lia", load=2),
            agent("raj", load=1),
            agent("ana", languages={"pt": NATIVE, "en": A2}),
            agent("tom", channels=("phone",)),
        ],
    )
    assert decision.chosen == "raj"
    reasons = {v.agent_id: v.reason() for v in decision.verdicts}
    assert reasons["ana"] == "speaks English at A2 elementary, below B2 upper intermediate"
    assert reasons["tom"] == "does not list email among their channels"
    assert reasons["raj"] == "1 open inquiry, reputation 50/100"
    assert [v.agent_id for v in decision.verdicts][:2] == ["raj", "lia"]  # ranked, then the refused
    assert decision.summary() == "to Raj: 1 open inquiry, reputation 50/100"


def test_ties_go_to_reputation_then_to_whoever_waited_longest_then_the_id():
    assert route(EMAIL_EN, [agent("lia", rep="1/2"), agent("raj", rep="3/4")]).chosen == "raj"
    waited = [
        agent("lia", last=NOW - timedelta(minutes=5)),
        agent("raj", last=NOW - timedelta(minutes=50)),
    ]
    assert route(EMAIL_EN, waited).chosen == "raj"
    assert route(EMAIL_EN, [agent("lia", last=NOW), agent("raj")]).chosen == "raj"  # never assigned
    assert route(EMAIL_EN, [agent("zed"), agent("amy")]).chosen == "amy"


def test_a_reason_that_needs_tier_two_and_a_breach_that_excludes_its_agent():
    need = Need(language="en", channel="email", tier=2, excluding=frozenset({"lia"}))
    decision = route(need, [agent("lia", tier=2), agent("raj", tier=1), agent("ana", tier=2, load=5)])
    assert decision.chosen == "ana"
    assert refusals(need, agent("lia", tier=2)) == ["missed this inquiry's first-response target"]
    assert refusals(need, agent("raj")) == ["tier 1, the reason needs tier 2"]


def test_nobody_on_shift_or_nobody_who_fits_waits_in_the_queue():
    assert route(EMAIL_EN, []).chosen is None
    assert route(EMAIL_EN, []).summary() == "nobody is on shift: waits in the queue"
    lonely = route(EMAIL_EN, [agent("ana", languages={"pt": NATIVE})])
    assert lonely.chosen is None and lonely.summary() == "nobody on shift fits: waits in the queue"


def test_the_business_sets_the_language_level():
    casual = Need(language="en", channel="email", tier=1, language_level=A2)
    assert route(casual, [agent("ana", languages={"en": A2})]).chosen == "ana"


agents = st.builds(
    lambda i, langs, channels, tier, load, rep, minutes: agent(
        f"a{i:02d}",
        languages=langs,
        channels=channels,
        tier=tier,
        load=load,
        rep=str(Fraction(rep, 10)),
        last=None if minutes is None else NOW - timedelta(minutes=minutes),
    ),
    st.integers(0, 99),
    st.dictionaries(st.sampled_from(["en", "pt", "es"]), st.integers(0, len(LEVELS) - 1), max_size=3),
    st.sets(st.sampled_from(["email", "chat", "phone"]), max_size=3),
    st.integers(1, 3),
    st.integers(0, 9),
    st.integers(0, 10),
    st.none() | st.integers(0, 600),
)
needs = st.builds(
    Need,
    language=st.sampled_from(["en", "pt", "es"]),
    channel=st.sampled_from(["email", "chat", "phone"]),
    tier=st.integers(1, 2),
)


@given(needs, st.lists(agents, max_size=8, unique_by=lambda a: a.agent_id))
def test_r3_only_an_agent_who_fits_is_chosen_the_least_loaded_and_the_same_facts_give_the_same_answer(
    need, on_shift
):
    decision = route(need, on_shift)
    fitting = [a for a in on_shift if not refusals(need, a)]
    assert len(decision.verdicts) == len(on_shift)
    if not fitting:
        assert decision.chosen is None
        return
    chosen = next(a for a in on_shift if a.agent_id == decision.chosen)
    assert not refusals(need, chosen)
    assert chosen.open_inquiries == min(a.open_inquiries for a in fitting)
    assert route(need, list(reversed(on_shift))).chosen == decision.chosen
