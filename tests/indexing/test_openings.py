"""Openings: how many characters fill a passage's columns."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from searcher.indexing import openings

# letters, CJK ideographs and kana, fullwidth forms, CJK punctuation, spaces
_CHARS = st.sampled_from("ab é-日本語のテキスト、。「」\uff21\uff22\uff01\uffe5\u3000 한국어")


@given(st.text(_CHARS, max_size=80), st.integers(1, 300))
def test_wide_characters_take_two_columns(sample: str, columns: int) -> None:
    """Counting wide characters a run at a time counts each one: the sample fills
    ``columns`` with as many characters as its width per character allows."""
    wide = sum(1 for char in sample if openings.WIDE.fullmatch(char))
    expected = columns * len(sample) // (len(sample) + wide) if wide else columns
    assert openings.chars_filling(sample, columns) == expected


def test_a_japanese_sample_fills_half_the_characters() -> None:
    assert openings.chars_filling("日本語のテキスト", 40) == 20
    assert openings.chars_filling("plain words, café", 40) == 40
    assert openings.chars_filling("ab日本", 60) == 40  # 4 characters, 6 columns
