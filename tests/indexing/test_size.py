"""The words field holds a text's CJK tokens as one term: the title and body fields have them."""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from pathlib import Path

import pytest
from conftest import build_index
from hypothesis import example, given, settings
from hypothesis import strategies as st
from whoosh.util.numeric import byte_to_length, length_to_byte

import searcher as searcher_api
from searcher.indexing import analysis, ondisk, schema, wordforms

# CJK of every script the tokenizer cuts (Han, both kana, Hangul, a combining voiced mark,
# halfwidth katakana), Latin with accents and apostrophes, Cyrillic, digits and dots
ALPHABET = "脆弱性統计ひらがなカタ한국ゝ\u3099ｶﾞ abcéÉß'\u2019 ёж 1.2 \n,。"


def _cjk(tokens: list[str]) -> Counter[str]:
    return Counter(t for t in tokens if analysis.is_cjk(t[:1]))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
@example("脆弱性の報告 l'été 2.7.1 한국어ｶﾞ")
def test_the_words_field_counts_cjk_tokens_as_one_term_the_text_fields_hold(text: str) -> None:
    """Every other token as plain_analyzer gives it; the CJK ones (a bigram or a character,
    never longer: no misspelt word is so short) as one term, as many times. Each language's
    text analyzer gives the very same CJK tokens: the title and body fields hold them all."""
    plain = [t.text for t in analysis.plain_analyzer()(text)]
    words = [t.text for t in wordforms.words_analyzer()(text)]
    assert words == [wordforms.CJK_TOKENS if analysis.is_cjk(t[:1]) else t for t in plain]
    assert all(len(t) <= 2 for t in _cjk(plain))
    for key in analysis.LANGUAGE_KEYS:
        assert _cjk([t.text for t in analysis.text_analyzer(key)(text)]) == _cjk(plain), key


POSTS = {
    "2021-01-01-ja.md": ("ja", "脆弱性の報告", "Ruby 2.7.1 の脆弱性を報告しました。"),
    "2021-01-02-en.md": ("en", "A report", "The report of a vulnerability in Ruby 2.7.1."),
    "2021-01-03-ja.md": ("ja", "報告", "脆弱性はしまった。"),
}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("size") / "site"
    (root / "_posts").mkdir(parents=True)
    for name, (lang, title, body) in POSTS.items():
        (root / "_posts" / name).write_text(f"---\ntitle: {title}\nlang: {lang}\n---\n{body}\n")
    return build_index([root], root.parent / "index")


def test_an_index_keeps_each_cjk_term_once_and_every_posts_length(index_dir: Path) -> None:
    index = ondisk.open_existing(index_dir)
    with index.searcher() as searcher:
        reader = searcher.reader()
        words = [t.decode() for t in reader.lexicon(schema.WORDS)]
        assert [t for t in words if analysis.is_cjk(t[:1])] == []
        assert wordforms.CJK_TOKENS in words and "ruby" in words
        assert reader.doc_frequency(schema.WORDS, wordforms.CJK_TOKENS) == 2
        bodies = {t.decode() for t in reader.lexicon(schema.BODY)}
        titles = {t.decode() for t in reader.lexicon(schema.TITLE)}
        assert {"脆弱", "弱性", "報告", "脆"} <= bodies & titles
        for name, (_, title, body) in POSTS.items():
            docnum = searcher.document_number(path=f"_posts/{name}")
            tokens = list(analysis.plain_analyzer()(f"{title}\n{body}"))
            coded = byte_to_length(length_to_byte(len(tokens)))  # as Whoosh keeps a length
            assert reader.doc_field_length(docnum, schema.WORDS) == coded
    index.close()


def test_cjk_is_completed_by_its_runs_alone(index_dir: Path) -> None:
    """A prefix ending in a script without runs (hiragana) is no longer completed by the
    bigrams the words field held (``報告しま`` by ``しま``), whatever their count."""
    index = searcher_api.open_index(index_dir)
    terms = [c["text"] for c in index.complete("脆弱", limit=10) if c["kind"] == "term"]
    assert terms == ["脆弱性"]
    assert [c for c in index.complete("報告しま", limit=10) if c["kind"] == "term"] == []
    index.close()


def test_a_post_without_cjk_has_no_cjk_term() -> None:
    post = schema.Post("p.md", "Été", dt.datetime(2020, 1, 2), text="Plain words only.")
    value = schema.document(post)[schema.WORDS]
    assert wordforms.CJK_TOKENS not in [t.text for t in wordforms.words_analyzer()(value)]


def test_similar_posts_score_cjk_terms_as_if_the_words_field_held_each() -> None:
    """The key terms of a text are Whoosh's Bo1 terms over a field holding each CJK token
    (``plain``, the words field before): their frequencies are the titles' and bodies'."""
    from whoosh import fields
    from whoosh.filedb.filestore import RamStorage

    from searcher.search import suggest

    texts = [
        ("ja", "脆弱性の報告", "Ruby 2.7.1 の脆弱性を報告しました。脆弱性は修正済み。"),
        ("zh", "统计", "统计学 很 有用。统计 与 计算 Ruby。"),
        ("en", "Ruby release", "Ruby 2.7.1 fixes a vulnerability (脆弱性) in the parser."),
        ("ja", "性能", "性能の計測と統計。Rails は速い。"),
    ]
    ix = RamStorage().create_index(
        fields.Schema(
            plain=fields.TEXT(analyzer=analysis.plain_analyzer(), phrase=False),
            words=fields.TEXT(analyzer=wordforms.words_analyzer(), phrase=False),
            title=fields.TEXT(analyzer=analysis.MultilingualAnalyzer()),
            body=fields.TEXT(analyzer=analysis.MultilingualAnalyzer()),
        )
    )
    with ix.writer() as writer:
        for lang, title, body in texts:
            key = analysis.language_key(lang)
            writer.add_document(plain=f"{title}\n{body}", words=f"{title}\n{body}",
                                title=analysis.marked(title, key),
                                body=analysis.marked(body, key))  # fmt: skip
    with ix.searcher() as searcher:
        reader = searcher.reader()
        frequencies = functools.partial(suggest.term_frequencies, reader)
        docs, words = reader.doc_count_all(), reader.field_length(schema.WORDS)
        for _, title, body in texts:
            text = f"{title}\n{body}"
            every = searcher.key_terms_from_text("plain", text, numterms=1000, normalize=False)
            kept = [(word, weight) for word, weight in every  # CJK key terms: bigrams only
                    if not analysis.is_cjk(word[0]) or suggest._cjk_keyword(word)]  # fmt: skip
            expected = [(word, weight / kept[0][1]) for word, weight in kept[:8]]
            found = suggest._key_terms(text, docs, words, frequencies, 8)
            assert [word for word, _ in found] == [word for word, _ in expected]
            assert [weight for _, weight in found] == pytest.approx([w for _, w in expected])
