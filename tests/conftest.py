"""Shared fixtures: where the golden files and the shared corpora live."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
GOLDEN = TESTS / "golden"
FIXTURES = TESTS / "fixtures"
CONTENT = ROOT / "content"
CORPORA = ROOT.parent / "shared" / "corpora"
CORPUS_NAMES = ("chamerling", "evert", "ruby-lang", "rust-blog")

# Compact tables (the gazetteer's) go to a folder of the test run, not the user's cache;
# set before any test runs, so the CLI's child processes inherit it too.
os.environ["BLOGSEARCH_CACHE_DIR"] = tempfile.mkdtemp(prefix="blogsearch-test-cache-")


def corpus(name: str) -> Path:
    """The folder of one shared corpus, or skip the test when ../shared is not there."""
    path = CORPORA / name
    if not path.is_dir():
        pytest.skip(
            f"shared corpus {name!r} not found at {path} (../shared is absent in a user clone)"
        )
    return path


def build_index(sources: list[Path], target: Path, **options: object) -> Path:
    """Build an index with the real indexer (one place, so fixtures never drift apart)."""
    from searcher.indexing import indexer

    indexer.build(sources, target, indexer.BuildOptions(**options))  # type: ignore[arg-type]
    return target


@pytest.fixture(scope="session")
def content_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the bundled content/ folder."""
    return build_index([CONTENT], tmp_path_factory.mktemp("content-index"))


@pytest.fixture(scope="session")
def chamerling_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index([corpus("chamerling")], tmp_path_factory.mktemp("chamerling-index"))


@pytest.fixture(scope="session")
def ruby_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index([corpus("ruby-lang")], tmp_path_factory.mktemp("ruby-index"))


@pytest.fixture(scope="module")
def owner(content_index: Path) -> Any:
    """The bundled content's index as its owner sees it."""
    import searcher

    return searcher.open_index(content_index, audience="owner")


@pytest.fixture(scope="module")
def public(content_index: Path) -> Any:
    """The bundled content's index as a site backend serves it."""
    import searcher

    return searcher.open_index(content_index)


def paths(results: Any) -> list[str]:
    """The paths of a page of hits, in order."""
    return [hit.path for hit in results.hits]
