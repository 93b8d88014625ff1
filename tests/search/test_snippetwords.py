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
