"""Issue 12 item 3, made structural: a mail's subject is deskhire's own words. A `Mail` takes a
member of the `Subject` catalogue, filled in with counts, ISO weeks or deskhire's own enum members;
text of any origin is refused, so a tenant's name or title cannot reach a subject again."""

import string

import pytest

from chalicelib.domain.contracts import AmendmentStatus
from chalicelib.domain.time import BillingWeek
from chalicelib.mail import Mail, Subject, SubjectLine, their_words


def test_a_mail_takes_no_text_for_a_subject():
    with pytest.raises(TypeError):
        Mail(to="a@example.com", subject="Acme offers you a contract", text="t")
    with pytest.raises(TypeError):
        SubjectLine("Acme offers you a contract")
    # a str subclass of another kind is text too
    with pytest.raises(TypeError):
        Mail(to="a@example.com", subject=type("Lookalike", (str,), {})("x"), text="t")


def test_a_subject_is_filled_with_counts_weeks_and_deskhire_enums_only():
    week = BillingWeek.parse("2026-W48")
    assert Mail(to="a@example.com", subject=Subject.INVOICE_READY.line(week=week), text="t").subject == (
        "Your deskhire invoice for week 2026-W48"
    )
    assert (
        Subject.CHANGE_SETTLED.line(status=AmendmentStatus.ACCEPTED)
        == "Your change to a contract was accepted"
    )
    assert Mail(to="a@example.com", subject=Subject.OFFER_RECEIVED, text="t").subject == (
        "You have a contract offer on deskhire"
    )
    with pytest.raises(TypeError, match="not text"):
        Subject.INVOICE_READY.line(week="2026-W48 from Acme https://evil.example")
    with pytest.raises(TypeError, match="not text"):
        Subject.DISPUTE_FILED.line(minutes=True)
    with pytest.raises(TypeError, match="takes"):
        Subject.INVOICE_READY.line()
    with pytest.raises(TypeError, match="takes"):
        Subject.OFFER_RECEIVED.line(name="Acme")


def test_every_subject_is_one_plain_line_of_deskhire_words():
    for subject in Subject:
        fields = [f for _, f, spec, conv in string.Formatter().parse(subject.value) if f is not None]
        assert all(f.isidentifier() for f in fields), subject
        assert subject.value.isprintable() and "http" not in subject.value and len(subject.value) < 80


def test_their_words_quote_names_and_notes_without_links_or_controls():
    text = their_words(
        "the business's",
        {"Business": "deskhire Security: verify at https://evil.example/v", "From": "IT\r\ndesk"},
        note="Line one\r\nSee www.evil.example or mail x@evil.example\u202e\n\n\n\nbye",
        note_label="Note",
    )
    assert text == (
        "In the business's own words (not deskhire's):\n"
        "    Business: \u201cdeskhire Security: verify at\u201d\n"
        "    From: \u201cIT desk\u201d\n"
        "    Note:\n"
        "    > Line one\n"
        "    > See [link removed] or mail [link removed]\n"
        "    >\n"
        "    > bye"
    )
    assert their_words("the agent's", {"From": "Ada"}) == (
        "In the agent's own words (not deskhire's):\n    From: \u201cAda\u201d"
    )
