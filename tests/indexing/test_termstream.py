"""A text's tokens as arrays: the surfaces and positions ``WordTokenizer.spans`` gives."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searcher.indexing import analysis, termstream

TEXTS = (
    "脆弱性の報告を受けました。 a 脆 b 弱性 Straße l'été 2.7.1 脆弱",
    "ああああ 脆弱脆弱 x ああ",
    "脆",
    "𠀀𠀁 𠀀 𠀁𠀀",  # beyond the BMP
    "It's 東京 v1.2.3 東 don't 京東 d'Anne",
    "l'a d'b 1.2 東京 c'est, 東京タワー and \uff54\uff4f\uff4b\uff59\uff4f",
    "plain words only, the state of the art",
    "",
    "3.10.2 2.7 v4.0.1",
)


@pytest.mark.parametrize("key", ["en", "fr", "it", "cjk", "any", ""])
@pytest.mark.parametrize("text", TEXTS)
def test_numbered_tokens_are_the_spans_of_the_tokenizer(key: str, text: str) -> None:
    """Each token's surface (by its number) and position are those ``spans`` yields, the
    distinct surfaces numbered in the order first seen; CJK runs index as they are in a
    language without stems."""
    analyzer = analysis.text_analyzer(key) if key else analysis.spelling_analyzer()
    tokenizer = analyzer.items[0]
    numbers, distinct, firsts, at, as_is, codes = termstream.numbered_tokens(tokenizer, key, text)
    spans = [(surface, place) for surface, place, _ in tokenizer.spans(text)]
    assert [(distinct[n], p) for n, p in zip(numbers.tolist(), at.tolist(), strict=True)] == spans
    assert distinct == list(dict.fromkeys(surface for surface, _ in spans))
    assert firsts.tolist() == [[s for s, _ in spans].index(d) for d in distinct]
    runs = [m for m in analysis.token_texts(text) if len(m[0]) > 1]
    if key in analysis.SNOWBALL_LANGUAGES or not runs:
        assert as_is is None
    else:
        assert as_is is not None
        cjk = analysis._cjk_char()
        flagged = [s for s, flag in zip([s for s, _ in spans], as_is.tolist(), strict=True)
                   if flag]  # fmt: skip
        assert flagged and all(cjk.match(s) for s in flagged)
    if codes is not None:  # a run token's code gives its string back; -1 for the others
        coded = [d for d, code in zip(distinct, codes.tolist(), strict=True) if code >= 0]
        assert termstream.decoded(codes[codes >= 0]) == coded
        assert coded and all(map(analysis._cjk_char().match, coded))
    else:
        assert not runs


_POINTS = st.sampled_from([0x3042, 0x3044, 0x4E00, 0x4E01, 0xFF66, 0xFFFE, 0x20000])
_CODES = st.lists(
    st.tuples(_POINTS, st.one_of(st.none(), _POINTS)).map(
        lambda pair: pair[0] if pair[1] is None else (pair[0] + 1) << termstream._SHIFT | pair[1]
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(codes=_CODES)
def test_unique_codes_are_numpys_unique(codes: list[int]) -> None:
    """Run tokens' codes (characters and bigrams, in and beyond 16 bits) numbered as
    ``np.unique`` numbers them: the distinct codes sorted, their first places, each code's."""
    array = np.array(codes, dtype=np.int64)
    distinct, firsts, inverse = np.unique(array, return_index=True, return_inverse=True)
    found = termstream.unique_codes(array)
    assert [part.tolist() for part in found] == [distinct.tolist(), firsts.tolist(),
                                                 inverse.reshape(-1).tolist()]  # fmt: skip


@given(texts=st.lists(st.text(st.characters(min_codepoint=1), max_size=3), max_size=12))
def test_encoded_texts_decode_to_themselves(texts: list[str]) -> None:
    """A text of one or two characters has the code ``decoded`` makes it of; others -1."""
    codes = termstream.encoded(texts)
    short = [0 < len(text) <= 2 for text in texts]
    assert [code >= 0 for code in codes.tolist()] == short
    assert termstream.decoded(codes[codes >= 0]) == list(itertools.compress(texts, short))
