"""The operators' directory folds a business's name into the words it is found by."""

from chalicelib.store.directory import MAX_WORD, words_of


def test_a_name_is_folded_to_distinct_words():
    assert words_of("Café  Zoë's — Café") == ["cafe", "zoe", "s"]
    assert words_of("The COZY cup #2") == ["the", "cozy", "cup", "2"]
    assert words_of("  ") == [] and words_of("### ---") == []
    assert words_of("a" * 90) == ["a" * MAX_WORD]
