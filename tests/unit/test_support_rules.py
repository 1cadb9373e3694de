"""Support's rules beyond an inquiry's states (chalicelib/domain/inquiries.py): the customer's
address as one plain address, oversized messages, the business's settings, the first-response
breach, the new part of a mailed reply, and proof of work placed under diary entries."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.inquiries import (
    MAX_MESSAGE_CHARS,
    MessageTooLarge,
    Priority,
    ReasonTag,
    Span,
    SupportSettings,
    Work,
    WorkAction,
    check_body,
    check_channel,
    check_customer_email,
    check_priority,
    is_breached,
    new_part_of_reply,
    work_by_entry,
)

NOW = datetime(2026, 11, 25, 15, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["jane@example.com", "Jane.Doe+orders@Mail.Example.co.uk", "o'brien@example.ie", " jane@example.com "],
)
def test_a_plain_address_is_taken_lowercased(text):
    assert check_customer_email(text) == text.strip().lower()


@pytest.mark.parametrize(
    "text",
    [
        "jane@example.com\r\nBcc: all@example.com",
        "jane@example.com\nX-Spam: yes",
        "jane@example.com, boss@example.com",
        "Jane <jane@example.com>",
        '"jane doe"@example.com',
        "jane doe@example.com",
        "jane@example",
        "jane@exa_mple.com",
        "jane@-example.com",
        "jane..doe@example.com",
        "jane@example.c0m",
        "@example.com",
        "jane@",
        "a" * 65 + "@example.com",
        "jane@example.com;boss@example.com",
        "jane@example.com\x00",
    ],
)
def test_anything_that_could_reach_another_header_or_address_is_refused(text):
    with pytest.raises(InvalidInput) as refused:
        check_customer_email(text)
    assert refused.value.field == "customer_email"


@given(st.text(max_size=80))
def test_an_accepted_address_never_carries_a_header_breaking_character(text):
    try:
        email = check_customer_email(text)
    except InvalidInput:
        return
    assert not any(c in email for c in '\r\n,;<>" \t\x00()[]:\\')
    assert email.count("@") == 1


def test_an_oversized_message_is_too_large_not_a_typo():
    assert check_body("  hello\r\nthere  ") == "hello\nthere"
    with pytest.raises(MessageTooLarge) as large:
        check_body("x" * (MAX_MESSAGE_CHARS + 1))
    assert large.value.code == "too_large" and large.value.field == "body"
    with pytest.raises(InvalidInput) as empty:
        check_body("   ")
    assert not isinstance(empty.value, MessageTooLarge)


def test_channels_and_priorities_from_their_lists():
    assert check_channel("chat") == "chat"
    assert check_priority("urgent") is Priority.URGENT
    with pytest.raises(InvalidInput):
        check_channel("pigeon")
    with pytest.raises(InvalidInput) as refused:
        check_priority("asap")
    assert refused.value.field == "priority"


def test_settings_check_every_part_and_give_a_reason_its_tier():
    settings = SupportSettings.of(
        sla={"urgent": 30, "high": 60, "normal": 60, "low": 600},
        reason_tags=[ReasonTag("refund", 2), ReasonTag("order-status")],
        language_level=4,
        help_page=False,
    )
    assert settings.tier_for("refund") == 2
    assert settings.tier_for("order-status") == 1 and settings.tier_for(None) == 1
    default = SupportSettings.default()
    assert default.language_level == 3 and default.help_page
    with pytest.raises(InvalidInput) as refused:
        SupportSettings.of(sla=default.sla.to_json(), reason_tags=[], language_level=7, help_page=True)
    assert refused.value.field == "language_level"


def test_a_breach_is_a_first_reply_after_the_due_time_or_none_by_now():
    due = NOW
    assert not is_breached(due, None, NOW)
    assert is_breached(due, None, NOW + timedelta(minutes=1))
    assert not is_breached(due, NOW, NOW + timedelta(days=1))  # a reply at the due time is in time
    assert is_breached(due, NOW + timedelta(minutes=1), NOW + timedelta(days=1))


def test_the_new_part_of_a_reply_by_mail_leaves_the_quoted_thread_out():
    text = (
        "Thanks, that worked!\r\n\r\nJane\r\n\r\nOn Wed, 25 Nov 2026 at 15:10, Northwind <reply@x> wrote:\r\n"
        "> Hi Jane,\r\n> try this\r\n"
    )
    assert new_part_of_reply(text) == "Thanks, that worked!\n\nJane"
    assert new_part_of_reply("> only quoted") == "> only quoted"
    assert new_part_of_reply("Obrigada!\nEm qua., 25/11/2026, Northwind escreveu:\n> Olá") == "Obrigada!"


def test_work_goes_under_the_entry_whose_span_holds_it_and_the_rest_is_loose():
    entries = [
        Span("e1", NOW, NOW + timedelta(hours=1)),
        Span("e2", NOW + timedelta(hours=2), NOW + timedelta(hours=3)),
    ]

    def work(minutes: int, number: int) -> Work:
        return Work(NOW + timedelta(minutes=minutes), f"i{number}", number, WorkAction.REPLY)

    placed, loose = work_by_entry(
        [work(130, 3), work(0, 1), work(59, 2), work(60, 4), work(180, 5), work(-1, 6)], entries
    )
    assert [w.number for w in placed["e1"]] == [1, 2]
    assert [w.number for w in placed["e2"]] == [3]
    assert sorted(w.number for w in loose) == [4, 5, 6]  # half-open spans: the end is outside
