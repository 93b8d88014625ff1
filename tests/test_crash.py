"""Killing a real indexer at any moment leaves the previous index complete and searchable."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import corpus

import searcher
from searcher import api
from searcher.ingest.reader import scan

pytestmark = pytest.mark.corpora
EVERYTHING = "date:[1990 TO 2100]"
INDEXER = "import sys; from searcher.cli import main; sys.exit(main())"


def start_indexer(source: Path, index_dir: Path) -> subprocess.Popen[bytes]:
    args = [
        sys.executable,
        "-c",
        INDEXER,
        "index",
        str(source),
        "--index-dir",
        str(index_dir),
        "-q",
    ]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def total(index: searcher.Index) -> int:
    return index.search(EVERYTHING, limit=1).total


def test_sigkill_at_several_points_then_a_clean_finish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api, "REFRESH_INTERVAL", 0.0)
    source, index_dir = tmp_path / "site", tmp_path / "index"
    shutil.copytree(corpus("chamerling"), source)
    searcher.build_index([source], index_dir)
    index = searcher.open_index(index_dir, audience="owner")
    before = total(index)
    shutil.copytree(corpus("evert"), source / "evert")
    added = sum(1 for _ in scan([corpus("evert")]))  # 462: evert has two drafts
    seen: set[int] = set()
    for delay in (0.2, 0.6, 1.0, 1.6, 2.4):
        proc = start_indexer(source, index_dir)
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline:
            seen.add(total(index))  # searching while the indexer writes
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        seen.add(total(index))
        with searcher.open_index(index_dir, audience="owner") as fresh:
            assert total(fresh) in (before, before + added)
    assert seen <= {before, before + added}
    done = start_indexer(source, index_dir)
    assert done.wait(timeout=300) == 0, done.stderr.read() if done.stderr else ""
    time.sleep(0.01)
    assert total(index) == before + added
    assert index.search("hateoas").total > 0 and index.search("petals").total > 0
    index.close()


def test_a_second_indexer_waits_for_the_first(tmp_path: Path) -> None:
    source, index_dir = tmp_path / "site", tmp_path / "index"
    shutil.copytree(corpus("evert"), source)
    first = start_indexer(source, index_dir)
    time.sleep(1.0)  # the first one holds the writer lock by now
    second = start_indexer(source, index_dir)
    assert first.wait(timeout=300) == 0
    assert second.wait(timeout=300) == 0
    stderr = second.stderr.read().decode() if second.stderr else ""
    assert "waiting for it" in stderr or first.returncode == 0
    with searcher.open_index(index_dir) as index:
        assert total(index) == 462  # evert without its two drafts


def test_two_indexers_started_together_on_an_empty_folder(tmp_path: Path) -> None:
    """The second waits for the first (it removed the first one's files while creating the
    index: FileNotFoundError in 2 of 4 tries), then finds the index up to date."""
    source = tmp_path / "site" / "_posts"
    source.mkdir(parents=True)
    for number in range(150):
        words = " ".join(f"word{number * 7 + i}" for i in range(300))
        (source / f"2020-01-01-post{number}.md").write_text(f"---\ntitle: P{number}\n---\n{words}")
    for attempt in range(2):
        index_dir = tmp_path / f"index{attempt}"
        pair = [start_indexer(source.parent, index_dir) for _ in range(2)]
        for indexer_process in pair:
            stderr = indexer_process.communicate(timeout=120)[1].decode()
            assert indexer_process.returncode == 0, stderr
            assert "Traceback" not in stderr
        with searcher.open_index(index_dir) as index:
            assert total(index) == index.stats().posts == 150
