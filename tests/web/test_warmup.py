"""A server warms a rebuilt index before answering from it (search/warmup.py, LocalBackend).

Under a running web app, a rebuild is opened, warmed in a background thread while requests
keep getting the old generation's answers, then switched to. Timing belongs to
bench/web_warmup.py; these tests check which generation answers, and that warming builds.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import CONTENT, build_index
from starlette.testclient import TestClient

import searcher
from searcher import api
from searcher.search import backend, warmup
from searcher.search.generation import Generation
from searcher.web import app as web

NEW_POST = "---\ntitle: Zeppelin over the lake\ndate: 2030-01-02\n---\nA zeppelin flew by.\n"


def _found(client: TestClient, word: str) -> list[str]:
    response = client.get("/api/search", params={"q": word})
    assert response.status_code == 200, response.text
    return [hit["path"] for hit in response.json()["hits"]]


@pytest.fixture
def rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A content copy and its index, checked for changes at every request."""
    monkeypatch.setattr(api, "REFRESH_INTERVAL", 0.0)
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    return {"content": content, "index": build_index([content], tmp_path / "index")}


def test_requests_keep_the_old_generation_until_the_new_one_is_warm(
    rebuilt: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release, warmed = threading.Event(), threading.Event(), threading.Event()

    def held_warm(generation: Any) -> None:
        started.set()
        assert release.wait(30)
        warmup.warm(generation)
        warmed.set()

    monkeypatch.setattr(backend, "warm", held_warm)
    with searcher.open_index(rebuilt["index"]) as index:
        client = TestClient(web.create_app(index))
        before = _found(client, "cloud paris")
        assert before and _found(client, "zeppelin") == []
        (rebuilt["content"] / "new.md").write_text(NEW_POST)
        build_index([rebuilt["content"]], rebuilt["index"])
        assert _found(client, "zeppelin") == []  # noticed: warming starts, the old one answers
        assert started.wait(30)
        for _ in range(3):  # while it warms, answers stay right, from the old generation
            assert _found(client, "zeppelin") == [] and _found(client, "cloud paris") == before
        release.set()
        deadline = time.monotonic() + 30
        while not (found := _found(client, "zeppelin")) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert found == ["new.md"] and warmed.is_set()  # the new one, once warm
        assert _found(client, "cloud paris") == before


def test_warming_builds_what_first_requests_would(rebuilt: dict[str, Any]) -> None:
    """The completion table (the costliest first build) is written by warming, not by the
    first completion; and a warmed generation answers as an unwarmed one does."""
    index_dir = rebuilt["index"]
    with searcher.open_index(index_dir) as index:
        assert not list(index_dir.glob("completion-*"))  # nothing built before a completion
        cold = index.complete("clo")
    assert cold and list(index_dir.glob("completion-*"))
    for table in index_dir.glob("completion-*"):
        table.unlink()
    with searcher.open_index(index_dir) as index:
        warmup.warm(index._current())
        assert list(index_dir.glob("completion-*"))
        assert index.complete("clo") == cold


def test_a_failing_warm_step_is_logged_and_the_new_generation_still_serves(
    rebuilt: dict[str, Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in a lazily built table")

    with searcher.open_index(rebuilt["index"]) as index:
        index.refresh_in_background()
        assert index.search("zeppelin").total == 0
        monkeypatch.setattr(Generation, "complete", broken)
        (rebuilt["content"] / "new.md").write_text(NEW_POST)
        build_index([rebuilt["content"]], rebuilt["index"])
        deadline = time.monotonic() + 30
        while not index.search("zeppelin").total and time.monotonic() < deadline:
            time.sleep(0.01)
        assert index.search("zeppelin").total == 1
    assert any("complete request failed" in r.getMessage() for r in caplog.records)
    caplog.clear()


def test_a_served_index_is_warmed_before_its_first_request(
    rebuilt: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``blogsearch serve``'s workers warm the index they open before serving."""
    index_dir = rebuilt["index"]
    monkeypatch.setenv("BLOGSEARCH_INDEX", str(index_dir))
    assert not list(index_dir.glob("completion-*"))
    app = web.app_from_env()
    try:
        assert list(index_dir.glob("completion-*"))  # built by warming, before any request
        assert TestClient(app).get("/api/complete", params={"q": "clo"}).json()
    finally:
        app.state.index.close()
