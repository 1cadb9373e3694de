"""Helpdesk integrations (issue 15, slice 10): reading what Zendesk and Freshdesk send
(chalicelib/domain/helpdesk_events.py) and the ticket's state, the same whatever order its events
come in and however often (chalicelib/domain/helpdesk.py)."""

from datetime import UTC, datetime, timedelta
from functools import reduce

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.helpdesk import Author, Kind, Product, TicketState, Who, derive, merge
from chalicelib.domain.helpdesk_events import (
    ZendeskComment,
    channel_of,
    parse_moment,
    priority_of,
    rating_of,
    read_event,
    read_zendesk_event,
)
from chalicelib.domain.inquiries import Priority, SlaTargets, Status

NOW = datetime(2026, 11, 25, 15, 10, 30, tzinfo=UTC)


def minute(hour: int, minute: int = 0, day: int = 25) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


# -- reading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-11-25T14:05Z", minute(14, 5)),  # Zendesk's {{ticket.created_at_with_timestamp}}
        ("2026-11-25T14:05:59Z", minute(14, 5)),  # seconds dropped, never rounded
        ("2026-11-25T14:05:07.672717030Z", minute(14, 5)),  # Zendesk's events: nanoseconds
        ("2026-11-25T09:05:00-05:00", minute(14, 5)),
        ("2026-11-25T15:35:00+0130", minute(14, 5)),
        ("2026-11-25 14:05", minute(14, 5)),
        ("2026-11-25T15:15Z", minute(15, 10)),  # five minutes ahead of deskhire's clock: now
    ],
)
def test_a_helpdesks_times_are_read_to_the_minute(text, moment):
    assert parse_moment(text, field="at", now=NOW) == moment


@pytest.mark.parametrize(
    "text", ["25/11/2026 14:05", "2026-13-01T00:00Z", "2026-11-25T16:00Z", "1999-12-31T00:00Z"]
)
def test_a_time_that_is_no_time_or_is_in_the_future_is_refused_naming_its_field(text):
    with pytest.raises(InvalidInput) as refused:
        parse_moment(text, field="created_at", now=NOW)
    assert refused.value.field == "created_at"


def test_an_empty_placeholder_is_no_time():
    assert parse_moment("", field="at", now=NOW) is None
    assert parse_moment("  ", field="at", now=NOW) is None


@pytest.mark.parametrize(
    ("value", "score", "given"),
    [
        ("good", 5, "good"),
        ("Good, I'm satisfied", 5, "good"),  # Zendesk's {{satisfaction.current_rating}}
        ("Bad, I'm unsatisfied", 1, "bad"),
        ("BAD", 1, "bad"),
        (4, 4, "4"),
        ("3", 3, "3"),
    ],
)
def test_ratings_good_bad_or_one_to_five(value, score, given):
    rating = rating_of(value)
    assert rating is not None and (rating.score, rating.given) == (score, given)


@pytest.mark.parametrize("value", ["Offered", "unoffered", "", None])
def test_a_rating_only_offered_is_no_rating(value):
    assert rating_of(value) is None


@pytest.mark.parametrize("value", [0, 6, "7", "great", True])
def test_any_other_rating_is_refused(value):
    with pytest.raises(InvalidInput) as refused:
        rating_of(value)
    assert refused.value.field == "rating"


def test_priorities_and_channels_of_both_products():
    assert priority_of("Urgent") is Priority.URGENT
    assert priority_of("HIGH") is Priority.HIGH  # Zendesk's events
    assert priority_of("Medium") is Priority.NORMAL  # Freshdesk's
    assert priority_of("1") is Priority.LOW
    assert priority_of("-") is None  # Zendesk's placeholder for no priority
    assert channel_of("Phone call (inbound)") == "phone"
    assert channel_of("native_messaging") == "chat"
    assert channel_of("Twitter") == "social"
    assert channel_of("Web Form") == "email"
    assert channel_of("Portal") == "email"
    assert channel_of("") is None


def zendesk(kind: str, **fields):
    values = {
        "product": "zendesk",
        "kind": kind,
        "ticket_id": "5158",
        "subject": "Cannot log in",
        "requester_email": "jane@example.com",
        "requester_name": "Jane Doe",
        "created_at": "2026-11-25T10:00Z",
        "priority": "high",
        "channel": "Web Form",
        **fields,
    }
    return read_event(now=NOW, **values)


