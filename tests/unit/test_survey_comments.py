"""A customer's or a peer's comment is kept as plain text (issue 15: "HTML in messages is
sanitised"): markup taken out with its words kept, scripts and styles with their content,
entities read once and never turned back into a tag, hidden and control characters dropped."""

from __future__ import annotations

import pytest

from chalicelib.adapters.markdown import plain_text
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.surveys import MAX_COMMENT, check_comment


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Quick and kind <b>thanks</b>", "Quick and kind thanks"),
        ("<script>alert(1)</script>Fine", "Fine"),
        ("<style>p{}</style><p>one</p>\r\n<p>two</p>", "one\ntwo"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;ok", "ok"),
        ('<a href="javascript:alert(1)">click</a>', "click"),
        ("price < 5 and > 3", "price < 5 and > 3"),
        ("Tom & Jerry <3", "Tom & Jerry <3"),
        ("ok\u202egnp.exe\u200b\x07", "okgnp.exe"),
        ("  line one\n\tline two  ", "line one\n\tline two"),
        (None, ""),
    ],
)
def test_a_comment_is_plain_text(typed, kept):
    assert check_comment(typed, plain=plain_text) == kept


def test_a_comment_is_at_most_its_length_after_cleaning():
    assert check_comment("<b>" + "x" * MAX_COMMENT + "</b>", plain=plain_text) == "x" * MAX_COMMENT
    with pytest.raises(InvalidInput) as refused:
        check_comment("x" * (MAX_COMMENT + 1), plain=plain_text)
    assert refused.value.field == "comment"
    with pytest.raises(InvalidInput):
        check_comment("<b></b>" * MAX_COMMENT, plain=plain_text)  # too long to parse at all
