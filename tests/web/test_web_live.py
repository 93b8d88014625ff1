"""A real ``blogsearch serve`` on 127.0.0.1: raw paths, a rebuild under load, and the page in
headless Chromium (Debian's, driven by Playwright; never a downloaded browser)."""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import CONTENT, build_index

from searcher.indexing import indexer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip
EVIL_POST = """---
title: "Evil <script>window.__pwned=1</script> title"
date: 2024-01-01
tags: ["<b>bold</b>", "xss"]
url: "javascript:window.__pwned=5"
---
A post about paris cafés with <script>window.__pwned=2</script> inside,
an <img src=x onerror="window.__pwned=3"> too, and &lt;script&gt;window.__pwned=6&lt;/script&gt;.
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(base: str, path: str) -> tuple[int, bytes]:
    """One GET with the path sent as is (http.client does not normalise ``..``)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextmanager
def serving(index_dir: Path, *extra: str) -> Iterator[str]:
    """``blogsearch serve`` in a child process on a free port; its base URL once it answers."""
    port = free_port()
    command = [str(Path(sys.executable).with_name("blogsearch")), "serve", "--index-dir",
               str(index_dir), "--port", str(port), "--no-access-log", *extra]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(base, "/api/stats")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                output = server.stdout.read().decode() if server.stdout else ""
                pytest.fail(f"blogsearch serve did not start: {output}")
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled content plus one post that tries every way to run a script."""
    folder = tmp_path_factory.mktemp("site") / "content"
    shutil.copytree(CONTENT, folder)
    (folder / "_posts" / "2024-01-01-evil.md").write_text(EVIL_POST, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def server(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    index_dir = build_index([site], tmp_path_factory.mktemp("site-index"))
    with serving(index_dir) as base:
        yield base


# -- raw requests -------------------------------------------------------------------------

RAW_ESCAPES = [
    "/static/../searcher/web.py", "/static/../web.py", "/static/../../pyproject.toml",
    "/static/%2e%2e/web.py", "/static/%2e%2e/%2e%2e/pyproject.toml", "/static/..%2fweb.py",
    "/static/%2e%2e%2fweb.py", "/static/....//web.py", "/static/..\\web.py",
    "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/../../../../../../etc/passwd",
    "/../../etc/passwd", "/static/%252e%252e/web.py", "/static/search.js%00.py",
]  # fmt: skip


@pytest.mark.parametrize("path", RAW_ESCAPES)
def test_raw_paths_never_leave_the_static_folder(server: str, path: str) -> None:
    status, body = get(server, path)
    assert status in (400, 404), body[:200]
    assert b"import" not in body and b"root:" not in body


def test_the_static_script_is_served(server: str) -> None:
    status, body = get(server, "/static/search.js")
    assert status == 200 and b"fetch(" in body


# -- a rebuilt index, while requests keep coming -------------------------------------------


def test_a_rebuilt_index_is_picked_up_without_dropping_requests(site: Path, tmp_path: Path) -> None:
    source = shutil.copytree(site, tmp_path / "content")
    index_dir = build_index([source], tmp_path / "index")
    statuses: list[int] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            statuses.append(get(base, "/api/search?q=paris")[0])
            statuses.append(get(base, "/?q=velo")[0])

    with serving(index_dir) as base:
        workers = [threading.Thread(target=hammer) for _ in range(3)]
        for worker in workers:
            worker.start()
        try:
            for round_ in range(3):
                (source / "_posts" / f"2024-02-0{round_ + 1}-zanzibar.md").write_text(
                    f"---\ntitle: Zanzibar {round_}\ndate: 2024-02-01\n---\nSpice markets.\n"
                )
                indexer.build([source], index_dir, indexer.BuildOptions(), rebuild=True)
                time.sleep(0.3)
            found = _wait_for(base, "/api/search?q=zanzibar", lambda d: d["total"] == 3)
        finally:
            stop.set()
            for worker in workers:
                worker.join()
    assert found["total"] == 3
    assert len(statuses) > 20 and set(statuses) == {200}


def _wait_for(base: str, path: str, ok: Any, seconds: float = 15) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        status, body = get(base, path)
        data = json.loads(body)
        if status == 200 and ok(data):
            return data
        if time.monotonic() > deadline:
            return data
        time.sleep(0.2)


# -- the page in a real browser ------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium); browser test skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that records console errors (a blocked script or style would show here)."""
    context = browser.new_context()
    tab = context.new_page()
    tab.errors = []
    tab.on("console", lambda m: m.type == "error" and tab.errors.append(m.text))
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    yield tab
    context.close()


