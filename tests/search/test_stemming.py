"""Stemming through a real index: the posts' words and the query's words meet on one stem.

Every stem comes from ``analysis.stemmer`` (Snowball in C), at index time and at query time;
these tests search built indexes, as a user does.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import build_index, paths

import searcher
from searcher.indexing import analysis

# An inflected word of each stemmed language, as its own posts write it (accents kept).
WORDS = {
    "ar": "المكتبات", "da": "udviklerne", "nl": "ontwikkelaars", "en": "developers",
    "fi": "kehittäjät", "fr": "développeurs", "de": "Entwicklern", "hu": "fejlesztők",
    "it": "sviluppatori", "no": "utviklerne", "pt": "desenvolvedores", "ro": "dezvoltatorii",
    "ru": "разработчики", "es": "desarrolladores", "sv": "utvecklarna",
}  # fmt: skip


def _write(folder: Path, posts: dict[str, tuple[str, str]]) -> Path:
    """``posts``: file name → (language, body); each post titled by its file name."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (lang, body) in posts.items():
        (folder / name).write_text(
            f"---\ntitle: {name[:-3]}\nlang: {lang}\ndate: 2020-01-01\n---\n{body}\n", "utf-8"
        )
    return folder


@pytest.fixture(scope="module")
def languages_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of one post per stemmed language, each holding its word of ``WORDS``."""
    root = tmp_path_factory.mktemp("languages")
    posts = {f"{key}.md": (key, f"{word} {word.lower()}.") for key, word in WORDS.items()}
    return build_index([_write(root / "src", posts)], root / "ix")


@pytest.fixture(scope="module")
def languages(languages_dir: Path) -> Iterator[searcher.Index]:
    with searcher.open_index(languages_dir) as index:
        yield index


def test_every_language_covers_its_word_list() -> None:
    assert set(WORDS) == set(analysis.SNOWBALL_LANGUAGES)


@pytest.mark.parametrize("key", sorted(WORDS))
def test_a_word_finds_the_post_of_its_language_that_holds_it(
    languages: searcher.Index, key: str
) -> None:
    """The query's stems are the index's: as written, lowercased and without accents."""
    word = WORDS[key]
    for asked in dict.fromkeys((word, word.lower(), analysis.fold(word))):
        assert f"{key}.md" in paths(languages.search(asked)), asked


def test_english_added_finds_adding_not_ads(tmp_path: Path) -> None:
    """Whoosh's English stemmer made "added", "adding" and "ads" all "ad"."""
    posts = {
        "cache.md": ("en", "We are adding a cache in front of the database."),
        "ads.md": ("en", "Blocking ads on the web, one list at a time."),
    }
    with searcher.open_index(build_index([_write(tmp_path / "src", posts)], tmp_path / "ix")) as ix:
        assert paths(ix.search("added")) == ["cache.md"]
        assert paths(ix.search("adds")) == ["cache.md"]
        assert paths(ix.search("ads")) == ["ads.md"]


def test_latin_words_of_a_russian_post_keep_their_letters(tmp_path: Path) -> None:
    """Whoosh's Russian stemmer read Latin letters as Cyrillic ones and stemmed "ruby" as a
    Russian plural, to "rub": a search for "rub" found a Russian post about Ruby."""
    posts = {
        "ruby.md": ("ru", "Мы пишем сервисы на ruby и храним данные в базе."),
        "lamp.md": ("en", "How to rub a lamp, and what comes out of it."),
    }
    with searcher.open_index(build_index([_write(tmp_path / "src", posts)], tmp_path / "ix")) as ix:
        assert paths(ix.search("rub")) == ["lamp.md"]
        assert paths(ix.search("ruby")) == ["ruby.md"]


def test_concurrent_first_searches_stem_alike(languages_dir: Path) -> None:
    """Eight threads asking words no search has stemmed yet get what one thread got (the C
    stemmers keep state while they stem: each language's is locked)."""
    queries = [form for word in WORDS.values() for form in (word, analysis.fold(word))]
    with searcher.open_index(languages_dir) as alone:
        expected = {q: paths(alone.search(q)) for q in queries}
    for memo in analysis._STEMMED.values():  # every word stemmed afresh, in the threads
        memo.clear()
    languages = searcher.open_index(languages_dir)  # nothing parsed yet
    barrier = threading.Barrier(8)
    failures: list[str] = []

    def worker(n: int) -> None:
        barrier.wait()
        for query in queries[n:] + queries[:n]:
            if paths(languages.search(query)) != expected[query]:
                failures.append(query)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    languages.close()
    assert failures == []