def test_deskhire_shape_filled_by_a_trigger():
    event = zendesk("replied", at="2026-11-25T10:30Z", agent_email=" Lia@Example.com")
    assert event.kind is Kind.REPLIED and event.ticket_id == "5158" and event.ref == "zendesk:5158"
    assert event.at == minute(10, 30) and event.agent_email == "lia@example.com"
    assert event.ticket.priority is Priority.HIGH and event.ticket.channel == "email"
    assert event.ticket.created_at == minute(10)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"requester_email": "Jane <jane@example.com>"}, "requester_email"),
        ({"agent_email": "lia@example.com\r\nBcc: x@example.com"}, "agent_email"),
        ({"ticket_id": "51 58"}, "ticket_id"),
        ({"ticket_id": "T#1"}, "ticket_id"),
        ({"at": "yesterday"}, "at"),
        ({"created_at": "2026-11-25T10"}, "created_at"),
    ],
)
def test_each_bad_value_is_refused_naming_its_field(fields, field):
    with pytest.raises(InvalidInput) as refused:
        zendesk("replied", **fields)
    assert refused.value.field == field


def test_a_rated_event_needs_its_rating():
    with pytest.raises(InvalidInput) as refused:
        zendesk("rated", rating="")
    assert refused.value.field == "rating"


def test_empty_placeholders_are_values_left_out_and_arrival_is_the_time():
    event = zendesk("solved", agent_email="", at="", priority="", channel="", requester_email="")
    assert event.agent_email is None and event.ticket.customer_email is None
    assert event.at == minute(15, 10)  # when it arrived, to the minute
    assert event.ticket.priority is None and event.ticket.channel is None


def test_html_in_a_zendesk_subject_is_text_a_freshdesk_description_is_read_as_its_text():
    zd = zendesk("created", subject="<script>alert(1)</script>", description="<b>hi</b>")
    assert zd.ticket.subject == "<script>alert(1)</script>" and zd.ticket.description == "<b>hi</b>"
    fd = read_event(
        now=NOW,
        product="freshdesk",
        kind="created",
        ticket_id=24,
        description="<div>Hello &lt;script&gt;</div><div>Second\u200b line</div>",
    )
    assert fd.ticket.description == "Hello <script>\nSecond line"


def test_too_long_text_is_cut_not_refused():
    event = zendesk("created", subject="word " * 100, description="x" * 30_000)
    assert len(event.ticket.subject or "") == 200 and (event.ticket.subject or "").endswith("\u2026")
    assert len(event.ticket.description or "") == 20_000
    assert (event.ticket.description or "").endswith("(cut here: the whole text is in Zendesk)")


def test_a_retry_says_the_same_so_it_is_the_same_event():
    first = zendesk("replied", at="2026-11-25T10:30Z", agent_email="lia@example.com")
    again = zendesk("replied", at="2026-11-25T10:30Z", agent_email="lia@example.com", subject="Changed")
    later = zendesk("replied", at="2026-11-25T10:31Z", agent_email="lia@example.com")
    assert first.key == again.key != later.key
    # a ticket is created once, whatever its created event's time says
    assert zendesk("created", at="2026-11-25T10:00Z").key == zendesk("created", at="").key


def test_zendesks_own_events_are_taken_as_they_come():
    created = read_zendesk_event(
        event_type="zen:event-type:ticket.created",
        event_id="cbe4028c-7239-495d-b020-f22348516046",
        time="2026-11-25T10:12:07.672717030Z",
        ticket_id="5158",
        now=NOW,
        subject="Cannot login to mobile app",
        created_at="2026-11-25T10:12:07Z",
        priority="HIGH",
        channel="web_service",
        requester_id="8447388090494",
    )
    assert created is not None and created.kind is Kind.CREATED and created.native
    assert created.ticket.customer_email is None
    assert created.ticket.customer_name == "Zendesk requester 8447388090494"
    reply = read_zendesk_event(
        event_type="zen:event-type:ticket.comment_added",
        event_id="d4f5c389",
        time="2026-11-25T14:25:30Z",
        ticket_id=5158,
        now=NOW,
        comment=ZendeskComment(is_public=True, is_staff=True, author_name="Support Agent"),
    )
    assert reply is not None and reply.kind is Kind.REPLIED and reply.agent_email is None
    solved = read_zendesk_event(
        event_type="zen:event-type:ticket.status_changed",
        event_id="a8b9",
        time="2026-11-25T14:45:20Z",
        ticket_id="5158",
        now=NOW,
        status="SOLVED",
    )
    assert solved is not None and solved.kind is Kind.SOLVED


