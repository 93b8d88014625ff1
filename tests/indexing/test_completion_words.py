"""Completion suggests whole words, written as most posts write them."""

from __future__ import annotations

import pytest
from conftest import build_index

import searcher
from searcher.indexing import wordforms

POSTS = {
    "2021-01-01-phone.md": (
        "ja",
        "スマートフォンが壊れた",
        "スマートフォンがスマートに動く。スマートホームの統計を取った。統計計算はデータで行う。",
    ),
    "2021-01-02-home.md": (
        "ja",
        "スマートホームの話",
        "スマートホームが好きだ。スマートウォッチも使う。統計は楽しい。",
    ),
    "2021-01-03-stats.md": (
        "zh",
        "统计",
        "统计\uff0c计算\uff0c数据。统计学 很 有用。统计 与 计算。",
    ),
    "2021-01-04-reports.md": (
        "en",
        "Reports",
        "I write my reports in R Markdown, and Flowhub runs the pipeline.",
    ),
    "2021-01-05-more.md": (
        "en",
        "More reports",
        "Another R Markdown file, and Flowhub again. Markdown is easy.",
    ),
    "2021-01-06-lower.md": (
        "en",
        "Lower case",
        "someone wrote flowhub and markdown in lower case.",
    ),
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> searcher.Index:
    root = tmp_path_factory.mktemp("completion")
    (root / "_posts").mkdir()
    for name, (lang, title, body) in POSTS.items():
        post = f"---\ntitle: {title}\nlang: {lang}\n---\n{body}\n"
        (root / "_posts" / name).write_text(post, encoding="utf-8")
    return searcher.open_index(build_index([root], root / "index"))


def _terms(index: searcher.Index, prefix: str) -> list[str]:
    return [e["text"] for e in index.complete(prefix, limit=20) if e["kind"] == "term"]


WRITTEN = {
    run for _, title, body in POSTS.values() for run in wordforms.script_runs(title + "\n" + body)
}


@pytest.mark.parametrize("prefix", ["スマート", "スマ", "統計", "统计", "计", "データ", "ス"])
def test_a_cjk_prefix_completes_to_whole_words(index: searcher.Index, prefix: str) -> None:
    terms = _terms(index, prefix)
    assert all(term.startswith(prefix) for term in terms)
    assert all(term in WRITTEN for term in terms), terms  # runs as written, not bigram chains
    assert not {"スマートが", "スマートの", "統計計", "统计算", "统计学很"} & set(terms)


def test_katakana_completes_to_the_loanwords_posts_hold(index: searcher.Index) -> None:
    assert {"スマートフォン", "スマートホーム", "スマートウォッチ"} <= set(
        _terms(index, "スマート")
    )


def test_words_before_a_cjk_prefix_are_kept(index: searcher.Index) -> None:
    assert "data スマートフォン" in _terms(index, "data スマートフ")


@pytest.mark.parametrize(
    ("prefix", "term"), [("R mark", "R Markdown"), ("flowh", "Flowhub"), ("Flowh", "Flowhub")]
)
def test_words_are_completed_in_the_case_most_posts_use(
    index: searcher.Index, prefix: str, term: str
) -> None:
    terms = _terms(index, prefix)
    assert term in terms and term.lower() not in terms


def test_a_sentence_start_does_not_capitalise_a_word(index: searcher.Index) -> None:
    # "Another" and "Markdown is easy" open sentences: they say nothing of case
    assert "another" in _terms(index, "anoth")
