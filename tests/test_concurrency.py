"""Requests side by side: one slow search holds up no other, and concurrent searches of a
fresh index (nothing cached yet) give the answers they give one at a time."""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CONTENT, build_index, paths

import searcher
from searcher import api
from searcher.search.generation import Generation

QUERIES = [
    "cloud paris", "vélo", "date:2011", "ferry", "lang:de", "interoperabilite", "berlin",
    "python conference", "tokyo", "radweg", "montpellier", "quai", "sqlite", "reykjavik",
    "tag:cloud", "title:notes", "fahrplan*", "daylight -winter", "*", "-cloud",
    # date ranges are searched by Whoosh's matchers, which seek and read a shared file
    "date:[2010 TO 2020] cloud", "date:>2015 berlin", "date:<2019 quai", "date:2023 python",
    "date:[2000 TO 2030] -cloud", "date:{2011 TO 2024} tokyo OR montpellier",
]  # fmt: skip


def test_a_slow_search_holds_up_no_other(
    content_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = searcher.open_index(content_index)
    real = Generation.run
    started = threading.Event()

    def run(self: Generation, request: object) -> object:
        if getattr(request, "text", None) == "slowly":
            started.set()
            time.sleep(3)
        return real(self, request)  # type: ignore[arg-type]

    monkeypatch.setattr(Generation, "run", run)
    slow = threading.Thread(target=index.search, args=("slowly",))
    slow.start()
    assert started.wait(10)
    began = time.monotonic()
    assert paths(index.search("cloud paris"))
    index.complete("clo")
    index.stats()
    took = time.monotonic() - began
    slow.join()
    index.close()
    assert took < 2.0, f"waited {took:.1f} s behind a slow search"


def _answers(index: searcher.Index, query: str) -> tuple[object, ...]:
    found = index.search(query, limit=20)
    return (found.total, paths(found), [h.snippet for h in found.hits])


@pytest.fixture
def often_switched() -> Iterator[None]:
    """Threads switched every microsecond, not every 5 ms: a read racing another shows."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def test_concurrent_searches_of_a_fresh_index_read_right(
    content_index: Path, often_switched: None
) -> None:
    with searcher.open_index(content_index, audience="owner") as alone:
        expected = {q: _answers(alone, q) for q in QUERIES}
    for _ in range(3):  # each time a fresh index: nothing read yet, everything read at once
        with searcher.open_index(content_index, audience="owner") as index:
            assert _concurrently(index, expected) == []


def _concurrently(index: searcher.Index, expected: dict[str, tuple[object, ...]]) -> list[str]:
    """The queries answered otherwise than expected, 8 threads asking them all at once."""
    barrier = threading.Barrier(8)
    failures: list[str] = []

    def worker(n: int) -> None:
        barrier.wait()
        for i in range(len(QUERIES)):
            query = QUERIES[(n * 3 + i) % len(QUERIES)]
            try:
                got = _answers(index, query)
            except Exception as exc:  # pragma: no cover - reported below
                failures.append(f"{query}: {exc!r}")
                return
            if got != expected[query]:
                failures.append(query)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return failures


def test_a_rebuild_while_searching_closes_the_old_searcher_after_its_last_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api, "REFRESH_INTERVAL", 0.0)
    content = shutil.copytree(CONTENT, tmp_path / "content")
    index_dir = build_index([content], tmp_path / "index")
    index = searcher.open_index(index_dir, audience="owner")
    stop = threading.Event()
    failures: list[str] = []

    def searching() -> None:
        while not stop.is_set():
            try:
                assert index.search("cloud paris").total >= 1
                index.search("*", limit=50)
            except Exception as exc:  # pragma: no cover - reported below
                failures.append(repr(exc))
                return

    threads = [threading.Thread(target=searching) for _ in range(4)]
    for t in threads:
        t.start()
    for n in range(3):
        (content / f"new-{n}.md").write_text(f"---\ntitle: Zeppelin {n}\n---\nA zeppelin.\n")
        build_index([content], index_dir)
        time.sleep(0.05)
    stop.set()
    for t in threads:
        t.join()
    assert failures == []
    assert index.search("zeppelin").total == 3
    backend = index._backend  # every replaced searcher closed:
    assert not backend._retired and not backend._users  # type: ignore[attr-defined]
    index.close()
