from __future__ import annotations

import itertools
import random
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from whoosh import query
from whoosh.analysis import StemmingAnalyzer

from searcher.indexing import analysis, openings, schema
from searcher.search import snippets, snippettext, snippetwords

ANALYZER = StemmingAnalyzer(stoplist=None)
TEXT = (
    "Cloud computing arrived in Paris this week. Later, in a different room, a talk about the "
    "cloud and its computing costs. <script>alert(1)</script> & more."
)


def marks(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


def test_phrase_is_marked_only_where_its_words_stand_together() -> None:
    q = query.Phrase("body", ["cloud", "comput"])
    html = snippets.build(TEXT, ANALYZER, snippets.targets(q, "body"))
    assert marks(html) == ["Cloud", "computing"]


def test_single_terms_marked_everywhere_in_their_written_form() -> None:
    q = query.Or([query.Term("body", "cloud"), query.Term("body", "talk")])
    html = snippets.build(TEXT, ANALYZER, snippets.targets(q, "body"))
    assert marks(html) == ["Cloud", "talk", "cloud"]


def test_negated_terms_and_other_fields_are_not_marked() -> None:
    q = query.And([query.Term("body", "pari"), query.Not(query.Term("body", "cloud")),
                   query.Term("title", "talk")])  # fmt: skip
    html = snippets.build(TEXT, ANALYZER, snippets.targets(q, "body"))
    assert marks(html) == ["Paris"]


def _scope(*languages: str) -> query.Query:
    return query.Or([query.Term(schema.ANALYSIS, key) for key in languages])


# forms scoped to the languages they search, as the parser makes them, nested and negated
SCOPED = query.AndNot(
    query.Or([
        schema.Scoped(query.Term("body", "rubi"), query.Term(schema.ANALYSIS, "en")),
        schema.Scoped(query.Term("body", "ruby"), _scope("de", "fr")),
        schema.Scoped(query.Or([query.Prefix("body", "gem"),
                                schema.Scoped(query.Phrase("body", ["a", "b"]), _scope("de"))]),
                      _scope("de", "en")),
        query.Term("body", "open"),
        schema.Scoped(query.Term("title", "rubi"), _scope("fr")),
        schema.Scoped(query.Wildcard("body", "c?t"), query.Term("other", "x")),  # no scope
    ]),
    query.Term("body", "closed"),
)  # fmt: skip


@pytest.mark.parametrize(
    ("language", "terms", "prefixes", "phrases"),
    [
        ("en", {"rubi", "open"}, {"gem"}, set()),
        ("de", {"ruby", "open"}, {"gem"}, {("a", "b")}),
        ("fr", {"ruby", "open"}, set(), set()),
        ("ja", {"open"}, set(), set()),
        (None, {"rubi", "ruby", "open"}, {"gem"}, {("a", "b")}),
    ],
)
def test_a_querys_targets_are_the_leaves_its_language_scopes_let_through(
    language: str | None, terms: set[str], prefixes: set[str], phrases: set[tuple[str, ...]]
) -> None:
    expected = snippets.Targets(terms, prefixes, {"c?t"}, phrases)
    walked = snippets.QueryTargets(SCOPED, "body")
    assert walked.targets(language) == expected == snippets.targets(SCOPED, "body", language)
    assert walked.targets(language) is walked.targets(language)  # worked out once


def test_prefix_and_wildcard() -> None:
    q = query.Or([query.Prefix("body", "comp"), query.Wildcard("body", "ro?m")])
    assert marks(snippets.build(TEXT, ANALYZER, snippets.targets(q, "body"))) == [
        "computing", "room", "computing"
    ]  # fmt: skip


def test_text_is_escaped() -> None:
    q = query.Term("body", "alert")
    html = snippets.build(TEXT, ANALYZER, snippets.targets(q, "body"))
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html


@pytest.mark.parametrize("length", [0, 10, 199, 200, 201, 5000])
def test_opening_when_nothing_to_mark(length: int) -> None:
    text = ("word " * 2000)[:length]
    html = snippets.build(text, ANALYZER, snippets.Targets())
    assert len(html) <= 201 and "<mark>" not in html
    assert html.endswith("…") == (length > 200)


def test_long_text_gives_two_fragments_around_distant_matches() -> None:
    text = "alpha " + "filler " * 300 + "omega " + "filler " * 300
    q = query.Or([query.Term("body", "alpha"), query.Term("body", "omega")])
    html = snippets.build(text, ANALYZER, snippets.targets(q, "body"))
    assert marks(html) == ["alpha", "omega"] and len(html) < 700


@pytest.mark.parametrize("before", ["", "İstanbul ", "ǅ"])  # İ lower-cases into two characters
def test_capitals_and_accents_are_found_wherever_lower_casing_moves_offsets(before: str) -> None:
    from searcher.indexing import analysis

    text = f"{before}Une SÉCURITÉ renforcée: la sécurité d'abord, puis les Sécurités."
    fr = analysis.text_analyzer("fr")
    wanted = snippets.targets(query.Term("body", "secur"), "body")
    assert marks(snippets.build(text, fr, wanted)) == ["SÉCURITÉ", "sécurité", "Sécurités"]


@pytest.mark.parametrize(
    ("text", "term", "language", "expected"),
    [
        # no accented letter: plain str.find, though curly quotes make the text non-ASCII
        ("It\u2019s the “cloud”, and clouds again. Cloudy.", "cloud", "en", ["cloud", "clouds"]),
        # an accented letter elsewhere in the text: every variant of every letter is looked for
        ("Café: l\u2019interopérabilité, et l\u2019Interoperabilite.", "interoperabilit", "fr",
         ["interopérabilité", "Interoperabilite"]),
        # Cyrillic yo is written for ie
        ("Ёлки и елки: ёлка дома.", "елк", "ru", ["Ёлки", "елки", "ёлка"]),
        # CJK bigrams, found as they are
        ("脆弱性が見つかりました。脆弱性の修正", "脆弱", "cjk", ["脆弱", "脆弱"]),
    ],
)  # fmt: skip
def test_candidates_found_however_the_text_is_written(
    text: str, term: str, language: str, expected: list[str]
) -> None:
    from searcher.indexing import analysis

    analyzer = analysis.text_analyzer(language)
    wanted = snippets.targets(query.Term("body", term), "body")
    source = snippets.Source.of(text)
    assert source.plain == (not any(c in text for c in "éЁё"))
    assert marks(snippets.build(source, analyzer, wanted)) == expected
    assert snippets.build(source, analyzer, wanted) == snippets.build(text, analyzer, wanted)


@given(st.text(alphabet="aeiouAEÉcnsz ÀàéèêëÉçñœßšžŕŧЁёе\u0131İ-", max_size=60))
def test_folded_text_keeps_every_offset(text: str) -> None:
    """Each accented letter becomes its base letter, nothing else changes: candidate places
    found in the folded text are offsets into the text shown."""
    source = snippets.Source.of(text)
    if source.lowered is None:
        return
    assert source.folded is not None and len(source.folded) == len(source.lowered)
    for shown, folded in zip(source.lowered, source.folded, strict=True):
        bases = [base for base, forms in snippettext.VARIANTS.items() if shown in forms]
        assert folded == (bases[0] if bases else shown)


# with signs that lower-case into letters, and letters that look like others but do not
FOLDING_LETTERS = "aeiouAEÉcnsz ÀàéèêëÉçñœßšžŕŧЁёе\u0131İ-kK\u212a\u212bẞ\u017fæΣŸÿ?\u2019"


@given(
    st.text(alphabet=FOLDING_LETTERS, max_size=60),
    st.text(alphabet="aeioucnszéçñßšЁё\u0435-k?", min_size=1, max_size=4),
)
def test_candidates_are_where_the_unaccented_text_holds_the_stem(text: str, stem: str) -> None:
    """Candidate places are where the text, lower-cased and each accented letter made its
    base letter (here one letter at a time), holds the stem: however many letters it holds
    and in whatever order the folding meets them."""
    source = snippets.Source.of(text)
    lowered = source.lowered
    if lowered is None:
        return
    folded = "".join(
        next((base for base, forms in snippettext.VARIANTS.items() if ch in forms), ch)
        for ch in lowered
    )
    assert len(folded) == len(source.text)
    cut = stem[:-1] if len(stem) > 3 else stem
    cut = "".join(next((b for b, f in snippettext.VARIANTS.items() if c in f), c) for c in cut)
    expected, at = [], folded.find(cut)
    while at >= 0 and len(expected) < snippets.MAX_SPOTS:  # all within REACH of the first
        expected.append((at, at + len(cut)))
        at = folded.find(cut, at + len(cut))
    assert _places(source, stem) == expected
    assert source.plain == (folded == lowered)


@given(
    st.text(alphabet=st.sampled_from("ab é\n\n  \t\r\xa0\u2009\u3000\u00ad\u200b語ß"), max_size=40)
)
def test_flat_text_is_the_words_joined_by_one_space(text: str) -> None:
    assert snippettext.flat(text) == " ".join(text.split())
    assert snippets.Source.of(text).text == " ".join(text.split())


def test_many_matches_in_one_window_choose_the_busiest_passage() -> None:
    text = "ruby " + "filler " * 60 + "ruby rails ruby " + "filler " * 60 + "rails"
    q = query.Or([query.Term("body", "rubi"), query.Term("body", "rail")])
    html = snippets.build(text, ANALYZER, snippets.targets(q, "body"))
    assert "<mark>ruby</mark> <mark>rails</mark> <mark>ruby</mark>" in html
    assert marks(html) == ["ruby", "ruby", "rails", "ruby"]  # the busy passage, then the first


def test_the_second_passage_never_repeats_the_first() -> None:
    """The busiest passage is chosen first; the second comes from the text left before or
    after it, so no words are shown twice (they were when the two windows overlapped)."""
    text = (
        "Version 9 has been released. This release fixes two crashes on start-up and one in "
        "the printer dialog, along with other bugs. See the changelog for the list of changes "
        "in this release. Release plan: we release a new version every two months; the next "
        "release is due in May, and it will be released as 9.1 after a week of testing. "
        + "Unrelated words follow here. "
        * 30
    )
    html = snippets.build(text, ANALYZER, snippets.targets(query.Term("body", "releas"), "body"))
    passages = [p.strip("… ") for p in html.split("… …")]
    words = [set(re.findall(r"\w+ \w+ \w+", re.sub(r"</?mark>", "", p))) for p in passages]
    assert len(passages) == 2 and not words[0] & words[1]
    assert marks(html).count("release") + marks(html).count("Release") >= 5


@pytest.mark.parametrize("seed", range(40))
def test_passages_are_disjoint_and_each_holds_a_match(seed: int) -> None:
    rng = random.Random(seed)
    words = ["alpha", "beta", "gamma"] + ["filler"] * rng.randint(2, 40)
    text = " ".join(rng.choice(words) for _ in range(rng.randint(5, 400)))
    q = query.Or([query.Term("body", "alpha"), query.Term("body", "beta")])
    source = snippets.Source.of(text)
    looks = snippets.Targets(terms={"alpha", "beta"}).looks(ANALYZER)
    spans = sorted(span for look in looks for span in snippets._leaf_spans(source, ANALYZER, look))
    if not spans:
        assert "<mark>" not in snippets.build(text, ANALYZER, snippets.targets(q, "body"))
        return
    windows = snippets._best_windows(text, spans)
    assert 1 <= len(windows) <= snippets.FRAGMENTS and windows == sorted(windows)
    for (_, end), (start, _) in itertools.pairwise(windows):
        assert end <= start
    for start, end in windows:
        assert any(start <= s and e <= end for s, e, _ in spans)
        assert end - start <= snippets.FRAGMENT_CHARS


QUERIES = [
    query.Term("body", "cloud"),
    query.Or([query.Term("body", "cloud"), query.Term("body", "comput")]),
    query.And([query.Term("body", "comput"), query.Phrase("body", ["cloud", "comput"])]),
    query.Or([query.Prefix("body", "comp"), query.Wildcard("body", "ro?m")]),
    query.Or([query.Term("body", "talk"), query.Term("body", "pari"), query.Term("body", "cloud")]),
]


def test_kept_spans_give_the_same_snippets_whatever_came_before() -> None:
    """A leaf's spans in a post do not depend on the rest of the query, so snippets built
    from kept spans equal those built from nothing, in whatever order queries come."""
    texts = [TEXT, TEXT.upper() + " " + TEXT, "nothing to see here", "computing " * 50 + TEXT]
    fresh = {(i, j): snippets.build(text, ANALYZER, snippets.targets(q, "body"))
             for i, text in enumerate(texts) for j, q in enumerate(QUERIES)}  # fmt: skip
    for seed in range(5):
        order = list(fresh)
        random.Random(seed).shuffle(order)
        kept = snippets.Kept()
        for i, j in order * 2:
            wanted = snippets.targets(QUERIES[j], "body")
            assert snippets.build(texts[i], ANALYZER, wanted, kept, i) == fresh[i, j]


def test_kept_spans_stay_within_their_budget() -> None:
    kept = snippets.Kept(budget=12)
    for post in range(30):
        wanted = snippets.targets(QUERIES[1], "body")
        assert snippets.build(TEXT, ANALYZER, wanted, kept, post) == snippets.build(
            TEXT, ANALYZER, wanted
        )
        assert 0 < kept.held <= 12
    assert 0 < len(kept) < 30  # the least recently used were forgotten


def columns(html: str) -> int:
    """Screen columns of a snippet's text: wide (CJK) characters take two."""
    plain = re.sub(r"</?mark>", "", html)
    return sum(2 if openings.WIDE.match(ch) else 1 for ch in plain)


@pytest.mark.parametrize(
    ("filler", "word"),
    [("東京の駅で電車を待ちながら本を読んだ。", "電車"), ("서울역에서 기차를 기다렸다. ", "기차"),
     ("Waiting for the train at the station. ", "train")],
)  # fmt: skip
def test_passages_are_as_wide_on_screen_in_every_script(filler: str, word: str) -> None:
    """A passage is measured in columns: a Japanese or Korean one is no wider on screen than
    an English one (twice as many wide characters took twice the width and reading)."""
    from searcher.indexing import analysis

    analyzer = analysis.text_analyzer("en" if filler.isascii() else "cjk")
    text = filler * 60 + word + filler * 60 + word + filler * 60
    wanted = snippets.targets(query.Term("body", word.lower()), "body")
    html = snippets.build(text, analyzer, wanted)
    assert marks(html)
    assert snippets.FRAGMENT_CHARS * 2 * 0.8 <= columns(html) <= snippets.FRAGMENT_CHARS * 2 + 4
    opening = snippets.opening(filler * 40)
    assert 200 * 0.8 <= columns(opening) <= 201


def test_a_latin_word_in_a_long_unspaced_cjk_run_is_marked() -> None:
    """Its window reaches far back into the run (no space to start from); the run's
    bigrams are left out of it, the word and its neighbours are still found."""
    from searcher.indexing import analysis

    text = "脆弱性が見つかりました。" * 30 + "Rustの脆弱性、rust-lang.org と Rusty。" + "修正" * 50
    analyzer = analysis.text_analyzer("cjk")
    html = snippets.build(text, analyzer, snippets.targets(query.Term("body", "rust"), "body"))
    assert marks(html) == ["Rust", "rust"]


@example("x" * 100 + " " + "y" * 70)
@given(st.text(alphabet=st.sampled_from("ab.é- \n\t\xa0\u3000語x"), max_size=300))
def test_a_words_window_ends_where_its_word_does(text: str) -> None:
    """A single word's window ends at the first space after the candidate place (at most
    WORD_CHARS on), found with str.find in the flat text, as the tail pattern ends it."""
    flat = snippets.Source.of(text).text
    for at in range(len(flat)):
        if flat[at] in " 語":
            continue
        ((_, end),) = snippets._windows(flat, [(at, at + 1)], 0)
        found = snippets._tail(0).match(flat, at + 1)
        assert found is not None and end == found.end()


CJK_PHRASES = [("もっ", "っと", "とコ"), ("はは", "はは"), ("脆弱", "弱性")]


def _without_chains(monkeypatch: pytest.MonkeyPatch, *args: object) -> str:
    """What ``build`` gives for ``args`` when every CJK phrase is found by its tokens."""
    with monkeypatch.context() as patched:
        patched.setattr(snippetwords, "cjk_chain", lambda words, analyzer: None)
        snippetwords.clear()
        return snippets.build(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize("words", CJK_PHRASES)
@pytest.mark.parametrize(
    "text",
    [
        # runs of CJK that end within the phrase, which goes on in the next run
        "もっとコメントを表示 もっと。とコメント もっと とコ もっ と コ",
        "ははははは は はは。はは ははa はは",
        "脆弱性が見つかりました。脆弱 弱性 脆弱。弱性 x脆弱性x",
        "脆弱" * 300 + "性",  # places beyond the first few
    ],
)
def test_a_cjk_phrase_is_marked_as_its_tokens_mark_it(
    monkeypatch: pytest.MonkeyPatch, words: tuple[str, ...], text: str
) -> None:
    analyzer = analysis.text_analyzer("cjk")
    wanted = snippets.Targets(phrases={words})
    html = snippets.build(text, analyzer, wanted)
    assert html == _without_chains(monkeypatch, text, analyzer, wanted)


@given(
    st.text(alphabet="もっとコは脆弱性 。a", max_size=80),
    st.lists(st.sampled_from("もっとコは"), min_size=3, max_size=5),
)
def test_cjk_phrases_found_by_their_text_as_by_their_tokens(text: str, chars: list[str]) -> None:
    words = tuple("".join(chars[i : i + 2]) for i in range(len(chars) - 1))
    analyzer = analysis.text_analyzer("cjk")
    wanted = snippets.Targets(phrases={words})
    with pytest.MonkeyPatch.context() as patched:
        html = snippets.build(text, analyzer, wanted)
        assert html == _without_chains(patched, text, analyzer, wanted)


def _places(source: snippets.Source, stem: str) -> list[tuple[int, int]]:
    searched = snippets._searched(stem)
    assert searched is not None
    return snippets._places(source, searched)


def _places_in_folded(source: snippets.Source, stem: str) -> list[tuple[int, int]] | None:
    """Candidate places as every stem was looked for before: in the text lower-cased and
    unaccented (by pattern where lower-casing moves offsets)."""
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(snippetwords, "cjk_run", lambda: re.compile("(?!)"))  # never CJK
        return _places(source, stem)


@example("脆弱性 İstanbul 脆弱", "脆弱")
@given(
    st.text(alphabet="脆弱性のはｶﾀ 。aAİÉé", max_size=60),
    st.text(alphabet="脆弱性のはｶﾀ", min_size=1, max_size=3),
)
def test_a_cjk_word_is_looked_for_where_the_text_is_written(text: str, stem: str) -> None:
    source = snippets.Source.of(text)
    assert _places(source, stem) == _places_in_folded(snippets.Source.of(text), stem)


def test_a_cjk_query_never_lower_cases_the_text() -> None:
    source = snippets.Source.of("Ruby の脆弱性が見つかりました。" * 20)
    analyzer = analysis.text_analyzer("cjk")
    phrase = snippets.Targets(phrases={("脆弱", "弱性")})
    assert marks(snippets.build(source, analyzer, phrase))[:2] == ["脆弱性", "脆弱性"]
    assert source._forms is None
    assert marks(snippets.build(source, analyzer, snippets.Targets(terms={"ruby"})))[0] == "Ruby"
    assert source.lowered == source.text.lower()


@example("ははは")
@example("こととと、は")
@given(st.text(alphabet="はとこ。 a", max_size=30))
def test_a_cjk_character_is_marked_wherever_it_stands(text: str) -> None:
    """A run's last character shares its position with the one before it ("ははは" holds は
    at positions 0, 1 and 1): each is still marked, not one per position."""
    analyzer = analysis.text_analyzer("cjk")
    html = snippets.build(text, analyzer, snippets.targets(query.Term("body", "は"), "body"))
    assert marks(html) == ["は"] * text.count("は")


def _whole_window(text: str, start: int, at: int, after: int, end: int, _: bool) -> tuple[int, int]:
    return start, end


@example("漢字abc漢字。abc\uff11abc\u3099字 abc", "abc", "cjk", (2, 10, 4))
@given(
    st.text(alphabet=st.sampled_from("漢字あ。\uff11\u3099 abcAB1.'\u2019-ｶ"), max_size=120),
    st.sampled_from(["abc", "ab", "b", "abcab"]),
    st.sampled_from(["cjk", "en"]),
    st.sampled_from([(12, 400, 64), (2, 10, 4), (1, 0, 2)]),
)
def test_a_latin_words_window_between_cjk_runs_finds_what_the_whole_one_does(
    text: str, term: str, language: str, limits: tuple[int, int, int]
) -> None:
    """A word's window in unspaced CJK text is cut to the CJK characters around it: the
    same marks as in the window reaching back to a space (or 4 * WORD_CHARS), with the
    places beyond the limits still marked where the window reaches them."""
    analyzer = analysis.text_analyzer(language)
    wanted = snippets.targets(query.Term("body", term), "body")
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(snippets, "LONG_WINDOW", 4)
        for name, value in zip(("SPOTS", "REACH", "MAX_SPOTS"), limits, strict=True):
            patched.setattr(snippets, name, value)
        cut = snippets.build(text, analyzer, wanted)
        patched.setattr(snippets, "_between_cjk", _whole_window)
        whole = snippets.build(text, analyzer, wanted)
    assert cut == whole
