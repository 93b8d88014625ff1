"""Pasted titles find their posts: over every shared corpus, a post's exact title, pasted
into the search box as it is written, ranks that post first (or among the posts of the same
title). The titles are spread evenly over each corpus; ``bench/pasted_titles.py`` tries
every title and prints the misses."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_index, corpus

import searcher
from searcher.indexing import records, wordforms
from searcher.ingest.reader import walk

SAMPLE = 120  # titles per corpus
CORPORA = ("bergie", "chamerling", "chrisjrob-site", "chrisjrob-wxr", "evert", "kaigai-matome",
           "ruby-lang", "rust-blog", "tinkerthon")  # fmt: skip


def _sources(folder: Path) -> list[Path]:
    """What ``blogsearch index`` is given for a corpus: the folder, or its WordPress exports
    when it holds no post files."""
    if next(iter(walk(folder)), None) is not None:
        return [folder]
    return sorted(folder.glob("*.xml"))


def _titles(index: searcher.Index) -> list[tuple[str, str]]:
    """(path, title) of every live post with a title, in path order."""
    reader = index._current().searcher.reader()
    found = [(post.path, post.title) for post in map(records.read, reader.all_stored_fields())]
    return sorted((path, title) for path, title in found if title.strip())


def _first(index: searcher.Index, path: str, title: str) -> bool:
    """Whether the post comes first for its pasted title, posts of the same title aside."""
    same = wordforms.title_key(title)
    for hit in index.search(title, limit=10).hits:
        if hit.path == path:
            return True
        if wordforms.title_key(hit.title) != same:
            return False
    return False


@pytest.fixture(scope="module")
def indexes(
    tmp_path_factory: pytest.TempPathFactory, chamerling_index: Path, ruby_index: Path
) -> dict[str, Path]:
    """An index of each corpus on its own (the shared ones the other tests build too)."""
    built = {"chamerling": chamerling_index, "ruby-lang": ruby_index}
    for name in CORPORA:
        if name not in built:
            built[name] = build_index(_sources(corpus(name)), tmp_path_factory.mktemp(name))
    return built


@pytest.mark.corpora
@pytest.mark.parametrize("name", CORPORA)
def test_a_pasted_title_finds_its_post_first(indexes: dict[str, Path], name: str) -> None:
    with searcher.open_index(indexes[name]) as index:
        titles = _titles(index)
        assert len(titles) > 50, f"{name}: too few titles to say anything"
        chosen = titles[:: max(1, len(titles) // SAMPLE)]
        missed = [(path, title) for path, title in chosen if not _first(index, path, title)]
    assert missed == [], f"{len(missed)} of {len(chosen)} titles of {name} not first"
