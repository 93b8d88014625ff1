"""gfm: the same HTML as cmarkgfm's own renderer, without its memory leak."""

from __future__ import annotations

from pathlib import Path

import cmarkgfm
import pytest
from conftest import CONTENT, CORPUS_NAMES, GOLDEN, corpus

from searcher.ingest import gfm, meta

UNSAFE = cmarkgfm.cmark.Options.CMARK_OPT_UNSAFE
SUFFIXES = (".md", ".markdown", ".mdown", ".html", ".htm")


def reference(text: str, options: int = UNSAFE) -> str:
    html: str = cmarkgfm.github_flavored_markdown_to_html(text, options=options)
    return html


def assert_same_html(folder: Path) -> int:
    """Every post file under ``folder``, whole and without its front matter; how many."""
    count = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in SUFFIXES:
            raw = path.read_bytes().decode("utf-8", "replace")
            for text in (raw, meta.parse(raw).body):
                assert gfm.to_html(text, UNSAFE) == reference(text), path
            count += 1
    return count


@pytest.mark.parametrize("folder", [CONTENT, GOLDEN], ids=["content", "golden"])
def test_same_html_as_cmarkgfm(folder: Path) -> None:
    assert assert_same_html(folder) > 0


@pytest.mark.corpora
@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_same_html_on_the_shared_corpora(name: str) -> None:
    assert assert_same_html(corpus(name)) > 0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain",
        "| a | b |\n|---|---|\n| 1 | 2 |\n",  # table
        "see www.example.com and ~~gone~~",  # autolink, strikethrough
        "- [x] done\n- [ ] todo\n",  # task list
        "<script>alert(1)</script>\n\n<div>raw</div>",  # tagfilter, unsafe HTML kept
        "```rust\nfn main() {}\n```\n",  # GITHUB_PRE_LANG
        "caf\u00e9 \u2603 \U0001f600 \x00 nul",
    ],
)
@pytest.mark.parametrize("options", [0, UNSAFE])
def test_same_html_on_edge_cases(text: str, options: int) -> None:
    assert gfm.to_html(text, options) == reference(text, options)


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 1e6


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc (Linux)")
def test_memory_stays_bounded() -> None:
    post = "# Title\n\n" + "Some *text* with a [link](https://example.com) and `code`.\n\n" * 200
    assert len(post) > 12_000
    gfm.to_html(post)
    before = resident_mb()
    for _ in range(2_000):
        gfm.to_html(post)
    assert resident_mb() - before < 50  # cmarkgfm's own renderer grows by ~300 MB here
