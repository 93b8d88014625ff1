from __future__ import annotations

import pytest
from whoosh import query
from whoosh.analysis import StemmingAnalyzer

from searcher import snippets

ANALYZER = StemmingAnalyzer(stoplist=None)
TEXT = (
    "Cloud computing arrived in Paris this week. Later, in a different room, a talk about the "
    "cloud and its computing costs. <script>alert(1)</script> & more."
)


def marks(html: str) -> list[str]:
    import re

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
    from searcher import analysis

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
    from searcher import analysis

    analyzer = analysis.text_analyzer(language)
    wanted = snippets.targets(query.Term("body", term), "body")
    source = snippets.Source.of(text)
    assert source.plain == (not any(c in text for c in "éЁё"))
    assert marks(snippets.build(source, analyzer, wanted)) == expected
    assert snippets.build(source, analyzer, wanted) == snippets.build(text, analyzer, wanted)


def test_many_matches_in_one_window_choose_the_busiest_passage() -> None:
    text = "ruby " + "filler " * 60 + "ruby rails ruby " + "filler " * 60 + "rails"
    q = query.Or([query.Term("body", "rubi"), query.Term("body", "rail")])
    html = snippets.build(text, ANALYZER, snippets.targets(q, "body"))
    assert "<mark>ruby</mark> <mark>rails</mark> <mark>ruby</mark>" in html
    assert marks(html) == ["ruby", "ruby", "rails", "ruby"]  # the busy passage, then the first
