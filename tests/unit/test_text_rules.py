"""Issue 12 items 3 and 8: what a name, a title and a text may hold, and how deskhire quotes a
tenant's words."""

import pytest
from pydantic import ValidationError

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.text import check_line, check_text, quoted_name

HIDDEN = ["\r", "\x00", "\x1b", "\x7f", "\x85", "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u061c"]


@pytest.mark.parametrize("char", HIDDEN + ["\n", "\t"])
def test_a_line_refuses_controls_bidi_and_zero_width(char):
    with pytest.raises(InvalidInput) as raised:
        check_line(f"Support{char}desk", field="title")
    assert raised.value.field == "title"


@pytest.mark.parametrize("char", HIDDEN)
def test_text_refuses_them_too_but_keeps_lines_and_tabs(char):
    with pytest.raises(InvalidInput):
        check_text(f"one{char}two", field="description")
    assert check_text("one\r\ntwo\n\tthree", field="description") == "one\ntwo\n\tthree"


def test_names_keep_their_letters():
    for name in ("Zoë Müller", "Кофейня", "東京サポート", "O'Brien & Sons", "Café-Bar 24/7"):
        assert check_line(name, field="name") == name


def test_every_command_model_refuses_hidden_characters_in_any_string():
    from chalicelib.schemas.identity import AgentSignupBody, BusinessSignupBody
    from chalicelib.schemas.marketplace import OpeningBody

    agent = {"name": "Ada", "email": "a@example.com", "password": "x\u202ey", "time_zone": "UTC"}
    assert AgentSignupBody.model_validate(agent).password == "x\u202ey"  # secrets are taken as typed
    for field, value in (("name", "Ada\u202eadmin"), ("name", "Ada\nLovelace"), ("time_zone", "UTC\x00")):
        with pytest.raises(ValidationError) as raised:
            AgentSignupBody.model_validate({**agent, field: value})
        assert raised.value.errors()[0]["loc"] == (field,)
    business = {
        "company_name": "A" * 81,
        "slug": "acme",
        "owner_name": "O",
        "email": "o@example.com",
        "password": "p",
        "time_zone": "UTC",
    }
    with pytest.raises(ValidationError):
        BusinessSignupBody.model_validate(business)  # names are capped at 80
    with pytest.raises(ValidationError) as raised:
        OpeningBody.model_validate({"title": "Email\rsupport"})
    assert ("title",) in [e["loc"] for e in raised.value.errors()]


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        (
            "deskhire Security: your account is locked, verify at https://evil.example/verify",
            "deskhire Security: your account is locked, verify at",
        ),
        ("Acme www.evil.example/login", "Acme"),
        ("Visit evil.example now", "Visit now"),
        ("Evil\r\nBcc: x@evil.example", "Evil Bcc:"),
        ("mailto:x@evil.example", "(no name)"),
        ("\u202eemoc.live", "(no name)"),
        ("Northwind Coffee", "Northwind Coffee"),
        ("N" * 100, "N" * 59 + "\u2026"),
    ],
)
def test_quoted_names_carry_no_url_no_control_and_are_capped(name, quoted):
    assert quoted_name(name) == quoted