def pwned(tab: Any) -> Any:
    return tab.evaluate("typeof window.__pwned === 'undefined' ? null : window.__pwned")


def test_type_a_query_and_see_results(server: str, page: Any) -> None:
    page.goto(server + "/")
    box = page.locator("input[name=q]")
    box.press_sequentially("pari", delay=30)
    page.locator("#completions option").first.wait_for(state="attached")
    assert "paris" in page.locator("#completions option").evaluate_all(
        "options => options.map(o => o.value.toLowerCase()).join(' ')"
    )
    box.fill("paris")
    with page.expect_navigation():
        box.press("Enter")
    assert "q=paris" in page.url
    assert page.locator(".hit").count() >= 2
    assert page.locator(".summary").inner_text().startswith("1\u20132 of")
    assert page.locator(".hit mark").first.inner_text().lower() == "paris"
    assert page.errors == []


def test_a_post_with_scripts_shows_them_as_text(server: str, page: Any) -> None:
    page.goto(server + "/?q=caf%C3%A9s&tag=xss")
    title = page.locator(".hit h2").first
    assert title.inner_text() == "Evil <script>window.__pwned=1</script> title"
    assert page.locator(".hit script, .hit img, .tags b").count() == 0
    assert "<b>bold</b>" in page.locator(".tags").first.inner_text()
    for link in page.locator("a").all():
        assert not (link.get_attribute("href") or "").lower().startswith("javascript")
    assert "<script>window.__pwned=6</script>" in page.locator(".snippet").first.inner_text()
    assert pwned(page) is None
    assert page.errors == []


def test_a_script_typed_as_the_query_never_runs(server: str, page: Any) -> None:
    typed = "<script>window.__pwned=4</script> paris"
    page.goto(server + "/")
    page.locator("input[name=q]").fill(typed)
    with page.expect_navigation():
        page.locator("input[name=q]").press("Enter")
    assert pwned(page) is None
    assert page.locator("input[name=q]").input_value() == typed
    assert page.title().startswith(typed)
    assert typed in page.locator("main").inner_text()  # shown back as text


def test_follow_the_pages(server: str, page: Any) -> None:
    page.goto(server + "/?lang=en&limit=3")
    summary = page.locator(".summary")
    assert summary.inner_text().startswith("1\u20133 of")
    with page.expect_navigation():
        page.locator("a[rel=next]").click()
    assert summary.inner_text().startswith("4\u20136 of")
    assert page.locator("ol.hits").get_attribute("start") == "4"
    with page.expect_navigation():
        page.locator("a[rel=next]").click()
    assert summary.inner_text().startswith("7\u2013")
    with page.expect_navigation():
        page.locator("a[rel=prev]").click()
    assert summary.inner_text().startswith("4\u20136 of")
    assert page.errors == []


def test_the_page_works_without_javascript(server: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(server + "/")
        tab.locator("details summary").click()
        tab.locator("input[name=q]").fill("velo")
        tab.locator("input[name=near]").fill("Montpellier")
        with tab.expect_navigation():
            tab.locator("button[type=submit]").click()
        assert tab.locator(".hit").count() >= 1
        assert "away" in tab.locator(".distance").first.inner_text()
        assert tab.locator("figure.map svg circle").count() >= 1
    finally:
        context.close()
