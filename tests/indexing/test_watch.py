"""blogsearch index --watch keeps the index current as files change."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

from conftest import CONTENT

import searcher
from searcher.indexing import indexer
from searcher.indexing.watch import watch


def test_watch_follows_added_changed_and_deleted_posts(tmp_path: Path) -> None:
    site, index_dir = tmp_path / "content", tmp_path / "index"
    shutil.copytree(CONTENT, site)
    indexer.build([site], index_dir)
    stop = threading.Event()
    reports: list[indexer.BuildReport] = []

    def run() -> None:
        reports.extend(watch([site], index_dir, indexer.BuildOptions(), stop=stop))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    time.sleep(0.5)

    def settle(check: object) -> bool:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with searcher.open_index(index_dir, audience="owner") as index:
                if check(index):  # type: ignore[operator]
                    return True
            time.sleep(0.2)
        return False

    (site / "posts" / "zeppelin.md").write_text("---\ntitle: Zeppelin\n---\nA zeppelin.")
    (site / "notes.txt").write_text("not a post: must not trigger anything")
    assert settle(lambda ix: ix.search("zeppelin").total == 1)
    (site / "posts" / "zeppelin.md").rename(site / "posts" / "airship.md")
    assert settle(lambda ix: [h.path for h in ix.search("zeppelin").hits] == ["posts/airship.md"])
    (site / "posts" / "airship.md").unlink()
    assert settle(lambda ix: ix.search("zeppelin").total == 0)
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive() and reports


def test_watch_follows_folders_renamed_moved_in_and_removed(tmp_path: Path) -> None:
    site, index_dir = tmp_path / "site", tmp_path / "index"
    bundle = site / "posts" / "my-trip"
    bundle.mkdir(parents=True)
    (bundle / "index.md").write_text("---\ntitle: Trip\n---\nA zeppelin trip.")
    indexer.build([site], index_dir)
    stop = threading.Event()
    thread = threading.Thread(
        target=lambda: list(watch([site], index_dir, indexer.BuildOptions(), stop=stop)),
        daemon=True,
    )
    thread.start()
    time.sleep(0.5)

    def found() -> list[str]:
        with searcher.open_index(index_dir, audience="owner") as index:
            return sorted(h.path for h in index.search("zeppelin").hits)

    def settle(expected: list[str]) -> list[str]:
        deadline = time.monotonic() + 15
        while found() != expected and time.monotonic() < deadline:
            time.sleep(0.2)
        return found()

    try:
        bundle.rename(site / "posts" / "our-trip")  # a page bundle renamed
        assert settle(["posts/our-trip/index.md"]) == ["posts/our-trip/index.md"]
        outside = tmp_path / "v1.2"  # a dotted name: no file suffix tells it is a folder
        outside.mkdir()
        (outside / "index.md").write_text("---\ntitle: Moved\n---\nAnother zeppelin.")
        outside.rename(site / "posts" / "v1.2")  # a folder moved in from elsewhere
        expected = ["posts/our-trip/index.md", "posts/v1.2/index.md"]
        assert settle(expected) == expected
        shutil.rmtree(site / "posts")  # a folder removed with everything in it
        assert settle([]) == []
    finally:
        stop.set()
        thread.join(timeout=10)