@pytest.mark.parametrize(
    ("event_type", "comment", "status"),
    [
        ("zen:event-type:ticket.comment_added", ZendeskComment(is_public=False, is_staff=True), None),
        ("zen:event-type:ticket.comment_added", ZendeskComment(is_public=True, is_staff=False), None),
        ("zen:event-type:ticket.status_changed", None, "PENDING"),
        ("zen:event-type:ticket.priority_changed", None, None),
        ("zen:event-type:user.created", None, None),
    ],
)
def test_zendesk_events_deskhire_does_not_use_are_ignored(event_type, comment, status):
    event = read_zendesk_event(
        event_type=event_type,
        event_id="e1",
        time="2026-11-25T14:45:20Z",
        ticket_id="5158",
        now=NOW,
        comment=comment,
        status=status,
    )
    assert event is None


# -- one state whatever the order ------------------------------------------------------------------

LIA = Who(Author.AGENT, "lia@example.com", "A1", "Lia", "C1")
BEN = Who(Author.AGENT, "ben@example.com", "A2", "Ben", "C2")
OWNER = Who(Author.MEMBER, "owner@example.com", "M1", "Olivia")
STRANGER = Who(Author.UNKNOWN, "who@example.com")


def story():
    """A ticket's events with the person each address turned out to be."""
    return [
        (zendesk("created", at="2026-11-25T10:00Z", description="I cannot log in."), Who()),
        (zendesk("replied", at="2026-11-25T10:40Z", agent_email="lia@example.com"), LIA),
        (zendesk("replied", at="2026-11-25T11:05Z", agent_email="ben@example.com"), BEN),
        (zendesk("replied", at="2026-11-25T11:10Z", agent_email="who@example.com"), STRANGER),
        (zendesk("solved", at="2026-11-25T12:00Z", agent_email="ben@example.com"), BEN),
        (
            zendesk(
                "rated", at="2026-11-25T13:00Z", rating="Good, I'm satisfied", agent_email="ben@example.com"
            ),
            BEN,
        ),
        (
            zendesk(
                "rated", at="2026-11-25T13:30Z", rating="Bad, I'm unsatisfied", agent_email="ben@example.com"
            ),
            BEN,
        ),
        (
            read_zendesk_event(
                event_type="zen:event-type:ticket.status_changed",
                event_id="native-solve",
                time="2026-11-25T12:30:00Z",
                ticket_id="5158",
                now=NOW,
                status="CLOSED",
            ),
            Who(),
        ),
    ]


def fold(pairs) -> TicketState:
    return reduce(lambda state, pair: merge(state, pair[0], pair[1]), pairs, None)  # type: ignore[arg-type]


def test_the_state_a_ticket_reaches():
    state = fold(story())
    view = derive(state, SlaTargets.default())
    assert view.status is Status.RESOLVED
    assert view.first_response_at == minute(10, 40) and view.agent == LIA
    assert view.created_at == minute(10) and view.priority is Priority.HIGH
    assert view.sla_due_at == minute(14) and view.breached_at is None  # high: 4 hours
    assert view.resolved_at == minute(12) and view.resolved_by == "A2"
    assert state.rating is not None and state.rating.rating.score == 1  # the latest rating
    assert view.subject == "Cannot log in" and view.customer_email == "jane@example.com"


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_order_and_any_repeats_reach_the_same_state(data):
    pairs = story()
    expected = fold(pairs)
    shuffled = data.draw(st.permutations(pairs))
    repeated = shuffled + data.draw(st.lists(st.sampled_from(pairs), max_size=8))
    assert fold(data.draw(st.permutations(repeated))) == expected


def test_a_late_first_reply_misses_its_target_and_the_team_s_reply_is_the_first_response():
    late = fold(
        [
            (zendesk("created", priority="urgent"), Who()),
            (zendesk("replied", at="2026-11-25T11:30Z", agent_email="owner@example.com"), OWNER),
        ]
    )
    view = derive(late, SlaTargets.default())
    assert view.first_response_at == minute(11, 30) and view.breached_at == minute(11)
    assert view.agent is None and view.status is Status.ANSWERED  # the team's own reply credits no agent


