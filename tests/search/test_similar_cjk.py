"""Similar posts in Chinese and Japanese, whose words are not spelled apart: key terms are
bigrams, looked up in titles and bodies."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_index

import searcher
from searcher.search import suggest

POSTS = {
    "quake.md": ("地震の観測", "ja", "昨日の地震は大きかった。気象庁によると震源は海底で、"
                 "地震の揺れは東京でも観測された。地震計の記録を見ると、揺れは長く続いた。"),
    "tsunami.md": ("津波と地震の備え", "ja", "地震のあとは津波に注意する。避難の道を確かめて、"
                   "次の地震に備えよう。揺れが止まったら高い所へ。"),
    "language.md": ("新しいプログラミング言語", "ja", "プログラミング言語の設計について書いた。"
                    "コンパイラの実装と型の検査を説明する。"),
    "types.md": ("型システム入門", "ja", "型の検査はコンパイラの仕事だ。プログラミングで型を"
                 "使うと誤りが減る。コンパイラは型を読む。"),
    "rain.md": ("今天的天气", "zh", "今天下雨。天气很冷。明天的天气预报说还会下雨。天气不好。"),
    "weekend.md": ("下雨的周末", "zh", "周末一直下雨。天气不好。我们在家看书。下雨的时候很安静。"),
    "notes.md": ("Earthquake notes", "en", "Notes on the earthquake and the tsunami warning."),
}  # fmt: skip


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> searcher.Index:
    posts = tmp_path_factory.mktemp("cjk-posts")
    for name, (title, lang, text) in POSTS.items():
        (posts / name).write_text(f"---\ntitle: {title}\nlang: {lang}\n---\n{text}\n")
    return searcher.open_index(build_index([posts], tmp_path_factory.mktemp("cjk-index")))


def _similar(index: searcher.Index, name: str) -> list[str]:
    return [Path(hit.path).name for hit in index.similar(name).hits]


@pytest.mark.parametrize(
    ("post", "nearest"),
    [("quake.md", "tsunami.md"), ("tsunami.md", "quake.md"), ("language.md", "types.md"),
     ("types.md", "language.md"), ("rain.md", "weekend.md"), ("weekend.md", "rain.md")],
)  # fmt: skip
def test_a_cjk_post_is_nearest_to_the_post_on_its_subject(
    index: searcher.Index, post: str, nearest: str
) -> None:
    found = _similar(index, post)
    assert found[:1] == [nearest]
    assert post not in found


def test_a_long_post_keeps_its_commonest_cjk_tokens(
    index: searcher.Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(suggest, "CJK_CANDIDATES", 2)  # 地震 is the commonest: 3 of 3
    assert _similar(index, "quake.md")[:1] == ["tsunami.md"]


@pytest.mark.parametrize(
    ("token", "kept"),
    [("地震", True), ("プロ", True), ("天气", True), ("した", False), ("地", False),
     ("ます", False)],
)  # fmt: skip
def test_cjk_key_terms_are_bigrams_not_of_hiragana_alone(token: str, kept: bool) -> None:
    assert suggest._cjk_keyword(token) is kept
