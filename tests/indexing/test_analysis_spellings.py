from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.indexing import analysis

# letters that fold or are capitals, word characters that are neither, a capital that is no
# word character (Ⓐ), sentence ends and openers
_WORDY = st.lists(
    st.sampled_from(["a", "b", "B", "É", "é", "ß", "_", "1", "\u2160", "Ⓐ", "İ", " ", "\n",
                     ".", "-", "'", "(", "Été", "McDonald", "HTML", "日本"]),
    max_size=30,
).map("".join)  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(_WORDY)
def test_marked_words_are_the_patterns_matches(text: str) -> None:
    marked = analysis._spellings().marked
    marked_word = re.compile(r"(?<!\w)\w*?" + marked.pattern + r"\w*")  # from a word's start
    expected = [(m.start(), m.group()) for m in marked_word.finditer(text)]
    assert list(analysis._marked_words(text, marked)) == expected


def test_spelled_words_keep_accents_and_capitals_inside_sentences() -> None:
    text = "Straße and R Markdown. Flowhub is here, see Flowhub; été. Éric met McDonald."
    assert analysis.spelled_words(text, "Les Étés") == (
        "étés straße R Markdown Flowhub été éric McDonald"
    )