def test_facts_from_an_event_with_the_customers_address_win_over_a_native_one():
    native = read_zendesk_event(
        event_type="zen:event-type:ticket.created",
        event_id="n1",
        time="2026-11-25T10:00:00Z",
        ticket_id="5158",
        now=NOW,
        subject="Subject from Zendesk",
        requester_id="99",
    )
    trigger = zendesk("replied", at="2026-11-25T10:20Z", agent_email="lia@example.com")
    for order in ([(native, Who()), (trigger, LIA)], [(trigger, LIA), (native, Who())]):
        view = derive(fold(order), SlaTargets.default())
        assert view.customer_email == "jane@example.com" and view.customer_name == "Jane Doe"


def test_without_any_time_given_the_ticket_starts_at_its_earliest_event():
    def freshdesk(kind, now, **fields):
        return read_event(product="freshdesk", kind=kind, ticket_id="24", now=now, **fields)

    reply = freshdesk("replied", NOW - timedelta(minutes=30), agent_email="lia@example.com")
    made = freshdesk("created", NOW, requester_email="jane@example.com")
    view = derive(fold([(made, Who()), (reply, LIA)]), SlaTargets.default())
    assert view.created_at == minute(14, 40) and view.first_response_at == minute(14, 40)
    assert view.subject == "Freshdesk ticket #24"
    assert Product.FRESHDESK.label == "Freshdesk"


def test_without_a_time_given_the_minute_of_arrival_tells_two_replies_apart():
    def freshdesk(now, **fields):
        return read_event(product="freshdesk", kind="replied", ticket_id="24", now=now, **fields)

    first = freshdesk(NOW, agent_email="lia@example.com")
    retried = freshdesk(NOW + timedelta(seconds=20), agent_email="lia@example.com")
    second = freshdesk(NOW + timedelta(minutes=7), agent_email="lia@example.com")
    assert first.key == retried.key != second.key


# -- which rating counts, for whom -----------------------------------------------------------------


def test_the_latest_rating_counts_for_the_agent_it_names_else_the_one_who_answered():
    view = derive(fold(story()), SlaTargets.default())
    assert view.credit is not None
    assert (view.credit.score, view.credit.at, view.credit.agent_id) == (1, minute(13, 30), "A2")
    unnamed = fold(
        [
            (zendesk("replied", at="2026-11-25T10:40Z", agent_email="lia@example.com"), LIA),
            (zendesk("rated", at="2026-11-25T13:00Z", rating="good", agent_email=""), Who()),
        ]
    )
    credit = derive(unnamed, SlaTargets.default()).credit
    assert credit is not None and (credit.score, credit.agent_id, credit.agent_name) == (5, "A1", "Lia")
    team = fold([(zendesk("rated", at="2026-11-25T13:00Z", rating="bad", agent_email="o@x.com"), OWNER)])
    credit = derive(team, SlaTargets.default()).credit
    assert credit is not None and credit.agent_id is None  # the business's own: no agent's reputation


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_the_rating_that_counts_is_the_same_in_any_order(data):
    pairs = story()
    expected = derive(fold(pairs), SlaTargets.default()).credit
    assert derive(fold(data.draw(st.permutations(pairs))), SlaTargets.default()).credit == expected


def test_a_rating_withdrawn_leaves_the_evidence_as_if_only_the_new_one_was_given():
    from chalicelib.domain.reputation import Evidence
    from chalicelib.domain.reputation import Kind as Evidenced

    base = Evidence().add(Evidenced.CUSTOMER, minute(9), 4).add(Evidenced.PEER, minute(10), 3)
    changed = base.add(Evidenced.CUSTOMER, minute(11), 1).withdraw(Evidenced.CUSTOMER, minute(11), 1)
    changed = changed.add(Evidenced.CUSTOMER, minute(12), 5)
    direct = base.add(Evidenced.CUSTOMER, minute(12), 5)
    assert (changed.ratings, changed.good_ratings, changed.rating_total) == (2, 2, 9)
    assert changed.reputation(minute(13)) == direct.reputation(minute(13))
    # evidence older than the last recorded is taken back with its own age
    older = direct.add(Evidenced.CUSTOMER, minute(8), 2).withdraw(Evidenced.CUSTOMER, minute(8), 2)
    assert older.reputation(minute(13)) == direct.reputation(minute(13))
    assert Evidence().withdraw(Evidenced.CUSTOMER, minute(9), 4) == Evidence()
