"""A helpdesk ticket's first-response target (domain/helpdesk.py `sla_outcome`, `sla_watch`): met on
the reply's day, missed on the due time's, judged the same whatever order the events came in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import reduce

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.helpdesk import (
    Author,
    Event,
    Kind,
    Product,
    SlaOutcome,
    TicketFacts,
    Who,
    derive,
    merge,
    sla_outcome,
    sla_watch,
)
from chalicelib.domain.inquiries import Priority, SlaTargets

CREATED = datetime(2026, 11, 23, 9, tzinfo=UTC)
DUE = CREATED + timedelta(hours=8)  # normal priority: 8 hours
LIA = Who(Author.AGENT, "lia@example.com", "A1", "Lia")
TARGETS = SlaTargets.default()


def event(kind: Kind, at: datetime, key: str) -> tuple[Event, Who]:
    return (
        Event(
            product=Product.ZENDESK,
            kind=kind,
            ticket_id="5158",
            key=key,
            at=at,
            ticket=TicketFacts(created_at=CREATED, priority=Priority.NORMAL),
        ),
        LIA if kind is not Kind.CREATED else Who(),
    )


def outcome(pairs, now: datetime | None) -> tuple[SlaOutcome | None, datetime | None]:
    state = reduce(lambda s, p: merge(s, p[0], p[1]), pairs, None)
    assert state is not None
    view = derive(state, TARGETS, now)
    return sla_outcome(view), sla_watch(view)


def test_a_reply_by_the_due_time_meets_the_target_on_its_day_and_a_later_one_misses_it_on_the_due_time():
    created = event(Kind.CREATED, CREATED, "c")
    in_time = event(Kind.REPLIED, DUE, "r1")  # at the due time is in time
    late = event(Kind.REPLIED, DUE + timedelta(minutes=1), "r2")
    assert outcome([created, in_time], DUE) == (SlaOutcome(True, DUE, "A1"), None)
    assert outcome([created, late], DUE + timedelta(days=2)) == (SlaOutcome(False, DUE, "A1"), None)


def test_without_a_reply_the_clock_judges_the_ticket():
    created = event(Kind.CREATED, CREATED, "c")
    assert outcome([created], DUE) == (None, DUE)  # not yet late: the job looks again at the due time
    assert outcome([created], DUE + timedelta(minutes=1)) == (SlaOutcome(False, DUE, None), None)
    assert outcome([created], None) == (None, DUE)  # without a clock only a reply judges it
    # a reply in time that arrives after the miss was counted turns it into a met target
    in_time = event(Kind.REPLIED, CREATED + timedelta(hours=2), "r")
    assert outcome([created, in_time], DUE + timedelta(days=1))[0] == SlaOutcome(
        True, CREATED + timedelta(hours=2), "A1"
    )


def test_a_ticket_solved_without_a_reply_is_judged_by_when_it_was_solved():
    created = event(Kind.CREATED, CREATED, "c")
    solved_in_time = event(Kind.SOLVED, CREATED + timedelta(hours=1), "s")
    assert outcome([created, solved_in_time], DUE + timedelta(days=3)) == (None, None)
    solved_late = event(Kind.SOLVED, DUE + timedelta(hours=1), "s")
    assert outcome([created, solved_late], DUE + timedelta(hours=1)) == (SlaOutcome(False, DUE, None), None)


moments = st.integers(0, 16 * 60).map(lambda m: CREATED + timedelta(minutes=m))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from([Kind.REPLIED, Kind.SOLVED, Kind.CREATED]), moments), max_size=5),
    st.data(),
)
def test_any_order_and_any_repeats_count_the_same_outcome(marks, data):
    pairs = [event(Kind.CREATED, CREATED, "c")] + [
        event(kind, at, f"{kind.value}{n}") for n, (kind, at) in enumerate(marks)
    ]
    now = DUE + timedelta(days=1)
    expected = outcome(pairs, now)
    shuffled = data.draw(st.permutations(pairs + data.draw(st.lists(st.sampled_from(pairs), max_size=4))))
    assert outcome(shuffled, now) == expected
    # and it is the rule said plainly: the earliest reply against the due time
    replies = [at for kind, at in marks if kind is Kind.REPLIED]
    solves = [at for kind, at in marks if kind is Kind.SOLVED]
    if replies:
        first = min(replies)
        assert expected[0] == (
            SlaOutcome(True, first, "A1") if first <= DUE else SlaOutcome(False, DUE, "A1")
        )
    elif solves and min(solves) <= DUE:
        assert expected[0] is None
    else:
        assert expected[0] == SlaOutcome(False, DUE, None)
    assert expected[1] is None  # past the due time, only an event can change it


@given(st.integers(0, 48 * 60), st.integers(0, 48 * 60))
def test_the_clock_only_ever_makes_an_unanswered_ticket_late(a, b):
    created = [event(Kind.CREATED, CREATED, "c")]
    earlier, later = sorted((CREATED + timedelta(minutes=a), CREATED + timedelta(minutes=b)))
    before, _ = outcome(created, earlier)
    after, _ = outcome(created, later)
    if before is not None:
        assert after == before
