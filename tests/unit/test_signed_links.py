"""PROMISES R1 at the token level: a rating or survey link is signed, names what it is for, and
expires; anything altered, made up, cut short or signed for another purpose is refused."""

from __future__ import annotations

import pytest

from chalicelib.security import tokens

SECRET = b"s" * 32
LATER = 2_000_000_000


def _link(purpose="csat", parts=("01TENANT", "01INQUIRY", "5"), expires=LATER):
    return tokens.sign_link(purpose, list(parts), expires_at_epoch=expires, secret=SECRET)


def test_a_signed_link_reads_back_its_parts_until_it_expires():
    token = _link()
    assert tokens.read_link("csat", token, count=3, now_epoch=LATER, secret=SECRET) == [
        "01TENANT",
        "01INQUIRY",
        "5",
    ]
    with pytest.raises(tokens.ExpiredToken):
        tokens.read_link("csat", token, count=3, now_epoch=LATER + 1, secret=SECRET)


@pytest.mark.parametrize(
    "alter",
    [
        lambda t: t.replace(".5.", ".4."),  # another score
        lambda t: t.replace("01INQUIRY", "01INQUIRZ"),  # another inquiry
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature
        lambda t: t.rsplit(".", 1)[0],  # no signature: unsigned
        lambda t: t[: len(t) // 2],  # cut short
        lambda t: "",  # nothing
        lambda t: t + "." + t,  # two glued
        lambda t: t.replace(t.split(".")[3], "zzzzzzz"),  # a later expiry, by hand
    ],
)
def test_an_altered_or_unsigned_link_is_refused(alter):
    with pytest.raises(tokens.BadToken):
        tokens.read_link("csat", alter(_link()), count=3, now_epoch=1, secret=SECRET)


def test_a_link_signed_for_another_purpose_or_with_another_secret_is_refused():
    with pytest.raises(tokens.BadToken):
        tokens.read_link("nps", _link("csat"), count=3, now_epoch=1, secret=SECRET)
    with pytest.raises(tokens.BadToken):
        tokens.read_link("csat", _link(), count=3, now_epoch=1, secret=b"t" * 32)


def test_an_expired_link_that_was_altered_is_bad_not_merely_expired():
    token = _link(expires=100)
    with pytest.raises(tokens.BadToken):
        tokens.read_link("csat", token.replace(".2s.", ".3s."), count=3, now_epoch=1_000, secret=SECRET)


def test_parts_are_ids_and_numbers_only_and_a_huge_token_is_refused_unread():
    with pytest.raises(ValueError):
        _link(parts=("a.b", "c", "5"))
    with pytest.raises(ValueError):
        _link(parts=("<script>", "c", "5"))
    with pytest.raises(tokens.BadToken):
        tokens.read_link("csat", "a" * 5000, count=3, now_epoch=1, secret=SECRET)
