"""Shared fixtures: where the golden files and the shared corpora live."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
GOLDEN = TESTS / "golden"
FIXTURES = TESTS / "fixtures"
CONTENT = ROOT / "content"
CORPORA = ROOT.parent / "shared" / "corpora"
CORPUS_NAMES = ("chamerling", "evert", "ruby-lang", "rust-blog")


def corpus(name: str) -> Path:
    """The folder of one shared corpus, or skip the test when ../shared is not there."""
    path = CORPORA / name
    if not path.is_dir():
        pytest.skip(
            f"shared corpus {name!r} not found at {path} (../shared is absent in a user clone)"
        )
    return path
