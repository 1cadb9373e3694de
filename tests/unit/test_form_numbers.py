"""Numbers typed into the portal's forms: whatever is typed, the answer is a number or an error
naming the field, never a crash (Decimal overflows and infinities are not input errors by
themselves)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import InvalidInput
from chalicelib.web import forms

READERS = [
    lambda text: forms.minutes_from_hours(text, field="f"),
    lambda text: forms.basis_points(text, field="f"),
    lambda text: forms.hours(text, field="f"),
    lambda text: forms.money(text, "usd", field="f"),
]


@pytest.mark.parametrize("read", READERS)
@pytest.mark.parametrize(
    "text", ["Infinity", "-inf", "NaN", "sNaN", "1e999999999", "9" * 40, "1e-999999", "lots"]
)
def test_a_number_no_one_means_is_refused_naming_the_field(read, text):
    with pytest.raises(InvalidInput) as refused:
        read(text)
    assert refused.value.field == "f"


def test_what_people_type_still_reads_exactly():
    assert forms.minutes_from_hours("12.5", field="f") == 750
    assert forms.basis_points("6.25%", field="f") == 625
    assert forms.money("25.50", "usd", field="f").minor == 2550
    assert forms.hours("0.25", field="f") == 0.25


@pytest.mark.parametrize("read", READERS)
@given(text=st.text(max_size=40))
def test_any_text_reads_or_is_refused(read, text):
    try:
        read(text.strip())
    except InvalidInput as refused:
        assert refused.field == "f"
