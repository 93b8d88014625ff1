from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.analysis import StemmingAnalyzer

from searcher.indexing import analysis
from searcher.search import snippetwords

# words, stop words, apostrophes (elisions, 's), versions, accents, capitals, CJK, Cyrillic
SAMPLES = [
    "The Ruby 2.7.1 release: it's l'Hôpital's rules and d\u2019Artagnan, qu'il a dit.",
    "Une SÉCURITÉ renforcée: la sécurité d'abord, puis les Sécurités de l'État.",
    "脆弱性が見つかりました。脆弱性の修正 and 安全",
    "Ёлки и елки: ёлка дома, не так ли? İstanbul ǅemal Straße Œuvre",
    "don't can't won\u2019t rock'n'roll O'Reilly's 'quoted' words'",
    "",
    "   ",
    "(Ruby), ruby. 'ruby' _ruby_ v2 2019 2.7, ruby's ruby2 x-ruby",
    "脆弱性が見つかりました",  # one CJK run: cut without the token pattern
    "ｶﾀｶﾅ漢字한국어",
    "語",
]


def chain(text: str, analyzer: object) -> tuple[tuple[int, str, int, int], ...]:
    return snippetwords._chain(text, analyzer)


@pytest.mark.parametrize("key", analysis.LANGUAGE_KEYS)
@pytest.mark.parametrize("text", SAMPLES)
def test_direct_steps_give_what_the_analyser_gives(key: str, text: str) -> None:
    analyzer = analysis.text_analyzer(key)
    assert snippetwords._steps_of(analyzer) is not None  # our analysers take the direct path
    snippetwords.clear()
    assert snippetwords.tokens(text, analyzer) == chain(text, analyzer)
    assert snippetwords.tokens(text, analyzer) == chain(text, analyzer)  # remembered alike


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="abcdeéèÉñß'\u2019\u02bc.,_-(19 Vv The thé l'ИиЁё脆弱性İ\u0131", max_size=40),
    st.sampled_from(analysis.LANGUAGE_KEYS),
)
def test_direct_steps_match_the_analyser_on_any_text(text: str, key: str) -> None:
    analyzer = analysis.text_analyzer(key)
    steps = snippetwords._steps_of(analyzer)
    assert steps is not None
    assert snippetwords._direct(text, *steps) == chain(text, analyzer)


def _marked(found: tuple[tuple[int, str, int, int], ...]) -> list[list[tuple[str, int, int]]]:
    """The tokens (form, start, end) of each word, in order: positions renumbered."""
    words: dict[int, list[tuple[str, int, int]]] = {}
    for pos, form, start, end in found:
        words.setdefault(pos, []).append((form, start, end))
    return [words[pos] for pos in sorted(words)]


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet="abeéÉß'\u2019.,-19 Vv thé l'Ии脆弱性見つかりましたカタｶﾀ。「」漢字한국",
        max_size=60,
    ),
    st.sampled_from(analysis.LANGUAGE_KEYS),
)
def test_words_are_the_tokens_but_those_cut_from_cjk_runs(text: str, key: str) -> None:
    """words() gives every token a word that does not start with a CJK character could be,
    and only those: the analyser's tokens without the CJK runs' bigrams and characters."""
    analyzer = analysis.text_analyzer(key)
    others = tuple(t for t in chain(text, analyzer) if not analysis.is_cjk(t[1][:1] or "a"))
    assert all(not any(analysis.is_cjk(c) for c in t[1]) for t in others)
    assert _marked(snippetwords.words(text, analyzer)) == _marked(others)


def test_words_of_another_analyser_are_its_tokens() -> None:
    analyzer = StemmingAnalyzer()
    text = "Ruby 脆弱性 rails"
    assert snippetwords.words(text, analyzer) == snippetwords.tokens(text, analyzer)


@pytest.mark.parametrize("key", ["en", "fr", "cjk"])
@pytest.mark.parametrize(
    "window",
    ["Ruby,", "(ruby)", "'ruby'", "_ruby_", "v2", "2019.", "2.7,", "ruby's", "«ruby»", ".", ""],
)
def test_one_word_windows(key: str, window: str) -> None:
    analyzer = analysis.text_analyzer(key)
    steps = snippetwords._steps_of(analyzer)
    assert steps is not None
    assert snippetwords._direct(window, *steps) == chain(window, analyzer)


def test_other_analysers_go_through_their_chain() -> None:
    analyzer = StemmingAnalyzer(stoplist=None)
    assert snippetwords._steps_of(analyzer) is None
    text = "Clouds computing, cloudy"
    assert snippetwords.tokens(text, analyzer) == chain(text, analyzer)
    assert [form for _, form, _, _ in snippetwords.tokens(text, analyzer)] == [
        "cloud",
        "comput",
        "cloudi",
    ]


def test_remembered_windows_stay_within_one_bound_for_all_analysers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(snippetwords, "MEMO_SIZE", 10)
    snippetwords.clear()
    for i in range(30):
        for key in ("en", "fr", "de"):
            snippetwords.tokens(f"word{i}", analysis.text_analyzer(key))
            assert snippetwords._held() <= 10
    en = analysis.text_analyzer("en")
    assert snippetwords.tokens("word29", en) == chain("word29", en)


def _cjk_characters() -> list[str]:
    return [chr(cp) for cp in range(0x1100, 0x40000) if analysis.is_cjk(chr(cp))]


def test_folding_leaves_every_cjk_character_as_it_is() -> None:
    # what cjk_chain stands on: a CJK token's form is its surface, in any analyser
    assert all(analysis._fold_forms(ch) == (ch, ch) for ch in _cjk_characters())


def test_no_other_character_folds_into_a_cjk_one() -> None:
    others = (chr(cp) for cp in range(0x40000) if not analysis.is_cjk(chr(cp)))
    assert not [ch for ch in others if any(map(analysis.is_cjk, analysis._fold_forms(ch)[1]))]


@pytest.mark.parametrize(
    ("words", "text"),
    [
        (("もっ", "っと", "とコ"), "もっとコ"),
        (("脆弱", "弱性"), "脆弱性"),
        (("ｶﾀ", "ﾀｶ"), "ｶﾀｶ"),
        (("脆弱",), None),  # one word: a term's work, not a phrase's
        (("脆弱", "性が"), None),  # not one run of characters
        (("脆弱", "ruby"), None),
        (("は", "はは"), None),
        (("\u3007\u3007", "\u3007一"), None),  # ideographic zero: a number may be read otherwise
    ],
)
def test_a_cjk_phrase_chains_its_bigrams(words: tuple[str, ...], text: str | None) -> None:
    chain = snippetwords.cjk_chain(words, analysis.text_analyzer("cjk"))
    assert (chain and chain.text) == text


@pytest.mark.parametrize("key", ["en", "fr"])
def test_no_chain_for_an_analyser_that_stems(key: str) -> None:
    assert snippetwords.cjk_chain(("脆弱", "弱性"), analysis.text_analyzer(key)) is None
    assert snippetwords.cjk_chain(("脆弱", "弱性"), StemmingAnalyzer()) is None
